package markup

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
	xhtml "golang.org/x/net/html"
)

// htmlRenderer writes kramdown's HTML for every node kind this package
// produces. Attributes are written unfiltered, since IALs may set any.
type htmlRenderer struct {
	conv *Converter // for rendering TOC entries
}

func (r *htmlRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindDocument, r.document)
	reg.Register(ast.KindHeading, r.heading)
	reg.Register(ast.KindBlockquote, r.container("blockquote"))
	reg.Register(ast.KindCodeBlock, r.codeBlock)
	reg.Register(ast.KindFencedCodeBlock, r.codeBlock)
	reg.Register(ast.KindList, r.list)
	reg.Register(ast.KindListItem, r.listItem)
	reg.Register(ast.KindParagraph, r.paragraph)
	reg.Register(ast.KindTextBlock, r.textBlock)
	reg.Register(ast.KindThematicBreak, r.hr)
	reg.Register(ast.KindAutoLink, r.autoLink)
	reg.Register(ast.KindCodeSpan, r.codeSpan)
	reg.Register(ast.KindEmphasis, r.emphasis)
	reg.Register(ast.KindImage, r.image)
	reg.Register(ast.KindLink, r.link)
	reg.Register(ast.KindText, r.text)
	reg.Register(ast.KindString, r.string)

	reg.Register(east.KindStrikethrough, r.strike)
	reg.Register(east.KindTaskCheckBox, r.checkbox)
	reg.Register(east.KindFootnoteLink, r.footnoteLink)
	reg.Register(east.KindFootnoteBacklink, r.footnoteBacklink)
	reg.Register(east.KindFootnote, r.footnote)
	reg.Register(east.KindFootnoteList, r.footnoteList)
	reg.Register(east.KindDefinitionList, r.container("dl"))
	reg.Register(east.KindDefinitionTerm, r.dt)
	reg.Register(east.KindDefinitionDescription, r.listItem)

	reg.Register(kindRawHTML, r.rawHTML)
	reg.Register(kindHTMLContainer, r.htmlContainer)
	reg.Register(kindBlockExt, r.blockExt)
	reg.Register(kindAbbrDef, r.nothing)
	reg.Register(kindTypo, r.typo)
	reg.Register(kindSpanIAL, r.spanIAL)
	reg.Register(kindSpanExt, r.spanExt)
	reg.Register(kindSpanHTML, r.spanHTML)
	reg.Register(kindLiteral, r.literal)
	reg.Register(kindAbbr, r.abbr)
	reg.Register(kindTable, r.table)
	reg.Register(kindSection, r.tableSection)
	reg.Register(kindRow, r.tableRow)
	reg.Register(kindCell, r.tableCell)
	reg.Register(kindTOC, r.toc)
	reg.Register(kindMath, r.math)
	reg.Register(kindMathInline, r.math)
}

// attrs writes node attributes as kramdown does: every one, values escaped,
// empty ids dropped. Names starting with NUL are internal markers. Every
// attribute value this package sets is a string.
func attrs(w util.BufWriter, n ast.Node) {
	for _, a := range n.Attributes() {
		if len(a.Name) == 0 || a.Name[0] == 0 {
			continue
		}
		v, ok := a.Value.(string)
		if !ok {
			continue
		}
		if string(a.Name) == "id" && strings.TrimSpace(v) == "" {
			continue
		}
		w.WriteByte(' ')
		w.Write(a.Name)
		w.WriteString(`="`)
		writeAttrValue(w, v)
		w.WriteByte('"')
	}
}

func writeAttrValue(w util.BufWriter, v string) {
	writeEscaped(w, v, true)
}

func attrString(n ast.Node, name string) (string, bool) {
	v, ok := n.AttributeString(name)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

func (r *htmlRenderer) nothing(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) document(w util.BufWriter, _ []byte, _ ast.Node, _ bool) (ast.WalkStatus, error) {
	return ast.WalkContinue, nil
}

// element writes n's opening tag with its attributes when entering and its
// closing tag when leaving, each followed by what kramdown puts after it.
func element(w util.BufWriter, n ast.Node, entering bool, tag, afterOpen, afterClose string) (ast.WalkStatus, error) {
	if entering {
		w.WriteByte('<')
		w.WriteString(tag)
		attrs(w, n)
		w.WriteString(afterOpen)
	} else {
		writeEndTag(w, tag)
		w.WriteString(afterClose)
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) container(tag string) renderer.NodeRendererFunc {
	return func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		return element(w, n, entering, tag, ">\n", "\n")
	}
}

func (r *htmlRenderer) heading(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	level := n.(*ast.Heading).Level // 1 to 6
	return element(w, n, entering, "h1h2h3h4h5h6"[2*level-2:2*level], ">", "\n")
}

func (r *htmlRenderer) paragraph(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if img, ok := n.FirstChild().(*ast.Image); ok && n.ChildCount() == 1 && hasRef(img, "standalone") {
		if entering {
			r.figure(w, src, n, img)
		}
		return ast.WalkSkipChildren, nil
	}
	return element(w, n, entering, "p", ">", "\n")
}

func (r *htmlRenderer) textBlock(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering && n.NextSibling() != nil {
		w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) hr(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString("<hr")
		attrs(w, n)
		w.WriteString(" />\n")
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) list(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	tag := "ul"
	if n.(*ast.List).IsOrdered() {
		tag = "ol"
	}
	return element(w, n, entering, tag, ">\n", "\n")
}

func (r *htmlRenderer) listItem(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	tag := "li"
	if n.Kind() == east.KindDefinitionDescription {
		tag = "dd"
	}
	if entering {
		w.WriteByte('<')
		w.WriteString(tag)
		attrs(w, n)
		w.WriteByte('>')
		if fc := n.FirstChild(); fc != nil && fc.Kind() != ast.KindTextBlock {
			w.WriteByte('\n')
		}
	} else {
		writeEndTag(w, tag)
		w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) dt(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	return element(w, n, entering, "dt", ">", "\n")
}

// codeBlock writes rouge's markup. Token highlighting is not reproduced:
// the code is escaped plain text inside rouge's wrappers.
func (r *htmlRenderer) codeBlock(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	lang := "plaintext"
	if f, ok := n.(*ast.FencedCodeBlock); ok && f.Info != nil {
		info := f.Info.Segment.Value(src)
		if i := bytes.IndexAny(info, " \t"); i >= 0 {
			info = info[:i]
		}
		if i := bytes.IndexByte(info, '?'); i > 0 {
			info = info[:i]
		}
		if len(info) > 0 {
			lang = string(info)
		}
	}
	cls, _ := attrString(n, "class")
	// A language class set by an IAL wins over the fence's.
	var rest []string
	for _, c := range strings.Fields(cls) {
		if strings.HasPrefix(c, "language-") {
			lang = c[len("language-"):]
			continue
		}
		rest = append(rest, c)
	}
	if !inList(rougeLexers, lang) {
		// rouge does not know it: kramdown writes a plain block.
		w.WriteString("<pre")
		if len(rest) > 0 {
			w.WriteString(` class="`)
			writeAttrValue(w, strings.Join(rest, " "))
			w.WriteByte('"')
		}
		otherAttrs(w, n)
		w.WriteString(`><code class="language-`)
		writeAttrValue(w, lang)
		w.WriteString(`">`)
		writeCodeLines(w, src, n)
		w.WriteString("</code></pre>\n")
		return ast.WalkSkipChildren, nil
	}
	cls = strings.Join(append([]string{"language-" + lang}, append(rest, "highlighter-rouge")...), " ")
	w.WriteString(`<div class="`)
	writeAttrValue(w, cls)
	w.WriteByte('"')
	otherAttrs(w, n)
	w.WriteString(`><div class="highlight"><pre class="highlight"><code>`)
	writeCodeLines(w, src, n)
	w.WriteString("</code></pre></div></div>\n")
	return ast.WalkSkipChildren, nil
}

func writeCodeLines(w util.BufWriter, src []byte, n ast.Node) {
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if seg.Padding > 0 {
			w.WriteString(strings.Repeat(" ", seg.Padding))
		}
		writeHTMLText(w, seg.Value(src))
	}
}

// otherAttrs writes every attribute but class.
func otherAttrs(w util.BufWriter, n ast.Node) {
	for _, a := range n.Attributes() {
		if string(a.Name) == "class" || len(a.Name) == 0 || a.Name[0] == 0 {
			continue
		}
		if v, ok := a.Value.(string); ok {
			w.WriteByte(' ')
			w.Write(a.Name)
			w.WriteString(`="`)
			writeAttrValue(w, v)
			w.WriteByte('"')
		}
	}
}

// kramdownEscapable are the characters a backslash escapes in
// kramdown-parser-gfm; before any other character it stays.
const kramdownEscapable = "\\.*_+`<>()[]{}#!:|\"'$=-~"

// writeText writes Markdown text: kramdown's backslash escapes removed,
// HTML specials escaped, entity references kept as written.
func writeText(w util.BufWriter, b []byte) {
	// Most text has none of the bytes the loop below looks for, and
	// searching for each in turn is much faster than the loop.
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '<') < 0 && bytes.IndexByte(b, '>') < 0 {
		w.Write(b)
		return
	}
	last := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		var rep string
		switch c {
		case '\\':
			if i+1 < len(b) && strings.IndexByte(kramdownEscapable, b[i+1]) >= 0 {
				w.Write(b[last:i])
				i++
				last = i
				switch b[i] {
				case '<':
					w.WriteString("&lt;")
					last = i + 1
				case '>':
					w.WriteString("&gt;")
					last = i + 1
				}
			}
			continue
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			if n := entityRefLen(string(b[i:min(len(b), i+40)])); n > 0 && knownEntity(string(b[i:i+n])) {
				continue
			}
			rep = "&amp;"
		default:
			continue
		}
		w.Write(b[last:i])
		w.WriteString(rep)
		last = i + 1
	}
	w.Write(b[last:])
}

// knownEntity reports whether an entity reference means something; kramdown
// writes &amp; for the "&" of an unknown one.
func knownEntity(ref string) bool {
	if ref[1] == '#' {
		return true
	}
	// UnescapeString also expands legacy prefixes ("&notx;" gives "¬x;"),
	// so a known name is one that leaves no ";" behind.
	u := xhtml.UnescapeString(ref)
	return u != ref && !strings.HasSuffix(u, ";")
}

func writeHTMLText(w util.BufWriter, b []byte) {
	last := 0
	for i, c := range b {
		var rep string
		switch c {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		default:
			continue
		}
		w.Write(b[last:i])
		w.WriteString(rep)
		last = i + 1
	}
	w.Write(b[last:])
}

func (r *htmlRenderer) rawHTML(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	switch b := n.(*rawHTMLBlock); {
	case b.quoted:
		writeRawHTML(w, b.buf[:min(b.end, len(b.buf))])
	case b.end <= b.lastStop:
		w.Write(b.html)
	default:
		// The block ended before its last element did: kramdown closes
		// that element at the end of the block's lines.
		writeRawHTML(w, b.doc[b.start:min(b.lastStop, len(b.doc))])
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) htmlContainer(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	c := n.(*htmlContainer)
	if entering {
		writeStartTag(w, c.name, c.attrs, false)
		if !c.span {
			w.WriteByte('\n')
		}
	} else {
		writeEndTag(w, c.name)
		w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) blockExt(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		switch e := n.(*blockExt); e.kind {
		case extComment:
			w.WriteString("<!-- " + e.body + " -->\n")
		case extNoMarkdown:
			w.WriteString(e.body + "\n")
		}
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) text(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	t := n.(*ast.Text)
	seg := t.Segment
	if t.IsRaw() {
		writeHTMLText(w, seg.Value(src))
	} else {
		writeText(w, seg.Value(src))
	}
	switch {
	case t.HardLineBreak():
		w.WriteString("<br />\n")
	case t.SoftLineBreak():
		w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) string(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		s := n.(*ast.String)
		if s.IsCode() || s.IsRaw() {
			w.Write(s.Value)
		} else {
			html.DefaultWriter.Write(w, s.Value)
		}
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) codeSpan(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	cls, _ := attrString(n, "class")
	if strings.Contains(cls, "language-") {
		cls = strings.Join(strings.Fields(cls+" highlighter-rouge"), " ")
	} else {
		cls = strings.Join(strings.Fields("language-plaintext "+cls+" highlighter-rouge"), " ")
	}
	w.WriteString(`<code class="`)
	writeAttrValue(w, cls)
	w.WriteByte('"')
	for _, a := range n.Attributes() {
		if string(a.Name) == "class" || a.Name[0] == 0 {
			continue
		}
		if v, ok := a.Value.(string); ok {
			w.WriteByte(' ')
			w.Write(a.Name)
			w.WriteString(`="`)
			writeAttrValue(w, v)
			w.WriteByte('"')
		}
	}
	w.WriteByte('>')
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			v := t.Segment.Value(src)
			writeHTMLText(w, v)
		case *ast.String:
			writeHTMLText(w, t.Value)
		}
	}
	w.WriteString("</code>")
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) emphasis(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	tag := "em"
	if n.(*ast.Emphasis).Level == 2 {
		tag = "strong"
	}
	return element(w, n, entering, tag, ">", "")
}

func (r *htmlRenderer) strike(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	return element(w, n, entering, "del", ">", "")
}

// destination undoes goldmark's escapes but, like kramdown, does not
// percent-encode the URL.
func destination(b []byte) string {
	b = util.UnescapePunctuations(b)
	b = util.ResolveNumericReferences(b)
	b = util.ResolveEntityNames(b)
	return string(b)
}

func (r *htmlRenderer) link(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	l := n.(*ast.Link)
	if entering {
		w.WriteString(`<a href="`)
		writeAttrValue(w, destination(l.Destination))
		w.WriteByte('"')
		if len(l.Title) > 0 {
			w.WriteString(` title="`)
			writeAttrValue(w, destination(l.Title))
			w.WriteByte('"')
		}
		attrs(w, n)
		w.WriteByte('>')
	} else {
		w.WriteString("</a>")
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) image(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	img := n.(*ast.Image)
	w.WriteString(`<img src="`)
	writeAttrValue(w, destination(img.Destination))
	w.WriteString(`" alt="`)
	writeAttrValue(w, altText(img, src))
	w.WriteByte('"')
	if len(img.Title) > 0 {
		w.WriteString(` title="`)
		writeAttrValue(w, destination(img.Title))
		w.WriteByte('"')
	}
	attrs(w, n)
	w.WriteString(" />")
	return ast.WalkSkipChildren, nil
}

// altText is kramdown's alt: the raw label source with escapes removed.
func altText(img *ast.Image, src []byte) string {
	start, stop := -1, -1
	_ = ast.Walk(img, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			if start < 0 || t.Segment.Start < start {
				start = t.Segment.Start
			}
			if t.Segment.Stop > stop {
				stop = t.Segment.Stop
			}
		}
		return ast.WalkContinue, nil
	})
	if start < 0 {
		var b strings.Builder
		for c := img.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*typo); ok {
				b.WriteString(t.orig)
			}
		}
		return b.String()
	}
	for start > 0 && src[start-1] != '[' && src[start-1] != '\n' {
		start--
	}
	for stop < len(src) && src[stop] != ']' && src[stop] != '\n' {
		stop++
	}
	return string(util.UnescapePunctuations(src[start:stop]))
}

func (r *htmlRenderer) autoLink(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	a := n.(*ast.AutoLink)
	label := string(a.Label(src))
	href := label
	if a.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(label), "mailto:") {
		href = "mailto:" + label
	}
	w.WriteString(`<a href="`)
	writeAttrValue(w, href)
	w.WriteByte('"')
	attrs(w, n)
	w.WriteByte('>')
	writeHTMLText(w, []byte(strings.TrimPrefix(label, "mailto:")))
	w.WriteString("</a>")
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) checkbox(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(`<input type="checkbox" class="task-list-item-checkbox" disabled="disabled"`)
		if n.(*east.TaskCheckBox).IsChecked {
			w.WriteString(` checked="checked"`)
		}
		w.WriteString(" />")
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) typo(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(n.(*typo).text)
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) spanIAL(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		writeHTMLText(w, []byte(n.(*spanIAL).raw))
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) literal(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		writeEscaped(w, n.(*literal).text, false)
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) spanExt(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		e := n.(*spanExt)
		if e.comment {
			if e.body != "" {
				w.WriteString("<!-- " + e.body + " -->")
			}
		} else {
			w.WriteString(e.body)
		}
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) spanHTML(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	h := n.(*spanHTML)
	switch {
	case h.comment != "":
		w.WriteString(h.comment)
	case h.closing:
		writeEndTag(w, h.name)
	default:
		as := h.attrs
		for _, a := range n.Attributes() {
			if a.Name[0] == 0 {
				continue
			}
			if v, ok := a.Value.(string); ok {
				as = append(dropAttr(as, string(a.Name)), htmlAttr{string(a.Name), v})
			}
		}
		void := hasClass(h.name, voidElement)
		writeStartTag(w, h.name, as, void)
		if h.closed && !void {
			writeEndTag(w, h.name)
		}
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) abbr(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		a := n.(*abbr)
		w.WriteString("<abbr")
		if a.title != "" {
			w.WriteString(` title="`)
			writeAttrValue(w, a.title)
			w.WriteByte('"')
		}
		w.WriteByte('>')
		writeHTMLText(w, []byte(a.text))
		w.WriteString("</abbr>")
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) table(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	return element(w, n, entering, "table", ">\n", "\n")
}

func (r *htmlRenderer) tableSection(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	tag := n.(*tableSection).tag
	if entering {
		w.WriteString("  <")
		w.WriteString(tag)
	} else {
		w.WriteString("  </")
		w.WriteString(tag)
	}
	w.WriteString(">\n")
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) tableRow(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString("    <tr>\n")
	} else {
		w.WriteString("    </tr>\n")
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) tableCell(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	c := n.(*tableCell)
	tag := "td"
	if c.header {
		tag = "th"
	}
	if entering {
		w.WriteString("      <")
		w.WriteString(tag)
		if c.align != "" {
			w.WriteString(` style="text-align: `)
			w.WriteString(c.align)
			w.WriteByte('"')
		}
		w.WriteByte('>')
		if !n.HasChildren() {
			w.WriteString(nbsp)
		}
	} else {
		writeEndTag(w, tag)
		w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

func footnoteName(n ast.Node) string {
	s, _ := attrString(n, "\x00name")
	return s
}

func (r *htmlRenderer) footnoteLink(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		l := n.(*east.FootnoteLink)
		name := footnoteName(n)
		id := name
		if l.RefIndex > 0 {
			id += ":" + strconv.Itoa(l.RefIndex)
		}
		w.WriteString(`<sup id="fnref:`)
		writeAttrValue(w, id)
		w.WriteString(`" role="doc-noteref"><a href="#fn:`)
		writeAttrValue(w, name)
		w.WriteString(`" class="footnote" rel="footnote">` + strconv.Itoa(l.Index) + "</a></sup>")
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) footnoteBacklink(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		b := n.(*east.FootnoteBacklink)
		name := footnoteName(n)
		if b.RefIndex > 0 || n.PreviousSibling() != nil {
			w.WriteString(nbsp)
		}
		w.WriteString(`<a href="#fnref:`)
		id := name
		if b.RefIndex > 0 {
			id += ":" + strconv.Itoa(b.RefIndex)
		}
		writeAttrValue(w, id)
		w.WriteString(`" class="reversefootnote" role="doc-backlink">&#8617;`)
		if b.RefIndex > 0 {
			w.WriteString("<sup>" + strconv.Itoa(b.RefIndex+1) + "</sup>")
		}
		w.WriteString("</a>")
	}
	return ast.WalkSkipChildren, nil
}

func (r *htmlRenderer) footnote(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(`<li id="fn:`)
		writeAttrValue(w, footnoteName(n))
		if r.conv.currentARIA {
			w.WriteString("\">\n")
		} else {
			w.WriteString("\" role=\"doc-endnote\">\n")
		}
	} else {
		w.WriteString("</li>\n")
	}
	return ast.WalkContinue, nil
}

func (r *htmlRenderer) footnoteList(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString("<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n")
	} else {
		w.WriteString("</ol>\n</div>\n")
	}
	return ast.WalkContinue, nil
}

// toc renders kramdown's table of contents from the document's headings.
func (r *htmlRenderer) toc(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	t := n.(*tocList)
	tag := "ul"
	if t.ordered {
		tag = "ol"
	}
	listID, ok := attrString(n, "id")
	if !ok || listID == "" {
		listID = "markdown-toc"
	}
	type entry struct {
		level int
		id    string
		h     *ast.Heading
	}
	var entries []entry
	doc := n.OwnerDocument()
	_ = ast.Walk(doc, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch h := c.(type) {
		case *ast.Heading:
			id, _ := attrString(h, "id")
			cls, _ := attrString(h, "class")
			if id != "" && !strings.Contains(" "+cls+" ", " no_toc ") {
				entries = append(entries, entry{h.Level, id, h})
			}
			return ast.WalkSkipChildren, nil
		case *rawHTMLBlock, *east.FootnoteList:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if len(entries) == 0 {
		return ast.WalkSkipChildren, nil
	}
	w.WriteString("<" + tag)
	hasID := false
	for _, a := range n.Attributes() {
		if string(a.Name) == "id" {
			hasID = true
		}
	}
	attrs(w, n)
	if !hasID {
		w.WriteString(` id="markdown-toc"`)
	}
	w.WriteString(">\n")
	// kramdown nests each entry under the closest earlier entry of a
	// smaller level.
	type node struct {
		e        entry
		children []*node
	}
	root := &node{}
	var stack []*node
	for _, e := range entries {
		nd := &node{e: e}
		for len(stack) > 0 && stack[len(stack)-1].e.level >= e.level {
			stack = stack[:len(stack)-1]
		}
		parent := root
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		parent.children = append(parent.children, nd)
		stack = append(stack, nd)
	}
	var emit func(list []*node)
	emit = func(list []*node) {
		for _, nd := range list {
			w.WriteString(`<li><a href="#`)
			writeAttrValue(w, nd.e.id)
			w.WriteString(`" id="`)
			writeAttrValue(w, listID+"-"+nd.e.id)
			w.WriteString(`">`)
			r.tocEntry(w, src, nd.e.h)
			w.WriteString("</a>")
			if len(nd.children) > 0 {
				w.WriteString("\n<" + tag + ">\n")
				emit(nd.children)
				w.WriteString("</" + tag + ">\n")
			}
			w.WriteString("</li>\n")
		}
	}
	emit(root.children)
	w.WriteString("</" + tag + ">\n")
	return ast.WalkSkipChildren, nil
}

// tocEntry renders a heading's content with links unwrapped and footnote
// markers dropped.
func (r *htmlRenderer) tocEntry(w util.BufWriter, src []byte, h ast.Node) {
	for c := h.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *ast.Link:
			r.tocEntry(w, src, c)
		case *east.FootnoteLink:
		default:
			_ = r.conv.md.Renderer().Render(w, src, c)
		}
	}
}

func (r *htmlRenderer) math(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	switch m := n.(type) {
	case *mathBlock:
		w.WriteString(`\[`)
		writeHTMLText(w, []byte(m.tex))
		w.WriteString("\\]\n")
	case *mathInline:
		w.WriteString(`\(`)
		writeHTMLText(w, []byte(m.tex))
		w.WriteString(`\)`)
	}
	return ast.WalkSkipChildren, nil
}

func hasRef(n ast.Node, ref string) bool {
	refs, _ := attrString(n, "\x00refs")
	return strings.Contains(" "+refs+" ", " "+ref+" ")
}

// figure is kramdown's rendering of a paragraph holding only an image with
// the "standalone" reference.
func (r *htmlRenderer) figure(w util.BufWriter, src []byte, p ast.Node, img *ast.Image) {
	fig := ast.NewParagraph()
	copyAttrs(fig, p)
	im := ast.NewImage(ast.NewLink())
	im.Destination, im.Title = img.Destination, img.Title
	for _, a := range img.Attributes() {
		name := string(a.Name)
		if name == "class" || name == "id" {
			if _, ok := fig.AttributeString(name); !ok {
				fig.SetAttribute(a.Name, a.Value)
				continue
			}
		}
		im.SetAttribute(a.Name, a.Value)
	}
	alt := altText(img, src)
	w.WriteString("<figure")
	attrs(w, fig)
	w.WriteString(">\n<img src=\"")
	writeAttrValue(w, destination(im.Destination))
	w.WriteString(`" alt="`)
	writeAttrValue(w, alt)
	w.WriteByte('"')
	if len(im.Title) > 0 {
		w.WriteString(` title="`)
		writeAttrValue(w, destination(im.Title))
		w.WriteByte('"')
	}
	attrs(w, im)
	w.WriteString(" />\n<figcaption>" + alt + "</figcaption>\n</figure>\n")
}
