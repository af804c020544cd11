package markup

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// kramdown's math ($$…$$) with its default MathJax engine: the TeX source
// is written HTML-escaped between \( \) inline and \[ \] as a block.

var kindMath = ast.NewNodeKind("KramdownMath")

type mathBlock struct {
	ast.BaseBlock
	tex  string
	stop int // absolute offset of the end of the last line
	done bool
}

func (n *mathBlock) Kind() ast.NodeKind         { return kindMath }
func (n *mathBlock) IsRaw() bool                { return true }
func (n *mathBlock) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

var kindMathInline = ast.NewNodeKind("KramdownMathInline")

type mathInline struct {
	ast.BaseInline
	tex string
}

func (n *mathInline) Kind() ast.NodeKind         { return kindMathInline }
func (n *mathInline) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type mathBlockParser struct{}

func (mathBlockParser) Trigger() []byte                             { return []byte{'$'} }
func (mathBlockParser) CanInterruptParagraph() bool                 { return false }
func (mathBlockParser) CanAcceptIndentedLine() bool                 { return false }
func (mathBlockParser) Close(ast.Node, text.Reader, parser.Context) {}

func (mathBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || !bytes.HasPrefix(line[pos:], []byte("$$")) {
		return nil, parser.NoChildren
	}
	if !afterBoundary(parent, reader.Source(), seg.Start) {
		return nil, parser.NoChildren
	}
	doc := docString(reader, pc)
	start := sourceOffset(seg, pos) + 2
	e := strings.Index(doc[start:], "$$")
	if e < 0 {
		return nil, parser.NoChildren
	}
	tex := doc[start : start+e]
	after := start + e + 2
	// (\s*?\n)? then a block boundary must follow
	le := lineEnd(doc, after)
	if !isBlankStr(doc[after:le]) {
		return nil, parser.NoChildren
	}
	if le < len(doc) && !boundaryLine(doc[le+1:lineEnd(doc, le+1)]) {
		return nil, parser.NoChildren
	}
	n := &mathBlock{tex: strings.TrimSpace(tex), stop: le}
	if le <= seg.Stop {
		n.done = true
	}
	return n, parser.NoChildren
}

func (mathBlockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*mathBlock)
	if n.done {
		return parser.Close
	}
	_, seg := reader.PeekLine()
	reader.AdvanceToEOL()
	if seg.Stop >= n.stop {
		n.done = true
		return parser.Close
	}
	return parser.Continue | parser.NoChildren
}

type mathInlineParser struct{}

func (mathInlineParser) Trigger() []byte { return []byte{'$'} }

func (mathInlineParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) < 4 || line[1] != '$' {
		return nil
	}
	e := bytes.Index(line[2:], []byte("$$"))
	if e < 0 {
		return nil
	}
	block.Advance(2 + e + 2)
	return &mathInline{tex: strings.TrimSpace(string(line[2 : 2+e]))}
}
