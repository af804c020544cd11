package search

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var cmpEmpty = cmpopts.EquateEmpty()

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Digital Identity", []string{"digital", "identity"}},
		{"The Government’s digital services", []string{"government", "digital", "servic"}},
		{"citizen's needs; don't panic", []string{"citizen", "need", "dont", "panic"}},
		{"'quoted' words'", []string{"quot", "word"}},
		{"island-wide 2.0 v2 COVID-19", []string{"island", "wide", "v2", "covid", "19"}},
		{"Grants, granted, granting", []string{"grant", "grant", "grant"}},
		{"policies applied businesses classes", []string{"policy", "apply", "business", "class"}},
		{"planning planned plans plan", []string{"plan", "plan", "plan", "plan"}},
		{"house houses housing housed", []string{"hous", "hous", "hous", "hous"}},
		{"falling needs proceed speeding", []string{"fall", "need", "proceed", "speed"}},
		{"status bus analysis", []string{"status", "bus", "analysis"}},
		// Stop words go, short words go, "it" and "may" stay.
		{"a to be or not to be it may X", []string{"it", "may"}},
		// Letters beyond ASCII: lower-cased, kept whole, not stemmed.
		{"Café ÉCOLES Straße", []string{"café", "écoles", "straße"}},
		{"தமிழ் மொழி", []string{"தமிழ்", "மொழி"}},
		// Each ideograph is a term; kana too.
		{"数字政府 ok", []string{"数", "字", "政", "府", "ok"}},
		{"カタカナ", []string{"カ", "タ", "カ", "ナ"}},
		{"한국어 서비스", []string{"한국어", "서비스"}},
		{strings.Repeat("x", 33) + " " + strings.Repeat("y", 32), []string{strings.Repeat("y", 32)}},
		{"<b>tags</b> &amp; entities", []string{"tag", "amp", "entity"}},
	} {
		got := newTokenizer().terms(tc.in)
		if diff := cmp.Diff(tc.want, got, cmpEmpty); diff != "" {
			t.Errorf("terms(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// tokenCases are the texts the browser's tokeniser must split as Go does.
func tokenCases() []string {
	cases := []string{
		"The Government’s digital services",
		"citizen's needs; don't panic 'quoted' words' it's",
		"island-wide 2.0 v2 COVID-19 e-mail",
		"Grants granted granting policies applied businesses classes planning planned house housed housing",
		"falling needs proceed speeding agreed programme programming status bus analysis series news",
		"a to be or not to be it may X",
		"Café ÉCOLES Straße Ωμέγα ΣΊΣΥΦΟΣ",
		"தமிழ் மொழி हिन्दी भाषा",
		"数字政府 ok カタカナ 한국어 서비스",
		"emoji 🙂 ok 𝐁𝐨𝐥𝐝 text",
		strings.Repeat("x", 33) + " " + strings.Repeat("y", 32),
		"Singapore’s National Digital Identity Initiative (NDI)",
	}
	return cases
}

func TestStem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"gov", "gov"},
		{"ties", "tie"}, // too short for the ies rule
		{"studies", "study"},
		{"classes", "class"},
		{"citizens", "citizen"},
		{"services", "servic"},
		{"service", "servic"},
		{"uses", "use"},
		{"training", "train"},
		{"string", "string"}, // "str" has no vowel: not a suffix
		{"adding", "add"},
		{"added", "add"},
		{"shipping", "ship"},
		{"need", "need"},
		{"agreed", "agreed"},
		{"sustainability", "sustainability"},
		{"covid19", "covid19"},
	} {
		if got := string(stem([]byte(tc.in))); got != tc.want {
			t.Errorf("stem(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestStopWordsMatchScript keeps the browser's stop words and constants in
// step with Go's.
func TestStopWordsMatchScript(t *testing.T) {
	js, err := os.ReadFile("assets/search.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)var STOP_WORDS = (.*?);\n`).FindSubmatch(js)
	if m == nil {
		t.Fatal("STOP_WORDS not found in search.js")
	}
	var parts []string
	for _, q := range regexp.MustCompile(`"([^"]*)"`).FindAllSubmatch(m[1], -1) {
		parts = append(parts, string(q[1]))
	}
	if diff := cmp.Diff(strings.Fields(stopWords), strings.Fields(strings.Join(parts, ""))); diff != "" {
		t.Errorf("stop words differ (-go +js):\n%s", diff)
	}
	for name, want := range map[string]int{
		"MAX_TOKEN_RUNES": maxTokenRunes, "MIN_PREFIX_RUNES": minPrefixRunes,
		"MAX_SHARDS_PER_TERM": maxShardsPerTerm, "MAX_QUERY_SHARDS": maxQueryShards, "MAX_QUERY_TERMS": maxQueryTerms, "PAGE_SIZE": PageSize, "INDEX_VERSION": indexVersion,
	} {
		re := regexp.MustCompile(`var ` + name + ` = (\d+);`)
		if m := re.FindSubmatch(js); m == nil || string(m[1]) != strconv.Itoa(want) {
			t.Errorf("search.js %s = %s, want %d", name, m, want)
		}
	}
}

// A page's text comes in pieces, cut wherever there is a tag: the words
// must come out as from the whole text, listed (queries) or counted
// (pages).
func TestWordsInPieces(t *testing.T) {
	cases := append(tokenCases(),
		"citizen's Don't it’s x' s y’S ’s '' don''t",
		"GovTech AND govtech, grants2024 ok. Long-words-like-sustainability-and-transformation",
		"twelve bytes and sixteen bytes words: organisations accountability")
	for _, s := range cases {
		whole := readInPieces(s, 0)
		wholeCounts := countInPieces(s, 0)
		for cut := range s { // at every rune: a tag never cuts one
			if got := readInPieces(s, cut); !slices.Equal(got, whole) {
				t.Errorf("%q cut at %d: words %q, want %q", s, cut, got, whole)
			}
			if got := countInPieces(s, cut); !maps.Equal(got, wholeCounts) {
				t.Errorf("%q cut at %d: counts %v, want %v", s, cut, got, wholeCounts)
			}
		}
	}
}

// readInPieces lists the words of s, read in two pieces cut at cut.
func readInPieces(s string, cut int) []string {
	var words []string
	r := wordReader{emit: func(w []byte, _ int) { words = append(words, string(w)) }}
	r.read([]byte(s[:cut]))
	r.read([]byte(s[cut:]))
	r.separate()
	return words
}

// countInPieces counts the words of s, read in two pieces cut at cut.
func countInPieces(s string, cut int) map[string]uses {
	d := newDocWords()
	d.use = uses{text: 1}
	r := d.reader(nil)
	r.read([]byte(s[:cut]))
	r.read([]byte(s[cut:]))
	r.separate()
	return wordCounts(d.pack())
}
