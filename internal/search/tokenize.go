package search

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The tokeniser below has a twin in assets/search.js; both must give the same
// terms for the same text, or the browser looks up words that the index
// spells differently. TestTokensMatchBrowser checks that in Chromium.

// stopWords are English function words that match almost every page and
// carry no meaning on their own. They are left out of the index (which keeps
// it small) and out of queries. "it" (IT) and "may" (the month) stay in.
// The same list is in assets/search.js (checked by TestStopWordsMatchScript).
const stopWords = "a about after all also am an and any are as at be been before being both but by " +
	"can could did do does doing during each few for from further had has have having he her " +
	"here hers him his how i if in into is its itself just me more most must my no nor not of " +
	"off on once only or other our ours out over own same shall she should so some such than that " +
	"the their theirs them then there these they this those through to too under until up upon us " +
	"very was we were what when where which while who whom why will with within would you your yours"

const (
	// maxTokenRunes drops longer runs (hashes, base64, run-together words):
	// nobody searches for them and they bloat the index.
	maxTokenRunes = 32
	// minPrefixRunes is the shortest query word also matched as a prefix; a
	// shorter one would expand to a large part of the vocabulary.
	minPrefixRunes = 3
)

// tokenizer splits text into index terms. It holds the stop-word set so that
// no package-level mutable state is needed; make one per Index or Search call.
type tokenizer struct {
	stop         map[string]bool
	buf, scratch []byte
}

func newTokenizer() *tokenizer {
	t := &tokenizer{stop: make(map[string]bool, 128), buf: make([]byte, 0, 64)}
	for _, w := range strings.Fields(stopWords) {
		t.stop[w] = true
	}
	return t
}

// isIdeograph reports runes of scripts written without spaces between words.
// Each one becomes a term of its own, so a query of several characters finds
// pages that contain them all.
func isIdeograph(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// each calls emit with every term of s, in order. The slice passed to emit
// is only valid during the call.
func (t *tokenizer) each(s string, emit func(term []byte)) {
	r := wordReader{word: t.buf, emit: func(w []byte, runes int) {
		t.scratch = append(t.scratch[:0], w...) // term changes its argument
		if term, ok := t.term(t.scratch, runes); ok {
			emit(term)
		}
	}}
	r.read([]byte(s))
	r.separate()
	t.buf = r.word[:0]
}

// term turns a word from a wordReader into its index term: ok is false for
// stop words and words too short or too long to be worth indexing. It may
// modify w and returns a slice of it.
func (t *tokenizer) term(w []byte, runes int) (term []byte, ok bool) {
	if runes == 1 && len(w) > 1 {
		// An ideograph is a term of its own.
		r, _ := utf8.DecodeRune(w)
		if isIdeograph(r) {
			return w, true
		}
	}
	if runes < 2 || runes > maxTokenRunes || t.stop[string(w)] {
		return nil, false
	}
	return stem(w), true
}

// wordReader splits text into lower-cased words, before stop words and
// stemming, as the text arrives: whole (a title, a query) or in the pieces
// between a page's tags, where a word may go on from one piece to the next
// ("<b>Gov</b>Tech"). Each ideograph is a word of its own.
//
// Each word goes, with its length in runes, to counts when that is set,
// else to emit. A page's words go to counts directly: a build reads ten
// million words, and a call through a func value for each showed in its
// profile. The slice is only valid during the call (it is the reader's
// buffer or a part of the text), which keeps reading free of an allocation
// per word; it must not be changed.
type wordReader struct {
	counts *docWords
	emit   func(w []byte, runes int)
	word   []byte // the word being read
	runes  int    // its length in runes
	// apostrophe is set when the word stopped at an apostrophe: whether
	// that joins the word ("don't" → dont) or ends it ("citizen's" →
	// citizen) depends on the runes after it, which may come in the next
	// piece.
	apostrophe apostropheState
}

type apostropheState uint8

const (
	noApostrophe     apostropheState = iota
	afterApostrophe                  // the word, then an apostrophe
	afterApostropheS                 // the word, an apostrophe and an s
)

// read reads the next piece of text.
func (r *wordReader) read(s []byte) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf || c == '\'' || r.apostrophe != noApostrophe {
			c, size := utf8.DecodeRune(s[i:])
			i += size
			r.rune(c)
			continue
		}
		if asciiWordBytes[c] == ' ' {
			r.endWord()
			i++
			continue
		}
		if r.counts != nil && r.runes == 0 {
			if n := r.countLowerWords(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		// Any other ASCII word. A run of letters and digits is read at
		// once, lower-case letters eight at a time; upper is not 0 if the
		// run has upper-case letters.
		j := i + 1 + lowerRun(s[i+1:])
		upper := asciiWordBytes[c] ^ c
		for ; j < len(s); j++ {
			c := s[j]
			l := asciiWordBytes[c]
			if l == ' ' {
				break
			}
			upper |= l ^ c
		}
		ends := j < len(s) && s[j] < utf8.RuneSelf && s[j] != '\''
		if r.runes == 0 && ends && upper == 0 {
			// A whole lower-case word: passed on as it is, with no
			// copy. What ends it is a separator: skip it too.
			r.emitWord(s[i:j], j-i)
			j++
		} else {
			at := len(r.word)
			r.word = append(r.word, s[i:j]...)
			if upper != 0 {
				for k := at; k < len(r.word); k++ {
					r.word[k] = asciiWordBytes[r.word[k]]
				}
			}
			r.runes += j - i
		}
		i = j
	}
}

// countLowerWords counts the words of lower-case letters that s starts
// with, each followed by a plain separator, most of a page's words, until
// something else comes, and returns the length it read. It reads eight
// bytes at a time, making the words' keys (see wordKey) as it goes, and
// stops eight bytes before the end of s.
func (r *wordReader) countLowerWords(s []byte) int {
	i := 0
	for i+8 <= len(s) {
		x := binary.LittleEndian.Uint64(s[i : i+8])
		n := lowerLetters(x)
		if n == 0 {
			if !plainSeparator(s[i]) {
				break
			}
			i++
			continue
		}
		j := i + n
		key := x & (1<<(8*n) - 1)
		if n == 8 {
			h := mixWord(x)
			for {
				if j+8 > len(s) {
					return i // the rest is read byte by byte
				}
				y := binary.LittleEndian.Uint64(s[j : j+8])
				k := lowerLetters(y)
				j += k
				if k < 8 {
					key = longKey(h, y&(1<<(8*k)-1))
					break
				}
				h = mixWord(h ^ y)
			}
		}
		if !plainSeparator(s[j]) {
			break
		}
		if j-i >= 2 && j-i <= maxTokenRunes { // see add
			r.counts.addKey(key, s[i:j])
		}
		i = j + 1
	}
	return i
}

// plainSeparator reports whether c ends a word, whatever follows it.
// (Whether an apostrophe does depends on what follows.)
func plainSeparator(c byte) bool {
	return c < utf8.RuneSelf && c != '\'' && asciiWordBytes[c] == ' '
}

// lowerRun is the number of lower-case ASCII letters that s starts with.
func lowerRun(s []byte) int {
	n := 0
	for ; len(s) >= 8; s = s[8:] {
		k := lowerLetters(binary.LittleEndian.Uint64(s))
		n += k
		if k < 8 {
			return n
		}
	}
	for _, c := range s {
		if c-'a' >= 26 {
			break
		}
		n++
	}
	return n
}

// lowerLetters is the number of lower-case ASCII letters that the eight
// bytes of x, read as little-endian, start with.
func lowerLetters(x uint64) int {
	const high = 0x8080808080808080
	// Each byte's high bit: with its high bit cleared first, so that no
	// sum carries into the next byte, b+0x1f has it from 'a' on and b+0x05
	// from '{' on.
	y := x &^ high
	letters := (y + 0x1f1f1f1f1f1f1f1f) &^ (y + 0x0505050505050505) &^ x & high
	return bits.TrailingZeros64(^letters&high) / 8
}

// asciiWordBytes maps each byte that is an ASCII letter or digit to itself,
// lower-cased, and every other byte to a space.
const asciiWordBytes = "" +
	"                                " + // 0x00–0x1f
	"                0123456789      " + // 0x20–0x3f
	" abcdefghijklmnopqrstuvwxyz     " + // 0x40–0x5f
	" abcdefghijklmnopqrstuvwxyz     " + // 0x60–0x7f
	"                                " + // 0x80–0xff: not ASCII
	"                                " +
	"                                " +
	"                                "

// separate ends the word being read: what follows is another word even
// if no space comes between, as after a paragraph. It reads as a space
// does, so it also ends the text.
func (r *wordReader) separate() {
	if r.apostrophe == noApostrophe {
		r.endWord() // as rune does, without asking what a space is
	} else {
		r.rune(' ')
	}
}

// rune reads one rune of the text.
func (r *wordReader) rune(c rune) {
	switch r.apostrophe {
	case afterApostrophe:
		r.apostrophe = noApostrophe
		switch {
		case !isWordRune(c) || isIdeograph(c):
			r.endWord()
		case c == 's' || c == 'S':
			r.apostrophe = afterApostropheS
			return
		}
	case afterApostropheS:
		r.apostrophe = noApostrophe
		if isWordRune(c) {
			r.word = append(r.word, 's')
			r.runes++
		} else {
			r.endWord() // a possessive: the s goes with the apostrophe
		}
	}
	switch {
	case isIdeograph(c):
		r.endWord()
		r.word = utf8.AppendRune(r.word, c)
		r.emitWord(r.word, 1)
		r.word = r.word[:0]
	case isWordRune(c):
		r.word = utf8.AppendRune(r.word, unicode.ToLower(c))
		r.runes++
	case isApostrophe(c) && r.runes > 0:
		r.apostrophe = afterApostrophe
	default:
		r.endWord()
	}
}

func (r *wordReader) emitWord(w []byte, runes int) {
	if r.counts != nil {
		r.counts.add(w, runes)
	} else {
		r.emit(w, runes)
	}
}

func (r *wordReader) endWord() {
	if r.runes > 0 {
		r.emitWord(r.word, r.runes)
		r.word, r.runes = r.word[:0], 0
	}
}

// terms returns the terms of s as strings, duplicates kept, in order.
func (t *tokenizer) terms(s string) []string {
	var out []string
	t.each(s, func(term []byte) { out = append(out, string(term)) })
	return out
}

// stem strips the commonest English inflections in place so that "grants",
// "granted" and "granting" meet at "grant". It is deliberately light (no
// derivational suffixes): every rule must be mirrored in JavaScript, and a
// wrong conflation costs more than a missed one, which prefix matching of
// query words partly makes up for. Only plain a–z words are touched.
func stem(w []byte) []byte {
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return w
		}
	}
	if len(w) <= 3 {
		return w
	}
	has := func(suffix string) bool { return strings.HasSuffix(string(w), suffix) }
	switch {
	case has("ies") && len(w) > 4, has("ied") && len(w) > 4:
		// policies → policy, applied → apply
		w = append(w[:len(w)-3], 'y')
		return w
	case has("sses"):
		// businesses → business
		return w[:len(w)-2]
	case has("ss"), has("us"), has("is"):
		return w
	case has("s"):
		w = w[:len(w)-1]
	case has("eed"):
		// need, proceed: the "ed" is not a suffix
		return w
	case has("ing") && len(w) >= 6 && hasVowel(w[:len(w)-3]):
		w = undouble(w[:len(w)-3])
	case has("ed") && len(w) >= 5 && hasVowel(w[:len(w)-2]):
		w = undouble(w[:len(w)-2])
	}
	// A final silent e goes, so "house", "housed" and "housing" agree.
	if len(w) >= 5 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

func hasVowel(w []byte) bool {
	for _, c := range w {
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			return true
		}
	}
	return false
}

// undouble turns "plann" (from planning, planned) into "plan"; l, s and z
// stay double (falling → fall).
func undouble(w []byte) []byte {
	n := len(w)
	if n >= 4 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouylsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}
