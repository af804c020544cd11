package sanitize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func FuzzSanitize(f *testing.F) {
	for _, x := range loadPayloads(f) {
		f.Add(x.html)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "components", "*.html"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		out := p.Sanitize(in)
		_ = p.Findings(in)
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		elements(doc, func(n *html.Node) {
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Fatalf("event handler %q survives:\n%q\n%q", a.Key, in, out)
				}
			}
			if n.Data != "script" {
				return
			}
			src, _ := attrVal(n, "src")
			ok := n.FirstChild == nil
			allowed := false
			for _, s := range allowedScripts {
				allowed = allowed || s == src
			}
			if !ok || !allowed {
				t.Fatalf("script survives:\n%q\n%q", in, out)
			}
		})
		assertSafe(t, in, out)
	})
}

func attrVal(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func benchmarkBody(b *testing.B) string {
	body, err := os.ReadFile(filepath.Join("testdata", "components", "seed-card-grids.html"))
	if err != nil {
		b.Fatal(err)
	}
	return string(body)
}

func BenchmarkSanitizeSeedPage(b *testing.B) {
	p, body := New(), benchmarkBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p.Sanitize(body)
	}
}

func BenchmarkFindingsSeedPage(b *testing.B) {
	p, body := New(), benchmarkBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if f := p.Findings(body); len(f) != 0 {
			b.Fatal(f)
		}
	}
}
