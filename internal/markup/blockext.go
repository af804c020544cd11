package markup

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Block-level kramdown extensions: IALs ({: .x} on their own line), ALDs
// ({:name: .x}), extension blocks ({::comment}...{:/comment},
// {::nomarkdown}...{:/}, {::options .../}) and the end-of-block marker "^".

var kindBlockExt = ast.NewNodeKind("KramdownBlockExt")

type blockExtKind int

const (
	extIAL blockExtKind = iota
	extALD
	extEOB // {::options}, "^" and other markers that only end a block
	extComment
	extNoMarkdown
)

type blockExt struct {
	ast.BaseBlock
	kind    blockExtKind
	name    string // ALD name
	attrs   *attrList
	body    string // comment / nomarkdown body
	stopAt  int    // absolute offset of the stop line, for bodies
	done    bool
	applied bool      // an IAL already attached to its previous sibling
	target  ast.Node  // what it was attached to
	options *attrList // {::options} settings
}

func (n *blockExt) Kind() ast.NodeKind { return kindBlockExt }
func (n *blockExt) IsRaw() bool        { return true }
func (n *blockExt) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"name": n.name}, nil)
}

type blockExtParser struct{}

func (blockExtParser) Trigger() []byte                             { return []byte{'{', '^'} }
func (blockExtParser) CanInterruptParagraph() bool                 { return true }
func (blockExtParser) CanAcceptIndentedLine() bool                 { return false }
func (blockExtParser) Close(ast.Node, text.Reader, parser.Context) {}

// matchIALLine matches "{:" body "}" followed only by whitespace; it returns
// the body.
func matchBraceLine(s string) (string, bool) {
	if !strings.HasPrefix(s, "{:") {
		return "", false
	}
	e := scanBraceBody(s[2:])
	if e < 0 || !isBlankStr(s[2+e+1:]) {
		return "", false
	}
	return s[2 : 2+e], true
}

func (blockExtParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) {
		return nil, parser.NoChildren
	}
	s := string(line[pos:])
	if s[0] == '^' {
		if isBlankStr(s[1:]) {
			return &blockExt{kind: extEOB}, parser.NoChildren
		}
		return nil, parser.NoChildren
	}
	body, ok := matchBraceLine(s)
	if !ok || body == "" {
		return nil, parser.NoChildren
	}
	// ALD: {:name: attrs}
	if n := aldName(body); n > 0 && n < len(body) && body[n] == ':' && len(body) > n+1 {
		a := parseAttrList(body[n+1:])
		defs(pc).addALD(body[:n], a)
		return &blockExt{kind: extALD, name: body[:n], attrs: a}, parser.NoChildren
	}
	switch body[0] {
	case ':':
		return openExtension(body[1:], reader, pc, seg)
	case '/':
		return nil, parser.NoChildren // a stray stop tag is an error in kramdown
	}
	return &blockExt{kind: extIAL, attrs: parseAttrList(body)}, parser.NoChildren
}

// aldName returns the length of an ALD name (\w[\w-]*) at s[0], or 0.
func aldName(s string) int {
	if s == "" || !isWordByte(s[0]) {
		return 0
	}
	i := 1
	for i < len(s) && (isWordByte(s[i]) || s[i] == '-') {
		i++
	}
	return i
}

// openExtension handles "{::name attrs}" (body follows up to a "{:/name}"
// or "{:/}" line) and "{::name attrs /}".
func openExtension(s string, reader text.Reader, pc parser.Context, seg text.Segment) (ast.Node, parser.State) {
	n := 0
	for n < len(s) && isWordByte(s[n]) {
		n++
	}
	if n == 0 {
		return nil, parser.NoChildren
	}
	name, rest := s[:n], s[n:]
	selfClosed := strings.HasSuffix(rest, "/")
	if selfClosed {
		rest = rest[:len(rest)-1]
	}
	if rest != "" && !isSpace(rest[0]) {
		return nil, parser.NoChildren
	}
	switch name {
	case "options":
		// Only auto_ids is honoured; options otherwise just end the block.
		if !selfClosed {
			return nil, parser.NoChildren
		}
		return &blockExt{kind: extEOB, options: parseAttrList(rest)}, parser.NoChildren
	case "comment", "nomarkdown":
	default:
		return nil, parser.NoChildren
	}
	kind := extComment
	if name == "nomarkdown" {
		kind = extNoMarkdown
	}
	if selfClosed {
		return &blockExt{kind: extEOB}, parser.NoChildren
	}
	doc := docString(reader, pc)
	bodyStart := lineEnd(doc, seg.Start) + 1
	if bodyStart > len(doc) {
		return nil, parser.NoChildren
	}
	// find the stop line
	for i := bodyStart; i < len(doc); {
		le := lineEnd(doc, i)
		l := doc[i:le]
		t := strings.TrimLeft(l, " ")
		if len(l)-len(t) <= 3 && strings.HasPrefix(t, "{:/") {
			if b, ok := matchBraceLine(t); ok && (b == "/" || b == "/"+name) {
				body := ""
				if i > bodyStart {
					body = doc[bodyStart : i-1]
				}
				return &blockExt{kind: kind, body: body, stopAt: i}, parser.NoChildren
			}
		}
		i = le + 1
	}
	return nil, parser.NoChildren
}

func (blockExtParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*blockExt)
	if n.done || (n.kind != extComment && n.kind != extNoMarkdown) {
		return parser.Close
	}
	_, seg := reader.PeekLine()
	reader.AdvanceToEOL()
	if seg.Start >= n.stopAt {
		n.done = true
		return parser.Close
	}
	return parser.Continue | parser.NoChildren
}
