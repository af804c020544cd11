package markup

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

var fuzzSeeds = []string{
	"",
	"# H {#id}\n\n[x](/a b.pdf){:target=\"_blank\"}\n",
	"{:ref: .x}\n\npara\n{: ref #y}\n",
	"<div markdown=\"1\">\n* a\n</div>\n",
	"<div><p>unclosed\n\n| a | b |\n|---|---|\n| 1 |\n",
	"- [ ] task\n- [x] done\n{: .tl}\n",
	"Text[^1]\n\n[^1]: note\n*[HTML]: Hyper\n",
	"* TOC\n{:toc}\n\n# A\n### B\n## C\n",
	"{::comment}\nx\n{:/comment}\n{::nomarkdown}<b>{:/}\n",
	"\"'quotes'\" -- ... << >> `code`{: .c}\n",
	"<a class=\"isomer-image-wrapper\" href=\"x\">\n<img src=\"y\">\n</a>\n",
	"<!-- c --> t\n<hr>\n<br/>\n",
	"1. a\n- b\n2. c\n",
	"<details markdown=\"1\">\n<summary>s</summary>\n\n*x*\n</details>\n",
}

// FuzzConvert checks that Convert never fails (it turns panics into
// errors) and that its output parses as HTML.
func FuzzConvert(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	c := New()
	f.Fuzz(func(t *testing.T, src []byte) {
		var out bytes.Buffer
		if err := c.Convert(&out, src); err != nil {
			t.Fatalf("Convert(%q): %v", src, err)
		}
		// x/net/html refuses documents nested deeper than 512 elements,
		// which input like 600 ">" legitimately produces.
		if _, err := html.Parse(bytes.NewReader(out.Bytes())); err != nil && !strings.Contains(err.Error(), "exceeds 512") {
			t.Fatalf("output of %q does not parse: %v", src, err)
		}
		if utf8.Valid(src) && !utf8.Valid(out.Bytes()) {
			t.Fatalf("valid UTF-8 input %q gave invalid UTF-8 output", src)
		}
	})
}

// FuzzParseAttrList checks the IAL parser on arbitrary attribute lists:
// no panics, and every key it yields is a kramdown attribute name.
func FuzzParseAttrList(f *testing.F) {
	for _, s := range []string{`.a #b c="d"`, `ref .x.y#z`, `k='v\}' k2="a\"b"`, ` : `, `#1 .. # =`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := parseAttrList(s)
		if len(a.keys) != len(a.vals) {
			t.Fatalf("parseAttrList(%q): %d keys, %d values", s, len(a.keys), len(a.vals))
		}
		for _, k := range a.keys {
			if k == "" || !isWordByte(k[0]) || strings.ContainsAny(k, " \t\n=") {
				t.Fatalf("parseAttrList(%q): bad key %q", s, k)
			}
		}
		for _, r := range a.refs {
			if r == "" || strings.ContainsAny(r, " \t\n") {
				t.Fatalf("parseAttrList(%q): bad ref %q", s, r)
			}
		}
	})
}

// TestCorpusAsFuzzSeeds runs every corpus snippet through the fuzz
// property too, so the seed corpus is larger than fuzzSeeds.
func TestCorpusAsFuzzSeeds(t *testing.T) {
	c := New()
	for _, s := range loadCorpus(t) {
		var out bytes.Buffer
		if err := c.Convert(&out, []byte(s.src)); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
}
