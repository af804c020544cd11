package tiptap

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.html from the current output")

func inputs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden.html") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatal("no testdata inputs")
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, in := range inputs(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			out := Transform(body)
			if got := run(t, string(body)); got != string(out) {
				t.Fatal("Transform and transform disagree")
			}
			golden := strings.TrimSuffix(in, ".html") + ".golden.html"
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(out)); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// Transforming the output again must change nothing: Studio previews and
// incremental builds may feed rendered HTML back in.
func TestIdempotent(t *testing.T) {
	for _, in := range inputs(t) {
		body, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		once := run(t, string(body))
		if twice := run(t, once); twice != once {
			t.Errorf("%s: second pass changed the output:\n%s", in, cmp.Diff(once, twice))
		}
	}
}

func TestUnrecognisedHTMLIsByteForByte(t *testing.T) {
	tests := map[string]string{
		"empty":           "",
		"markdown output": "<h2 id=\"x\">X</h2>\n<p>Text &amp; “quotes”</p>\n<ul>\n  <li>item</li>\n</ul>\n",
		"legacy accordion": `<div class="accordion"><div class="col bp-accordion-header"><h5><b>T</b></h5></div>` +
			`<div class="col padding bp-accordion-body"><p>B</p></div></div>`,
		"raw iframe":          `<iframe src="https://www.youtube.com/embed/x" frameborder=0></iframe>`,
		"odd markup":          "<DIV CLASS=row><p>unclosed <b>bold<br>\r\n&nbsp;&#x3C;</DIV><!-- c --><!DOCTYPE html><?pi?></",
		"truncated tag":       `<p>text</p><div class="isomer-card-grid`,
		"marker only in text": `<p>isomer-card-grid, iframe-wrapper, minWidth and data-tight are just words</p>`,
		"loose list":          `<ul data-tight="false"><li><p>x</p></li></ul>`,
		"other table":         `<table style="width: 50px"><tr><th>h</th></tr></table>`,
		"plain details":       `<details><summary></summary><p>no isomer class</p></details>`,
		"horizontal rule":     "<p>a</p>\n<hr />\n\n<p>b</p>",
		"unknown styles": `<p style="color: red">a</p><td style="text-align: center; padding: 0">b</td>` +
			`<img style="width: 30px" src=x><span style="text-align: right">c</span><li style="text-align: left">d</li>`,
		"style word only in text": `<p>style="text-align: center" is how kramdown aligns a column</p>`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			if got := run(t, body); got != body {
				t.Errorf("changed:\n got %q\nwant %q", got, body)
			}
			if out := Transform([]byte(body)); string(out) != body {
				t.Errorf("Transform changed it: %q", out)
			}
		})
	}
	legacy, err := os.ReadFile(filepath.Join("testdata", "legacy.html"))
	if err != nil {
		t.Fatal(err)
	}
	// Only the IAL image width, a style with a class of its own, changes.
	want := strings.Replace(string(legacy), `style="width:50%"`, `class="isomer-w-50"`, 1)
	if got := run(t, string(legacy)); got != want {
		t.Errorf("legacy.html changed:\n%s", cmp.Diff(want, got))
	}
}

// The same component must come out the same whatever the attribute order
// and line wrapping on disk.
func TestAttributeOrderAndWhitespaceDoNotMatter(t *testing.T) {
	tiptapOrder := `<div class="isomer-card-grid"><a class="isomer-card" href="/x/" rel="noopener"><div class="isomer-card-image">` +
		`<div class="isomer-image-wrapper"><img src="/i.png" alt="Alt" width="100%" height="auto" style="width: 40%"></div></div>` +
		`<div class="isomer-card-body"><div class="isomer-card-title">Title</div><div class="isomer-card-description">Desc</div>` +
		`<div class="isomer-card-link">Learn more</div></div></a></div>`
	reversed := `<div class="isomer-card-grid"><a rel="noopener" href="/x/" class="isomer-card"><div class="isomer-card-image">` +
		`<div class="isomer-image-wrapper"><img style="width: 40%" height="auto" width="100%" alt="Alt" src="/i.png"/></div></div>` +
		`<div class="isomer-card-body"><div class="isomer-card-title">Title</div><div class="isomer-card-description">Desc</div>` +
		`<div class="isomer-card-link">Learn more</div></div></a></div>`
	rewrapped := "<div\n  class=\"isomer-card-grid\">\n  <a  rel='noopener'\n     href=/x/\n     class=\"isomer-card\">\n" +
		"    <div class=\"isomer-card-image\">\n      <div class=\"isomer-image-wrapper\">\n" +
		"        <img style=\"width:40%;\" height=\"auto\" width=\"100%\" alt=\"Alt\" src=\"/i.png\" />\n      </div>\n    </div>\n" +
		"    <div class=\"isomer-card-body\">\n      <div class=\"isomer-card-title\">Title</div>\n" +
		"      <div class=\"isomer-card-description\">Desc</div>\n      <div class=\"isomer-card-link\">Learn more</div>\n" +
		"    </div>\n  </a>\n</div>\n"
	want := canonical(t, run(t, tiptapOrder))
	for name, in := range map[string]string{"reversed": reversed, "rewrapped": rewrapped} {
		if diff := cmp.Diff(want, canonical(t, run(t, in))); diff != "" {
			t.Errorf("%s differs from Tiptap order (-want +got):\n%s", name, diff)
		}
	}
	if !strings.Contains(want, "class=isomer-w-40") || strings.Contains(want, "style=") {
		t.Errorf("width style not turned into a class:\n%s", want)
	}
}

func TestComponents(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // substrings of the output
		not  []string // substrings that must not be in the output
	}{
		{
			name: "static card is not a link",
			in:   `<div class="isomer-card-grid"><div class="isomer-card"><div class="isomer-card-body"><div class="isomer-card-title">T</div></div></div></div>`,
			want: []string{`<ul class="isomer-card-grid"><li class="isomer-card-item"><div class="isomer-card">`, `</div></li></ul>`},
			not:  []string{"<a", "aria-labelledby"},
		},
		{
			name: "anchor card without href becomes a div",
			in:   `<div class="isomer-card-grid"><a class="isomer-card"><div class="isomer-card-title">T</div></a></div>`,
			want: []string{`<li class="isomer-card-item"><div class="isomer-card"><div class="isomer-card-title">T</div></div></li>`},
		},
		{
			name: "clickable card links its title",
			in:   `<div class="isomer-card-grid"><a href="/x" class="isomer-card"><div class="isomer-card-title">T</div><div class="isomer-card-description">D</div></a></div>`,
			want: []string{`<li class="isomer-card-item"><div class="isomer-card isomer-card-clickable">`,
				`<div class="isomer-card-title"><a class="isomer-card-anchor" href="/x" aria-describedby="isomer-card-1-description">T</a></div>`,
				`<div class="isomer-card-description" id="isomer-card-1-description">D</div></div></li>`},
			not: []string{"aria-labelledby"},
		},
		{
			name: "link attributes move to the anchor, the rest stay on the card",
			in: `<div class="isomer-card-grid"><a id="c" data-x="1" aria-label="Other name" target="_blank" rel="noopener" href="/x" hreflang="ms" class="isomer-card">` +
				`<div class="isomer-card-title">T <em>t</em></div></a></div>`,
			want: []string{`<div id="c" data-x="1" class="isomer-card isomer-card-clickable"><div class="isomer-card-title">` +
				`<a class="isomer-card-anchor" target="_blank" rel="noopener" href="/x" hreflang="ms">T <em>t</em></a></div></div>`},
			not: []string{"aria-label"},
		},
		{
			name: "card without a title links its Learn more text",
			in:   `<div class="isomer-card-grid"><a href="/x" class="isomer-card"><div class="isomer-card-title"> </div><div class="isomer-card-description">D</div><div class="isomer-card-link">Learn more</div></a></div>`,
			want: []string{`<div class="isomer-card-title"> </div>`,
				`<div class="isomer-card-link"><a class="isomer-card-anchor" href="/x" aria-describedby="isomer-card-1-description">Learn more</a></div>`},
		},
		{
			name: "card with only a description links it",
			in:   `<div class="isomer-card-grid"><a href="/x" class="isomer-card"><div class="isomer-card-description">D</div></a></div>`,
			want: []string{`<div class="isomer-card-description"><a class="isomer-card-anchor" href="/x">D</a></div>`},
			not:  []string{"aria-describedby", " id="},
		},
		{
			name: "card with no text stays one link",
			in:   `<div class="isomer-card-grid"><a href="/x" class="isomer-card"><div class="isomer-card-image"><img alt="Named by alt" src="/a.png"></div></a></div>`,
			want: []string{`<li class="isomer-card-item"><a href="/x" class="isomer-card"><div class="isomer-card-image"><img alt="Named by alt" src="/a.png"></div></a></li>`},
			not:  []string{"isomer-card-anchor"},
		},
		{
			name: "raw text element is not a link host",
			in:   `<div class="isomer-card-grid"><a href="/x" class="isomer-card"><textarea class="isomer-card-title">T</textarea><div class="isomer-card-link">L</div></a></div>`,
			want: []string{`<textarea class="isomer-card-title">T</textarea><div class="isomer-card-link"><a class="isomer-card-anchor" href="/x">L</a></div>`},
		},
		{
			name: "card in the earlier output format keeps its description id",
			in: `<div class="isomer-card-grid"><a href="/x" class="isomer-card" aria-labelledby="isomer-card-1-title" aria-describedby="isomer-card-1-description">` +
				`<div class="isomer-card-title" id="isomer-card-1-title">T</div><div class="isomer-card-description" id="isomer-card-1-description">D</div></a></div>`,
			want: []string{`<div class="isomer-card isomer-card-clickable"><div class="isomer-card-title" id="isomer-card-1-title">` +
				`<a class="isomer-card-anchor" href="/x" aria-describedby="isomer-card-1-description">T</a></div>`},
			not: []string{"aria-labelledby", "isomer-card-2-"},
		},
		{
			name: "grid without end tag stays a div",
			in:   `<div class="isomer-card-grid"><div class="isomer-image-wrapper"><img style="width: 10%" src="/a.png">`,
			want: []string{`<div class="isomer-card-grid">`, `<img class="isomer-w-10" src="/a.png">`},
			not:  []string{"<ul", "<li"},
		},
		{
			name: "image width rounding",
			in:   `<div class="isomer-image-wrapper"><img style="width: 99.5%" src="/a.png"></div>`,
			want: []string{`<img class="isomer-w-100" src="/a.png">`},
		},
		{
			name: "image directly in a card image",
			in:   `<div class="isomer-card-grid"><div class="isomer-card"><div class="isomer-card-image"><img style="width: 100%" alt="A" src="/a.png"></div></div></div>`,
			want: []string{`<div class="isomer-card-image"><img class="isomer-w-100" alt="A" src="/a.png"></div>`},
		},
		{
			name: "zero width is left alone",
			in:   `<div class="isomer-image-wrapper"><img style="width: 0%" src="/a.png"></div>`,
			want: []string{`<img style="width: 0%" src="/a.png">`},
		},
		{
			name: "linked image wrapper inside p",
			in:   "<p><a class=\"isomer-image-wrapper\" href=\"https://x.y/\">\n<img style=\"width: 20%;\" alt=\"A\" src=\"/b.png\" />\n</a></p>",
			want: []string{"<p><a class=\"isomer-image-wrapper\" href=\"https://x.y/\">\n<img class=\"isomer-w-20\" alt=\"A\" src=\"/b.png\" />\n</a></p>"},
		},
		{
			name: "empty summary gets a name",
			in:   `<details class="isomer-details"><summary></summary><div class="isomer-details-content"><p>x</p></div></details>`,
			want: []string{`<summary aria-label="Details"></summary>`},
		},
		{
			name: "summary with an image is not empty",
			in:   `<details class="isomer-details"><summary><img src="/q.png" alt="Q"></summary></details>`,
			not:  []string{"aria-label"},
		},
		{
			name: "accordion group gets its default colour",
			in:   `<div data-type="detailGroup"><details class="isomer-details"><summary>Q</summary></details></div>`,
			want: []string{`<div data-type="detailGroup" class="isomer-accordion isomer-accordion-white">`},
		},
		{
			name: "gray accordion group unchanged",
			in:   `<div class="isomer-accordion-group isomer-accordion isomer-accordion-gray" data-type="detailGroup"></div>`,
			want: []string{`<div class="isomer-accordion-group isomer-accordion isomer-accordion-gray" data-type="detailGroup"></div>`},
		},
		{
			name: "table minWidth dropped, other style kept",
			in:   `<table style="minWidth: 50px; width: 100px"><tbody><tr><th>a</th><td>b</td></tr></tbody></table>`,
			want: []string{`<table style="width: 100px">`, `<th scope="row">a</th>`},
		},
		{
			name: "header row gets column scope",
			in:   `<table style="minWidth: 50px"><tbody><tr><th colspan="2" rowspan="1"><p>h</p></th></tr></tbody></table>`,
			want: []string{`<table>`, `<th colspan="2" rowspan="1" scope="col">`},
		},
		{
			name: "aligned cells inside a Tiptap table",
			in:   `<table style="minWidth: 50px"><tbody><tr><th style="text-align: center"><p style="text-align: right">h</p></th><td>d</td></tr></tbody></table>`,
			want: []string{`<table><tbody><tr><th class="has-text-centered" scope="row"><p class="has-text-right">h</p></th><td>d</td></tr></tbody></table>`},
		},
		{
			name: "aligned paragraph inside an accordion",
			in:   `<details class="isomer-details"><summary>Q</summary><div class="isomer-details-content"><p style="text-align: center">A</p></div></details>`,
			want: []string{`<div class="isomer-details-content"><p class="has-text-centered">A</p></div>`},
		},
		{
			name: "styled component root",
			in:   `<div class="iframe-wrapper" style="text-align: center"><iframe title="t" loading="lazy" src="/x"></iframe></div>`,
			want: []string{`<div class="iframe-wrapper has-text-centered"><iframe title="t" loading="lazy" src="/x"></iframe></div>`},
		},
		{
			name: "styled tag that is a root but no component",
			in:   `<div class="formsg-wrapper" style="text-align: right"><p>x</p></div>`,
			want: []string{`<div class="formsg-wrapper has-text-right"><p>x</p></div>`},
		},
		{
			name: "duplicate style attributes all go",
			in:   `<p style="text-align: left" style="color: red">x</p>`,
			want: []string{`<p class="has-text-left">x</p>`},
		},
		{
			name: "tight list class",
			in:   `<ol data-tight="true" start="3"><li><p>x</p></li></ol>`,
			want: []string{`<ol data-tight="true" start="3" class="tight">`},
		},
		{
			name: "iframe title from host",
			in:   `<div class="iframe-wrapper"><iframe src="https://www.youtube-nocookie.com/embed/x"></iframe></div>`,
			want: []string{`<iframe src="https://www.youtube-nocookie.com/embed/x" title="Embedded content from youtube-nocookie.com" loading="lazy"></iframe>`},
		},
		{
			name: "iframe title and loading kept",
			in:   `<div class="iframe-wrapper"><iframe title="Map" loading="eager" src="https://data.gov.sg/x"></iframe></div>`,
			want: []string{`<div class="iframe-wrapper"><iframe title="Map" loading="eager" src="https://data.gov.sg/x"></iframe></div>`},
		},
		{
			name: "iframe sizes move from style to attributes",
			in:   `<div class="iframe-wrapper"><iframe id="iframe" src="https://form.gov.sg/x" style="width: 100%; height: 500px"></iframe></div>`,
			want: []string{`<iframe id="iframe" src="https://form.gov.sg/x" title="Embedded content from form.gov.sg" loading="lazy" width="100%" height="500"></iframe>`},
		},
		{
			name: "iframe border and unknown declarations",
			in:   `<div class="iframe-wrapper"><iframe src="https://www.google.com/maps/embed" width="600" style="border:0; width: 40em"></iframe></div>`,
			want: []string{`<iframe src="https://www.google.com/maps/embed" width="600" style="width: 40em" title="Embedded content from google.com" loading="lazy" frameborder="0"></iframe>`},
		},
		{
			name: "instagram styles dropped, svg hidden",
			in:   `<div class="instagram-wrapper"><blockquote class="instagram-media" style="margin:1px"><a href="https://www.instagram.com/p/x/" style="padding:0"><svg width="50px"><path d="M0"></path></svg>View</a></blockquote><script async src="//www.instagram.com/embed.js"></script></div>`,
			want: []string{`<blockquote class="instagram-media"><a href="https://www.instagram.com/p/x/"><svg width="50px" aria-hidden="true">`,
				`<script async src="//www.instagram.com/embed.js"></script>`},
			not: []string{"style="},
		},
		{
			name: "re-rendered tags re-escape values",
			in:   `<div class="isomer-card-grid"><a title="&quot;x&quot; &amp; y" class="isomer-card"><div class="isomer-card-title">A &amp; B</div></a></div>`,
			want: []string{`<div title="&#34;x&#34; &amp; y" class="isomer-card">`, `>A &amp; B</div>`},
		},
		{
			name: "added attributes keep the source tag",
			in:   `<div class="iframe-wrapper"><iframe src="/q?a=1&amp;b=&quot;2&quot;"></iframe></div>`,
			want: []string{`<iframe src="/q?a=1&amp;b=&quot;2&quot;" title="Embedded content" loading="lazy">`},
		},
		{
			name: "moved link attributes are re-escaped",
			in:   `<div class="isomer-card-grid"><a href="/q?a=1&amp;b=&quot;2&quot;" class="isomer-card"><div class="isomer-card-title">T</div></a></div>`,
			want: []string{`<a class="isomer-card-anchor" href="/q?a=1&amp;b=&#34;2&#34;">T</a>`},
		},
		{
			name: "unquoted last value forces a full render",
			in:   `<div class="iframe-wrapper"><IFRAME SRC=https://www.youtube.com/embed/x></IFRAME></div>`,
			want: []string{`<iframe src="https://www.youtube.com/embed/x" title="Embedded content from youtube.com" loading="lazy"></IFRAME>`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, tc.in)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("output has %q:\n%s", n, got)
				}
			}
		})
	}
}

func TestGeneratedIDsAreUnique(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "card-grid-mixed.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, run(t, string(body)))
	seen := map[string]bool{}
	for _, n := range all(doc, func(n *html.Node) bool { _, ok := attr(n, "id"); return ok }) {
		id, _ := attr(n, "id")
		if seen[id] {
			t.Errorf("duplicate id %q", id)
		}
		seen[id] = true
	}
	// Every aria reference must resolve.
	refs := 0
	for _, key := range []string{"aria-labelledby", "aria-describedby"} {
		for _, n := range all(doc, func(n *html.Node) bool { _, ok := attr(n, key); return ok }) {
			refs++
			id, _ := attr(n, key)
			if !seen[id] {
				t.Errorf("%s %q points nowhere", key, id)
			}
		}
	}
	if refs == 0 {
		t.Error("no aria references: the test checks nothing")
	}
}

// kramdown re-serialises void tags XHTML-style; the seed test runs on both.
var xhtmlImg = regexp.MustCompile(`(<img\b[^>]*[^/])>`)

func TestSeedPageCards(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "seed-our-digital-government-efforts.html"))
	if err != nil {
		t.Fatal(err)
	}
	type card struct{ href, title, alt, description string }
	want := []card{
		{"https://www.tech.gov.sg/singapore-digital-government-journey/tech-for-public-good", "Tech for Public Good",
			"Technology being utilised to serve the public and improve the quality of living",
			"Cultivating a Digital Government that is “Digital to the Core, and Serves with Heart,” GovTech has developed technologies that are tailored to the needs of our citizens and businesses and empower them to achieve a greater quality of life."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/citizen-engagement-and-cocreation", "Citizen Engagement and Co-creation",
			"Citizen Engagement and Co-creation in the creation of products and services",
			"At GovTech, we believe that public engagement and participation will help us identify citizen’s needs more accurately and refine government products and services."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/user-and-business-journeys", "User and Business Journeys",
			"Simplifying user and business journeys in accessing government services",
			"GovTech is committed to providing citizens and businesses with a simplified user journey and a single touchpoint to government services."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/ai-and-data-driven-government", "AI and Data Driven Government",
			"Using AI technology to enhance citizen-centric government services.",
			"GovTech’s Data Science and AI Division facilitates whole of government adoption of data science and AI to deliver citizen-centric government services."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/digital-identity", "Digital Identity",
			"Enhancement of Digital Identity services for convenient and secure online transactions",
			"Singapore’s National Digital Identity Initiative (NDI) provides our citizens and businesses with more convenient and secure online transactions with both the government and private sector organisations."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/wog-platforms-and-tools", "WOG Platforms and Tools",
			"WOG platform and tools makes transactions with government easy and secure.",
			"Transacting with the government is aimed to be easy, seamless, and secure. Government agencies will upskill and collaborate to drive digitalisation and offer better services to citizens and businesses."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/cybersecurity", "Cybersecurity",
			"Cybersecurity Group (CSG) develops the cybersecurity strategy for the Government and secures digital services.",
			"The Cybersecurity Group (CSG) develops the cybersecurity strategy for the Government, secures the usage of government digital services for the public and protects the Government’s ICT systems and Smart systems."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/diversity-and-inclusion", "Diversity and Inclusion",
			"Commitment to diversity and inclusion in all areas of our work with external and internal stakeholders, local communities",
			"We are committed to diversity and inclusion in all areas of our work with external and internal stakeholders, including empowering vulnerable communities, designing inclusive products, and creating an inclusive tech community."},
		{"https://www.tech.gov.sg/singapore-digital-government-journey/sustainability", "Sustainability",
			"GovTech to lead in decarbonising public sector technology to mitigate global warming and secure a smart and sustainable future for SG citizens.",
			"As part of Singapore's Green Plan 2030, GovTech is taking the lead in decarbonising public sector technology in order to mitigate global warming and secure a smart and sustainable future for the people living in Singapore."},
	}
	for name, body := range map[string]string{
		"as stored":         string(raw),
		"as kramdown emits": xhtmlImg.ReplaceAllString(string(raw), "$1 />"),
	} {
		t.Run(name, func(t *testing.T) {
			out := string(Transform([]byte(body)))
			doc := parse(t, out)
			grids := all(doc, byClass("isomer-card-grid"))
			if len(grids) != 3 {
				t.Fatalf("got %d grids, want 3", len(grids))
			}
			for _, g := range grids {
				if g.Data != "ul" {
					t.Errorf("grid is <%s>, want <ul>", g.Data)
				}
			}
			if links := all(doc, byTag("a")); len(links) != len(want) {
				t.Errorf("got %d links, want %d (one per card)", len(links), len(want))
			}
			cards := all(doc, byClass("isomer-card"))
			if len(cards) != len(want) {
				t.Fatalf("got %d cards, want %d", len(cards), len(want))
			}
			for i, c := range cards {
				w := want[i]
				if c.Data != "div" || !hasClass(c, "isomer-card-clickable") || c.Parent.Data != "li" || c.Parent.Parent.Data != "ul" {
					t.Errorf("card %d: <%s> is not a clickable card directly in a list item", i+1, c.Data)
				}
				links := all(c, byTag("a"))
				if len(links) != 1 {
					t.Fatalf("card %d: %d links, want 1", i+1, len(links))
				}
				a := links[0]
				if href, _ := attr(a, "href"); href != w.href {
					t.Errorf("card %d: href %q, want %q", i+1, href, w.href)
				}
				if rel, _ := attr(a, "rel"); rel != "noopener noreferrer nofollow" {
					t.Errorf("card %d: rel %q", i+1, rel)
				}
				// WCAG 2.5.3: the name is the visible text of the link.
				if name := accessibleName(doc, a); name != w.title || name != text(a) {
					t.Errorf("card %d: accessible name %q, visible text %q, want both %q", i+1, name, text(a), w.title)
				}
				if !hasClass(a, "isomer-card-anchor") || !hasClass(a.Parent, "isomer-card-title") {
					t.Errorf("card %d: the link is not the card title's anchor", i+1)
				}
				if d, _ := attr(a, "aria-describedby"); d == "" || d != idOf(c, "isomer-card-description") {
					t.Errorf("card %d: aria-describedby %q does not name the description", i+1, d)
				}
				imgs := all(c, byTag("img"))
				if len(imgs) != 1 {
					t.Fatalf("card %d: %d images", i+1, len(imgs))
				}
				if alt, _ := attr(imgs[0], "alt"); alt != w.alt {
					t.Errorf("card %d: alt %q, want %q", i+1, alt, w.alt)
				}
				if _, ok := attr(imgs[0], "style"); ok || !hasClass(imgs[0], "isomer-w-100") {
					t.Errorf("card %d: image keeps an inline style or lacks isomer-w-100", i+1)
				}
				descs := all(c, byClass("isomer-card-description"))
				if len(descs) != 1 || text(descs[0]) != w.description {
					t.Errorf("card %d: description %q", i+1, text(descs[0]))
				}
				if link := all(c, byClass("isomer-card-link")); len(link) != 1 || text(link[0]) != "Learn more" {
					t.Errorf("card %d: no visible \"Learn more\"", i+1)
				}
				// Source order: image (by its alt), title, description, Learn more.
				if got, want := text(c), collapse(w.alt+" "+w.title+" "+w.description+" Learn more"); got != want {
					t.Errorf("card %d: visible content\n got %q\nwant %q", i+1, got, want)
				}
			}
			// Everything outside the grids is untouched.
			before, _, _ := strings.Cut(body, `<div class="isomer-card-grid">`)
			if !strings.HasPrefix(out, before) {
				t.Error("text before the first grid changed")
			}
			if !strings.HasSuffix(out, "</ul>\n<p></p>\n<p></p>\n<p></p>\n<p></p>\n<p></p>\n<p></p>\n<p></p>") {
				t.Error("trailing paragraphs changed")
			}
		})
	}
}

func TestStyleClasses(t *testing.T) {
	tests := []struct {
		tag, style   string
		width, align string
		ok           bool
	}{
		{"img", "width:50%", "isomer-w-50", "", true},
		{"img", " WIDTH : 33.4 % ; ", "isomer-w-33", "", true},
		{"img", "width: 100%;;", "isomer-w-100", "", true},
		{"img", "width: 0.4%", "", "", false},
		{"img", "width: 101%", "", "", false},
		{"img", "width: 50px", "", "", false},
		{"img", "width: 50%; height: auto", "", "", false},
		{"img", "text-align: center", "", "", false},
		{"th", "text-align: left", "", "has-text-left", true},
		{"td", "text-align: center", "", "has-text-centered", true},
		{"td", "Text-Align:RIGHT", "", "has-text-right", true},
		{"p", "text-align: justify;", "", "has-text-justified", true},
		{"h3", "text-align: left; text-align: center", "", "has-text-centered", true},
		{"div", "text-align: start", "", "", false},
		{"td", "text-align: center !important", "", "", false},
		{"td", "text-align: center; width: 50%", "", "", false},
		{"span", "text-align: center", "", "", false},
		{"p", "", "", "", false},
		{"p", " ; ", "", "", false},
		{"p", "text-align", "", "", false},
		{"p", "/* c */ text-align: left", "", "", false},
	}
	for _, tc := range tests {
		width, align, ok := styleClasses(tc.tag, tc.style)
		if width != tc.width || align != tc.align || ok != tc.ok {
			t.Errorf("styleClasses(%q, %q) = %q, %q, %v; want %q, %q, %v",
				tc.tag, tc.style, width, align, ok, tc.width, tc.align, tc.ok)
		}
	}
}

// Only start tags that carry "style=" are parsed outside components, and
// every byte around a rewritten tag is kept.
func TestStyledTagsOnlyChange(t *testing.T) {
	in := "<P>a &amp; b</P>\r\n<TD  style='text-align:center' data-x=1>c</TD><!-- d -->\n<img src=e  alt=\"f\">"
	want := "<P>a &amp; b</P>\r\n<td class=\"has-text-centered\" data-x=\"1\">c</TD><!-- d -->\n<img src=e  alt=\"f\">"
	if got := run(t, in); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	for raw, want := range map[string]bool{
		`<img src=x style="width:5%">`: true,
		`<Img style=x>`:                true,
		`<H2 style="">`:                true,
		`<img src=x>`:                  false,
		`<span style="x">`:             false,
		`<p STYLE="x">`:                false,
		`<table style="x">`:            false,
		`<pre style="x">`:              false,
	} {
		if got := styledTag([]byte(raw)); got != want {
			t.Errorf("styledTag(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestEmbedsInstagram(t *testing.T) {
	for _, body := range []string{"", "instagram-wrapper", "x instagram-wrapper", "-wrapper", "instagram-wrappe", "a-b-c instagram-wrapper-d", "gram-wrapper instagram", "instagram-wrapperinstagram-wrapper"} {
		if got, want := EmbedsInstagram([]byte(body)), strings.Contains(body, "instagram-wrapper"); got != want {
			t.Errorf("EmbedsInstagram(%q) = %v, want %v", body, got, want)
		}
	}
}
