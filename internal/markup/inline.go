package markup

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

var (
	kindTypo     = ast.NewNodeKind("KramdownTypo")
	kindSpanIAL  = ast.NewNodeKind("KramdownSpanIAL")
	kindSpanExt  = ast.NewNodeKind("KramdownSpanExt")
	kindSpanHTML = ast.NewNodeKind("KramdownSpanHTML")
	kindAbbr     = ast.NewNodeKind("KramdownAbbr")
	kindLiteral  = ast.NewNodeKind("KramdownLiteral")
)

// typo is a smart quote or typographic symbol, kept as its UTF-8 text
// (kramdown's entity_output: as_char).
type typo struct {
	ast.BaseInline
	text string
	orig string // source text, for image alt text
}

func (n *typo) Kind() ast.NodeKind { return kindTypo }
func (n *typo) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"text": n.text}, nil)
}

// spanIAL is "{: ...}" inside a paragraph; the transformer attaches it to
// the preceding element or turns it back into text.
type spanIAL struct {
	ast.BaseInline
	attrs *attrList
	raw   string
}

func (n *spanIAL) Kind() ast.NodeKind         { return kindSpanIAL }
func (n *spanIAL) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// spanExt is an inline {::comment}…{:/comment} or {::nomarkdown}…{:/}.
type spanExt struct {
	ast.BaseInline
	comment bool
	body    string
}

func (n *spanExt) Kind() ast.NodeKind         { return kindSpanExt }
func (n *spanExt) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// spanHTML is one inline HTML tag or comment.
type spanHTML struct {
	ast.BaseInline
	comment string // whole comment when this is one
	name    string
	attrs   []htmlAttr
	closing bool
	closed  bool // <x/> or a void element
}

func (n *spanHTML) Kind() ast.NodeKind { return kindSpanHTML }
func (n *spanHTML) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"name": n.name}, nil)
}

// literal is text that must be printed escaped, not interpreted.
type literal struct {
	ast.BaseInline
	text string
}

func (n *literal) Kind() ast.NodeKind { return kindLiteral }
func (n *literal) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"text": n.text}, nil)
}

// abbr is an abbreviation occurrence.
type abbr struct {
	ast.BaseInline
	text  string
	title string
}

func (n *abbr) Kind() ast.NodeKind         { return kindAbbr }
func (n *abbr) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

const (
	lsquo = "\u2018"
	rsquo = "\u2019"
	ldquo = "\u201c"
	rdquo = "\u201d"
	nbsp  = "\u00a0"
)

type typoParser struct{}

func (typoParser) Trigger() []byte { return []byte{'\'', '"', '-', '.', '<', '>'} }

func isASCIIWord(c byte) bool { return isWordByte(c) }

func at(s []byte, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

const sqPunct = "!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}~"

func (typoParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) == 0 {
		return nil
	}
	c := line[0]
	switch c {
	case '-':
		if at(line, 1) != '-' {
			return nil
		}
		if at(line, 2) == '-' {
			block.Advance(3)
			return &typo{text: "\u2014", orig: "---"}
		}
		block.Advance(2)
		return &typo{text: "\u2013", orig: "--"}
	case '.':
		if at(line, 1) == '.' && at(line, 2) == '.' {
			block.Advance(3)
			return &typo{text: "\u2026", orig: "..."}
		}
		return nil
	case '<':
		if at(line, 1) != '<' {
			return nil
		}
		if at(line, 2) == ' ' {
			block.Advance(3)
			return &typo{text: "\u00ab" + nbsp, orig: "<< "}
		}
		block.Advance(2)
		return &typo{text: "\u00ab", orig: "<<"}
	case '>':
		if at(line, 1) != '>' {
			return nil
		}
		// " >>" swallows the space before it.
		if t, ok := parent.LastChild().(*ast.Text); ok && !t.SoftLineBreak() && !t.HardLineBreak() &&
			t.Segment.Len() > 0 && block.Source()[t.Segment.Stop-1] == ' ' && t.Segment.Stop == seg.Start {
			t.Segment = t.Segment.WithStop(t.Segment.Stop - 1)
			block.Advance(2)
			return &typo{text: nbsp + "\u00bb", orig: " >>"}
		}
		block.Advance(2)
		return &typo{text: "\u00bb", orig: ">>"}
	}
	return parseSmartQuote(parent, block, line)
}

func leftQuote(q byte) string {
	if q == '"' {
		return ldquo
	}
	return lsquo
}

func rightQuote(q byte) string {
	if q == '"' {
		return rdquo
	}
	return rsquo
}

// parseSmartQuote follows kramdown's SQ_RULES. kramdown matches them at the
// character before the quote when that character is still plain text (p
// present) and at the quote itself otherwise.
func parseSmartQuote(parent ast.Node, block text.Reader, line []byte) ast.Node {
	q := line[0]
	rest := line[1:]
	one := func(s string) ast.Node {
		block.Advance(1)
		return &typo{text: s, orig: string(q)}
	}
	two := func(a, b string) ast.Node {
		block.Advance(2)
		return &typo{text: a + b, orig: string(line[:2])}
	}
	r0, r1 := at(rest, 0), at(rest, 1)
	other := byte('\'')
	if q == '\'' {
		other = '"'
	}
	pPresent := false
	var p rune
	if t, ok := parent.LastChild().(*ast.Text); ok {
		pPresent = true
		p = block.PrecendingCharacter()
		if t.SoftLineBreak() || t.HardLineBreak() {
			p = '\n'
		}
	}
	if pPresent && p == '\\' {
		pPresent = false
	}
	if pPresent {
		if p == ' ' || p == '\t' || p == '\n' || p == '\r' || p == '\f' || p == '\v' {
			if r0 == other && isASCIIWord(r1) {
				return two(leftQuote(q), leftQuote(other))
			}
			if q == '\'' && isDigit(r0) && isDigit(r1) && at(rest, 2) == 's' {
				return one(rsquo)
			}
			return one(leftQuote(q))
		}
		if !strings.ContainsRune(" \\\t\r\n[{(-", p) {
			return one(rightQuote(q))
		}
		return one(leftQuote(q))
	}
	// rule 1: before emphasis
	if (r0 == '_' || r0 == '*') && r1 != 0 && (!isSpace(r1) && r1 != '_' && r1 != '*' || (r1 == '_' || r1 == '*') && at(rest, 2) != 0 && !isSpace(at(rest, 2))) {
		return one(leftQuote(q))
	}
	// rule 2: before punctuation
	if r0 != 0 && strings.IndexByte(sqPunct, r0) >= 0 && !(r1 == '.' && at(rest, 2) == '.') {
		if isASCIIWord(r0) == isASCIIWord(r1) {
			return one(rightQuote(q))
		}
	}
	if r0 == other && isASCIIWord(r1) {
		return two(leftQuote(q), leftQuote(other))
	}
	if q == '\'' && isDigit(r0) && isDigit(r1) && at(rest, 2) == 's' {
		return one(rsquo)
	}
	// rule 8: before whitespace, "s\b" or the end of the line
	if r0 == 0 || isSpace(r0) || (r0 == 's' && !isASCIIWord(r1)) {
		return one(rightQuote(q))
	}
	// rule 7 with the quote itself as the closing character
	if r0 == '\'' || r0 == '"' {
		block.Advance(2)
		return &typo{text: string(q) + rightQuote(r0), orig: string(line[:2])}
	}
	return one(leftQuote(q))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// spanExtParser handles "{:" in text: span IALs and span extensions.
type spanExtParser struct{}

func (spanExtParser) Trigger() []byte { return []byte{'{'} }

func (spanExtParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 4 || line[1] != ':' {
		return nil
	}
	if line[2] == '/' {
		return nil
	}
	d := defs(pc)
	// A line without a closing brace is scanned once, not once per "{:".
	if seg.Start >= d.noBrace.from && seg.Start < d.noBrace.to {
		return nil
	}
	e := braceEnd(line[2:])
	if e < 0 {
		d.noBrace = span{seg.Start, seg.Stop}
		return nil
	}
	if line[2] == ':' {
		return parseSpanExtension(string(line[:min(len(line), 2+e+1+256)]), block, line)
	}
	if e == 0 {
		return nil
	}
	s := string(line[:2+e+1])
	block.Advance(2 + e + 1)
	d.inlineFix = true
	return &spanIAL{attrs: parseAttrList(s[2 : 2+e]), raw: s}
}

// span is a range of absolute offsets known not to hold something.
type span struct{ from, to int }

// braceEnd is scanBraceBody on bytes, using IndexByte to stay fast.
func braceEnd(b []byte) int {
	off := 0
	for {
		i := bytes.IndexByte(b[off:], '}')
		if i < 0 {
			return -1
		}
		i += off
		// count the backslashes before it: \} is an escaped brace only
		// when the backslash itself is not escaped
		k := i
		for k > off && b[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i
		}
		off = i + 1
	}
}

func parseSpanExtension(s string, block text.Reader, line []byte) ast.Node {
	n := 3
	for n < len(s) && isWordByte(s[n]) {
		n++
	}
	name := s[3:n]
	e := scanBraceBody(s[n:])
	if name == "" || e < 0 {
		return nil
	}
	tagEnd := n + e + 1
	inner := s[n : n+e]
	selfClosed := strings.HasSuffix(inner, "/")
	switch name {
	case "comment", "nomarkdown", "options":
	default:
		return nil
	}
	if selfClosed || name == "options" {
		if !selfClosed {
			return nil
		}
		block.Advance(tagEnd)
		return &spanExt{comment: name == "comment"}
	}
	rest := line[tagEnd:]
	stop := -1
	stopLen := 0
	for _, st := range []string{"{:/" + name + "}", "{:/}"} {
		if i := bytes.Index(rest, []byte(st)); i >= 0 && (stop < 0 || i < stop) {
			stop, stopLen = i, len(st)
		}
	}
	if stop < 0 {
		return nil
	}
	block.Advance(tagEnd + stop + stopLen)
	return &spanExt{comment: name == "comment", body: string(rest[:stop])}
}

// spanHTMLParser recognises inline HTML the way kramdown's span parser
// does: block-level start tags are text, the rest is kept and re-serialised.
type spanHTMLParser struct{}

func (spanHTMLParser) Trigger() []byte { return []byte{'<'} }

func (spanHTMLParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	d := defs(pc)
	d.inlineFix = true
	if bytes.HasPrefix(line, []byte("<!--")) {
		if seg.Start >= d.noComment.from && seg.Start < d.noComment.to {
			return nil
		}
		e := bytes.Index(line[4:], []byte("-->"))
		if e >= 0 {
			n := 4 + e + 3
			block.Advance(n)
			return &spanHTML{comment: string(line[:n])}
		}
		// The comment may go on over the paragraph's next lines.
		l0, p0 := block.Position()
		text := append([]byte(nil), line...)
		block.AdvanceLine()
		for {
			next, _ := block.PeekLine()
			if next == nil {
				block.SetPosition(l0, p0)
				d.noComment = span{seg.Start, seg.Stop}
				return nil
			}
			if e := bytes.Index(next, []byte("-->")); e >= 0 {
				text = append(text, next[:e+3]...)
				block.Advance(e + 3)
				return &spanHTML{comment: string(text)}
			}
			text = append(text, next...)
			block.AdvanceLine()
		}
	}
	// Scan only up to a '>' (further ones when a quoted value holds one),
	// never the whole rest of the line.
	var s string
	r := scanIncomplete
	var t htmlTag
	for end := 0; r == scanIncomplete; {
		i := bytes.IndexByte(line[end:], '>')
		if i < 0 {
			return parseMultiLineTag(block, line)
		}
		end += i + 1
		s = string(line[:end])
		if strings.HasPrefix(s, "</") {
			name, e, rr := scanEndTag(s)
			if rr == scanIncomplete {
				r = rr
				continue
			}
			if rr != scanOK {
				return nil
			}
			block.Advance(e)
			return &spanHTML{name: normName(name), closing: true}
		}
		t, r = scanStartTag(s, nil)
	}
	if r != scanOK {
		return nil
	}
	block.Advance(t.end)
	return spanStartTag(t, s)
}

// maxTagLines bounds how far a start tag may run over lines.
const maxTagLines = 16

// parseMultiLineTag handles a start tag whose attributes go on over the
// paragraph's next lines, which kramdown's HTML_TAG_RE allows.
func parseMultiLineTag(block text.Reader, line []byte) ast.Node {
	if len(line) < 2 || line[1] == '/' || line[1] == '!' {
		return nil
	}
	l0, p0 := block.Position()
	buf := append([]byte(nil), line...)
	lens := []int{len(line)}
	block.AdvanceLine()
	for n := 1; n < maxTagLines; n++ {
		next, _ := block.PeekLine()
		if next == nil {
			break
		}
		buf = append(buf, next...)
		lens = append(lens, len(next))
		if bytes.IndexByte(next, '>') < 0 {
			block.AdvanceLine()
			continue
		}
		t, r := scanStartTag(string(buf), nil)
		if r == scanIncomplete {
			block.AdvanceLine()
			continue
		}
		if r != scanOK {
			break
		}
		block.SetPosition(l0, p0)
		off := t.end
		for _, l := range lens {
			if off < l {
				block.Advance(off)
				break
			}
			off -= l
			block.AdvanceLine()
		}
		return spanStartTag(t, string(buf))
	}
	block.SetPosition(l0, p0)
	return nil
}

func spanStartTag(t htmlTag, s string) ast.Node {
	name := normName(t.name)
	if hasClass(name, blockElement) {
		return &literal{text: s[:t.end]}
	}
	attrs := t.attrs
	for i := range attrs {
		attrs[i].val = collapseNewlines(attrs[i].val)
	}
	attrs = dropAttr(attrs, "markdown")
	return &spanHTML{name: name, attrs: attrs, closed: t.closed || hasClass(name, voidElement)}
}

func collapseNewlines(s string) string {
	if strings.IndexByte(s, '\n') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			for i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
