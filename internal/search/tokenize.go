package search

import (
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
	stop map[string]bool
	buf  []byte
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
	t.words(s, func(w []byte, runes int) {
		if term, ok := t.term(w, runes); ok {
			emit(term)
		}
	})
}

// term turns a word from words into its index term: ok is false for stop
// words and words too short or too long to be worth indexing. It may modify
// w and returns a slice of it.
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

// words calls fn with each lower-cased word of s and its length in runes,
// before stop words and stemming. Each ideograph comes as a word of its own.
// The slice is only valid during the call (it is the tokenizer's buffer),
// which keeps indexing free of an allocation per word.
func (t *tokenizer) words(s string, fn func(w []byte, runes int)) {
	buf := t.buf[:0]
	n := 0 // runes in buf
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// ASCII fast path: most text is.
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				buf = append(buf, c)
				n++
				continue
			case 'A' <= c && c <= 'Z':
				buf = append(buf, c+'a'-'A')
				n++
				continue
			case c != '\'':
				if n > 0 {
					fn(buf, n)
					buf, n = buf[:0], 0
				}
				continue
			}
			i-- // an apostrophe: handled below
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case isIdeograph(r):
			if n > 0 {
				fn(buf, n)
				buf, n = buf[:0], 0
			}
			buf = utf8.AppendRune(buf, r)
			fn(buf, 1)
			buf = buf[:0]
		case isWordRune(r):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
			n++
		case isApostrophe(r) && n > 0:
			// Inside a word an apostrophe joins ("don't" → dont); a final
			// possessive "'s" is dropped ("citizen's" → citizen).
			next, nsize := utf8.DecodeRuneInString(s[i:])
			if !isWordRune(next) || isIdeograph(next) {
				fn(buf, n)
				buf, n = buf[:0], 0
				continue
			}
			if next == 's' || next == 'S' {
				after, _ := utf8.DecodeRuneInString(s[i+nsize:])
				if !isWordRune(after) {
					fn(buf, n)
					buf, n = buf[:0], 0
					i += nsize
				}
			}
		default:
			if n > 0 {
				fn(buf, n)
				buf, n = buf[:0], 0
			}
		}
	}
	if n > 0 {
		fn(buf, n)
	}
	t.buf = buf[:0]
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
