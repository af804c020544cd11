package preview

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

const testPrefix = "/sites/1/preview"

func TestRewriteHTML(t *testing.T) {
	w := rewriter{prefix: testPrefix}
	cases := []struct{ name, in, want string }{
		{"link", `<a href="/about-us/">About</a>`, `<a href="/sites/1/preview/about-us/">About</a>`},
		{"root", `<a href="/">Home</a>`, `<a href="/sites/1/preview/">Home</a>`},
		{"query and fragment", `<a href="/search/?query=x#r">S</a>`, `<a href="/sites/1/preview/search/?query=x#r">S</a>`},
		{"untouched tag is copied byte for byte", `<A HREF='https://x.gov.sg/a'  class=c>`, `<A HREF='https://x.gov.sg/a'  class=c>`},
		{"absolute", `<a href="https://www.tech.gov.sg/x">T</a>`, `<a href="https://www.tech.gov.sg/x">T</a>`},
		{"protocol-relative", `<img src="//cdn.example.com/a.png">`, `<img src="//cdn.example.com/a.png">`},
		{"backslash protocol-relative", `<a href="/\evil.example.com">x</a>`, `<a href="/\evil.example.com">x</a>`},
		{"tab hides protocol-relative", "<a href=\"/\t/evil.example.com\">x</a>", "<a href=\"/\t/evil.example.com\">x</a>"},
		{"relative", `<a href="../x/">x</a><a href="#top">t</a><a href="mailto:a@b.sg">m</a>`, `<a href="../x/">x</a><a href="#top">t</a><a href="mailto:a@b.sg">m</a>`},
		{"already prefixed", `<a href="/sites/1/preview/x/">x</a><a href="/sites/1/preview">y</a>`, `<a href="/sites/1/preview/x/">x</a><a href="/sites/1/preview">y</a>`},
		{"only a lookalike of the prefix", `<a href="/sites/1/previewer/">x</a>`, `<a href="/sites/1/preview/sites/1/previewer/">x</a>`},
		{"spaces around", `<a href="  /x/ ">x</a>`, `<a href="/sites/1/preview/x/">x</a>`},
		{"backslash root", `<a href="\x\">x</a>`, `<a href="/sites/1/preview/x\">x</a>`},
		{"entities", `<a href="/a?b=1&amp;c=2">x</a>`, `<a href="/sites/1/preview/a?b=1&amp;c=2">x</a>`},
		{"unquoted", `<img src=/images/a.png alt=A>`, `<img src="/sites/1/preview/images/a.png" alt="A">`},
		{"self-closing", `<img src="/a.png"/>`, `<img src="/sites/1/preview/a.png"/>`},
		{"script and stylesheet", `<link rel="stylesheet" href="/assets/a.css"><script src="/assets/a.js" defer></script>`, `<link rel="stylesheet" href="/sites/1/preview/assets/a.css"><script src="/sites/1/preview/assets/a.js" defer=""></script>`},
		{"form", `<form action="/search/" method="get"><button formaction="/other/">b</button></form>`, `<form action="/sites/1/preview/search/" method="get"><button formaction="/sites/1/preview/other/">b</button></form>`},
		{"srcset", `<img srcset="/a.png 1x,/b.png 2x, https://c.sg/c.png 3x">`, `<img srcset="/sites/1/preview/a.png 1x,/sites/1/preview/b.png 2x, https://c.sg/c.png 3x">`},
		{"srcset with commas in URL and no descriptors", `<img srcset="/a,b.png, /c.png">`, `<img srcset="/sites/1/preview/a,b.png, /sites/1/preview/c.png">`},
		{"poster", `<video poster="/p.png"></video>`, `<video poster="/sites/1/preview/p.png"></video>`},
		{"object data", `<object data="/f.pdf"></object><div data="/x"></div>`, `<object data="/sites/1/preview/f.pdf"></object><div data="/x"></div>`},
		{"data- attribute", `<div data-search-index="/assets/search/index.json" data-year="2024">`, `<div data-search-index="/sites/1/preview/assets/search/index.json" data-year="2024">`},
		{"meta refresh", `<meta http-equiv="refresh" content="0; url=/contact/">`, `<meta http-equiv="refresh" content="0; url=/sites/1/preview/contact/">`},
		{"meta refresh quoted", `<meta http-equiv="Refresh" content="5;URL='/x/'">`, `<meta http-equiv="Refresh" content="5;URL=&#39;/sites/1/preview/x/&#39;">`},
		{"meta refresh bare", `<meta http-equiv="refresh" content="0, /x/">`, `<meta http-equiv="refresh" content="0, /sites/1/preview/x/">`},
		{"other meta content", `<meta name="x" content="/not-a-link">`, `<meta name="x" content="/not-a-link">`},
		{"svg", `<svg><use xlink:href="/icons.svg#a"></use><image href="/i.png"/></svg>`, `<svg><use xlink:href="/sites/1/preview/icons.svg#a"></use><image href="/sites/1/preview/i.png"/></svg>`},
		{"inline style", `<div style="background: url(/bg.png)">`, `<div style="background: url(/sites/1/preview/bg.png)">`},
		{"style element", `<style>.a{background:url("/bg.png")}</style><p>url(/not-css)</p>`, `<style>.a{background:url("/sites/1/preview/bg.png")}</style><p>url(/not-css)</p>`},
		{"noscript", `<noscript><img src="/pixel.png"></noscript>`, `<noscript><img src="/sites/1/preview/pixel.png"></noscript>`},
		{"script text is not touched", `<script>var u = "<a href='/x'>";</script>`, `<script>var u = "<a href='/x'>";</script>`},
		{"comment is not touched", `<!-- <a href="/x"> -->`, `<!-- <a href="/x"> -->`},
		{"text is not touched", `<p>See /about-us/ or href="/x"</p>`, `<p>See /about-us/ or href="/x"</p>`},
		{"ping", `<a href="https://x.sg" ping="/p1 https://t.sg/p2">x</a>`, `<a href="https://x.sg" ping="/sites/1/preview/p1 https://t.sg/p2">x</a>`},
		{"unfinished tag at the end", `<p>ok</p><a href="/x`, `<p>ok</p><a href="/x`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(w.html([]byte(tc.in))); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRewriteCSS(t *testing.T) {
	w := rewriter{prefix: testPrefix}
	cases := []struct{ name, in, want string }{
		{"unquoted", `a{background:url(/a.png)}`, `a{background:url(/sites/1/preview/a.png)}`},
		{"quoted", `a{background:url( "/a.png" )}`, `a{background:url( "/sites/1/preview/a.png" )}`},
		{"single quotes", `a{background:URL('/a.png')}`, `a{background:URL('/sites/1/preview/a.png')}`},
		{"import", `@import "/base.css"; @import url(/more.css);`, `@import "/sites/1/preview/base.css"; @import url(/sites/1/preview/more.css);`},
		{"font", `@font-face{src:url(/f.woff2) format("woff2")}`, `@font-face{src:url(/sites/1/preview/f.woff2) format("woff2")}`},
		{"external and relative", `a{b:url(https://c.sg/a.png);c:url(//c.sg/b.png);d:url(img/x.png);e:url(data:image/png;base64,AA==)}`, `a{b:url(https://c.sg/a.png);c:url(//c.sg/b.png);d:url(img/x.png);e:url(data:image/png;base64,AA==)}`},
		{"already prefixed", `a{b:url(/sites/1/preview/a.png)}`, `a{b:url(/sites/1/preview/a.png)}`},
		{"comment", `/* url(/a.png) */ a{b:url(/b.png)}`, `/* url(/a.png) */ a{b:url(/sites/1/preview/b.png)}`},
		{"string", `a::before{content:"url(/a.png)"}`, `a::before{content:"url(/a.png)"}`},
		{"other function", `a{b:myurl(/a.png)}`, `a{b:myurl(/a.png)}`},
		{"escaped slash", `a{b:url(\/a.png)}`, `a{b:url(\/a.png)}`},
		{"unterminated", `a{b:url(/a.png`, `a{b:url(/sites/1/preview/a.png`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(w.css([]byte(tc.in))); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestRewriteSearchDocs(t *testing.T) {
	w := rewriter{prefix: testPrefix}
	cases := []struct{ name, in, want string }{
		{"pages and files", `[["/a/","A","page","",""],["https://x.sg/f.pdf","F","file","2024-01-01","x"],["/files/b c.pdf","B","file","",""]]`,
			`[["/sites/1/preview/a/","A","page","",""],["https://x.sg/f.pdf","F","file","2024-01-01","x"],["/sites/1/preview/files/b c.pdf","B","file","",""]]`},
		{"nothing to do", `[["https://x.sg/","X","post","",""]]`, `[["https://x.sg/","X","post","",""]]`},
		{"not a table", `{"v":1}`, `{"v":1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(w.searchDocs([]byte(tc.in))); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// unprefixed lists the root-relative URLs left outside the prefix in the
// attributes the rewriter handles, as a browser's tokenizer reads doc.
func unprefixed(w rewriter, doc []byte) []string {
	var left []string
	check := func(v string) {
		if w.rootRelative(cleanURL(v)) {
			left = append(left, v)
		}
	}
	z := html.NewTokenizer(bytes.NewReader(doc))
	raw := ""
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return left
		case html.TextToken:
			if raw == "noscript" {
				left = append(left, unprefixed(w, z.Raw())...)
			}
			raw = ""
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			raw = ""
			continue
		}
		t := z.Token()
		raw = t.Data
		refresh := false
		for _, a := range t.Attr {
			refresh = refresh || t.Data == "meta" && a.Key == "http-equiv" && strings.EqualFold(strings.TrimSpace(a.Val), "refresh")
		}
		for _, a := range t.Attr {
			switch {
			case isURLAttr(a.Key), strings.HasPrefix(a.Key, "data-"), a.Key == "data" && t.Data == "object":
				check(a.Val)
			case a.Key == "srcset" || a.Key == "imagesrcset":
				for _, p := range srcsetParts(a.Val) {
					if p.url {
						check(p.s)
					}
				}
			case a.Key == "ping":
				for _, f := range strings.Fields(a.Val) {
					check(f)
				}
			case a.Key == "content" && refresh:
				if start, end, ok := refreshURL(a.Val); ok {
					check(a.Val[start:end])
				}
			}
		}
	}
}

// FuzzRewrite checks the HTML rewriter on any input: it never panics, its
// output parses, leaves no root-relative URL outside the prefix in the
// attributes it handles, and rewriting again changes nothing.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		`<a href="/about-us/">About</a><img src=/a.png srcset="/a.png 1x, /b.png 2x">`,
		`<meta http-equiv="refresh" content="0; url=/contact/"><link rel=stylesheet href="/a.css">`,
		`<div data-search-index="/assets/search/index.json" style="background:url(/bg.png)"></div>`,
		`<noscript><img src="/p.png"></noscript><style>a{b:url('/c.png')}</style>`,
		`<svg><use xlink:href="/i.svg#a"/></svg><object data="/f.pdf"></object>`,
		`<a href="\x">x</a><a href=" /y ">y</a><a href="//z.sg">z</a><a href="/sites/1/preview/">p</a>`,
		`<a "=x href="/q"><a href=/r/>`,
		"<a href=\"/\t/evil\">x</a><img srcset=\"/a.png (x,y) 1x,, ,/b.png\">",
	} {
		f.Add(s)
	}
	w := rewriter{prefix: testPrefix}
	f.Fuzz(func(t *testing.T, in string) {
		out := w.html([]byte(in))
		if _, err := html.Parse(bytes.NewReader(out)); err != nil {
			t.Fatalf("output does not parse: %v\n%q", err, out)
		}
		if left := unprefixed(w, out); len(left) > 0 {
			t.Fatalf("root-relative URLs left outside the prefix: %q\nin  %q\nout %q", left, in, out)
		}
		if again := w.html(out); !bytes.Equal(again, out) {
			t.Fatalf("rewriting twice changed the output:\nonce  %q\ntwice %q", out, again)
		}
		css := w.css([]byte(in))
		if again := w.css(css); !bytes.Equal(again, css) {
			t.Fatalf("rewriting CSS twice changed it:\nonce  %q\ntwice %q", css, again)
		}
	})
}
