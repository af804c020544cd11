package markup

import (
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Abbreviations: "*[HTML]: Hyper Text Markup Language" defines one; every
// occurrence of HTML as a whole word in text becomes <abbr title="…">.

var kindAbbrDef = ast.NewNodeKind("KramdownAbbrDef")

type abbrDef struct {
	ast.BaseBlock
	key, title string
}

func (n *abbrDef) Kind() ast.NodeKind         { return kindAbbrDef }
func (n *abbrDef) IsRaw() bool                { return true }
func (n *abbrDef) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type abbrDefParser struct{}

func (abbrDefParser) Trigger() []byte                             { return []byte{'*'} }
func (abbrDefParser) CanInterruptParagraph() bool                 { return false }
func (abbrDefParser) CanAcceptIndentedLine() bool                 { return false }
func (abbrDefParser) Close(ast.Node, text.Reader, parser.Context) {}
func (abbrDefParser) Continue(ast.Node, text.Reader, parser.Context) parser.State {
	return parser.Close
}

func (abbrDefParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, _ := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos+1 >= len(line) || line[pos+1] != '[' {
		return nil, parser.NoChildren
	}
	s := strings.TrimRight(string(line[pos:]), "\n")
	if !strings.HasPrefix(s, "*[") {
		return nil, parser.NoChildren
	}
	e := strings.Index(s[2:], "]:")
	if e <= 0 {
		return nil, parser.NoChildren
	}
	reader.AdvanceToEOL()
	d := &abbrDef{key: s[2 : 2+e], title: strings.TrimSpace(s[2+e+2:])}
	defs(pc).addAbbr(d)
	return d, parser.NoChildren
}

func (st *transformState) sortAbbrs() {
	sort.SliceStable(st.abbrKeys, func(i, j int) bool { return len(st.abbrKeys[i]) > len(st.abbrKeys[j]) })
}

func isASCIIWordRuneAt(s []byte, i int) bool { return i >= 0 && i < len(s) && isWordByte(s[i]) }

func (st *transformState) abbreviations(n ast.Node) {
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		switch t := c.(type) {
		case *ast.Text:
			st.splitAbbr(n, t)
		case *ast.CodeSpan, *ast.CodeBlock, *ast.FencedCodeBlock, *rawHTMLBlock, *ast.AutoLink, *abbrDef, *blockExt:
		default:
			if c.HasChildren() {
				st.abbreviations(c)
			}
		}
		c = next
	}
}

// splitAbbr replaces abbreviations in one text node.
func (st *transformState) splitAbbr(parent ast.Node, t *ast.Text) {
	v := t.Segment.Value(st.src)
	base := t.Segment.Start
	for i := 0; i < len(v); i++ {
		if i > 0 && isWordByte(v[i-1]) {
			continue
		}
		for _, k := range st.abbrKeys {
			if len(v)-i < len(k) || string(v[i:i+len(k)]) != k || isASCIIWordRuneAt(v, i+len(k)) {
				continue
			}
			d := st.abbrs[k]
			before := ast.NewTextSegment(text.NewSegment(base, base+i))
			a := &abbr{text: k, title: d.title}
			after := ast.NewTextSegment(text.NewSegment(base+i+len(k), t.Segment.Stop))
			after.SetSoftLineBreak(t.SoftLineBreak())
			after.SetHardLineBreak(t.HardLineBreak())
			if i > 0 {
				parent.InsertBefore(parent, t, before)
			}
			parent.InsertBefore(parent, t, a)
			parent.ReplaceChild(parent, t, after)
			st.splitAbbr(parent, after)
			return
		}
	}
}
