package markup

import (
	"strings"
	"unsafe"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// kramdown's block HTML: a line starting with a block-level start tag (or a
// comment) opens an element whose content is raw up to the matching end tag,
// however many blank lines it spans. kramdown re-serialises that HTML
// (XHTML void tags, quoted attributes); so do we, while parsing, since
// finding where an element ends takes the same scan as writing it.

var kindRawHTML = ast.NewNodeKind("KramdownRawHTML")
var kindHTMLContainer = ast.NewNodeKind("KramdownHTMLContainer")

type rawHTMLBlock struct {
	ast.BaseBlock
	start, end int // absolute offsets of the HTML in the document
	lastStop   int // end of the last line the block consumed
	// html is kramdown's serialisation of the block, written while
	// parsing. The renderer writes it when the block holds all of its
	// elements (end <= lastStop): it is then what scanning the block's own
	// lines gives, since the scan of an element never looks past its end.
	html []byte
	doc  string // the whole source, to scan a block cut short instead
	// Inside a blockquote the source lines carry "> " prefixes, so the
	// block collects its lines in buf and scans those instead.
	quoted   bool
	buf      string
	trailing text.Segment
	trail    []text.Segment // lines that continue the trailing paragraph
	done     bool
}

func (n *rawHTMLBlock) Kind() ast.NodeKind { return kindRawHTML }
func (n *rawHTMLBlock) IsRaw() bool        { return true }
func (n *rawHTMLBlock) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

// htmlContainer is an HTML element with markdown="1" (or "block"/"span"):
// its content is Markdown, rendered between the tags.
type htmlContainer struct {
	ast.BaseBlock
	name     string
	attrs    []htmlAttr
	span     bool // content is span-level (inline) only
	done     bool
	trailing text.Segment
}

func (n *htmlContainer) Kind() ast.NodeKind { return kindHTMLContainer }
func (n *htmlContainer) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"name": n.name}, nil)
}

var htmlScanKey = parser.NewContextKey()

// htmlScan is what the HTML block parser keeps for a whole document.
type htmlScan struct {
	// doc is the whole source as one string, converted once per document
	// so that scanning ahead never copies.
	doc string
	// raw finds where raw blocks end and serialises them into out, so
	// that rendering need not scan them again.
	raw rawHTMLWriter
	out htmlBuffer
}

func htmlScanOf(reader text.Reader, pc parser.Context) *htmlScan {
	if v, ok := pc.Get(htmlScanKey).(*htmlScan); ok {
		return v
	}
	s := new(htmlScan)
	s.reset(reader.Source())
	pc.Set(htmlScanKey, s)
	return s
}

// reset readies s for the document src, keeping its buffer. doc shares
// src's bytes rather than copying them: nothing changes the source while
// it is parsed and rendered, and the caller clears doc afterwards.
func (s *htmlScan) reset(src []byte) {
	s.doc = unsafe.String(unsafe.SliceData(src), len(src))
	s.raw = rawHTMLWriter{w: &s.out}
	s.out.b = s.out.b[:0]
}

// htmlBuffer collects serialised HTML. It only ever appends, so the
// slices of it that blocks keep never change.
type htmlBuffer struct{ b []byte }

// WriteString and WriteByte reslice when the capacity suffices, which
// unlike append does not store the slice's pointer again (a store the
// garbage collector's write barrier would see on every call).
func (h *htmlBuffer) WriteString(s string) (int, error) {
	n := len(h.b)
	if n+len(s) > cap(h.b) {
		h.b = append(h.b, s...)
		return len(s), nil
	}
	h.b = h.b[:n+len(s)]
	copy(h.b[n:], s)
	return len(s), nil
}

func (h *htmlBuffer) WriteByte(c byte) error {
	n := len(h.b)
	if n == cap(h.b) {
		h.b = append(h.b, c)
		return nil
	}
	h.b = h.b[:n+1]
	h.b[n] = c
	return nil
}

// docString returns the whole source as one string.
func docString(reader text.Reader, pc parser.Context) string {
	return htmlScanOf(reader, pc).doc
}

type htmlBlockParser struct{}

func (htmlBlockParser) Trigger() []byte             { return []byte{'<'} }
func (htmlBlockParser) CanInterruptParagraph() bool { return true }
func (htmlBlockParser) CanAcceptIndentedLine() bool { return false }
func (htmlBlockParser) Close(n ast.Node, reader text.Reader, pc parser.Context) {
	var tr text.Segment
	switch b := n.(type) {
	case *rawHTMLBlock:
		tr = b.trailing
	case *htmlContainer:
		tr = b.trailing
	}
	if tr.Len() > 0 && n.Parent() != nil {
		src := reader.Source()
		p := ast.NewParagraph()
		first := tr.TrimLeftSpace(src)
		p.Lines().Append(first)
		if b, ok := n.(*rawHTMLBlock); ok {
			for _, seg := range b.trail {
				p.Lines().Append(seg)
			}
		}
		last := p.Lines().Len() - 1
		lastSeg := p.Lines().At(last)
		p.Lines().Set(last, lastSeg.TrimRightSpace(src))
		n.Parent().InsertAfter(n.Parent(), n, p)
	}
}

// sourceOffset is where byte pos of the line PeekLine gave with seg is in
// the source: the line starts with seg.Padding spaces that stand for part
// of a tab the enclosing block consumed ("\t" after a blockquote's ">").
func sourceOffset(seg text.Segment, pos int) int {
	return seg.Start + pos - seg.Padding
}

func lineEnd(doc string, i int) int {
	if e := strings.IndexByte(doc[i:], '\n'); e >= 0 {
		return i + e
	}
	return len(doc)
}

func isBlankStr(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

func (htmlBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) || line[pos] != '<' {
		return nil, parser.NoChildren
	}
	scan := htmlScanOf(reader, pc)
	doc := scan.doc
	start := sourceOffset(seg, pos)
	s := doc[start:]
	if strings.HasPrefix(s, "<!--") {
		// A comment does not interrupt a paragraph in kramdown.
		if _, ok := pc.LastOpenedBlock().Node.(*ast.Paragraph); ok {
			return nil, parser.NoChildren
		}
		if _, r := scanDelimited(s, "<!--", "-->"); r != scanOK {
			return nil, parser.NoChildren
		}
		return scan.openRaw(start, seg)
	}
	t, r := scan.raw.startTag(s)
	if r != scanOK || hasClass(t.name, spanElement) {
		return nil, parser.NoChildren
	}
	name := normName(t.name)
	if model, ok := markdownModel(name, t.attrs); ok && !t.closed && !hasClass(name, voidElement) {
		attrs := dropAttr(t.attrs, "markdown")
		switch model {
		case "block":
			c := &htmlContainer{name: name, attrs: attrs}
			rest := start + t.end
			// kramdown skips the rest of the line when it is blank.
			if le := lineEnd(doc, rest); isBlankStr(doc[rest:le]) {
				reader.Advance(len(line) - 1 - pos)
			} else {
				reader.Advance(t.end)
			}
			return c, parser.HasChildren
		case "span":
			c := &htmlContainer{name: name, attrs: attrs, span: true}
			a := start + t.end
			b, e := findEndTag(doc, a, name)
			addLineSegments(c.Lines(), doc, a, b)
			c.done = true
			// Consume through the line that holds the end tag.
			stop := lineEnd(doc, e)
			if !isBlankStr(doc[e:stop]) {
				c.trailing = text.NewSegment(e, stop)
			}
			advanceTo(reader, stop)
			return c, parser.NoChildren
		}
		// raw: fall through, without the markdown attribute
	}
	if inBlockquote(parent) {
		n := &rawHTMLBlock{quoted: true, buf: doc[start:seg.Stop]}
		n.Lines().Append(seg)
		if e, ok := rawHTMLClosed(n.buf); ok {
			n.end = e
			n.done = true
		}
		return n, parser.NoChildren
	}
	return scan.openRaw(start, seg)
}

func inBlockquote(n ast.Node) bool {
	for ; n != nil; n = n.Parent() {
		if n.Kind() == ast.KindBlockquote {
			return true
		}
	}
	return false
}

// openRaw opens a raw block with the element or comment at start.
// Further block-level elements on the same line join the block.
func (scan *htmlScan) openRaw(start int, seg text.Segment) (ast.Node, parser.State) {
	n := &rawHTMLBlock{start: start, doc: scan.doc}
	if need := (len(scan.doc) - start) * 9 / 8; len(scan.out.b) == 0 && cap(scan.out.b) < need {
		// The serialisation is about as long as the source, and the rest
		// of the document may well be HTML too.
		scan.out.b = make([]byte, 0, need)
	}
	mark := len(scan.out.b)
	scan.extendTo(n, scan.raw.from(scan.doc, start))
	scan.out.WriteByte('\n')
	n.html = scan.out.b[mark:len(scan.out.b):len(scan.out.b)]
	n.Lines().Append(seg)
	n.lastStop = seg.Stop
	if n.end <= seg.Stop {
		n.finishLine(scan.doc)
	}
	return n, parser.NoChildren
}

// extendTo records end and keeps scanning while the line goes on with
// another block-level element.
func (scan *htmlScan) extendTo(n *rawHTMLBlock, end int) {
	doc := scan.doc
	for {
		n.end = end
		le := lineEnd(doc, end)
		i := end
		for k := 0; k < 3 && i < le && doc[i] == ' '; k++ {
			i++
		}
		if i >= le || doc[i] != '<' {
			return
		}
		s := doc[i:]
		if strings.HasPrefix(s, "<!--") {
			if _, r := scanDelimited(s, "<!--", "-->"); r != scanOK {
				return
			}
		} else {
			t, r := scan.raw.startTag(s)
			if r != scanOK || hasClass(t.name, spanElement) {
				return
			}
			if _, md := markdownModel(normName(t.name), t.attrs); md {
				return
			}
		}
		scan.out.WriteByte('\n') // the renderer's separator between elements
		end = scan.raw.from(doc, i)
	}
}

func (n *rawHTMLBlock) finishLine(doc string) {
	stop := lineEnd(doc, n.end)
	if !isBlankStr(doc[n.end:stop]) {
		n.trailing = text.NewSegment(n.end, min(stop+1, len(doc)))
	}
	n.lastStop = stop
	n.done = true
}

func (htmlBlockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	switch n := node.(type) {
	case *rawHTMLBlock:
		if n.done {
			// Text after the element's end became a paragraph, which goes
			// on as kramdown paragraphs do.
			line, seg := reader.PeekLine()
			if n.trailing.Len() > 0 && line != nil && continuesParagraph(line) {
				n.trail = append(n.trail, seg)
				reader.AdvanceToEOL()
				return parser.Continue | parser.NoChildren
			}
			return parser.Close
		}
		line, seg := reader.PeekLine()
		if line == nil {
			return parser.Close
		}
		n.Lines().Append(seg)
		if n.quoted {
			n.buf += string(line)
			reader.AdvanceToEOL()
			if e, ok := rawHTMLClosed(n.buf); ok {
				n.end = e
				n.done = true
				return parser.Close
			}
			n.end = len(n.buf)
			return parser.Continue | parser.NoChildren
		}
		n.lastStop = seg.Stop
		reader.AdvanceToEOL()
		if n.end <= seg.Stop {
			n.finishLine(docString(reader, pc))
			return parser.Close
		}
		return parser.Continue | parser.NoChildren
	case *htmlContainer:
		if n.done {
			return parser.Close
		}
		line, seg := reader.PeekLine()
		if line == nil {
			return parser.Close
		}
		// The end tag belongs to the innermost open element of that name.
		deeper := false
		for _, b := range pc.OpenedBlocks() {
			if b.Node == node {
				deeper = true
				continue
			}
			if c, ok := b.Node.(*htmlContainer); deeper && ok && !c.done && !c.span && c.name == n.name {
				return parser.Continue | parser.HasChildren
			}
		}
		// The end tag closes the element only at the start of a block.
		i := 0
		for i < 3 && i < len(line) && line[i] == ' ' {
			i++
		}
		if i+1 < len(line) && line[i] == '<' && line[i+1] == '/' {
			doc := docString(reader, pc)
			if name, e, r := scanEndTag(doc[sourceOffset(seg, i):]); r == scanOK && normName(name) == n.name {
				n.done = true
				endAbs := sourceOffset(seg, i) + e
				stop := lineEnd(doc, endAbs)
				if !isBlankStr(doc[endAbs:stop]) {
					reader.Advance(i + e)
				} else {
					reader.Advance(len(line) - 1)
				}
				return parser.Close
			}
		}
		return parser.Continue | parser.HasChildren
	}
	return parser.Close
}

func advanceTo(reader text.Reader, stop int) {
	for {
		line, seg := reader.PeekLine()
		if line == nil {
			return
		}
		if seg.Stop >= stop {
			// leave the final line for goldmark to advance past
			return
		}
		reader.AdvanceLine()
	}
}

func addLineSegments(lines *text.Segments, doc string, a, b int) {
	for a < b {
		e := strings.IndexByte(doc[a:b], '\n')
		if e < 0 {
			lines.Append(text.NewSegment(a, b))
			return
		}
		lines.Append(text.NewSegment(a, a+e+1))
		a += e + 1
	}
}

// findEndTag finds </name\s*> (case-insensitive) from i and returns its
// start and end, or len(doc) twice.
func findEndTag(doc string, i int, name string) (int, int) {
	for {
		j := strings.Index(doc[i:], "</")
		if j < 0 {
			return len(doc), len(doc)
		}
		j += i
		if n, e, r := scanEndTag(doc[j:]); r == scanOK && strings.EqualFold(n, name) {
			return j, j + e
		}
		i = j + 2
	}
}

func markdownModel(name string, attrs []htmlAttr) (string, bool) {
	for _, a := range attrs {
		if strings.ToLower(a.key) != "markdown" {
			continue
		}
		switch a.val {
		case "1":
			switch {
			case hasClass(name, blockContent):
				return "block", true
			case hasClass(name, spanContent):
				return "span", true
			}
			return "raw", true
		case "block":
			return "block", true
		case "span":
			return "span", true
		case "0":
			return "raw", true
		}
	}
	return "", false
}

func dropAttr(attrs []htmlAttr, key string) []htmlAttr {
	out := make([]htmlAttr, 0, len(attrs))
	for _, a := range attrs {
		if strings.ToLower(a.key) != key {
			out = append(out, a)
		}
	}
	return out
}

// htmlWriter is where HTML is serialised: the renderer's output, or a raw
// block's buffer while parsing.
type htmlWriter interface {
	WriteString(s string) (int, error)
	WriteByte(c byte) error
}

// rawHTMLWriter scans block HTML the way kramdown's parse_raw_html does
// and, when w is set, writes kramdown's serialisation of it.
type rawHTMLWriter struct {
	w htmlWriter // nil: only find where elements end
	// attrs holds the attributes of the start tag being handled; once
	// they are written its slice serves the next tag.
	attrs []htmlAttr
}

// startTag scans the start tag at s[0] into the attribute slice of the
// tag before it.
func (rw *rawHTMLWriter) startTag(s string) (htmlTag, scanResult) {
	t, r := scanStartTag(s, rw.attrs)
	rw.attrs = t.attrs
	return t, r
}

// from handles the block-level element starting at doc[i] and returns the
// offset just past it.
func (rw *rawHTMLWriter) from(doc string, i int) int {
	s := doc[i:]
	if strings.HasPrefix(s, "<!--") {
		n, _ := scanDelimited(s, "<!--", "-->")
		if rw.w != nil {
			rw.w.WriteString(s[:n])
		}
		return i + n
	}
	t, _ := rw.startTag(s)
	name := normName(t.name)
	attrs := t.attrs
	if _, ok := markdownModel(name, attrs); ok {
		attrs = dropAttr(attrs, "markdown")
	}
	n, _ := rw.element(s, t, name, attrs)
	return i + n
}

// writeRawHTML writes kramdown's serialisation of a raw block's HTML: its
// elements one a line, then any text after them, escaped.
func writeRawHTML(w htmlWriter, html string) {
	rw := rawHTMLWriter{w: w}
	for i := 0; i < len(html); {
		// between elements on one line
		for i < len(html) && (html[i] == ' ' || html[i] == '\t') {
			i++
		}
		if i >= len(html) {
			break
		}
		if html[i] != '<' {
			writeEscaped(w, html[i:], false)
			break
		}
		i = rw.from(html, i)
		w.WriteByte('\n')
	}
}

// rawHTMLClosed reports whether the element starting at doc[0] ends
// within doc, and where.
func rawHTMLClosed(doc string) (int, bool) {
	if strings.HasPrefix(doc, "<!--") {
		n, r := scanDelimited(doc, "<!--", "-->")
		return n, r == scanOK
	}
	t, r := scanStartTag(doc, nil)
	if r != scanOK {
		return 0, false
	}
	var rw rawHTMLWriter
	return rw.element(doc, t, normName(t.name), t.attrs)
}

// element handles an element whose start tag t begins s; content is raw.
// name is as normName returns it. It returns the length consumed and
// whether the element was closed.
func (rw *rawHTMLWriter) element(s string, t htmlTag, name string, attrs []htmlAttr) (int, bool) {
	w := rw.w
	class := classOf(name)
	closed := t.closed || class&voidElement != 0
	if w != nil {
		writeStartTag(w, name, attrs, closed)
	}
	if closed {
		return t.end, true
	}
	i := t.end
	if name == "script" || name == "style" {
		a, e := findEndTag(s, i, name)
		if w != nil {
			w.WriteString(s[i:a])
			writeEndTag(w, name)
		}
		return e, a < len(s)
	}
	known := class&knownElement != 0
	for i < len(s) {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			if w != nil {
				writeEscaped(w, s[i:], false)
			}
			break
		}
		if w != nil && j > 0 {
			writeEscaped(w, s[i:i+j], false)
		}
		i += j
		rest := s[i:]
		if strings.HasPrefix(rest, "<!--") {
			if n, r := scanDelimited(rest, "<!--", "-->"); r == scanOK {
				if w != nil {
					w.WriteString(rest[:n])
				}
				i += n
				continue
			}
		}
		if strings.HasPrefix(rest, "<?") {
			if n, r := scanDelimited(rest, "<?", "?>"); r == scanOK {
				if w != nil {
					w.WriteString(rest[:n])
				}
				i += n
				continue
			}
		}
		if strings.HasPrefix(rest, "</") {
			if cn, e, r := scanEndTag(rest); r == scanOK {
				match := cn == name
				if known {
					match = strings.ToLower(cn) == name
				}
				if match {
					if w != nil {
						writeEndTag(w, name)
					}
					return i + e, true
				}
				if w != nil {
					writeEscaped(w, rest[:e], false)
				}
				i += e
				continue
			}
		}
		if nt, r := rw.startTag(rest); r == scanOK {
			n, ok := rw.element(rest, nt, normName(nt.name), nt.attrs)
			i += n
			if !ok {
				break
			}
			continue
		}
		if w != nil {
			w.WriteString("&lt;")
		}
		i++
	}
	// no end tag: kramdown closes the element at the end of the input
	if w != nil {
		writeEndTag(w, name)
	}
	return len(s), false
}

func writeEndTag(w htmlWriter, name string) {
	w.WriteString("</")
	w.WriteString(name)
	w.WriteByte('>')
}

// continuesParagraph reports whether line goes on a paragraph in
// kramdown-parser-gfm, i.e. matches none of its PARAGRAPH_END patterns.
func continuesParagraph(line []byte) bool {
	if isBlankStr(string(line)) {
		return false
	}
	if line[0] == '#' {
		i := 0
		for i < len(line) && i < 7 && line[i] == '#' {
			i++
		}
		if i <= 6 && i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			return false
		}
	}
	i := 0
	for i < 3 && i < len(line) && line[i] == ' ' {
		i++
	}
	l := line[i:]
	switch {
	case len(l) == 0:
		return true
	case l[0] == '>' || l[0] == '^' && isBlankStr(string(l[1:])):
		return false
	case l[0] == '{' && len(l) > 1 && l[1] == ':':
		return false
	case (l[0] == ':' || l[0] == '+' || l[0] == '*' || l[0] == '-') && len(l) > 1 && (l[1] == ' ' || l[1] == '\t'):
		return false
	case len(l) >= 3 && (l[0] == '`' || l[0] == '~') && l[1] == l[0] && l[2] == l[0]:
		return false
	case l[0] == '<':
		k := 1
		if len(l) > 1 && l[1] == '/' {
			k = 2
		}
		e := scanName(string(l), k)
		if e > k && !hasClass(string(l[k:e]), spanElement) {
			return false
		}
	case isDigit(l[0]):
		k := 0
		for k < len(l) && isDigit(l[k]) {
			k++
		}
		if k+1 < len(l) && l[k] == '.' && (l[k+1] == ' ' || l[k+1] == '\t') {
			return false
		}
	}
	return true
}
