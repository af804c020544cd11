package markup

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAttrList(t *testing.T) {
	type result struct {
		Refs, Keys, Vals []string
	}
	tests := []struct {
		name, in string
		want     result
	}{
		{"class", ".lead", result{Keys: []string{"class"}, Vals: []string{"lead"}}},
		{"classes accumulate", ".a .b.c", result{Keys: []string{"class"}, Vals: []string{"a b c"}}},
		{"id class kv", `.class #id key="v"`, result{Keys: []string{"class", "id", "key"}, Vals: []string{"class", "id", "v"}}},
		{"target", `target="_blank"`, result{Keys: []string{"target"}, Vals: []string{"_blank"}}},
		{"single quotes", `title='a b'`, result{Keys: []string{"title"}, Vals: []string{"a b"}}},
		{"escaped brace and quote", `t="a \} \" b"`, result{Keys: []string{"t"}, Vals: []string{`a } " b`}}},
		{"ref", "ref other-ref", result{Refs: []string{"ref", "other-ref"}}},
		{"toc", "toc", result{Refs: []string{"toc"}}},
		{"last id wins", "#a #b", result{Keys: []string{"id"}, Vals: []string{"b"}}},
		{"id needs a letter", "#1x .ok", result{Keys: []string{"class"}, Vals: []string{"ok"}}},
		{"token must end at space", `a="b"c .d`, result{Keys: []string{"class"}, Vals: []string{"d"}}},
		{"colon only", ":", result{}},
		{"empty", "  ", result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parseAttrList(tt.in)
			got := result{Refs: a.refs}
			for _, at := range a.attrs {
				got.Keys = append(got.Keys, at.key)
				got.Vals = append(got.Vals, at.val)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseAttrList(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestScanStartTag(t *testing.T) {
	tests := []struct {
		name, in string
		want     htmlTag
		res      scanResult
	}{
		{"simple", `<div class="x">rest`, htmlTag{name: "div", attrs: []htmlAttr{{"class", "x"}}, end: 15}, scanOK},
		{"void xhtml", `<br />`, htmlTag{name: "br", closed: true, end: 6}, scanOK},
		{"bare attribute", `<iframe allowfullscreen>`, htmlTag{name: "iframe", attrs: []htmlAttr{{"allowfullscreen", ""}}, end: 24}, scanOK},
		{"unquoted word value", `<td colspan=2>`, htmlTag{name: "td", attrs: []htmlAttr{{"colspan", "2"}}, end: 14}, scanOK},
		{"unquoted non-word value fails", `<img width=100%>`, htmlTag{name: "img"}, scanFail},
		{"gt in quoted value", `<a title="a>b">`, htmlTag{name: "a", attrs: []htmlAttr{{"title", "a>b"}}, end: 15}, scanOK},
		{"multi-line", "<img\n src=\"x\"\n>", htmlTag{name: "img", attrs: []htmlAttr{{"src", "x"}}, end: 15}, scanOK},
		{"incomplete", `<div class="x`, htmlTag{name: "div"}, scanIncomplete},
		{"not a tag", `< div>`, htmlTag{}, scanFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res := scanStartTag(tt.in, nil)
			if res != tt.res {
				t.Fatalf("scanStartTag(%q) result = %v, want %v", tt.in, res, tt.res)
			}
			if res != scanOK {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(htmlTag{}, htmlAttr{})); diff != "" {
				t.Errorf("scanStartTag(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestHeaderIDs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		gfm  []string
		html []string
	}{
		{"ascii", []string{"Heading Two “quoted”"}, []string{"heading-two-quoted"}, []string{"heading-two-quoted"}},
		{"unicode kept by gfm", []string{"Auto ID: Héllo, World!"}, []string{"auto-id-héllo-world"}, []string{"auto-id-hllo-world"}},
		{"duplicates", []string{"Intro", "Intro", "Intro"}, []string{"intro", "intro-1", "intro-2"}, []string{"intro", "intro-1", "intro-2"}},
		{"empty", []string{"***", "!!!"}, []string{"", "-1"}, []string{"section", "section-1"}},
		{"leading digits", []string{"2024 Plans"}, []string{"2024-plans"}, []string{"plans"}},
		{"underscore and cjk", []string{"snake_case 新闻"}, []string{"snake_case-新闻"}, []string{"snakecase-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &transformState{}
			var gfm, basic []string
			for _, s := range tt.in {
				gfm = append(gfm, st.gfmID([]byte(s)))
				basic = append(basic, st.basicID([]byte(s)))
			}
			if diff := cmp.Diff(tt.gfm, gfm); diff != "" {
				t.Errorf("gfmID (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.html, basic); diff != "" {
				t.Errorf("basicID (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrapSpacedDestinations(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"space", "[a](/files/A B.pdf)", "[a](</files/A B.pdf>)"},
		{"title kept", `[a](/A B.pdf "T x")`, `[a](</A B.pdf> "T x")`},
		{"no space", "[a](/a%20b)", "[a](/a%20b)"},
		{"already angled", "[a](<a b>)", "[a](<a b>)"},
		{"code span", "`[a](b c)` [d](e f)", "`[a](b c)` [d](<e f>)"},
		{"fenced", "```\n[a](b c)\n```\n[d](e f)", "```\n[a](b c)\n```\n[d](<e f>)"},
		{"parens", "[w](/a (b).pdf)", "[w](</a (b).pdf>)"},
		{"two", "[a](b c) [d](e f)", "[a](<b c>) [d](<e f>)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(wrapSpacedDestinations([]byte(tt.in))); got != tt.want {
				t.Errorf("wrapSpacedDestinations(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestConvertGolden pins the exact bytes of a few outputs, beyond the
// normalised comparison with kramdown.
func TestConvertGolden(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"span IAL on link", `[ext](https://x.y){:target="_blank"}` + "\n",
			"<p><a href=\"https://x.y\" target=\"_blank\">ext</a></p>\n"},
		{"span IAL on image", `![alt](/images/x%20y.png){: style="width:50%"}` + "\n",
			"<p><img src=\"/images/x%20y.png\" alt=\"alt\" style=\"width:50%\" /></p>\n"},
		{"block IAL on list", "1. one\n2. two\n{: .tight}\n",
			"<ol class=\"tight\">\n<li>one</li>\n<li>two</li>\n</ol>\n"},
		{"ALD", "{:r: .x #y}\n\nText.\n{: r}\n", "<p class=\"x\" id=\"y\">Text.</p>\n"},
		{"header id", "## My Heading {#my-id}\n", "<h2 id=\"my-id\">My Heading</h2>\n"},
		{"typography", "\"It's\" -- 'x'... ---\n", "<p>“It’s” – ‘x’… —</p>\n"},
		{"void tags in raw html", "<div><br><img src=\"a\"></div>\n", "<div><br /><img src=\"a\" /></div>\n"},
		{"markdown=1", "<div markdown=\"1\">\n**b**\n</div>\n", "<div>\n<p><strong>b</strong></p>\n</div>\n"},
		{"raw div", "<div>**b**</div>\n", "<div>**b**</div>\n"},
		{"image wrapper link", "<a class=\"isomer-image-wrapper\" href=\"/x\">\n<img src=\"/i.png\">\n</a>\n",
			"<p><a class=\"isomer-image-wrapper\" href=\"/x\">\n<img src=\"/i.png\" />\n</a></p>\n"},
		{"code span", "`x`\n", "<p><code class=\"language-plaintext highlighter-rouge\">x</code></p>\n"},
		{"fenced code", "```\na<b\n```\n",
			"<div class=\"language-plaintext highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>a&lt;b\n</code></pre></div></div>\n"},
		{"unknown language", "```nosuch\nx\n```\n", "<pre><code class=\"language-nosuch\">x\n</code></pre>\n"},
		{"table", "| a | b |\n|--:|---|\n| 1 |\n",
			"<table>\n  <thead>\n    <tr>\n      <th style=\"text-align: right\">a</th>\n      <th>b</th>\n    </tr>\n  </thead>\n  <tbody>\n    <tr>\n      <td style=\"text-align: right\">1</td>\n      <td>\u00a0</td>\n    </tr>\n  </tbody>\n</table>\n"},
		{"footnote", "A[^n].\n\n[^n]: B.\n",
			"<p>A<sup id=\"fnref:n\" role=\"doc-noteref\"><a href=\"#fn:n\" class=\"footnote\" rel=\"footnote\">1</a></sup>.</p>\n<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n<li id=\"fn:n\" role=\"doc-endnote\">\n<p>B.\u00a0<a href=\"#fnref:n\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a></p>\n</li>\n</ol>\n</div>\n"},
		{"toc", "* x\n{:toc}\n\n# A\n## B\n",
			"<ul id=\"markdown-toc\">\n<li><a href=\"#a\" id=\"markdown-toc-a\">A</a>\n<ul>\n<li><a href=\"#b\" id=\"markdown-toc-b\">B</a></li>\n</ul>\n</li>\n</ul>\n<h1 id=\"a\">A</h1>\n<h2 id=\"b\">B</h2>\n"},
		{"comment extension", "{::comment}\nhidden\n{:/comment}\n", "<!-- hidden -->\n"},
		{"bare url stays text", "see https://x.y\n", "<p>see https://x.y</p>\n"},
		{"crlf", "a\r\nb\r\n", "<p>a\nb</p>\n"},
		{"abbreviation", "The HTML spec.\n\n*[HTML]: Hyper Text\n", "<p>The <abbr title=\"Hyper Text\">HTML</abbr> spec.</p>\n"},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.Convert(&b, []byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("Convert(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestCanonicalHTML(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"attribute order", `<a href="x" target="y">t</a>`, `<a target="y" href="x">t</a>`, true},
		{"block whitespace", "<ul>\n  <li>a</li>\n</ul>", "<ul><li>a</li></ul>", true},
		{"void forms", "<p>a<br />b</p>", "<p>a<br>b</p>", true},
		{"inline whitespace matters", "<p>a <b>b</b></p>", "<p>a<b>b</b></p>", false},
		{"pre whitespace matters", "<pre>a  b</pre>", "<pre>a b</pre>", false},
		{"entity vs char", "<p>&nbsp;&amp;</p>", "<p>\u00a0&amp;</p>", true},
		{"text differs", "<p>a</p>", "<p>b</p>", false},
		{"class value differs", `<p class="a b">x</p>`, `<p class="b a">x</p>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canonicalHTML(tt.a) == canonicalHTML(tt.b); got != tt.same {
				t.Errorf("canonicalHTML(%q) == canonicalHTML(%q) is %v, want %v\n%s\n%s", tt.a, tt.b, got, tt.same, canonicalHTML(tt.a), canonicalHTML(tt.b))
			}
		})
	}
}

// TestConvertConcurrent checks that one Converter serves goroutines at
// once (run with -race) and that documents do not leak into each other.
func TestConvertConcurrent(t *testing.T) {
	c := New()
	inputs := []string{"## Intro\n\n[^a] x[^a]\n\n[^a]: n\n", "{:r: .x}\n\np\n{: r}\n", benchPage}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		var b bytes.Buffer
		if err := c.Convert(&b, []byte(in)); err != nil {
			t.Fatal(err)
		}
		want[i] = b.String()
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				i := (g + k) % len(inputs)
				var b bytes.Buffer
				if err := c.Convert(&b, []byte(inputs[i])); err != nil || b.String() != want[i] {
					errs <- strings.TrimSpace(b.String())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent Convert gave a different result: %.200s", e)
	}
}

func TestCurrentARIA(t *testing.T) {
	src := []byte("A[^n].\n\n[^n]: B.\n")
	var exact, current strings.Builder
	if err := New().Convert(&exact, src); err != nil {
		t.Fatal(err)
	}
	if err := New(CurrentARIA()).Convert(&current, src); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(exact.String(), `role="doc-endnote"`) {
		t.Errorf("kramdown-exact output lost doc-endnote:\n%s", exact.String())
	}
	if strings.Contains(current.String(), "doc-endnote\"") || !strings.Contains(current.String(), `<li id="fn:n">`) {
		t.Errorf("CurrentARIA output still has the deprecated role:\n%s", current.String())
	}
	if got, want := strings.Replace(exact.String(), ` role="doc-endnote"`, "", 1), current.String(); got != want {
		t.Errorf("CurrentARIA changed more than the role:\n%s\nvs\n%s", got, want)
	}
}
