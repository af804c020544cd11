// Package pagefile reads a page file (YAML front matter plus body) as the
// fields of Studio's page form, and writes form changes back with the
// smallest possible byte change.
//
// Small changes matter because Studio merges a save line by line with edits
// other people made meanwhile (git merge-file): rewriting the whole front
// matter, as the old CMS did, would turn every concurrent edit into a
// conflict and every save into a noisy diff. So Update edits only the bytes
// of the values it changes and keeps comments, key order, quoting,
// indentation, blank lines, line endings, the byte order mark and the exact
// delimiter lines. Nothing may be lost, so Update re-parses its own output
// and refuses to return anything that does not read back as intended.
package pagefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"isomer.dev/isomer/internal/frontmatter"
)

// Kind says how a field can be edited.
type Kind int

const (
	// Scalar is a single-line value, edited in an <input>.
	Scalar Kind = iota
	// Text is a value with line breaks or written as a block scalar (| or >),
	// edited in a <textarea>.
	Text
	// Complex is anything else — a mapping, a list, an alias, a value with an
	// anchor or an explicit tag, or an entry laid out unusually (an explicit
	// "? key"). It is shown read-only and edited in raw mode.
	Complex
)

func (k Kind) String() string {
	switch k {
	case Scalar:
		return "scalar"
	case Text:
		return "text"
	case Complex:
		return "complex"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Field is one top-level front matter entry.
type Field struct {
	Key string
	// Value is the scalar's text: decoded from quotes or block syntax, and
	// the literal text of non-strings such as `true` or `2024-01-01`. A null
	// (`key:`, `~`, `null`) reads as "". For Complex fields it is the entry's
	// source text, key included, for read-only display.
	Value string
	Kind  Kind
	// Line is the 1-based line of the key in the file.
	Line int
}

// Page is a page file as Studio's form shows it.
type Page struct {
	// Fields are the top-level front matter entries in file order.
	Fields []Field
	// Body is everything after the closing delimiter line, byte for byte.
	Body string
	// FrontMatter reports whether the file has a front matter block.
	FrontMatter bool
}

// Sentinel errors, wrapped in *Error so callers can tell them apart.
var (
	ErrDuplicateKey = errors.New("duplicate key")
	ErrInvalidKey   = errors.New("not a valid key")
	ErrComplex      = errors.New("value is a list, mapping, alias, anchored or tagged value; edit it in raw mode")
	ErrControlChar  = errors.New("value contains a control character")
	// ErrUnsafe reports an update that would not read back as intended; the
	// file is left alone and can still be edited in raw mode.
	ErrUnsafe = errors.New("cannot apply the change safely; edit the file in raw mode")
)

// Error is a problem at a line of the page file.
type Error struct {
	Line int    // 1-based line in the file; 0 when unknown
	Key  string // the field concerned, if any
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "field %q: ", e.Key)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Parse reads a page file. A file without front matter is all body. Errors
// are *Error values naming the file line.
func Parse(data []byte) (*Page, error) {
	p, err := parse(data)
	if err != nil {
		return nil, err
	}
	return &p.page, nil
}

// parsed is a Page plus the byte positions Update edits at. All offsets
// index the whole file.
type parsed struct {
	page    Page
	entries []entry // parallel to page.Fields
	bom     int     // length of the byte order mark, 0 or 3
	// yamlStart and yamlEnd delimit the YAML between the delimiter lines;
	// without front matter both equal bom.
	yamlStart, yamlEnd int
	bodyStart          int
	// closeNewline reports whether the closing delimiter line ends with a
	// line break, which a new body must not be glued to.
	closeNewline bool
	keyIndent    int  // column (0-based) of the top-level keys
	flow         bool // the top-level mapping is written {a: b, …}
	bareNull     bool // the front matter is a lone "~" or "null"
	nl           string
}

// entry locates one field in the file.
type entry struct {
	tag string // resolved YAML tag of a scalar value
	// start and end delimit the entry's whole lines, removed by Update.
	start, end int
	// colon is the offset just after the key's colon.
	colon int
	// vs and ve delimit the scalar's text (for block scalars the header
	// indicators only); equal to colon for an empty null.
	vs, ve int
	empty  bool
	// shallow counts the spaces a single-line value needs before it, when
	// a block scalar header sits on its own line left of the key's text,
	// where a plain or quoted value would read as a new key.
	shallow int
	// after is the offset after the line break ending the value's last line
	// (for block scalars, the header line).
	after int
	style yaml.Style
	// Block scalar content lines and their indentation.
	contentStart, contentEnd, contentIndent int
	keep                                    bool // block scalar with "+" chomping
}

func parse(data []byte) (*parsed, error) {
	p := &parsed{nl: "\n"}
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		p.bom = 3
	}
	doc, err := frontmatter.Split(data)
	switch {
	case errors.Is(err, frontmatter.ErrNone):
		p.yamlStart, p.yamlEnd, p.bodyStart = p.bom, p.bom, p.bom
		p.page.Body = string(data[p.bom:])
		if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
			p.nl = "\r\n"
		}
		return p, nil
	case err != nil:
		return nil, &Error{Line: 1, Err: err}
	}
	p.page.FrontMatter = true
	first := bytes.IndexByte(data, '\n') // Split found a delimiter line, so there is one
	if first > 0 && data[first-1] == '\r' {
		p.nl = "\r\n"
	}
	p.yamlStart = first + 1
	p.yamlEnd = p.yamlStart + len(doc.YAML)
	p.bodyStart = len(data) - len(doc.Body)
	p.closeNewline = doc.Body != nil
	p.page.Body = string(doc.Body)

	// YAML reads a lone CR, U+0085, U+2028 and U+2029 as line breaks; Jekyll,
	// git and this package's line arithmetic do not, so such a file cannot be
	// edited field by field.
	for i, r := range string(doc.YAML) {
		lone := r == '\r' && (i+1 == len(doc.YAML) || doc.YAML[i+1] != '\n')
		if lone || r == 0x85 || r == 0x2028 || r == 0x2029 {
			line := 2 + bytes.Count(doc.YAML[:i], []byte("\n"))
			return nil, &Error{Line: line, Err: fmt.Errorf("front matter has a line break YAML and Git disagree on (%U)", r)}
		}
	}
	// frontmatter.Decode gives the messages and rules every other reader of
	// the site uses (the top level must be a mapping); Line+1 turns its YAML
	// line into a file line, the opening delimiter being line 1.
	if _, err := frontmatter.Decode(doc.YAML); err != nil {
		var fe *frontmatter.Error
		if errors.As(err, &fe) {
			return nil, &Error{Line: lineOrZero(fe.Line, 1), Err: errors.New(fe.Msg)}
		}
		return nil, &Error{Err: err}
	}
	root, err := decodeSingle(doc.YAML)
	if err != nil {
		return nil, err
	}
	if root == nil || root.Kind != yaml.MappingNode {
		// Empty, comments only, or a null such as "~", which new keys
		// cannot simply follow.
		p.bareNull = root != nil && root.Value != ""
		return p, nil
	}
	p.flow = root.Style&yaml.FlowStyle != 0
	y := newLines(doc.YAML)
	if len(root.Content) > 0 {
		p.keyIndent = root.Content[0].Column - 1
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		line := k.Line + 1
		if k.Kind != yaml.ScalarNode {
			return nil, &Error{Line: line, Err: errors.New("key is a list or mapping, not a name")}
		}
		if prev, dup := seen[k.Value]; dup {
			return nil, &Error{Line: line, Key: k.Value, Err: fmt.Errorf("%w (first on line %d)", ErrDuplicateKey, prev)}
		}
		seen[k.Value] = line
		next := y.count() // 0-based line index of the next key
		if i+2 < len(root.Content) {
			next = root.Content[i+2].Line - 1
		}
		f, e, err := p.locate(y, k, v, next)
		if err != nil {
			return nil, &Error{Line: line, Key: k.Value, Err: err}
		}
		f.Line = line
		// Offsets so far index the YAML text; make them index the file.
		for _, off := range []*int{&e.start, &e.end, &e.colon, &e.vs, &e.ve, &e.after, &e.contentStart, &e.contentEnd} {
			*off += p.yamlStart
		}
		p.page.Fields = append(p.page.Fields, f)
		p.entries = append(p.entries, e)
	}
	return p, nil
}

func lineOrZero(yamlLine, offset int) int {
	if yamlLine <= 0 {
		return 0
	}
	return yamlLine + offset
}

// decodeSingle parses the front matter as one YAML document. yaml.Unmarshal
// silently drops a second document ("--- b" is not a delimiter line, so it
// can sit inside front matter), which would make its keys invisible to the
// form; better to refuse.
func decodeSingle(src []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, &Error{Err: fmt.Errorf("front matter: %w", err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{Line: lineOrZero(extra.Line, 1), Err: errors.New("front matter holds more than one YAML document")}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// locate works out the Field for one key/value pair and where its bytes
// are. yaml.v3 nodes carry only a start position, so the ends are found by
// scanning the source the way the YAML scanner does; Update's re-parse
// catches any case where this reading is wrong.
func (p *parsed) locate(y lines, k, v *yaml.Node, next int) (Field, entry, error) {
	f := Field{Key: k.Value}
	var e entry
	if p.flow {
		// Entries share lines, so none can be changed or removed alone.
		f.Kind, f.Value = Complex, v.Value
		return f, e, nil
	}
	kl := k.Line - 1
	e.start = y.start(kl)
	e.style = v.Style
	e.tag = v.Tag

	// The entry's lines run to the next key, less trailing blank lines and
	// comments at the key's indentation (those belong to what follows).
	last := next - 1
	for last > kl {
		t := y.text(last)
		if isBlank(t) || (leadingSpaces(t) <= p.keyIndent && t[leadingSpaces(t)] == '#') {
			last--
			continue
		}
		break
	}
	setEnd := func() {
		e.end = y.start(last + 1)
	}

	keyOff := y.offset(kl, k.Column)
	colon := -1
	if isSpaces(y.src[y.start(kl):keyOff]) {
		colon = keyColon(y.src, keyOff, k.Style)
	}
	// yaml.v3 does not mark the non-specific tag "!" in the node's style.
	vo := y.offset(v.Line-1, v.Column)
	tagged := v.Style&yaml.TaggedStyle != 0 || vo < len(y.src) && y.src[vo] == '!'
	if colon < 0 {
		// "? key" entries, tagged or anchored keys: too rare in front
		// matter to be worth locating; raw mode handles them.
		return f, e, errors.New("key is not followed by a colon on its line")
	}
	if v.Kind != yaml.ScalarNode || v.Anchor != "" || tagged {
		f.Kind = Complex
		setEnd()
		f.Value = strings.TrimSuffix(strings.TrimSuffix(string(y.src[e.start:e.end]), "\n"), "\r")
		return f, e, nil
	}
	e.colon = colon
	f.Value = v.Value
	if v.Tag == "!!null" {
		f.Value = ""
	}
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(v.Value, "\n") {
		f.Kind = Text
	}

	vl := v.Line - 1
	if v.Tag == "!!null" && v.Style == 0 && v.Value == "" {
		e.empty = true
		e.vs, e.ve = colon, colon
		e.after = y.start(kl + 1)
		setEnd()
		return f, e, nil
	}
	e.vs = y.offset(vl, v.Column)
	if col := e.vs - y.start(vl); vl != kl && col <= p.keyIndent {
		e.shallow = p.keyIndent + 2 - col
	}
	endLine := vl
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0:
		e.ve = quotedEnd(y.src, e.vs, '"')
		endLine = y.lineOf(e.ve - 1)
	case v.Style&yaml.SingleQuotedStyle != 0:
		e.ve = quotedEnd(y.src, e.vs, '\'')
		endLine = y.lineOf(e.ve - 1)
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		endLine = p.locateBlock(y, &e, vl, next)
	default:
		e.ve, endLine = plainEnd(y, e.vs, vl, next, p.keyIndent)
	}
	if e.after == 0 {
		e.after = y.start(endLine + 1)
	}
	last = max(last, endLine)
	setEnd()
	return f, e, nil
}

// locateBlock finds a block scalar's header indicators and content lines,
// returning the last line that belongs to it.
func (p *parsed) locateBlock(y lines, e *entry, hl, next int) int {
	i := e.vs + 1
	indicator := 0
	for i < len(y.src) && strings.IndexByte("+-123456789", y.src[i]) >= 0 {
		switch c := y.src[i]; c {
		case '+':
			e.keep = true
		case '-':
		default:
			indicator = int(c - '0')
		}
		i++
	}
	e.ve = i
	e.after = y.start(hl + 1)
	e.contentStart = e.after
	e.contentEnd = e.after

	// The YAML scanner takes the indentation from the indicator, else from
	// the deepest of the leading empty lines and the first content line,
	// and never less than one more than the parent mapping.
	indent := p.keyIndent + indicator
	if indicator == 0 {
		indent = p.keyIndent + 1
		for l := hl + 1; l < next; l++ {
			t := y.text(l)
			indent = max(indent, leadingSpaces(t))
			if !isSpaces(t) {
				break
			}
		}
	}
	e.contentIndent = indent
	last, lastContent := hl, hl
scan:
	for l := hl + 1; l < next; l++ {
		t := y.text(l)
		switch {
		case isSpaces(t) && len(t) <= indent:
			last = l // an empty line: content only if something follows, or with "+"
		case leadingSpaces(t) >= indent:
			last, lastContent = l, l
		default:
			break scan // a less indented line ends the scalar
		}
	}
	if !e.keep {
		last = lastContent
	}
	e.contentEnd = y.start(last + 1)
	return last
}

// keyColon returns the offset just after the ':' that ends the key starting
// at off, or -1 when the key is not a plain or quoted scalar followed by a
// colon on the same line.
func keyColon(src []byte, off int, style yaml.Style) int {
	i := off
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		i = quotedEnd(src, off, '"')
	case style&yaml.SingleQuotedStyle != 0:
		i = quotedEnd(src, off, '\'')
	case style == 0:
		for i < len(src) && src[i] != '\n' {
			if src[i] == ':' && (i+1 == len(src) || strings.IndexByte(" \t\r\n", src[i+1]) >= 0) {
				return i + 1
			}
			i++
		}
		return -1
	default:
		return -1
	}
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i < len(src) && src[i] == ':' && !bytes.Contains(src[off:i], []byte("\n")) {
		return i + 1
	}
	return -1
}

// quotedEnd returns the offset after the closing quote of the quoted scalar
// opening at off. The scanner has already accepted the scalar, so the
// closing quote exists.
func quotedEnd(src []byte, off int, q byte) int {
	for i := off + 1; i < len(src); i++ {
		switch {
		case q == '"' && src[i] == '\\':
			i++
		case src[i] == q:
			if q == '\'' && i+1 < len(src) && src[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(src)
}

// plainEnd returns the end offset of the plain scalar starting at off on
// line l, and its last line. A plain scalar runs to a comment or the end of
// the line, and continues on following lines indented deeper than the
// mapping, across blank lines, until a comment or a shallower line.
func plainEnd(y lines, off, l, next, keyIndent int) (int, int) {
	end, comment := plainLineEnd(y, off, l)
	endLine := l
	for c := l + 1; !comment && c < next; c++ {
		t := y.text(c)
		if isBlank(t) {
			continue
		}
		ls := leadingSpaces(t)
		if ls <= keyIndent {
			break
		}
		first := bytes.TrimLeft(t, " \t")
		if first[0] == '#' {
			break
		}
		end, comment = plainLineEnd(y, y.start(c)+len(t)-len(first), c)
		endLine = c
	}
	return end, endLine
}

// plainLineEnd returns where plain text starting at off on line l ends, and
// whether a comment follows it.
func plainLineEnd(y lines, off, l int) (int, bool) {
	lineEnd := y.start(l) + len(y.text(l))
	end, comment := lineEnd, false
	for i := off + 1; i < lineEnd; i++ {
		if y.src[i] == '#' && (y.src[i-1] == ' ' || y.src[i-1] == '\t') {
			end, comment = i, true
			break
		}
	}
	for end > off && (y.src[end-1] == ' ' || y.src[end-1] == '\t') {
		end--
	}
	return end, comment
}

// lines indexes the lines of the YAML text.
type lines struct {
	src    []byte
	starts []int
}

func newLines(src []byte) lines {
	y := lines{src: src, starts: []int{0}}
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			y.starts = append(y.starts, i+1)
		}
	}
	if len(src) == 0 {
		y.starts = nil
	}
	return y
}

func (y lines) count() int { return len(y.starts) }

// start returns the offset of 0-based line l, or len(src) past the end.
func (y lines) start(l int) int {
	if l >= len(y.starts) {
		return len(y.src)
	}
	return y.starts[l]
}

// text returns line l without its line break.
func (y lines) text(l int) []byte {
	t := y.src[y.start(l):y.start(l+1)]
	t = bytes.TrimSuffix(t, []byte("\n"))
	return bytes.TrimSuffix(t, []byte("\r"))
}

// lineOf returns the 0-based line holding offset off.
func (y lines) lineOf(off int) int {
	l := 0
	for l+1 < len(y.starts) && y.starts[l+1] <= off {
		l++
	}
	return l
}

// offset converts a yaml.v3 column, which counts characters from 1, to a
// byte offset on line l.
func (y lines) offset(l, col int) int {
	off := y.start(l)
	for n := 1; n < col && off < len(y.src); n++ {
		_, size := utf8.DecodeRune(y.src[off:])
		off += size
	}
	return off
}

func leadingSpaces(b []byte) int {
	n := 0
	for n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}

func isSpaces(b []byte) bool { return leadingSpaces(b) == len(b) }

func isBlank(b []byte) bool { return len(bytes.Trim(b, " \t")) == 0 }
