package search

import (
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
