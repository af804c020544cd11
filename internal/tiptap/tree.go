package tiptap

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"

	"isomer.dev/isomer/internal/htmltag"
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

// isVoid reports whether elements named tag have no content and no end tag
// in HTML.
func isVoid(tag string) bool {
	switch tag {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link",
		"meta", "param", "source", "track", "wbr":
		return true
	}
	return false
}

// isRawText reports whether elements named tag hold text that is never
// parsed as markup (a tag put inside one would show up as text): those after
// whose start tag html.Tokenizer reads raw text.
func isRawText(tag string) bool {
	switch tag {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return true
	}
	return false
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
		if (i == 0 || htmltag.IsSpace(v[i-1])) && (end == len(v) || htmltag.IsSpace(v[end])) {
			return true
		}
		v = v[end:]
	}
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
			if bytes.IndexByte(m.raw, '&') < 0 {
				b.Write(m.raw) // nothing to decode
			} else {
				b.WriteString(html.UnescapeString(string(m.raw)))
			}
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

// arena makes the nodes of one body's trees, and their child lists, in
// blocks: the trees are dropped together once the body is written, and an
// allocation per node and per growing child list was much of what a
// component cost. reset keeps the blocks for the next body.
type arena struct {
	nodes    []node
	children []*node

	// The blocks handed out since reset come first in each list, the
	// current one last; those after it are free.
	nodeBlocks              [][]node
	childLists              [][]*node
	usedNodes, usedChildren int

	// buildSubtree's state, kept for the body's next component: the
	// elements whose end it has not read, and the children read for them,
	// each element's after its parent's.
	open    []openElement
	pending []*node
}

type openElement struct {
	n    *node
	kids int // where n's children start in pending
}

// reset frees every node and child list made so far for reuse; none of
// them may be used after it.
func (a *arena) reset() {
	for _, b := range a.nodeBlocks[:a.usedNodes] {
		clear(b[:cap(b)]) // let go of the last body's bytes
	}
	for _, b := range a.childLists[:a.usedChildren] {
		clear(b[:cap(b)])
	}
	a.nodes, a.children = nil, nil
	a.usedNodes, a.usedChildren = 0, 0
	clear(a.open[:cap(a.open)])
	clear(a.pending[:cap(a.pending)])
}

func (a *arena) node(n node) *node {
	if len(a.nodes) == cap(a.nodes) {
		if a.usedNodes == len(a.nodeBlocks) {
			a.nodeBlocks = append(a.nodeBlocks, make([]node, 0, 64))
		}
		a.nodes = a.nodeBlocks[a.usedNodes][:0]
		a.usedNodes++
	}
	a.nodes = append(a.nodes, n)
	return &a.nodes[len(a.nodes)-1]
}

func (a *arena) element(name string, attrs []html.Attribute, raw []byte, selfClose bool) *node {
	return a.node(node{kind: elementNode, tag: name, attrs: attrs, nSource: len(attrs), raw: raw, selfClose: selfClose})
}

// childList copies kids into a block. The list's capacity ends with it, so
// that appending to one list cannot overwrite the next.
func (a *arena) childList(kids []*node) []*node {
	if len(kids) == 0 {
		return nil
	}
	if cap(a.children)-len(a.children) < len(kids) {
		if a.usedChildren == len(a.childLists) {
			a.childLists = append(a.childLists, nil)
		}
		if b := a.childLists[a.usedChildren]; cap(b) >= len(kids) {
			a.children = b[:0]
		} else {
			a.children = make([]*node, 0, max(len(kids), 256))
			a.childLists[a.usedChildren] = a.children
		}
		a.usedChildren++
	}
	from := len(a.children)
	a.children = append(a.children, kids...)
	return a.children[from:len(a.children):len(a.children)]
}

// buildSubtree reads tokens until root is closed or the input ends, attaching
// them under root. End tags close the nearest open element of the same name
// (implicitly closing those above it); an end tag that matches nothing open is
// kept as a verbatim node. This is not the full HTML tree-construction
// algorithm, but every byte is kept in source order, so a mismatch only
// affects which element a component rule sees, never the bytes of text.
func (a *arena) buildSubtree(t *tokens, root *node) {
	a.open = append(a.open[:0], openElement{n: root})
	a.pending = a.pending[:0]
	foreign := 0 // open svg/math elements, where "/>" really closes
	for len(a.open) > 0 {
		tt, raw := t.next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			name, attrs := t.tagAttrs()
			n := a.element(name, attrs, raw, tt == html.SelfClosingTagToken)
			a.pending = append(a.pending, n)
			if isVoid(name) || (tt == html.SelfClosingTagToken && foreign > 0) {
				continue
			}
			if name == "svg" || name == "math" {
				foreign++
			}
			a.open = append(a.open, openElement{n: n, kids: len(a.pending)})
		case html.EndTagToken:
			name := t.tagName()
			i := len(a.open) - 1
			for ; i >= 0; i-- {
				if a.open[i].n.tag == name {
					break
				}
			}
			if i < 0 {
				a.pending = append(a.pending, a.node(node{kind: otherNode, raw: raw}))
				continue
			}
			for _, o := range a.open[i:] {
				if o.n.tag == "svg" || o.n.tag == "math" {
					foreign--
				}
			}
			a.open[i].n.end = raw
			a.open[i].n.closed = true
			a.closeFrom(i)
		case html.TextToken:
			a.pending = append(a.pending, a.node(node{kind: textNode, raw: raw}))
		default:
			a.pending = append(a.pending, a.node(node{kind: otherNode, raw: raw}))
		}
	}
	a.closeFrom(0) // what the end of the input left open
}

// closeFrom gives the elements open[i:] the children read for them,
// innermost first, and takes them off open.
func (a *arena) closeFrom(i int) {
	for j := len(a.open) - 1; j >= i; j-- {
		o := a.open[j]
		o.n.children = a.childList(a.pending[o.kids:])
		a.pending = a.pending[:o.kids]
	}
	a.open = a.open[:i]
}
