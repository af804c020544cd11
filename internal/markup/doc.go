// Package markup renders Markdown the way kramdown 2.4 does under Jekyll 4
// (input GFM, auto ids, smart quotes and typographic symbols as UTF-8,
// rouge code markup, no hard wraps, no autolinking of bare URLs), so that
// classic Isomer pages, both Markdown and Tiptap HTML bodies, produce the
// same HTML as the Ruby build.
//
// It is goldmark plus project-owned extensions for what kramdown adds or
// does differently: inline and block attribute lists ({: .class #id k="v"}),
// attribute list definitions ({:name: …} then {: name}), header ids ({#id})
// and kramdown-parser-gfm's auto ids, raw HTML blocks (content kept up to
// the matching end tag and re-serialised with XHTML void tags), markdown="1"
// inside HTML, paragraphs for lines that start with span-level HTML,
// kramdown tables, footnotes, definition lists, abbreviations, {:toc},
// {::comment}, {::nomarkdown}, {::options auto_ids}, math and kramdown's
// list and typography rules.
//
// The API is deliberately small:
//
//	c := markup.New()        // once per process; safe for concurrent use
//	err := c.Convert(w, src) // writes the HTML for src to w
//
// Convert never panics: a panic inside the Markdown engine is recovered and
// returned as an error.
//
// Fidelity is measured by TestCorpusAgainstKramdown, which compares the
// output for every snippet in testdata/corpus with kramdown's (stored in
// testdata/kramdown.golden.json; go test -run Corpus -update regenerates it
// when Ruby, Jekyll and kramdown are installed). The differences that
// remain are listed in DIFFERENCES.md.
package markup
