package markup

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// kramdownTransformer applies what kramdown does after parsing: attribute
// lists, list-item paragraph rules, task lists, header ids, abbreviations
// and the TOC placeholder.
type kramdownTransformer struct{}

var kindTOC = ast.NewNodeKind("KramdownTOC")

// tocList replaces the list that carries the "toc" reference.
type tocList struct {
	ast.BaseBlock
	ordered bool
}

func (n *tocList) Kind() ast.NodeKind         { return kindTOC }
func (n *tocList) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type transformState struct {
	src       []byte
	alds      map[string]*attrList
	abbrs     map[string]*abbrDef
	abbrKeys  []string
	toc       bool
	gfmIDs    map[string]int
	htmlIDs   map[string]int
	noIDs     bool // {::options auto_ids="false" /}
	inlineFix bool // span IALs, span HTML or *** occur
}

var defsKey = parser.NewContextKey()

// definitions collects, while parsing, what the transformer needs from the
// whole document.
type definitions struct {
	alds      map[string]*attrList
	abbrs     map[string]*abbrDef
	abbrKeys  []string
	inlineFix bool
	noBrace   span // a line part with no closing brace
	noComment span // a line part with no "-->"
}

func defs(pc parser.Context) *definitions {
	if d, ok := pc.Get(defsKey).(*definitions); ok {
		return d
	}
	d := &definitions{}
	pc.Set(defsKey, d)
	return d
}

func (d *definitions) addALD(name string, a *attrList) {
	if d.alds == nil {
		d.alds = map[string]*attrList{}
	}
	if old := d.alds[name]; old != nil {
		old.merge(a)
	} else {
		d.alds[name] = a
	}
}

func (d *definitions) addAbbr(a *abbrDef) {
	if d.abbrs == nil {
		d.abbrs = map[string]*abbrDef{}
	}
	if _, ok := d.abbrs[a.key]; !ok {
		d.abbrKeys = append(d.abbrKeys, a.key)
	}
	d.abbrs[a.key] = a
}

func (kramdownTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	st := &transformState{src: reader.Source()}
	footnoteNames(doc)
	// ALDs and abbreviations are global; their parsers recorded them.
	if d, ok := pc.Get(defsKey).(*definitions); ok {
		st.alds = d.alds
		st.abbrs = d.abbrs
		st.abbrKeys = d.abbrKeys
		st.inlineFix = d.inlineFix
	}
	if !st.inlineFix && (bytes.Contains(st.src, []byte("***")) || bytes.Contains(st.src, []byte("___"))) {
		st.inlineFix = true
	}
	st.blocks(doc, false)
	if len(st.abbrs) > 0 {
		st.sortAbbrs()
		st.abbreviations(doc)
	}
}

func (st *transformState) apply(n ast.Node, a *attrList, depth int) {
	if a == nil || depth > 20 {
		return
	}
	for _, r := range a.refs {
		if d := st.alds[r]; d != nil {
			st.apply(n, d, depth+1)
		}
	}
	for _, at := range a.attrs {
		k, v := at.key, at.val
		if k == "class" {
			if old, ok := attrString(n, "class"); ok {
				v = strings.TrimLeft(old+" "+v, " ")
			}
		}
		n.SetAttributeString(k, v)
	}
}

// blocks walks block containers in order, attaching block IALs and fixing
// lists; it recurses into inline content for span IALs and span HTML.
func (st *transformState) blocks(parent ast.Node, inHTML bool) {
	var pending *attrList
	for c := parent.FirstChild(); c != nil; {
		next := c.NextSibling()
		if e, ok := c.(*blockExt); ok && e.kind == extIAL {
			prev := c.PreviousSibling()
			var target ast.Node
			if prev != nil && !st.blankBefore(c) {
				if pe, ok := prev.(*blockExt); ok {
					switch {
					case pe.kind == extIAL && pe.applied:
						target = pe.target
					case pe.kind == extComment || pe.kind == extNoMarkdown:
						target = prev
					}
				} else {
					target = prev
				}
			}
			if target != nil {
				e.applied = true
				e.target = target
				st.applyBlock(target, e.attrs)
			} else {
				if pending == nil || st.prevIsBlankOrOther(c) {
					pending = &attrList{}
				}
				pending.merge(e.attrs)
				if next != nil && !st.blankBefore(next) {
					if _, isIAL := next.(*blockExt); !isIAL {
						st.applyBlock(next, pending)
						pending = nil
					}
				} else {
					pending = nil
				}
			}
			c = next
			continue
		}
		c = next
	}
	// A list of the other kind right after a list item's text (no blank
	// line) is, in kramdown, a lazy continuation of that item: a nested list.
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		a, ok := c.(*ast.List)
		if !ok {
			continue
		}
		for {
			b, ok := a.NextSibling().(*ast.List)
			if !ok || b.IsOrdered() == a.IsOrdered() || st.blankBefore(b) {
				break
			}
			item := a.LastChild()
			if item == nil || item.LastChild() == nil || item.LastChild().Kind() != ast.KindParagraph && item.LastChild().Kind() != ast.KindTextBlock {
				break
			}
			parent.RemoveChild(parent, b)
			item.AppendChild(item, b)
			if c2, ok := a.NextSibling().(*ast.List); ok && c2.IsOrdered() == a.IsOrdered() {
				moveChildren(a, c2)
				parent.RemoveChild(parent, c2)
			}
		}
	}
	// kramdown's blockquote takes every following line up to a blank one
	// (or an HTML tag or IAL line); goldmark only continues paragraphs.
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Kind() != ast.KindBlockquote {
			continue
		}
		for {
			nx := c.NextSibling()
			if nx == nil || st.blankBefore(nx) {
				break
			}
			switch nx.Kind() {
			case ast.KindList, ast.KindHeading, ast.KindFencedCodeBlock, ast.KindParagraph, kindTable:
				parent.RemoveChild(parent, nx)
				c.AppendChild(c, nx)
				continue
			}
			break
		}
	}
	// kramdown continues a bullet list whatever bullet the next item uses.
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		l, ok := c.(*ast.List)
		if !ok || l.IsOrdered() {
			continue
		}
		for {
			nl, ok := l.NextSibling().(*ast.List)
			if !ok || nl.IsOrdered() {
				break
			}
			moveChildren(l, nl)
			parent.RemoveChild(parent, nl)
		}
	}
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		switch n := c.(type) {
		case *ast.List:
			st.list(n)
		case *rawHTMLBlock:
			continue
		case *blockExt:
			if n.options != nil {
				for _, at := range n.options.attrs {
					if at.key == "auto_ids" {
						st.noIDs = at.val == "false"
					}
				}
			}
			continue
		case *htmlContainer:
			st.blocks(c, true)
			continue
		}
		if c.HasChildren() && c.FirstChild().Type() == ast.TypeInline {
			if st.inlineFix {
				st.inlines(c)
			}
		} else if c.HasChildren() {
			st.blocks(c, inHTML)
		}
		if h, ok := c.(*ast.Heading); ok {
			st.headingID(h, inHTML)
		}
	}
	// TOC after attributes are known
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		if l, ok := c.(*ast.List); ok && !st.toc {
			if hasRef(l, "toc") {
				st.toc = true
				t := &tocList{ordered: l.IsOrdered()}
				for _, a := range l.Attributes() {
					if string(a.Name) != "\x00refs" {
						t.SetAttribute(a.Name, a.Value)
					}
				}
				parent.ReplaceChild(parent, l, t)
				c = t
			}
		}
	}
}

func (st *transformState) prevIsBlankOrOther(c ast.Node) bool {
	prev, ok := c.PreviousSibling().(*blockExt)
	return !ok || prev.kind != extIAL || prev.applied || st.blankBefore(c)
}

// blankBefore reports whether the line before the one where n starts is
// blank (ignoring blockquote markers). goldmark's HasBlankPreviousLines
// does not mean quite that.
func (st *transformState) blankBefore(n ast.Node) bool {
	pos := n.Pos()
	if pos <= 0 || pos > len(st.src) {
		return false
	}
	return lineBeforeBlank(st.src, pos, false)
}

// applyBlock applies a block IAL and remembers its references.
func (st *transformState) applyBlock(n ast.Node, a *attrList) {
	st.apply(n, a, 0)
	if len(a.refs) > 0 {
		refs := strings.Join(a.refs, " ")
		if old, ok := attrString(n, "\x00refs"); ok {
			refs = old + " " + refs
		}
		n.SetAttributeString("\x00refs", refs)
	}
}

// list applies kramdown's rule for which list items keep their first
// paragraph unwrapped, and GFM task list classes.
func (st *transformState) list(l *ast.List) {
	items := []ast.Node{}
	for it := l.FirstChild(); it != nil; it = it.NextSibling() {
		items = append(items, it)
	}
	transparent := make([]bool, len(items))
	taskList := false
	for i, it := range items {
		first := it.FirstChild()
		isPara := first != nil && (first.Kind() == ast.KindParagraph || first.Kind() == ast.KindTextBlock)
		if isPara {
			// A list item IAL at the start of the item applies to the item.
			if ial, ok := first.FirstChild().(*spanIAL); ok {
				st.apply(it, ial.attrs, 0)
				first.RemoveChild(first, ial)
				if t, ok := first.FirstChild().(*ast.Text); ok {
					t.Segment = t.Segment.TrimLeftSpace(st.src)
				}
			}
		}
		blankAfterFirst := false
		if isPara {
			if second := first.NextSibling(); second != nil {
				blankAfterFirst = st.blankBefore(second)
			} else if i+1 < len(items) {
				blankAfterFirst = st.blankBefore(items[i+1])
			}
		}
		last := i == len(items)-1
		cond1 := !blankAfterFirst || (last && first.NextSibling() == nil)
		cond2 := !last || len(items) == 1
		if !cond2 {
			for j := 0; j < i; j++ {
				f := items[j].FirstChild()
				if f == nil || !(f.Kind() == ast.KindParagraph || f.Kind() == ast.KindTextBlock) || transparent[j] {
					cond2 = true
					break
				}
			}
		}
		transparent[i] = isPara && cond1 && cond2
		// kramdown only ever unwraps the first paragraph.
		for c := it.FirstChild(); c != nil; {
			next := c.NextSibling()
			want := c == first && transparent[i]
			switch {
			case want && c.Kind() == ast.KindParagraph:
				tb := ast.NewTextBlock()
				tb.SetLines(c.Lines())
				moveChildren(tb, c)
				copyAttrs(tb, c)
				it.ReplaceChild(it, c, tb)
			case !want && c.Kind() == ast.KindTextBlock:
				p := ast.NewParagraph()
				p.SetLines(c.Lines())
				moveChildren(p, c)
				copyAttrs(p, c)
				it.ReplaceChild(it, c, p)
			}
			c = next
		}
		if isPara {
			if cb, ok := it.FirstChild().FirstChild().(*east.TaskCheckBox); ok {
				taskList = true
				// kramdown swallows the whitespace after the box
				if t, ok := cb.NextSibling().(*ast.Text); ok {
					t.Segment = t.Segment.TrimLeftSpace(st.src)
				}
			}
		}
		if taskList {
			addClass(it, "task-list-item")
		}
	}
	if taskList {
		addClass(l, "task-list")
	}
}

func addClass(n ast.Node, c string) {
	if old, ok := attrString(n, "class"); ok {
		c = old + " " + c
	}
	n.SetAttributeString("class", c)
}

func moveChildren(dst, src ast.Node) {
	for c := src.FirstChild(); c != nil; {
		next := c.NextSibling()
		dst.AppendChild(dst, c)
		c = next
	}
}

func copyAttrs(dst, src ast.Node) {
	for _, a := range src.Attributes() {
		dst.SetAttribute(a.Name, a.Value)
	}
}

// inlines handles the inline children of a block: span IALs attach to the
// element before them, and end tags that close nothing become text.
func (st *transformState) inlines(parent ast.Node) {
	var open []*spanHTML
	var walk func(p ast.Node)
	walk = func(p ast.Node) {
		for c := p.FirstChild(); c != nil; {
			next := c.NextSibling()
			switch n := c.(type) {
			case *spanIAL:
				prev := c.PreviousSibling()
				switch pv := prev.(type) {
				case nil, *ast.Text, *literal:
					p.ReplaceChild(p, c, &literal{text: n.raw})
				case *typo, *east.FootnoteLink:
					p.RemoveChild(p, c)
				case *spanHTML:
					if !pv.closing && pv.comment == "" {
						st.apply(pv, n.attrs, 0)
					}
					p.RemoveChild(p, c)
				default:
					st.applyBlock(prev, n.attrs)
					p.RemoveChild(p, c)
				}
			case *spanHTML:
				switch {
				case n.comment != "":
				case n.closing:
					if len(open) > 0 && open[len(open)-1].name == n.name {
						open = open[:len(open)-1]
					} else {
						p.ReplaceChild(p, c, &literal{text: "</" + n.name + ">"})
					}
				case !n.closed:
					open = append(open, n)
				}
			case *ast.Emphasis:
				// "***x***": kramdown nests <em> inside <strong>.
				if in, ok := n.FirstChild().(*ast.Emphasis); ok && n.Level == 1 && in.Level == 2 && in.NextSibling() == nil {
					n.Level, in.Level = 2, 1
				}
				walk(c)
			default:
				if c.HasChildren() {
					walk(c)
				}
			}
			c = next
		}
	}
	walk(parent)
}

// headingID assigns a header id: GFM's rule at the top level, kramdown's
// own rule inside HTML elements with markdown="1" (kramdown-parser-gfm
// skips those).
func (st *transformState) headingID(h *ast.Heading, inHTML bool) {
	if _, ok := h.AttributeString("id"); ok || st.noIDs {
		return
	}
	raw := st.headingText(h)
	var id string
	if inHTML {
		id = st.basicID(raw)
	} else {
		id = st.gfmID(raw)
	}
	h.SetAttributeString("id", id)
}

func (st *transformState) headingText(h ast.Node) []byte {
	if t, ok := h.FirstChild().(*ast.Text); ok && t.NextSibling() == nil {
		return textValue(t, st.src) // the common case, without copying
	}
	return st.appendText(nil, h)
}

// appendText appends the text kramdown-parser-gfm uses for a header id.
func (st *transformState) appendText(b []byte, n ast.Node) []byte {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			b = append(b, textValue(t, st.src)...)
		case *ast.String:
			b = append(b, t.Value...)
		case *ast.CodeSpan:
			for cc := t.FirstChild(); cc != nil; cc = cc.NextSibling() {
				if tx, ok := cc.(*ast.Text); ok {
					b = append(b, tx.Segment.Value(st.src)...)
				}
			}
		case *typo:
			b = append(b, t.text...)
		case *literal:
			b = append(b, t.text...)
		case *abbr:
			b = append(b, t.text...)
		case *ast.Image, *east.FootnoteLink:
		default:
			b = st.appendText(b, c)
		}
	}
	return b
}

// textValue is what a Text node means: escapes and entities resolved.
func textValue(t *ast.Text, src []byte) []byte {
	v := t.Segment.Value(src)
	if bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '&') < 0 {
		if t.SoftLineBreak() {
			return append(v[:len(v):len(v)], '\n')
		}
		return v
	}
	v = unescapeKramdown(v)
	v = util.ResolveNumericReferences(v)
	v = util.ResolveEntityNames(v)
	if t.SoftLineBreak() {
		v = append(v, '\n')
	}
	return v
}

func isGFMWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) ||
		unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Nl, r)
}

func (st *transformState) gfmID(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t':
				b.WriteByte('-')
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case c == '-' || isWordByte(c):
				b.WriteByte(c)
			}
			continue
		}
		r, n := utf8.DecodeRune(raw[i:])
		i += n
		if isGFMWordRune(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	id := b.String()
	if st.gfmIDs == nil {
		st.gfmIDs = map[string]int{}
	}
	n, seen := st.gfmIDs[id]
	if seen {
		n++
	}
	st.gfmIDs[id] = n
	if n > 0 {
		id += "-" + strconv.Itoa(n)
	}
	return id
}

func (st *transformState) basicID(raw []byte) string {
	i := 0
	for i < len(raw) && !(raw[i] >= 'a' && raw[i] <= 'z' || raw[i] >= 'A' && raw[i] <= 'Z') {
		i++
	}
	var b strings.Builder
	for _, c := range raw[i:] {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == ' ':
			b.WriteByte('-')
		}
	}
	id := b.String()
	if id == "" {
		id = "section"
	}
	if st.htmlIDs == nil {
		st.htmlIDs = map[string]int{}
	}
	if n, ok := st.htmlIDs[id]; ok {
		st.htmlIDs[id] = n + 1
		return id + "-" + strconv.Itoa(n+1)
	}
	st.htmlIDs[id] = 0
	return id
}

// unescapeKramdown removes the backslashes kramdown-parser-gfm treats as
// escapes.
func unescapeKramdown(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && strings.IndexByte(kramdownEscapable, b[i+1]) >= 0 {
			i++
		}
		out = append(out, b[i])
	}
	return out
}
