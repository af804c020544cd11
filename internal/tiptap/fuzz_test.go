package tiptap

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func countScripts(t testing.TB, s string) int {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	return len(all(doc, byTag("script")))
}

func FuzzTransform(f *testing.F) {
	addTestdataSeeds(f)
	for _, s := range []string{
		"",
		`<div class="isomer-card-grid"><a class="isomer-card" href=x><div class="isomer-card-title">t</div></a>`,
		`<div class="isomer-card-grid"><script>alert(1)</script><a href=/ class="isomer-card"/>`,
		`<table style="minWidth: 1px"><tr><th><table style="minWidth: 2px"><tr><th>`,
		`<svg><div class="iframe-wrapper"><iframe/><style><img src=x></style></svg>`,
		`<textarea><div class="isomer-image-wrapper"><img style="width:5%"></textarea>`,
		`<div class="isomer-accordion"><details class="isomer-details"><summary/></details>`,
		`<a class=isomer-image-wrapper href= ><img style="width: 1%"></a>`,
		`<th style="text-align: left">a<td style="TEXT-ALIGN:center;" class=has-text-right>b<img style=width:7% class>`,
		`<p style="text-align: right" style="color: red"/><div style=text-align:justify class="isomer-w-3 has-text-left x">`,
		`<svg><p style="text-align: center"><img style="width: 2%;width:3%" /></svg><h6 style="text-align:left;;">`,
		`isomer-card-7 x-card-isomer-card-12 isomer-card-card-40 -card-3 isomer-card-1234567`,
	} {
		f.Add([]byte(s))
	}
	// One Transformer for every input a worker tries, as a build reuses
	// one for many pages: what a body leaves in it must not change the next.
	var reused Transformer
	f.Fuzz(func(t *testing.T, in []byte) {
		if got, want := hasMarker(in), slices.ContainsFunc(markers[:], func(m marker) bool { return bytes.Contains(in, m.text) }); got != want {
			t.Fatalf("hasMarker(%q) = %v, bytes.Contains finds a marker: %v", in, got, want)
		}
		if got, want := EmbedsInstagram(in), bytes.Contains(in, instagramMarker.text); got != want {
			t.Fatalf("EmbedsInstagram(%q) = %v, bytes.Contains: %v", in, got, want)
		}
		if got, want := highestCardNumber(in), highestCardNumberByPrefix(in); got != want {
			t.Fatalf("highestCardNumber(%q) = %d, want %d", in, got, want)
		}
		out := transform(in) // unguarded: a panic fails the fuzzer
		if !hasMarker(in) && !bytes.Equal(out, in) {
			t.Fatalf("body without markers changed: %q -> %q", in, out)
		}
		if got, had := countScripts(t, string(out)), countScripts(t, string(in)); got > had {
			t.Fatalf("script elements went from %d to %d:\n%q\n%q", had, got, in, out)
		}
		if again := transform(out); !bytes.Equal(again, out) {
			t.Fatalf("second pass changed the output:\n%q\n%q", out, again)
		}
		if hasMarker(in) {
			if got := reused.Transform(in); !bytes.Equal(got, out) {
				t.Fatalf("a reused Transformer turned %q into\n%q\nnot\n%q", in, got, out)
			}
		}
		// Tag names are case-insensitive, so compare lower-cased on both sides.
		if !bytes.Contains(bytes.ToLower(in), []byte("<script")) && bytes.Contains(bytes.ToLower(out), []byte("<script")) {
			t.Fatalf("output has a <script> the input did not: %q", out)
		}
	})
}

// highestCardNumberByPrefix is what highestCardNumber computes, the plain
// way: a search for every "isomer-card-".
func highestCardNumberByPrefix(body []byte) int {
	highest := 0
	for {
		i := bytes.Index(body, []byte(idPrefix))
		if i < 0 {
			return highest
		}
		body = body[i+len(idPrefix):]
		n := 0
		for len(body) > 0 && '0' <= body[0] && body[0] <= '9' && n < 1e6 {
			n = n*10 + int(body[0]-'0')
			body = body[1:]
		}
		highest = max(highest, n)
	}
}

// fastPathBody is a typical markdown page as kramdown renders it: no Tiptap
// markers and no styles, so Transform must only copy it.
func fastPathBody() []byte {
	section := `<h2 id="eligibility-criteria">Eligibility criteria</h2>
<p>Applicants must be Singapore citizens or permanent residents aged 21 and above. The
scheme is open to businesses registered with <a href="https://www.acra.gov.sg/" target="_blank">ACRA</a>
for at least “three years” – see the <a href="/files/Guide to the scheme.pdf">guide</a>.</p>
<ul>
  <li>Submit the <strong>form</strong> online</li>
  <li>Attach supporting documents&nbsp;(PDF)</li>
</ul>
<table>
  <thead>
    <tr>
      <th>Item</th>
      <th>Amount</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <td>Grant</td>
      <td>$5,000</td>
    </tr>
  </tbody>
</table>
<p><img src="/images/banner%20image.png" alt="Banner" /></p>
`
	return []byte(strings.Repeat(section, 30)) // ~28 KB, ~1,100 words
}

// tiptapHeavyBody is a page made of every component fixture plus the seed
// page: the slow path with many rewrites.
func tiptapHeavyBody(b *testing.B) []byte {
	var body []byte
	for _, name := range []string{
		"seed-our-digital-government-efforts.html", "accordion.html", "table.html",
		"card-grid-mixed.html", "image-wrapper.html", "iframe.html", "instagram.html", "lists.html",
	} {
		p, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		body = append(body, p...)
	}
	return body
}

func BenchmarkTransformFastPath(b *testing.B) {
	body := fastPathBody()
	if hasMarker(body) {
		b.Fatal("benchmark body hits a marker")
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Transform(body)
	}
}

// alignedTableBody is the fast-path page with kramdown's column alignment on
// every table: tokenised, but only the styled cells are re-rendered.
func alignedTableBody() []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(fastPathBody(),
		[]byte("<th>Amount</th>"), []byte(`<th style="text-align: right">Amount</th>`)),
		[]byte("<td>$5,000</td>"), []byte(`<td style="text-align: right">$5,000</td>`))
}

func BenchmarkTransformAlignedTable(b *testing.B) {
	body := alignedTableBody()
	if hasComponentMarker(body) || !hasMarker(body) {
		b.Fatal("benchmark body is not a styles-only page")
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Transform(body)
	}
}

// BenchmarkTransformPage runs on real pages: the seed page, and a Tiptap
// page of the benchmark site (../shared/bench/gen-site.py) as kramdown
// renders it (paragraphs, a card grid of five clickable cards, a table
// and a list, the mix a third of the benchmark's pages have).
func BenchmarkTransformPage(b *testing.B) {
	for _, name := range []string{"seed-our-digital-government-efforts", "generated-tiptap-page"} {
		b.Run(name, func(b *testing.B) {
			body, err := os.ReadFile(filepath.Join("testdata", name+".html"))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				Transform(body)
			}
		})
	}
}

func BenchmarkTransformTiptapHeavy(b *testing.B) {
	body := tiptapHeavyBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Transform(body)
	}
}
