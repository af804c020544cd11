package tiptap

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

type nodeKind uint8

const (
	textNode nodeKind = iota
	elementNode
	// otherNode is a comment, doctype or stray end tag: always copied verbatim.
	otherNode
)

// node is a minimal tree over the tokens of one component. It keeps the
// source bytes of every token so that untouched parts are copied exactly.
type node struct {
	kind     nodeKind
	tag      string           // lower-case element name
	attrs    []html.Attribute // first occurrence of each key, values unescaped
	raw      []byte           // source bytes of the start tag, text or other token
	end      []byte           // source bytes of the end tag, nil if none was seen
	closed   bool             // an end tag closes the element (source or synthetic)
	children []*node

	// nSource is how many of attrs came from the source; attributes after
	// them were added and can be inserted into the raw tag.
	nSource   int
	rewrite   bool // an attribute changed or went: render the whole start tag
	renamed   bool // tag changed: render the end tag too
	selfClose bool // source start tag was self-closing ("/>"), kept when re-rendered
}

func newElement(name string, attrs []html.Attribute, raw []byte, selfClose bool) *node {
	return &node{kind: elementNode, tag: name, attrs: attrs, nSource: len(attrs), raw: raw, selfClose: selfClose}
}

// voidElements have no content and no end tag in HTML.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true,
	"hr": true, "img": true, "input": true, "keygen": true, "link": true,
	"meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// rawTextElements hold text that is never parsed as markup, so a tag put
// inside one would show up as text.
var rawTextElements = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
}

func (n *node) attr(key string) (string, bool) {
	for _, a := range n.attrs {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// setAttr replaces the value of key in place, or appends the attribute.
func (n *node) setAttr(key, val string) {
	for i, a := range n.attrs {
		if a.Namespace == "" && a.Key == key {
			if i < n.nSource {
				n.rewrite = true
			}
			n.attrs[i].Val = val
			return
		}
	}
	n.attrs = append(n.attrs, html.Attribute{Key: key, Val: val})
}

func (n *node) removeAttr(key string) {
	out := n.attrs[:0]
	for _, a := range n.attrs {
		if a.Namespace == "" && a.Key == key {
			n.rewrite = true
			continue
		}
		out = append(out, a)
	}
	n.attrs = out
}

// replaceAttr puts attribute a where key was, keeping the tag's reading order.
func (n *node) replaceAttr(key string, a html.Attribute) {
	for i, old := range n.attrs {
		if old.Namespace == "" && old.Key == key {
			n.attrs[i] = a
			n.rewrite = true
			return
		}
	}
}

func (n *node) hasClass(c string) bool {
	v, ok := n.attr("class")
	return ok && hasToken(v, c)
}

// hasToken reports whether the whitespace-separated list v contains tok,
// without allocating (this runs on every element of every component).
func hasToken(v, tok string) bool {
	for {
		i := strings.Index(v, tok)
		if i < 0 {
			return false
		}
		end := i + len(tok)
		if (i == 0 || isHTMLSpace(v[i-1])) && (end == len(v) || isHTMLSpace(v[end])) {
			return true
		}
		v = v[end:]
	}
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func (n *node) addClass(c string) {
	if n.hasClass(c) {
		return
	}
	v, ok := n.attr("class")
	if ok && strings.TrimSpace(v) != "" {
		n.setAttr("class", strings.TrimSpace(v)+" "+c)
		return
	}
	n.setAttr("class", c)
}

func (n *node) isElement(tags ...string) bool {
	if n.kind != elementNode {
		return false
	}
	for _, t := range tags {
		if n.tag == t {
			return true
		}
	}
	return false
}

// textContent is the decoded text of n's subtree.
func (n *node) textContent() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		switch m.kind {
		case textNode:
			b.WriteString(html.UnescapeString(string(m.raw)))
		case elementNode:
			for _, c := range m.children {
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// hasVisibleContent reports whether n contains non-blank text or an element
// that renders something on its own (an image, say).
func (n *node) hasVisibleContent() bool {
	for _, c := range n.children {
		switch c.kind {
		case textNode:
			if strings.TrimSpace(html.UnescapeString(string(c.raw))) != "" {
				return true
			}
		case elementNode:
			switch c.tag {
			case "img", "svg", "picture", "video", "iframe", "input":
				return true
			}
			if c.hasVisibleContent() {
				return true
			}
		}
	}
	return false
}

// findClass returns the first descendant element with class c, without
// descending into elements for which stop returns true.
func (n *node) findClass(c string, stop func(*node) bool) *node {
	for _, k := range n.children {
		if k.kind != elementNode {
			continue
		}
		if k.hasClass(c) {
			return k
		}
		if stop != nil && stop(k) {
			continue
		}
		if f := k.findClass(c, stop); f != nil {
			return f
		}
	}
	return nil
}

func (n *node) appendTo(b []byte) []byte {
	if n.kind != elementNode {
		return append(b, n.raw...)
	}
	switch {
	case n.rewrite:
		b = appendStartTag(b, n)
	case len(n.attrs) > n.nSource:
		b = appendWithAddedAttrs(b, n)
	default:
		b = append(b, n.raw...)
	}
	for _, c := range n.children {
		b = c.appendTo(b)
	}
	if n.closed {
		if n.end == nil || n.renamed {
			b = append(b, "</"...)
			b = append(b, n.tag...)
			b = append(b, '>')
		} else {
			b = append(b, n.end...)
		}
	}
	return b
}

func appendAttrs(b []byte, attrs []html.Attribute) []byte {
	for _, a := range attrs {
		b = append(b, ' ')
		if a.Namespace != "" {
			b = append(b, a.Namespace...)
			b = append(b, ':')
		}
		b = append(b, a.Key...)
		b = append(b, `="`...)
		b = append(b, html.EscapeString(a.Val)...)
		b = append(b, '"')
	}
	return b
}

// appendWithAddedAttrs copies the source start tag with the added attributes
// inserted before its closing bracket, so the source attributes keep their
// spelling (viewBox stays viewBox). That is only safe where the source tag
// ends in a quoted value or its name; otherwise (an unquoted or empty value
// would swallow what follows) the tag is rendered whole.
func appendWithAddedAttrs(b []byte, n *node) []byte {
	cut := len(n.raw) - 1 // the ">"
	if n.selfClose {
		cut = len(n.raw) - 2 // the "/>"
	}
	if cut < 1 || n.raw[len(n.raw)-1] != '>' || (n.selfClose && n.raw[cut] != '/') {
		return appendStartTag(b, n)
	}
	head := bytes.TrimRight(n.raw[:cut], " \t\n\r\f")
	last := head[len(head)-1]
	if last != '"' && last != '\'' && !(n.nSource == 0 && bytes.EqualFold(head[1:], []byte(n.tag))) {
		return appendStartTag(b, n)
	}
	b = append(b, head...)
	b = appendAttrs(b, n.attrs[n.nSource:])
	return append(b, n.raw[len(head):]...)
}

func appendStartTag(b []byte, n *node) []byte {
	b = append(b, '<')
	b = append(b, n.tag...)
	b = appendAttrs(b, n.attrs)
	if n.selfClose {
		b = append(b, " />"...)
	} else {
		b = append(b, '>')
	}
	return b
}

// tokens walks body with the x/net/html tokenizer and hands out each token's
// source bytes as a sub-slice of body, using the tokenizer's guarantee that
// raw token bytes partition the input.
type tokens struct {
	z    *html.Tokenizer
	body []byte
	off  int
	bad  bool // the partition guarantee did not hold: give up
}

func newTokens(body []byte) *tokens {
	return &tokens{z: html.NewTokenizer(bytes.NewReader(body)), body: body}
}

func (t *tokens) next() (html.TokenType, []byte) {
	tt := t.z.Next()
	if tt == html.ErrorToken {
		return tt, nil
	}
	n := len(t.z.Raw())
	if t.off+n > len(t.body) {
		t.bad = true
		return html.ErrorToken, nil
	}
	raw := t.body[t.off : t.off+n]
	t.off += n
	return tt, raw
}

// tagAttrs reads the current tag's name and attributes.
func (t *tokens) tagAttrs() (string, []html.Attribute) {
	name, more := t.z.TagName()
	var attrs []html.Attribute
	for more {
		var k, v []byte
		k, v, more = t.z.TagAttr()
		attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
	}
	return string(name), attrs
}

// buildSubtree reads tokens until root is closed or the input ends, attaching
// them under root. End tags close the nearest open element of the same name
// (implicitly closing those above it); an end tag that matches nothing open is
// kept as a verbatim node. This is not the full HTML tree-construction
// algorithm, but every byte is kept in source order, so a mismatch only
// affects which element a component rule sees, never the bytes of text.
func buildSubtree(t *tokens, root *node) {
	stack := []*node{root}
	foreign := 0 // open svg/math elements, where "/>" really closes
	for len(stack) > 0 {
		tt, raw := t.next()
		if tt == html.ErrorToken {
			return
		}
		cur := stack[len(stack)-1]
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			name, attrs := t.tagAttrs()
			n := newElement(name, attrs, raw, tt == html.SelfClosingTagToken)
			cur.children = append(cur.children, n)
			if voidElements[name] || (tt == html.SelfClosingTagToken && foreign > 0) {
				continue
			}
			if name == "svg" || name == "math" {
				foreign++
			}
			stack = append(stack, n)
		case html.EndTagToken:
			name, _ := t.z.TagName()
			i := len(stack) - 1
			for ; i >= 0; i-- {
				if stack[i].tag == string(name) {
					break
				}
			}
			if i < 0 {
				cur.children = append(cur.children, &node{kind: otherNode, raw: raw})
				continue
			}
			for _, s := range stack[i:] {
				if s.tag == "svg" || s.tag == "math" {
					foreign--
				}
			}
			stack[i].end = raw
			stack[i].closed = true
			stack = stack[:i]
		case html.TextToken:
			cur.children = append(cur.children, &node{kind: textNode, raw: raw})
		default:
			cur.children = append(cur.children, &node{kind: otherNode, raw: raw})
		}
	}
}
