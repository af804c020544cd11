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
// It reads tokens rather than building a tree: this runs on every page of
// a build. Skipped elements are skipped up to their matching end tag.
func TextOf(body []byte) (headings []string, text string) {
	var w textWriter
	z := html.NewTokenizer(bytes.NewReader(body))
	var skip []atom.Atom // the skipped elements we are inside, innermost last
	var heading atom.Atom
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			w.endHeading()
			return w.headings, w.out.String()
		case html.TextToken:
			if len(skip) == 0 {
				w.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if len(skip) > 0 {
				if a == skip[len(skip)-1] && tt == html.StartTagToken && !voidElement(a) {
					skip = append(skip, a) // the same element nested inside itself
				}
				continue
			}
			if skipped(a) || hasAttr && hiddenTag(z) {
				if tt == html.StartTagToken && !voidElement(a) {
					skip = append(skip, a)
				}
				continue
			}
			if !inlineElement(a) {
				w.pending, w.hpend = true, true
			}
			if isHeading(a) && tt == html.StartTagToken {
				// As in HTML5 parsing, a heading start tag ends an open heading.
				w.endHeading()
				heading = a
				w.inHeading = true
				w.heading.Reset()
				w.hpend = false
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if len(skip) > 0 {
				if a == skip[len(skip)-1] {
					skip = skip[:len(skip)-1]
				}
				continue
			}
			if !inlineElement(a) {
				w.pending, w.hpend = true, true
			}
			if isHeading(a) && heading != 0 {
				heading = 0
				w.endHeading()
			}
		}
	}
}

// endHeading closes the heading being collected, if any.
func (w *textWriter) endHeading() {
	if !w.inHeading {
		return
	}
	w.inHeading = false
	if h := w.heading.String(); h != "" {
		w.headings = append(w.headings, h)
	}
}

// hiddenTag reports whether the current start tag hides its element.
func hiddenTag(z *html.Tokenizer) bool {
	for {
		k, v, more := z.TagAttr()
		switch {
		case string(k) == "hidden",
			string(k) == "aria-hidden" && string(v) == "true",
			string(k) == "role" && string(v) == "navigation":
			return true
		}
		if !more {
			return false
		}
	}
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// textWriter collapses white space as it writes: a run of spaces, or a block
// boundary, becomes one space, written only before the next word.
type textWriter struct {
	out, heading   strings.Builder
	pending, hpend bool
	inHeading      bool
	headings       []string
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
