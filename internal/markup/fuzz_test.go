package markup

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

var fuzzSeeds = []string{
	"",
	"0000\n- --\n0", // once opened a list holding a rule, which goldmark cannot handle
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
// errors), that its output parses as HTML, and that a Converter reused
// for input after input (which reuses its buffers) writes what a new one
// does.
func FuzzConvert(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	c := New()
	f.Fuzz(func(t *testing.T, src []byte) {
		var out, fresh bytes.Buffer
		if err := c.Convert(&out, src); err != nil {
			t.Fatalf("Convert(%q): %v", src, err)
		}
		if err := c.convert(&fresh, src, new(htmlScan)); err != nil || fresh.String() != out.String() {
			t.Fatalf("Convert(%q) by a reused converter:\n%s\nby a new one (error %v):\n%s", src, out.Bytes(), err, fresh.Bytes())
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

// FuzzRawHTMLBlock checks what the renderer relies on when it writes the
// serialisation a raw HTML block made while parsing: that it is what
// scanning the block's own source gives.
func FuzzRawHTMLBlock(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		"<p>a <a href=\"/x?a=1&b=2\" target=_blank>b</a> &amp; c > d</p> <div>e</div>\n",
		"<div class=\"isomer-card-grid\"><a href='/y' class=\"isomer-card\"><IMG ALT=\"\" src=x></a></div> tail\n",
		"<table>\n<tr><td>1</td></tr>\n\n</table>\n",
		"- item\n\n  <div>\n  open\nnot indented\n",
		"<div><x a=\"</div>\" %></div>\n<!-- c --> <hr/>\n",
		"<script>if (a < b) {}</script><style>p>a{}</style>\n",
	} {
		f.Add([]byte(s))
	}
	c := New()
	f.Fuzz(func(t *testing.T, src []byte) { checkRawHTMLBlocks(t, c, src) })
}

func checkRawHTMLBlocks(t *testing.T, c *Converter, src []byte) {
	t.Helper()
	// Input that Convert fails on (a goldmark panic) is FuzzConvert's to
	// report.
	if err := c.Convert(io.Discard, src); err != nil {
		return
	}
	src = prepare(src)
	doc := c.md.Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		b, ok := n.(*rawHTMLBlock)
		if !ok || !entering || b.quoted || b.end > b.lastStop {
			return ast.WalkContinue, nil
		}
		var want strings.Builder
		writeRawHTML(&want, b.doc[b.start:b.end])
		if got := string(b.html); got != want.String() {
			t.Errorf("block %q of %q: parsing wrote\n%q\nscanning its source gives\n%q", b.doc[b.start:b.end], src, got, want.String())
		}
		return ast.WalkSkipChildren, nil
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
		for _, at := range a.attrs {
			if k := at.key; k == "" || !isWordByte(k[0]) || strings.ContainsAny(k, " \t\n=") {
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
// properties too, so the seed corpus is larger than fuzzSeeds.
func TestCorpusAsFuzzSeeds(t *testing.T) {
	c := New()
	for _, s := range loadCorpus(t) {
		var out bytes.Buffer
		if err := c.Convert(&out, []byte(s.src)); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
		checkRawHTMLBlocks(t, c, []byte(s.src))
	}
}
