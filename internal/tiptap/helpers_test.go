package tiptap

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// addTestdataSeeds seeds a fuzzer with every testdata page.
func addTestdataSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// run transforms body without the panic guard, so a bug fails the test.
func run(t testing.TB, body string) string {
	t.Helper()
	return string(transform([]byte(body)))
}

func parse(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, c string) bool {
	v, _ := attr(n, "class")
	for _, f := range strings.Fields(v) {
		if f == c {
			return true
		}
	}
	return false
}

// all returns the elements below n (n included) for which match is true.
func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(m *html.Node) {
		if m.Type == html.ElementNode && match(m) {
			out = append(out, m)
		}
		for c := m.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func byClass(c string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasClass(n, c) }
}

// idOf returns the id of the first element below n with class c.
func idOf(n *html.Node, c string) string {
	for _, m := range all(n, byClass(c)) {
		id, _ := attr(m, "id")
		return id
	}
	return ""
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// text is the rendered text of n, with image alt text standing in for
// images, whitespace collapsed: what accessible-name computation uses for
// name-from-content.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(m *html.Node) {
		switch m.Type {
		case html.TextNode:
			b.WriteString(m.Data)
		case html.ElementNode:
			if v, ok := attr(m, "aria-hidden"); ok && v == "true" {
				return
			}
			if m.Data == "img" {
				alt, _ := attr(m, "alt")
				b.WriteString(" " + alt + " ")
				return
			}
			b.WriteString(" ")
		}
		for c := m.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if m.Type == html.ElementNode {
			b.WriteString(" ")
		}
	}
	walk(n)
	return collapse(b.String())
}

// accessibleName follows the first steps of the accname algorithm that
// matter for links: aria-labelledby, then aria-label, then the content.
func accessibleName(doc, n *html.Node) string {
	if ids, ok := attr(n, "aria-labelledby"); ok {
		var parts []string
		for _, id := range strings.Fields(ids) {
			for _, m := range all(doc, func(m *html.Node) bool { v, _ := attr(m, "id"); return v == id }) {
				parts = append(parts, text(m))
				break
			}
		}
		if name := collapse(strings.Join(parts, " ")); name != "" {
			return name
		}
	}
	if l, ok := attr(n, "aria-label"); ok && strings.TrimSpace(l) != "" {
		return collapse(l)
	}
	return text(n)
}

// canonical renders the DOM of s with attributes sorted and whitespace-only
// text dropped, so that attribute order and line wrapping do not matter.
func canonical(t testing.TB, s string) string {
	t.Helper()
	doc := parse(t, s)
	var b bytes.Buffer
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		ind := strings.Repeat(" ", depth)
		switch n.Type {
		case html.TextNode:
			if strings.TrimSpace(n.Data) != "" {
				b.WriteString(ind + "#text " + collapse(n.Data) + "\n")
			}
		case html.ElementNode:
			attrs := make([]string, 0, len(n.Attr))
			for _, a := range n.Attr {
				attrs = append(attrs, a.Key+"="+collapse(a.Val))
			}
			sort.Strings(attrs)
			b.WriteString(ind + n.Data + " " + strings.Join(attrs, " ") + "\n")
		case html.CommentNode:
			b.WriteString(ind + "#comment\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	return b.String()
}
