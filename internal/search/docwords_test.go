package search

import (
	"maps"
	"strings"
	"testing"
)

// Every word keeps its own counts, whatever its length and however it was
// added, and comes back from the packed list as counted.
func TestDocWords(t *testing.T) {
	words := []string{
		"ab", "ba", "abc", "abd", "grant", "grants", "granted", // short: the key is the word
		"sustainable", "sustainably", "organisation", "organisations", // long: a hash
		"abcdefgh", "abcdefgi", "bbcdefgh", "abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghijklmnopq",
		"café", "straße", "数", strings.Repeat("é", 32), // up to 64 bytes
	}
	d := newDocWords()
	want := map[string]uses{}
	for round := range 300 { // enough for uvarints of two bytes and for the table to grow
		for i, w := range words {
			use := []uses{{title: 1}, {head: 1, text: 1}, {text: 1}}[(round+i)%3]
			d.use = use
			if isLower(w) && round%2 == 0 {
				// As a page's words are read, with what follows them.
				r := d.reader(nil)
				if n := r.countLowerWords([]byte(w + " 12345678")); n != len(w)+1 {
					t.Fatalf("countLowerWords(%q) read %d bytes, want %d", w, n, len(w)+1)
				}
			} else {
				d.add([]byte(w), len([]rune(w)))
			}
			sum := want[w]
			sum.add(use)
			want[w] = sum
		}
		d.use = uses{text: 1}
		d.add([]byte("x"), 1)                      // one letter: never a term
		d.add([]byte(strings.Repeat("y", 33)), 33) // too long to be one
		d.add([]byte(strings.Repeat("é", 33)), 33) // too long in runes
	}
	if len(d.counts) != len(words) {
		t.Errorf("%d distinct words counted, want %d", len(d.counts), len(words))
	}
	if got := wordCounts(d.pack()); !maps.Equal(got, want) {
		t.Errorf("counts\n%v\nwant\n%v", got, want)
	}
}

func isLower(w string) bool {
	return strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == ""
}
