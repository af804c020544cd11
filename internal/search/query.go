package search

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Search is the Go twin of the browser client's query: it reads the index
// the way the client fetches it and ranks the same way. The build and the
// tests use it to check an index without a browser, and to measure what a
// query downloads. fsys is the output root.
//
// Ranking: documents that have every query word come first, then those that
// have fewer; within a group, by the sum over the words of IDF × the stored
// weight (BM25 with field weights); ties by document order (URL). A query
// word of three or more letters also matches the terms it begins, at half
// weight, so "sustain" finds "sustainability"; the IDF is that of the word
// and all its forms together.
func Search(fsys fs.FS, query string, page int) (Results, error) {
	res := Results{Query: query, Hits: []Hit{}}
	var m manifest
	if err := readJSON(fsys, IndexPath, &m, &res); err != nil {
		return res, err
	}
	if m.V != indexVersion {
		return res, fmt.Errorf("%s: index version %d, want %d", IndexPath, m.V, indexVersion)
	}
	res.Terms = queryTerms(query)
	plan := planShards(m.Terms, res.Terms)

	shards := map[string]map[string][]int{}
	type docScore struct {
		matched int
		score   int64
	}
	scores := map[int]*docScore{}
	for ti, term := range res.Terms {
		best := map[int]int64{}
		for _, si := range plan[ti] {
			name := m.Terms[si][1]
			sh, ok := shards[name]
			if !ok {
				if err := readJSON(fsys, Dir+"t/"+name+".json", &sh, &res); err != nil {
					return res, err
				}
				shards[name] = sh
			}
		}
		for _, k := range matchingTerms(shards, m.Terms, plan[ti], term) {
			var postings []int
			for _, si := range plan[ti] {
				if p, ok := shards[m.Terms[si][1]][k]; ok {
					postings = p
					break
				}
			}
			factor := int64(1)
			if k == term {
				factor = 2
			}
			doc := 0
			for i := 0; i+1 < len(postings); i += 2 {
				doc += postings[i]
				best[doc] = max(best[doc], factor*int64(postings[i+1]))
			}
		}
		// One IDF for the query word and all its forms, from the number of
		// documents that have any: a rare longer word must not outrank the
		// word itself.
		idf := idfScore(m.N, len(best))
		for doc, s := range best {
			d := scores[doc]
			if d == nil {
				d = &docScore{}
				scores[doc] = d
			}
			d.matched++
			d.score += idf * s
		}
	}

	ids := make([]int, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int) int {
		return cmp.Or(cmp.Compare(scores[b].matched, scores[a].matched),
			cmp.Compare(scores[b].score, scores[a].score), cmp.Compare(a, b))
	})
	res.Total = len(ids)
	res.Pages = (len(ids) + PageSize - 1) / PageSize
	res.Page = max(1, min(page, res.Pages))
	lo := (res.Page - 1) * PageSize
	if lo >= len(ids) {
		return res, nil
	}
	tables := map[int][][5]string{}
	for _, id := range ids[lo:min(lo+PageSize, len(ids))] {
		s := id / m.Per
		if s >= len(m.Docs) {
			return res, fmt.Errorf("%s: document %d has no table shard", IndexPath, id)
		}
		rows, ok := tables[s]
		if !ok {
			if err := readJSON(fsys, Dir+"d/"+m.Docs[s]+".json", &rows, &res); err != nil {
				return res, err
			}
			tables[s] = rows
		}
		if id%m.Per >= len(rows) {
			return res, fmt.Errorf("%s: document %d missing from its shard", IndexPath, id)
		}
		r := rows[id%m.Per]
		res.Hits = append(res.Hits, Hit{URL: r[0], Title: r[1], Kind: r[2], Date: r[3], Excerpt: r[4], Matched: scores[id].matched, Score: scores[id].score})
	}
	return res, nil
}

// PageSize is the number of results per page, in Search and in the client.
const PageSize = 10

// maxShardsPerTerm caps what one query word downloads when, as a prefix, it
// spans several term shards, and maxQueryShards what a whole query does. With
// at most DocsPerShard×10 document rows and the manifest, they bound the
// download of any query (see TestMeasure).
const (
	maxShardsPerTerm = 3
	maxQueryShards   = 12
	maxQueryTerms    = 10
)

// planShards picks the term shards of a query: first the shard of each word
// (every word gets one, however long the query), then, in word order, the
// further shards of words that match as prefixes, while the query stays
// within maxQueryShards.
func planShards(terms [][2]string, qterms []string) [][]int {
	plan := make([][]int, len(qterms))
	seen := map[int]bool{}
	for i, t := range qterms {
		all := shardsFor(terms, t)
		if len(all) > 0 {
			plan[i] = all[:1]
			seen[all[0]] = true
		}
	}
	for i, t := range qterms {
		for _, si := range shardsFor(terms, t)[min(1, len(plan[i])):] {
			if !seen[si] && len(seen) >= maxQueryShards {
				break
			}
			seen[si] = true
			plan[i] = append(plan[i], si)
		}
	}
	return plan
}

// Results is one page of results.
type Results struct {
	Query string
	// Terms are the query's index terms, after stop words and stemming.
	Terms []string
	// Total is the number of documents that have at least one term.
	Total, Pages, Page int
	Hits               []Hit
	// Fetched lists the index files read, in order, and their sizes.
	Fetched []Fetch
}

// Fetch is one index file a query downloads.
type Fetch struct {
	Path string
	Size int
}

// Hit is one result.
type Hit struct {
	URL, Title, Kind, Date, Excerpt string
	// Matched is the number of query terms the document has.
	Matched int
	Score   int64
}

func readJSON(fsys fs.FS, path string, v any, res *Results) error {
	b, err := fs.ReadFile(fsys, path)
	if err != nil {
		return err
	}
	res.Fetched = append(res.Fetched, Fetch{path, len(b)})
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// queryTerms are the distinct terms of a query, in order, at most
// maxQueryTerms of them: each costs a download.
func queryTerms(q string) []string {
	var out []string
	for _, t := range newTokenizer().terms(q) {
		if !slices.Contains(out, t) && len(out) < maxQueryTerms {
			out = append(out, t)
		}
	}
	return out
}

// shardsFor returns the term shards a query term needs: the one whose range
// holds the term and, when the term is long enough to match as a prefix,
// the following shards that begin with it (up to maxShardsPerTerm in all).
func shardsFor(terms [][2]string, term string) []int {
	if len(terms) == 0 {
		return nil
	}
	// The last shard whose first term is ≤ term.
	i, found := slices.BinarySearchFunc(terms, term, func(e [2]string, t string) int { return strings.Compare(e[0], t) })
	if !found {
		i--
	}
	out := []int{max(i, 0)}
	if utf8.RuneCountInString(term) >= minPrefixRunes {
		for j := i + 1; j < len(terms) && len(out) < maxShardsPerTerm && strings.HasPrefix(terms[j][0], term); j++ {
			out = append(out, j)
		}
	}
	return out
}

// matchingTerms lists the index terms a query term matches in its shards:
// itself, and as a prefix the longer terms it begins, sorted.
func matchingTerms(shards map[string]map[string][]int, terms [][2]string, plan []int, term string) []string {
	prefix := utf8.RuneCountInString(term) >= minPrefixRunes
	var out []string
	for _, si := range plan {
		for k := range shards[terms[si][1]] {
			if k == term || prefix && strings.HasPrefix(k, term) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// idfScore is the BM25 inverse document frequency, as an integer in
// thousandths so that Go and JavaScript rank identically even when their
// logarithms differ in the last bit. It is at least 1, so that the weights
// still rank the documents of a word that is on every page.
func idfScore(n, df int) int64 {
	return max(1, int64(math.Round(1000*math.Log(1+(float64(n)-float64(df)+0.5)/(float64(df)+0.5)))))
}
