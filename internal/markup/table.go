package markup

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// kramdown tables: any run of lines containing an unescaped pipe that starts
// after a block boundary and ends before one. A separator line after the
// first rows makes them the header; "|===|" starts the footer. This is
// kramdown's syntax, a superset of GFM's.

var (
	kindTable   = ast.NewNodeKind("KramdownTable")
	kindSection = ast.NewNodeKind("KramdownTableSection")
	kindRow     = ast.NewNodeKind("KramdownTableRow")
	kindCell    = ast.NewNodeKind("KramdownTableCell")
)

type table struct {
	ast.BaseBlock
	align   []string
	lastOff int // absolute offset of the start of the last table line
	done    bool
	rows    []text.Segment
}

func (n *table) Kind() ast.NodeKind         { return kindTable }
func (n *table) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type tableSection struct {
	ast.BaseBlock
	tag string
}

func (n *tableSection) Kind() ast.NodeKind         { return kindSection }
func (n *tableSection) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type tableRow struct{ ast.BaseBlock }

func (n *tableRow) Kind() ast.NodeKind         { return kindRow }
func (n *tableRow) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type tableCell struct {
	ast.BaseBlock
	header bool
	align  string
}

func (n *tableCell) Kind() ast.NodeKind         { return kindCell }
func (n *tableCell) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

type tableParser struct{}

func (tableParser) Trigger() []byte             { return nil }
func (tableParser) CanInterruptParagraph() bool { return false }
func (tableParser) CanAcceptIndentedLine() bool { return false }

// hasPipe is kramdown's TABLE_PIPE_CHECK: a leading pipe or an unescaped
// one. Every line that may start a block is asked, so it looks for pipes
// with IndexByte rather than at every byte.
func hasPipe(l []byte) bool {
	for i := 0; ; i++ {
		k := bytes.IndexByte(l[i:], '|')
		if k < 0 {
			return false
		}
		i += k
		if i == 0 || l[i-1] != '\\' && l[i-1] != '\n' {
			return true
		}
	}
}

// afterBoundary reports whether a block starting at the line beginning at
// off follows a block boundary (kramdown's after_block_boundary?).
func afterBoundary(parent ast.Node, doc []byte, off int) bool {
	last := parent.LastChild()
	if last == nil {
		return true
	}
	if e, ok := last.(*blockExt); ok && e.kind != extComment && e.kind != extNoMarkdown {
		return true
	}
	if off == 0 {
		return true
	}
	ps := off - 1
	for ps > 0 && doc[ps-1] != '\n' {
		ps--
	}
	for i := ps; i < off; i++ {
		if c := doc[i]; !isSpace(c) && c != '>' {
			return false
		}
	}
	return true
}

func (tableParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || !hasPipe(line[pos:]) {
		return nil, parser.NoChildren
	}
	doc := reader.Source()
	if !afterBoundary(parent, doc, seg.Start) {
		return nil, parser.NoChildren
	}
	// Look ahead for the extent of the table and the boundary after it.
	off := seg.Start
	last := off
	for off < len(doc) {
		le := lineEndBytes(doc, off)
		if !hasPipe(doc[off:le]) {
			break
		}
		last = off
		off = le + 1
	}
	if off < len(doc) && !boundaryLine(string(doc[off:lineEndBytes(doc, off)])) {
		return nil, parser.NoChildren
	}
	t := &table{lastOff: last}
	t.rows = append(t.rows, text.NewSegment(sourceOffset(seg, pos), seg.Stop))
	if seg.Start >= last {
		t.done = true
	}
	return t, parser.NoChildren
}

func lineEndBytes(doc []byte, i int) int {
	if e := bytes.IndexByte(doc[i:], '\n'); e >= 0 {
		return i + e
	}
	return len(doc)
}

// boundaryLine reports whether a line is a kramdown block boundary: blank,
// an IAL or the end-of-block marker.
func boundaryLine(l string) bool {
	_, ial := matchBraceLine(trimIndent(l))
	return isBlankStr(l) || ial || isBlankStr(trimPrefix(l, "^"))
}

func trimIndent(s string) string {
	for i := 0; i < 3 && len(s) > 0 && s[0] == ' '; i++ {
		s = s[1:]
	}
	return s
}

func trimPrefix(s, p string) string {
	s = trimIndent(s)
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return "x"
}

func (tableParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	t := node.(*table)
	if t.done {
		return parser.Close
	}
	line, seg := reader.PeekLine()
	if line == nil {
		return parser.Close
	}
	t.rows = append(t.rows, seg)
	reader.AdvanceToEOL()
	if seg.Start >= t.lastOff {
		t.done = true
		return parser.Close
	}
	return parser.Continue | parser.NoChildren
}

func isSepLine(l []byte, fill byte) bool {
	found := false
	for i := 0; i < len(l); i++ {
		switch c := l[i]; {
		case c == fill:
			found = true
		case c == '+' || c == '|' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			return false
		}
	}
	return found
}

func parseAlign(l string) []string {
	var out []string
	for i := 0; i < len(l); {
		if l[i] != ':' && l[i] != '-' {
			i++
			continue
		}
		left := l[i] == ':'
		j := i
		if left {
			j++
		}
		if j >= len(l) || l[j] != '-' {
			i = j
			continue
		}
		for j < len(l) && l[j] == '-' {
			j++
		}
		right := j < len(l) && l[j] == ':'
		if right {
			j++
		}
		switch {
		case left && right:
			out = append(out, "center")
		case left:
			out = append(out, "left")
		case right:
			out = append(out, "right")
		default:
			out = append(out, "")
		}
		i = j
	}
	return out
}

// splitCells splits a row at unescaped pipes outside code spans and returns
// the cell segments, trimmed.
func splitCells(src []byte, seg text.Segment) []text.Segment {
	start := seg.Start
	stop := seg.Stop
	for stop > start && isSpace(src[stop-1]) {
		stop--
	}
	// at most a cell more than pipes, so that appending never grows it
	cells := make([]text.Segment, 0, 1+bytes.Count(src[start:stop], []byte{'|'}))
	for i := start; i < stop; i++ {
		switch src[i] {
		case '\\':
			i++
		case '`':
			n := 1
			for i+n < stop && src[i+n] == '`' {
				n++
			}
			// find a closing run of exactly n backticks
			j := i + n
			closed := -1
			for j < stop {
				if src[j] != '`' {
					j++
					continue
				}
				m := 1
				for j+m < stop && src[j+m] == '`' {
					m++
				}
				if m == n {
					closed = j + m
					break
				}
				j += m
			}
			if closed > 0 {
				i = closed - 1
			} else {
				i += n - 1
			}
		case '|':
			cells = append(cells, text.NewSegment(start, i))
			start = i + 1
		}
	}
	cells = append(cells, text.NewSegment(start, stop))
	for k := range cells {
		c := cells[k].TrimLeftSpace(src)
		cells[k] = c.TrimRightSpace(src)
	}
	return cells
}

func (tableParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	t := node.(*table)
	src := reader.Source()
	if len(t.rows) == 0 {
		return
	}
	first := t.rows[0]
	leadingPipe := false
	for i := first.Start; i < first.Stop; i++ {
		if !isSpace(src[i]) {
			leadingPipe = src[i] == '|'
			break
		}
	}
	type secRows struct {
		tag  string
		rows [][]text.Segment
	}
	var secs []secRows
	var rows [][]text.Segment
	hasFooter, haveAlign := false, false
	columns := 0
	flush := func(tag string, force bool) {
		if !hasFooter || tag != "tbody" || force {
			secs = append(secs, secRows{tag, rows})
			rows = nil
		}
	}
	for _, r := range t.rows {
		l := r.Value(src)
		switch {
		case isSepLine(l, '-'):
			if len(rows) == 0 {
				continue
			}
			if !haveAlign && !hasFooter {
				flush("thead", false)
				t.align = parseAlign(string(l))
				haveAlign = true
			} else {
				flush("tbody", false)
			}
		case isSepLine(l, '='):
			if len(rows) > 0 {
				flush("tbody", true)
			}
			hasFooter = true
		default:
			cells := splitCells(src, r)
			if leadingPipe && len(cells) > 0 && cells[0].Len() == 0 {
				cells = cells[1:]
			}
			if len(cells) > 0 && cells[len(cells)-1].Len() == 0 {
				cells = cells[:len(cells)-1]
			}
			if len(cells) > columns {
				columns = len(cells)
			}
			rows = append(rows, cells)
		}
	}
	if len(rows) > 0 {
		if hasFooter {
			flush("tfoot", false)
		} else {
			flush("tbody", false)
		}
	}
	hasBody := false
	for _, s := range secs {
		if s.tag == "tbody" {
			hasBody = true
		}
	}
	if !hasBody {
		// kramdown rejects a table without body: the lines are a paragraph.
		p := ast.NewParagraph()
		for _, r := range t.rows {
			p.Lines().Append(r)
		}
		if parent := node.Parent(); parent != nil {
			parent.ReplaceChild(parent, node, p)
		}
		return
	}
	for len(t.align) < columns {
		t.align = append(t.align, "")
	}
	t.align = t.align[:columns]
	for _, s := range secs {
		sec := &tableSection{tag: s.tag}
		for _, cells := range s.rows {
			row := &tableRow{}
			for i := 0; i < columns; i++ {
				c := &tableCell{header: s.tag == "thead", align: t.align[i]}
				if i < len(cells) && cells[i].Len() > 0 {
					c.Lines().Append(cells[i])
				}
				row.AppendChild(row, c)
			}
			sec.AppendChild(sec, row)
		}
		t.AppendChild(t, sec)
	}
}
