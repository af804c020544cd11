package search

import (
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTextOf(t *testing.T) {
	for _, tc := range []struct {
		name, in     string
		wantHeadings []string
		wantText     string
	}{
		{"empty", "", nil, ""},
		{"paragraphs", "<p>One</p><p>Two  three\n four</p>", nil, "One Two three four"},
		{"inline joins", "<p><b>Gov</b>Tech and <a href=x>Smart</a>&nbsp;Nation</p>", nil, "GovTech and Smart Nation"},
		{"blocks split", "<div>card</div><div>grid</div><li>a<li>b", nil, "card grid a b"},
		{"br and img split", "one<br>two<img alt=x>three", nil, "one two three"},
		{"headings", "<h2>Who <em>we</em> are</h2><p>text</p><h3>Contact</h3>", []string{"Who we are", "Contact"}, "Who we are text Contact"},
		{"nested heading counted once", "<h2>a<h3>b</h3></h2>", []string{"a", "b"}, "a b"},
		{"skipped", `<nav><ul><li>Home<li>About</ul></nav><script>var x = "<p>no</p>";</script><style>p{}</style>` +
			`<p>kept</p><noscript>js</noscript><template><p>t</p></template><button>Go</button>`, nil, "kept"},
		{"hidden", `<p hidden>h</p><div aria-hidden="true">a</div><div role="navigation">n</div><p aria-hidden="false">shown</p>`, nil, "shown"},
		{"whole document", `<!DOCTYPE html><html><head><title>T</title><style>x</style></head><body><header><nav>menu</nav></header><main><h1>Title</h1><p>Body</p></main></body></html>`,
			[]string{"Title"}, "Title Body"},
		{"entities", "<p>Fish &amp; chips &lt;3 caf&eacute;</p>", nil, "Fish & chips <3 café"},
		{"broken markup", "<p>unclosed <b>bold <i>both</p> after", nil, "unclosed bold both after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, text := TextOf([]byte(tc.in))
			if diff := cmp.Diff(tc.wantHeadings, h, cmpEmpty); diff != "" {
				t.Errorf("headings (-want +got):\n%s", diff)
			}
			if text != tc.wantText {
				t.Errorf("text = %q, want %q", text, tc.wantText)
			}
		})
	}
}

func TestTextOfSeed(t *testing.T) {
	d := seedDoc(t)
	if diff := cmp.Diff([]string{"Our Digital Government Efforts"}, d.Headings); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"These efforts are aligned with the Digital Government Blueprint (DGB) 2.0,",
		"Tech for Public Good Cultivating a Digital Government",
		"Digital Identity Singapore’s National Digital Identity Initiative (NDI)",
		"Sustainability As part of Singapore's Green Plan 2030",
	} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	// Image alt text and link targets are not visible text.
	for _, not := range []string{"decarbonising public sector technology to mitigate global warming and secure a smart and sustainable future for SG", "https://", "<"} {
		if strings.Contains(d.Text, not) {
			t.Errorf("text has %q", not)
		}
	}
}

// The scanner and the tokenizer must read any input alike: the scanner
// either gives up or finds the same text and words. And PageDoc, which
// counts a page's words as they come, in the pieces between its tags, must
// count the words that Index reads in TextOf's headings and text.
func FuzzTextOf(f *testing.F) {
	for _, s := range []string{
		`<p>One <b>two</b></p>`, `<div hidden>x</div>y`, `<DIV ARIA-HIDDEN="true">x</div>y`,
		`<p role=navigation>x</p>y`, `<p role="navigation&#x20;">x</p>`, `<a href=x/>t</a>`, `<h2/>x<h3 / >y</h3>`,
		`<nav><nav>a</nav>b</nav>c`, `<iframe>a</ifram</iframe >b`, `<title>&amp;x</TITLE>y`, `<textarea/>x</textarea>z`,
		`<xmp><b>x</b></xmp>`, `a < b <3 c&lt;`, `a <`, `<p =x a='b>c' d="e>f" g=h>i</p>`, `<p a=>b</p>`,
		`<p a = "x" / >y`, `<svg><path/></svg>after`, `caf\xe9 \xc2\xa0x`, `<!-- c --><p>x</p>`, `<script>1<2</script>x`,
		`<p a="b`, `</>x`, `</ x>y`, `<br/><br />`, `<img src=x/>`, `<H1>A<h2>B</H1>C</h2>`,
		`<p>Citizen'<b>s</b> rights, don'<i>t</i> panic, it’<b>S</b>x</p>`, `<h2>Gov<b>Tech</b></h2>Tech<p>Page Title</p>`,
		`<p>数字<b>政府</b>カタ<i>カナ</i> ÉCOLES&nbsp;Straße grants GRANTED planning2024 x</p>`,
	} {
		f.Add([]byte(s))
	}
	// One reader for every input a worker tries, as a build reuses one
	// for many pages: what a page leaves in it must not change the next.
	var reused PageReader
	f.Fuzz(func(t *testing.T, b []byte) {
		var e, ref extractor
		e.reset(len(b), math.MaxInt, newDocWords())
		if e.scan(b) {
			e.separate()
			e.endHeading()
			ref.reset(len(b), math.MaxInt, newDocWords())
			ref.tokenize(b)
			ref.separate()
			ref.endHeading()
			if diff := cmp.Diff(ref.w.headings, e.w.headings, cmpEmpty); diff != "" {
				t.Errorf("headings of %q (-tokenizer +scanner):\n%s", b, diff)
			}
			if string(ref.w.out) != string(e.w.out) {
				t.Errorf("text of %q:\n tokenizer %q\n scanner   %q", b, ref.w.out, e.w.out)
			}
			if want, got := ref.words.pack(), e.words.pack(); string(want) != string(got) {
				t.Errorf("words of %q:\n tokenizer %v\n scanner   %v", b, wordCounts(want), wordCounts(got))
			}
		}

		const title = "Page Title"
		headings, text := TextOf(b)
		got := PageDoc(Doc{Title: title}, b)
		if diff := cmp.Diff(headings, got.Headings, cmpEmpty); diff != "" {
			t.Errorf("PageDoc headings of %q (-TextOf +PageDoc):\n%s", b, diff)
		}
		if want := excerptSource(title, text); got.Text != want {
			t.Errorf("PageDoc text of %q: %q, want %q", b, got.Text, want)
		}
		want := Doc{Title: title, Headings: headings, Text: text}
		if w, g := wordCounts(readDoc(&want, newDocWords())), wordCounts(got.words); !maps.Equal(w, g) {
			t.Errorf("PageDoc words of %q:\n%v\nwant (from TextOf)\n%v", b, g, w)
		}
		if again := reused.Doc(Doc{Title: title}, b); !reflect.DeepEqual(again, got) {
			t.Errorf("a reused PageReader read %q as\n%+v\nnot as a new one does:\n%+v", b, again, got)
		}
	})
}

// wordCounts unpacks a list of docWords.pack, to compare lists that count
// the same words in another order.
func wordCounts(packed []byte) map[string]uses {
	m := map[string]uses{}
	for len(packed) > 0 {
		w, u, rest := nextWord(packed)
		packed = rest
		sum := m[string(w)]
		sum.add(u)
		m[string(w)] = sum
	}
	return m
}

// A Doc from PageDoc indexes as one from TextOf does.
func TestPageDocIndexesAsTextOf(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Skip(err)
	}
	_, seedBody := splitFrontMatter(string(seed))
	for _, tc := range []struct{ title, body string }{
		{"Our Digital Government Efforts", seedBody},
		{"About Us", "<h1>About us</h1><p>We are <b>Gov</b>Tech&rsquo;s team. Citizen's rights; don't panic.</p><nav>Menu</nav>"},
		{"Grants", "<h2>Grants</h2><p>Grants granted, granting: " + strings.Repeat("Planning applications for grants. ", 200) + "</p>"},
		{"数字政府", "<p>数字政府 カタカナ Straße ÉCOLES &nbsp; caf\xe9</p><h3>Headings <i>count</i> thrice</h3>"},
	} {
		headings, text := TextOf([]byte(tc.body))
		fromText := Doc{URL: "/page/", Title: tc.title, Headings: headings, Text: text, Kind: "page"}
		fromPage := PageDoc(Doc{URL: "/page/", Title: tc.title, Kind: "page"}, []byte(tc.body))
		if !slices.EqualFunc(Index([]Doc{fromText}), Index([]Doc{fromPage}), sameFile) {
			t.Errorf("%s: the index of PageDoc's doc differs from that of TextOf's", tc.title)
		}
		if len(fromPage.Text) > excerptLimit(tc.title) {
			t.Errorf("%s: PageDoc kept %d bytes of the text, want at most %d", tc.title, len(fromPage.Text), excerptLimit(tc.title))
		}
	}
}
