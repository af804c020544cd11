package markup

import (
	"sort"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockTags are elements around which whitespace does not render, so the
// comparison may ignore whitespace-only text next to them.
const blockTags = " address article aside blockquote body caption col colgroup dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html li link main meta nav ol p pre script section style summary table tbody td tfoot th thead title tr ul "

const verbatimTags = " pre textarea script style "

// canonicalHTML parses s as an HTML fragment and prints a canonical form:
// attributes sorted, whitespace runs collapsed to one space outside <pre>,
// and whitespace that cannot render (next to block boundaries) dropped. Two
// outputs that differ only in that way compare equal.
func canonicalHTML(s string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return "PARSE ERROR: " + err.Error()
	}
	for _, n := range nodes {
		ctx.AppendChild(n)
	}
	var b strings.Builder
	canonChildren(&b, ctx, false)
	return strings.TrimSpace(b.String())
}

func isBlockNode(n *html.Node) bool {
	return n == nil || (n.Type == html.ElementNode && inList(blockTags, n.Data))
}

func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f':
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func canonChildren(b *strings.Builder, parent *html.Node, verbatim bool) {
	parentBlock := isBlockNode(parent)
	for c := parent.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			t := c.Data
			if !verbatim {
				t = collapseSpace(t)
				if parentBlock && isBlockNode(c.PrevSibling) {
					t = strings.TrimLeft(t, " ")
				}
				if parentBlock && isBlockNode(c.NextSibling) {
					t = strings.TrimRight(t, " ")
				}
			}
			if t != "" {
				b.WriteString(html.EscapeString(t))
			}
		case html.CommentNode:
			b.WriteString("<!--" + collapseSpace(c.Data) + "-->")
		case html.ElementNode:
			block := inList(blockTags, c.Data)
			if block {
				b.WriteByte('\n')
			}
			b.WriteString("<" + c.Data)
			attrs := append([]html.Attribute(nil), c.Attr...)
			sort.Slice(attrs, func(i, j int) bool { return attrs[i].Key < attrs[j].Key })
			for _, a := range attrs {
				b.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
			}
			b.WriteString(">")
			canonChildren(b, c, verbatim || inList(verbatimTags, c.Data))
			b.WriteString("</" + c.Data + ">")
			if block {
				b.WriteByte('\n')
			}
		}
	}
}
