package search

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Doc is one searchable item: a page, a resource post or a file item.
type Doc struct {
	URL      string
	Title    string
	Headings []string
	// Text is the visible text of the page (see TextOf), headings included;
	// in a Doc made by PageDoc, only the start of it that the excerpt is
	// made from.
	Text string
	// Kind is "page", "post" or "file"; the client shows it with the result.
	Kind string
	// Date is YYYY-MM-DD for posts and files, empty for pages.
	Date string

	// words are the counts of the words of Title, Headings and the whole
	// text, as docWords.pack lists them, when PageDoc has counted them
	// already; nil when Index has to read the fields.
	words []byte
}

// File is one output file, its path relative to the output root.
type File struct {
	Path string
	Data []byte
}

// Output paths. Everything the package writes lives under Dir, a folder
// no Isomer site uses, so it never collides with a site's own files.
const (
	Dir        = "assets/search/"
	IndexPath  = Dir + "index.json"
	ScriptPath = Dir + "search.js"
)

// Tuning. The figures are measured on the 10,000-page synthetic site (see
// the package's measure test): they keep the worst query under 300 KB gzip.
const (
	// DocsPerShard documents share one document-table shard. A results page
	// fetches at most ten of them, so small shards cost little there, while
	// their names make up most of the manifest.
	DocsPerShard = 32
	// Term shards are cut at content-defined points once they hold
	// minShardBytes, and before they would pass maxShardBytes (unless one
	// term alone is larger: a term is never split).
	minShardBytes = 12 << 10
	maxShardBytes = 48 << 10
	// cutEvery: about one term in cutEvery is a possible cut point.
	cutEvery = 8
	// excerptRunes is the length of the stored excerpt.
	excerptRunes = 160
	// Field weights and BM25 constants. A word in a heading counts
	// headingBoost+1 times (it is in the text too); a word in the title adds
	// titleBonus to the weight of the posting.
	headingBoost = 2
	titleBonus   = 15
	bm25K1       = 1.2
	bm25B        = 0.75
	// weightScale turns the BM25 term-frequency part (0 to k1+1) into the
	// small integer stored in postings.
	weightScale = 10
)

// indexVersion is in the manifest so that a client can refuse a format it
// does not know.
const indexVersion = 1

// docTerm is one distinct term of a document with its counts per field.
type docTerm struct {
	term             int32 // local to the worker until remapped, then global
	title, head, txt uint16
}

type docInfo struct {
	terms  []docTerm
	length int // tokens in the text, for length normalisation
	worker int
}

// Index builds the search index of docs: the manifest, the term shards and
// the document-table shards, in a fixed order. The output depends only on
// the set of docs (they are ordered by URL; of two docs with the same URL
// the later one wins), so unchanged shards come out byte-identical.
func Index(docs []Doc) []File {
	docs = uniqueByURL(docs)
	infos, vocab := analyse(docs)

	// Weights need the average length, which is rounded to a quarter power
	// of two so that editing one page does not shift every weight.
	total := 0
	for i := range infos {
		total += infos[i].length
	}
	avg := 1.0
	if len(infos) > 0 && total > 0 {
		avg = math.Exp2(math.Round(4*math.Log2(float64(total)/float64(len(infos)))) / 4)
	}

	// Postings, as one flat array ordered by term. Each core fills those of
	// one range of documents, at offsets counted beforehand, so every term's
	// list still comes out in document order.
	parts := spans(len(infos))
	next := make([][]int, len(parts))
	runSpans(parts, func(p, lo, hi int) {
		c := make([]int, len(vocab))
		for i := lo; i < hi; i++ {
			for _, dt := range infos[i].terms {
				c[dt.term]++
			}
		}
		next[p] = c
	})
	counts := make([]int, len(vocab)+1) // term t's postings are [counts[t], counts[t+1])
	offset := 0
	for t := range vocab {
		counts[t] = offset
		for p := range parts {
			n := next[p][t]
			next[p][t] = offset
			offset += n
		}
	}
	counts[len(vocab)] = offset
	type posting struct{ doc, weight int32 }
	postings := make([]posting, offset)
	runSpans(parts, func(p, lo, hi int) {
		at := next[p]
		for id := lo; id < hi; id++ {
			for _, dt := range infos[id].terms {
				postings[at[dt.term]] = posting{int32(id), weight(dt, infos[id].length, avg)}
				at[dt.term]++
			}
		}
	})

	// Serialise each term's entry, then cut the sorted run of entries into
	// shards.
	entries := make([][]byte, len(vocab))
	parallel(len(vocab), func(lo, hi int) {
		var b []byte
		for t := lo; t < hi; t++ {
			b = b[:0]
			// Terms are letters, digits and marks only: nothing to escape.
			b = append(b, '"')
			b = append(b, vocab[t]...)
			b = append(b, '"', ':', '[')
			prev := int32(0)
			for i, p := range postings[counts[t]:counts[t+1]] {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, int64(p.doc-prev), 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(p.weight), 10)
				prev = p.doc
			}
			b = append(b, ']')
			entries[t] = slices.Clone(b)
		}
	})
	cuts := cutShards(vocab, entries)

	var files []File
	m := manifest{V: indexVersion, N: len(docs), Per: DocsPerShard, Docs: []string{}, Terms: [][2]string{}}
	for s, lo := range cuts {
		hi := len(vocab)
		if s+1 < len(cuts) {
			hi = cuts[s+1]
		}
		size := 2
		for _, e := range entries[lo:hi] {
			size += len(e) + 1
		}
		b := make([]byte, 0, size)
		b = append(b, '{')
		for i, e := range entries[lo:hi] {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e...)
		}
		b = append(b, '}', '\n')
		name := contentName(b)
		files = append(files, File{Dir + "t/" + name + ".json", b})
		first := vocab[lo]
		if s == 0 {
			first = ""
		}
		m.Terms = append(m.Terms, [2]string{first, name})
	}

	tables := make([]File, (len(docs)+DocsPerShard-1)/DocsPerShard)
	parallel(len(tables), func(first, last int) {
		for s := first; s < last; s++ {
			lo, hi := s*DocsPerShard, min((s+1)*DocsPerShard, len(docs))
			rows := make([][5]string, 0, hi-lo)
			for _, d := range docs[lo:hi] {
				rows = append(rows, [5]string{d.URL, collapseSpaces(d.Title), d.Kind, d.Date, excerpt(d)})
			}
			b := marshal(rows)
			tables[s] = File{Dir + "d/" + contentName(b) + ".json", b}
		}
	})
	for _, f := range tables {
		files = append(files, f)
		m.Docs = append(m.Docs, strings.TrimSuffix(strings.TrimPrefix(f.Path, Dir+"d/"), ".json"))
	}

	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	files = slices.CompactFunc(files, func(a, b File) bool { return a.Path == b.Path })
	return append([]File{{IndexPath, marshal(m)}}, files...)
}

// manifest is index.json.
type manifest struct {
	V   int `json:"v"`
	N   int `json:"n"`
	Per int `json:"per"`
	// Docs names the document-table shards in id order.
	Docs []string `json:"docs"`
	// Terms are [first term, shard name] in term order; the first shard's
	// first term is "" so that every term falls in some shard.
	Terms [][2]string `json:"terms"`
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only strings and ints: cannot fail
	}
	return append(b, '\n')
}

func contentName(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:5])
}

func uniqueByURL(docs []Doc) []Doc {
	idx := make([]int, len(docs))
	for i := range idx {
		idx[i] = i
	}
	// Later docs first among equal URLs, so the first of each run wins.
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(strings.Compare(docs[a].URL, docs[b].URL), cmp.Compare(b, a))
	})
	out := make([]Doc, 0, len(docs))
	for _, i := range idx {
		if len(out) > 0 && out[len(out)-1].URL == docs[i].URL {
			continue
		}
		out = append(out, docs[i])
	}
	return out
}

// analyse turns the words of the docs into terms on all cores. Each worker
// keeps its own dictionary; the result is remapped to one sorted
// vocabulary, so the output does not depend on how the work was split.
func analyse(docs []Doc) ([]docInfo, []string) {
	infos := make([]docInfo, len(docs))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(docs)/64))
	dicts := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := newTokenizer()
			ids := map[string]int32{} // term → local id
			cache := newWordTable()   // word → local id, or -1 if dropped
			var names []string
			var counts []docTerm // indexed by local term id
			var touched []int32
			var plain *docWords // for docs that PageDoc has not read
			for i := w; i < len(docs); i += workers {
				words := docs[i].words
				if words == nil {
					if plain == nil {
						plain = newDocWords()
					}
					words = readDoc(&docs[i], plain)
				}
				length := 0
				for len(words) > 0 {
					word, n, rest := nextWord(words)
					words = rest
					// Most words were seen before: one lookup gives
					// their term id, with no stemming.
					id, ok := cache.get(word)
					if !ok {
						id = -1
						// A copy: term may change it, and word is part
						// of the doc.
						if term, keep := tk.term(slices.Clone(word), utf8.RuneCount(word)); keep {
							tid, ok := ids[string(term)]
							if !ok {
								tid = int32(len(names))
								s := string(term)
								ids[s] = tid
								names = append(names, s)
								counts = append(counts, docTerm{term: tid})
							}
							id = tid
						}
						cache.put(word, id)
					}
					if id < 0 {
						continue
					}
					c := &counts[id]
					if c.title == 0 && c.head == 0 && c.txt == 0 {
						touched = append(touched, id)
					}
					c.title = satAdd(c.title, n.title)
					c.head = satAdd(c.head, n.head)
					c.txt = satAdd(c.txt, n.text)
					length += int(n.text)
				}
				terms := make([]docTerm, len(touched))
				for j, id := range touched {
					terms[j] = counts[id]
					counts[id] = docTerm{term: id}
				}
				touched = touched[:0]
				infos[i] = docInfo{terms: terms, length: length, worker: w}
			}
			dicts[w] = names
		}()
	}
	wg.Wait()

	// One sorted vocabulary, and each worker's local ids mapped into it.
	seen := map[string]bool{}
	var vocab []string
	for _, names := range dicts {
		for _, s := range names {
			if !seen[s] {
				seen[s] = true
				vocab = append(vocab, s)
			}
		}
	}
	slices.Sort(vocab)
	global := make(map[string]int32, len(vocab))
	for i, s := range vocab {
		global[s] = int32(i)
	}
	remap := make([][]int32, workers)
	for w, names := range dicts {
		remap[w] = make([]int32, len(names))
		for i, s := range names {
			remap[w][i] = global[s]
		}
	}
	parallel(len(infos), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := remap[infos[i].worker]
			for j := range infos[i].terms {
				infos[i].terms[j].term = r[infos[i].terms[j].term]
			}
		}
	})
	return infos, vocab
}

// readDoc counts the words of a doc that PageDoc has not read, in words,
// which it empties first, so that a worker reuses one table for its docs.
func readDoc(d *Doc, words *docWords) []byte {
	words.reset()
	r := words.reader(nil)
	words.use = uses{title: 1}
	r.read([]byte(d.Title))
	r.separate()
	words.use = uses{head: 1}
	for _, h := range d.Headings {
		r.read([]byte(h))
		r.separate()
	}
	words.use = uses{text: 1}
	r.read([]byte(d.Text))
	r.separate()
	return words.pack()
}

// satAdd adds n uses to a count, which stops at its largest value.
func satAdd(count uint16, n uint32) uint16 {
	return uint16(min(uint64(count)+uint64(n), math.MaxUint16))
}

// weight is the stored score of a term in a document: the BM25 term
// frequency part, with headings counted extra, scaled to a small integer,
// plus a bonus when the title has the term. The client multiplies it by the
// term's IDF, which it computes from the length of the postings list.
func weight(dt docTerm, length int, avg float64) int32 {
	tf := float64(dt.txt) + headingBoost*float64(dt.head)
	w := 0.0
	if tf > 0 {
		w = tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(length)/avg))
	}
	q := int32(math.Round(w * weightScale))
	if dt.title > 0 {
		q += titleBonus
	}
	return max(q, 1)
}

// cutShards returns the index of the first term of each shard. A cut falls
// before a term whose hash is 0 mod cutEvery once the shard holds
// minShardBytes: the boundaries then depend on the terms near them, not on
// everything before, so a change in one place moves no boundary elsewhere.
func cutShards(vocab []string, entries [][]byte) []int {
	if len(vocab) == 0 {
		return nil
	}
	cuts := []int{0}
	size := 0
	for t := range vocab {
		if t > 0 {
			natural := size >= minShardBytes && termHash(vocab[t])%cutEvery == 0
			forced := size+len(entries[t]) > maxShardBytes
			if natural || forced {
				cuts = append(cuts, t)
				size = 0
			}
		}
		size += len(entries[t]) + 1
	}
	return cuts
}

func termHash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// excerpt is the start of the text, cut at a word boundary, without the
// page's opening heading when that only repeats the title (Isomer pages often
// open with it).
func excerpt(d Doc) string {
	// Only the start of the text matters; collapsing the spaces of all of it
	// would cost more than the rest of indexing.
	text := excerptSource(d.Title, d.Text)
	text = collapseSpaces(text)
	if len(d.Headings) > 0 {
		h := collapseSpaces(d.Headings[0])
		title := collapseSpaces(d.Title)
		if strings.EqualFold(h, title) && len(text) >= len(h) && strings.EqualFold(text[:len(h)], h) &&
			(len(text) == len(h) || text[len(h)] == ' ') {
			text = strings.TrimLeft(text[len(h):], " ")
		}
	}
	// cut is where the rune after the first excerptRunes starts, if any.
	cut, n := 0, 0
	for i := range text {
		if n == excerptRunes {
			cut = i
			break
		}
		n++
	}
	if cut == 0 {
		return text
	}
	if sp := strings.LastIndexByte(text[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(text[:cut], " ,;:-–—") + "…"
}

// collapseSpaces is strings.Join(strings.Fields(s), " "), with no copy
// when there is nothing to collapse: text from TextOf has single spaces
// already, except for the rare Unicode spaces.
func collapseSpaces(s string) string {
	if s == "" || s[0] == ' ' {
		return strings.Join(strings.Fields(s), " ")
	}
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c-'!' < utf8.RuneSelf-'!': // printable ASCII, most of it
			i++
		case c == ' ' && i+1 < len(s) && s[i+1] != ' ':
			i++
		case c < utf8.RuneSelf: // a control character, two spaces or a final one
			return strings.Join(strings.Fields(s), " ")
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return strings.Join(strings.Fields(s), " ")
			}
			i += n
		}
	}
	return s
}

// excerptLimit is how many bytes of a text excerptSource may keep, for a
// doc with that title: the excerpt has excerptRunes runes and may first
// drop an opening heading that repeats the title.
func excerptLimit(title string) int { return len(title) + 8*excerptRunes }

// excerptSource is the start of text that excerpt reads: the first
// excerptLimit bytes, cut back to the start of a rune.
func excerptSource[T string | []byte](title string, text T) T {
	if limit := excerptLimit(title); len(text) > limit {
		for limit > 0 && !utf8.RuneStart(text[limit]) {
			limit--
		}
		text = text[:limit]
	}
	return text
}

// spans splits [0,n) into one range per core, or fewer when n is small
// enough that goroutines would cost more than they save.
func spans(n int) [][2]int {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/64))
	out := make([][2]int, workers)
	for w := range out {
		out[w] = [2]int{n * w / workers, n * (w + 1) / workers}
	}
	return out
}

// runSpans runs f on each span concurrently; p is the span's index.
func runSpans(parts [][2]int, f func(p, lo, hi int)) {
	var wg sync.WaitGroup
	for p, s := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(p, s[0], s[1])
		}()
	}
	wg.Wait()
}

// parallel runs f over [0,n) split into one range per core.
func parallel(n int, f func(lo, hi int)) {
	runSpans(spans(n), func(_, lo, hi int) { f(lo, hi) })
}
