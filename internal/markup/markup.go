package markup

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Converter renders kramdown-flavoured Markdown to HTML.
// Converter is safe for concurrent use; build one per process.
type Converter struct {
	md goldmark.Markdown
	// currentARIA drops ARIA roles that kramdown writes but ARIA 1.3
	// deprecates (doc-endnote), which accessibility checkers flag.
	currentARIA bool
	// scans are htmlScans for Convert to reuse, with their buffers.
	scans sync.Pool
}

// Option changes how a Converter renders.
type Option func(*Converter)

// CurrentARIA makes the output valid against current ARIA: kramdown's
// footnote items lose their deprecated role="doc-endnote". Everything else
// stays exactly as kramdown writes it.
func CurrentARIA() Option { return func(c *Converter) { c.currentARIA = true } }

// New returns a Converter configured like Jekyll 4's kramdown.
//
// goldmark's own parsers do what CommonMark and kramdown agree on. Ours
// replace its HTML block and raw HTML parsers (kramdown's HTML rules differ
// completely), its table (kramdown tables), and add IALs, ALDs, extensions,
// abbreviations, math and typography. Wrappers adjust goldmark's lists,
// headings, rules and strikethrough where kramdown is stricter. GFM's
// Linkify is left out: kramdown does not autolink bare URLs.
func New(opts ...Option) *Converter {
	c := &Converter{}
	for _, o := range opts {
		o(c)
	}
	p := parser.NewParser(
		parser.WithBlockParsers(
			util.Prioritized(setextParser{headingIDParser{parser.NewSetextHeadingParser()}}, 100),
			util.Prioritized(abbrDefParser{}, 150),
			util.Prioritized(ruleParser{parser.NewThematicBreakParser()}, 200),
			util.Prioritized(listParser{parser.NewListParser()}, 300),
			util.Prioritized(listParser{parser.NewListItemParser()}, 400),
			util.Prioritized(parser.NewCodeBlockParser(), 500),
			util.Prioritized(headingIDParser{parser.NewATXHeadingParser()}, 600),
			util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
			util.Prioritized(parser.NewBlockquoteParser(), 800),
			util.Prioritized(htmlBlockParser{}, 900),
			util.Prioritized(mathBlockParser{}, 940),
			util.Prioritized(tableParser{}, 950),
			util.Prioritized(extension.NewFootnoteBlockParser(), 960),
			util.Prioritized(blockExtParser{}, 970),
			util.Prioritized(parser.NewParagraphParser(), 1000),
			util.Prioritized(extension.NewDefinitionListParser(), 101),
			util.Prioritized(extension.NewDefinitionDescriptionParser(), 102),
		),
		parser.WithInlineParsers(
			util.Prioritized(extension.NewTaskCheckBoxParser(), 0),
			util.Prioritized(parser.NewCodeSpanParser(), 100),
			util.Prioritized(extension.NewFootnoteParser(), 101),
			util.Prioritized(parser.NewLinkParser(), 200),
			util.Prioritized(parser.NewAutoLinkParser(), 300),
			util.Prioritized(spanHTMLParser{}, 400),
			util.Prioritized(parser.NewEmphasisParser(), 500),
			util.Prioritized(strikeParser{extension.NewStrikethroughParser()}, 500),
			util.Prioritized(mathInlineParser{}, 550),
			util.Prioritized(spanExtParser{}, 600),
			util.Prioritized(typoParser{}, 700),
		),
		parser.WithParagraphTransformers(
			util.Prioritized(parser.LinkReferenceParagraphTransformer, 100),
		),
		parser.WithASTTransformers(
			util.Prioritized(extension.NewFootnoteASTTransformer(), 999),
			util.Prioritized(kramdownTransformer{}, 1000),
		),
	)
	r := renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(&htmlRenderer{conv: c}, 100),
	))
	c.md = goldmark.New(goldmark.WithParser(p), goldmark.WithRenderer(r))
	return c
}

// Convert writes the HTML for src to w.
func (c *Converter) Convert(w io.Writer, src []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("markup: converting markdown: %v", r)
		}
	}()
	// The HTML parsers' state for the document comes with its buffer from
	// the last document converted; the AST points into that buffer, so it
	// goes back only once the document is rendered.
	scan, _ := c.scans.Get().(*htmlScan)
	if scan == nil {
		scan = new(htmlScan)
	}
	defer func() {
		scan.doc = ""
		c.scans.Put(scan)
	}()
	return c.convert(w, src, scan)
}

// convert is Convert with scan for the HTML parsers' state.
func (c *Converter) convert(w io.Writer, src []byte, scan *htmlScan) error {
	src = prepare(src)
	scan.reset(src)
	pc := parser.NewContext()
	pc.Set(htmlScanKey, scan)
	doc := c.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var bw util.BufWriter
	if buf, ok := w.(*bytes.Buffer); ok {
		bw = bufferWriter{buf}
	} else {
		bw = bufio.NewWriter(w)
	}
	if err := c.md.Renderer().Render(bw, src, doc); err != nil {
		return fmt.Errorf("markup: rendering: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("markup: writing: %w", err)
	}
	return nil
}

// bufferWriter lets the renderer write straight into a bytes.Buffer (what
// the build converts into), which needs no bufio.Writer and its copy in
// front of it.
type bufferWriter struct{ *bytes.Buffer }

func (bufferWriter) Buffered() int { return 0 }
func (bufferWriter) Flush() error  { return nil }

// prepare does what kramdown does to its input before parsing (line
// endings), and wraps link destinations that contain spaces in <…> so
// goldmark accepts them as kramdown does: [x](/files/A B.pdf).
func prepare(src []byte) []byte {
	if bytes.IndexByte(src, '\r') >= 0 {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
		src = bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
	}
	if bytes.Contains(src, []byte("](")) {
		src = wrapSpacedDestinations(src)
	}
	return src
}

// wrapSpacedDestinations rewrites "](a b)" to "](<a b>)" outside fenced
// code and code spans.
func wrapSpacedDestinations(src []byte) []byte {
	var out []byte
	last := 0
	inFence := false
	var fence byte
	scanned := 0                  // fence state is known for lines starting before this
	ls, ticks, tickPos := 0, 0, 0 // current line start; backticks in [ls, tickPos)
	lineScan := 0                 // no line starts in (ls, lineScan]
	for pos := 0; ; {
		i := bytes.Index(src[pos:], []byte("]("))
		if i < 0 {
			break
		}
		i += pos
		pos = i + 2
		// Only what follows the last "](" can hold a new line start: on
		// long lines with many links, searching from ls each time would
		// scan the line over and over. (IndexByte, unlike LastIndexByte,
		// is vectorised.)
		for {
			nl := bytes.IndexByte(src[lineScan:i], '\n')
			if nl < 0 {
				break
			}
			ls = lineScan + nl + 1
			ticks, tickPos = 0, ls
			lineScan = ls
		}
		lineScan = i
		for scanned <= ls {
			le := bytes.IndexByte(src[scanned:], '\n')
			line := src[scanned:]
			if le >= 0 {
				line = line[:le]
			}
			t := bytes.TrimLeft(line, " ")
			if len(line)-len(t) <= 3 && len(t) >= 3 && (t[0] == '`' || t[0] == '~') && t[1] == t[0] && t[2] == t[0] {
				if !inFence {
					inFence, fence = true, t[0]
				} else if t[0] == fence {
					inFence = false
				}
			}
			if le < 0 {
				scanned = len(src) + 1
				break
			}
			scanned += le + 1
		}
		if tickPos < i {
			ticks += bytes.Count(src[tickPos:i], []byte("`"))
			tickPos = i
		}
		if inFence || ticks%2 == 1 {
			continue
		}
		s := i + 2
		if s < len(src) && src[s] == '<' {
			continue
		}
		depth, e := 1, -1
		for j := s; j < len(src) && src[j] != '\n'; j++ {
			if src[j] == '\\' {
				j++
				continue
			}
			if src[j] == '(' {
				depth++
			} else if src[j] == ')' {
				depth--
				if depth == 0 {
					e = j
					break
				}
			}
		}
		if e < 0 {
			continue
		}
		dest := src[s:e]
		// a title starts at whitespace followed by a quote
		for k := 0; k+1 < len(dest); k++ {
			if isSpace(dest[k]) && (dest[k+1] == '"' || dest[k+1] == '\'') {
				dest = dest[:k]
				break
			}
		}
		dt := bytes.TrimSpace(dest)
		if bytes.IndexByte(dt, ' ') < 0 || bytes.ContainsAny(dt, "<>") {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(src)+32)
		}
		ds := s + bytes.Index(src[s:e], dt)
		out = append(out, src[last:ds]...)
		out = append(out, '<')
		out = append(out, dt...)
		out = append(out, '>')
		last = ds + len(dt)
		pos = e
	}
	if out == nil {
		return src
	}
	return append(out, src[last:]...)
}

// headingIDParser wraps goldmark's heading parsers to take kramdown's
// "{#id}" off the end of a header's text.
type headingIDParser struct{ parser.BlockParser }

var headerIDRe = regexp.MustCompile(`[\t ]\{#([A-Za-z_:\p{L}][\w.:\-\p{L}\p{M}\p{N}]*)\}[ \t]*$`)

func (h headingIDParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	n, st := h.BlockParser.Open(parent, reader, pc)
	if hd, ok := n.(*ast.Heading); ok {
		takeHeaderID(hd, reader.Source())
	}
	return n, st
}

func (h headingIDParser) Close(n ast.Node, reader text.Reader, pc parser.Context) {
	h.BlockParser.Close(n, reader, pc)
	if hd, ok := n.(*ast.Heading); ok && hd.Lines().Len() > 0 {
		takeHeaderID(hd, reader.Source())
	}
}

func takeHeaderID(h *ast.Heading, src []byte) {
	l := h.Lines()
	if l.Len() == 0 {
		return
	}
	seg := l.At(l.Len() - 1)
	v := seg.Value(src)
	if t := bytes.TrimRight(v, " \t\n"); len(t) == 0 || t[len(t)-1] != '}' {
		return
	}
	m := headerIDRe.FindSubmatchIndex(v)
	if m == nil {
		return
	}
	h.SetAttributeString("id", string(v[m[2]:m[3]]))
	ns := text.NewSegment(seg.Start, seg.Start+m[0])
	ns = ns.TrimRightSpace(src)
	// then closing hashes, as kramdown-parser-gfm strips them after the id
	if t := ns.Value(src); len(t) > 0 && t[len(t)-1] == '#' {
		k := len(t)
		for k > 0 && t[k-1] == '#' {
			k--
		}
		if k > 0 && (t[k-1] == ' ' || t[k-1] == '\t') {
			ns = text.NewSegment(ns.Start, ns.Start+k)
			ns = ns.TrimRightSpace(src)
		}
	}
	l.Set(l.Len()-1, ns)
}

// footnoteNames labels footnote links, backlinks and notes with the
// footnote's name, which kramdown uses in ids.
func footnoteNames(doc *ast.Document) {
	var list *east.FootnoteList
	for c := doc.LastChild(); c != nil; c = c.PreviousSibling() {
		if l, ok := c.(*east.FootnoteList); ok {
			list = l
			break
		}
	}
	if list == nil {
		return
	}
	names := map[int]string{}
	for f := list.FirstChild(); f != nil; f = f.NextSibling() {
		fn := f.(*east.Footnote)
		names[fn.Index] = string(fn.Ref)
		fn.SetAttributeString("\x00name", names[fn.Index])
		// Backlinks outside a paragraph go into a new one.
		var bls []ast.Node
		for c := fn.FirstChild(); c != nil; c = c.NextSibling() {
			if _, ok := c.(*east.FootnoteBacklink); ok {
				bls = append(bls, c)
			}
		}
		if len(bls) > 0 {
			p := ast.NewParagraph()
			for _, b := range bls {
				p.AppendChild(p, b)
			}
			fn.AppendChild(fn, p)
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *east.FootnoteLink:
			l.SetAttributeString("\x00name", names[l.Index])
		case *east.FootnoteBacklink:
			l.SetAttributeString("\x00name", names[l.Index])
		}
		return ast.WalkContinue, nil
	})
}

// listParser wraps goldmark's list parsers to refuse what kramdown does not
// take as a list item: "1)" markers and a marker alone on its line.
type listParser struct{ parser.BlockParser }

func (l listParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, _ := reader.PeekLine()
	if refusedMarker(line, pc.BlockOffset()) {
		return nil, parser.NoChildren
	}
	return l.BlockParser.Open(parent, reader, pc)
}

// Continue closes the list on a line goldmark would take as a new item but
// kramdown does not, so that goldmark never sees a list without its item.
func (l listParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	if _, ok := node.(*ast.List); ok {
		line, _ := reader.PeekLine()
		if refusedMarker(line, firstNonSpace(line)) {
			return parser.Close
		}
	}
	return l.BlockParser.Continue(node, reader, pc)
}

func firstNonSpace(line []byte) int {
	for i, c := range line {
		if c != ' ' && c != '\t' {
			return i
		}
	}
	return -1
}

// refusedMarker reports a list marker at line[pos] that goldmark accepts
// and kramdown does not: "1)" or a marker with nothing after it.
func refusedMarker(line []byte, pos int) bool {
	{
		if pos < 0 || pos >= len(line) {
			return false
		}
		s := line[pos:]
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i > 0 && i < len(s) && s[i] == ')' {
			return true
		}
		if i == 0 && (s[0] == '-' || s[0] == '*' || s[0] == '+') {
			i = 1
		} else if i > 0 && i < len(s) && s[i] == '.' {
			i++
		} else {
			i = -1
		}
		return i > 0 && (i >= len(s) || s[i] == '\n' || s[i] == '\r')
	}
}

// ruleParser is goldmark's horizontal rule parser under kramdown-parser-gfm's
// rule: a rule interrupts a paragraph only where its line also starts a list
// item ("- --", "* * *"), which may interrupt one; "***" or "___" does not.
// Left to the list parser, such a line would open a list whose first child
// is a rule, which goldmark's list code cannot handle.
type ruleParser struct{ parser.BlockParser }

func (ruleParser) CanInterruptParagraph() bool { return true }

func (r ruleParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	if _, inParagraph := pc.LastOpenedBlock().Node.(*ast.Paragraph); inParagraph {
		line, _ := reader.PeekLine()
		pos := pc.BlockOffset()
		if pos < 0 || pos+1 >= len(line) || line[pos] != '-' && line[pos] != '*' || line[pos+1] != ' ' && line[pos+1] != '\t' {
			return nil, parser.NoChildren
		}
	}
	return r.BlockParser.Open(parent, reader, pc)
}

// setextParser only turns a one-line paragraph that starts after a block
// boundary into a header, as kramdown does.
type setextParser struct{ parser.BlockParser }

func (s setextParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	last := pc.LastOpenedBlock().Node
	if p, ok := last.(*ast.Paragraph); ok {
		if p.Lines().Len() != 1 {
			return nil, parser.NoChildren
		}
		if prev := p.PreviousSibling(); prev != nil {
			if _, ext := prev.(*blockExt); !ext && !lineBeforeBlank(reader.Source(), p.Lines().At(0).Start, true) {
				return nil, parser.NoChildren
			}
		}
	}
	return s.BlockParser.Open(parent, reader, pc)
}

// lineBeforeBlank reports whether the line before the one holding pos is
// blank (blockquote markers aside); atStart is the answer on the first line.
func lineBeforeBlank(src []byte, pos int, atStart bool) bool {
	ls := pos
	for ls > 0 && src[ls-1] != '\n' {
		ls--
	}
	if ls == 0 {
		return atStart
	}
	ps := ls - 1
	for ps > 0 && src[ps-1] != '\n' {
		ps--
	}
	for _, c := range src[ps : ls-1] {
		if !isSpace(c) && c != '>' {
			return false
		}
	}
	return true
}

// strikeParser accepts only "~~", kramdown-parser-gfm's delimiter.
type strikeParser struct{ parser.InlineParser }

func (s strikeParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) < 2 || line[1] != '~' {
		return nil
	}
	return s.InlineParser.Parse(parent, block, pc)
}
