package search

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TextOf extracts the text a reader sees in a rendered HTML body (or a whole
// document), and the text of its headings (h1–h6) on their own, for
// indexing. Scripts, styles, navigation and anything marked hidden are
// skipped. Block boundaries become spaces so that words of adjacent
// paragraphs do not run together; inline elements do not, so
// "<b>Gov</b>Tech" stays one word. The text includes the headings' words:
// they are read on the page too.
//
// It parses with the HTML5 algorithm rather than scanning tags, so unclosed
// <p> and <li> elements end where a browser ends them.
func TextOf(body []byte) (headings []string, text string) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		// html.Parse only fails on reader errors, which a byte slice has not.
		return nil, ""
	}
	var w textWriter
	w.walk(doc)
	return w.headings, w.out.String()
}

// textWriter collapses white space as it writes: a run of spaces, or a block
// boundary, becomes one space, written only before the next word.
type textWriter struct {
	out, heading   strings.Builder
	pending, hpend bool
	inHeading      bool
	headings       []string
}

func (w *textWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if skipped(n.DataAtom) || hiddenNode(n) {
			return
		}
	}
	block := n.Type == html.ElementNode && !inlineElement(n.DataAtom)
	if block {
		w.pending, w.hpend = true, true
	}
	startHeading := n.Type == html.ElementNode && isHeading(n.DataAtom) && !w.inHeading
	if startHeading {
		w.inHeading = true
		w.heading.Reset()
		w.hpend = false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if startHeading {
		w.inHeading = false
		if h := w.heading.String(); h != "" {
			w.headings = append(w.headings, h)
		}
	}
	if block {
		w.pending, w.hpend = true, true
	}
}

func (w *textWriter) text(s string) {
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0' {
			w.pending, w.hpend = true, true
			continue
		}
		if w.pending && w.out.Len() > 0 {
			w.out.WriteByte(' ')
		}
		w.pending = false
		w.out.WriteRune(r)
		if w.inHeading {
			if w.hpend && w.heading.Len() > 0 {
				w.heading.WriteByte(' ')
			}
			w.hpend = false
			w.heading.WriteRune(r)
		}
	}
}

func hiddenNode(n *html.Node) bool {
	for _, a := range n.Attr {
		switch {
		case a.Namespace != "":
		case a.Key == "hidden",
			a.Key == "aria-hidden" && a.Val == "true",
			a.Key == "role" && a.Val == "navigation":
			return true
		}
	}
	return false
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// skipped elements hold no reading text: code to run, chrome repeated on
// every page, or content the reader cannot see.
func skipped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Nav, atom.Head,
		atom.Svg, atom.Math, atom.Iframe, atom.Object, atom.Select, atom.Textarea, atom.Button:
		return true
	}
	return false
}

// inlineElement lists the phrasing elements that do not break a word.
func inlineElement(a atom.Atom) bool {
	switch a {
	case atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Cite, atom.Code, atom.Data,
		atom.Del, atom.Dfn, atom.Em, atom.I, atom.Ins, atom.Kbd, atom.Mark, atom.Q, atom.S,
		atom.Samp, atom.Small, atom.Span, atom.Strong, atom.Sub, atom.Sup, atom.Time, atom.U,
		atom.Var, atom.Wbr, atom.Font, atom.Label:
		return true
	}
	return false
}
