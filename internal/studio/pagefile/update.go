package pagefile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Update returns data with the fields in set given new values, the fields
// named in remove deleted, and the body replaced when body is not nil.
//
// A field already in the file is changed in place; a new one is appended at
// the end of the front matter, in the order of set, and a file without front
// matter gets a "---" block before its unchanged body. Only a field's Key,
// Value and Kind are used. Setting a field to the Value Parse returned for it
// changes nothing, so Update with everything Parse returned gives back data
// unchanged. A changed value always reads back as that string: it keeps its
// quoting style when that can hold the new text, plain values are quoted when
// they would otherwise read as something else (true, 123, 2024-01-01, …), and
// a Text value, or any value with a line break, is written as a literal block
// scalar ("|", "|-" or "|+" so trailing line breaks survive). A removed field
// loses all its lines; naming a field that is not there is not an error.
// A new body is written verbatim, so callers choose its line endings.
//
// Everything else — comments, key order, untouched values, indentation,
// blank lines, CRLF line endings, the byte order mark, the delimiter lines and
// the body — stays byte for byte. Update parses its result and returns an
// error wrapping ErrUnsafe rather than anything that does not read back as
// asked.
//
// Update refuses a new key that is not a simple name (ErrInvalidKey), a
// change to a Complex field (ErrComplex) and a value with control characters
// other than tab and line feed (ErrControlChar); the caller should turn
// CRLF from a form into LF.
func Update(data []byte, set []Field, remove []string, body *string) ([]byte, error) {
	p, err := parse(data)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(p.page.Fields))
	for i, f := range p.page.Fields {
		index[f.Key] = i
	}
	var (
		edits   []edit
		adds    []Field
		changed = map[string]string{}
		named   = map[string]bool{}
	)
	for _, f := range set {
		if named[f.Key] {
			return nil, &Error{Key: f.Key, Err: errors.New("set twice in one update")}
		}
		named[f.Key] = true
		i, exists := index[f.Key]
		if exists {
			old := p.page.Fields[i]
			if f.Value == old.Value {
				continue
			}
			if old.Kind == Complex {
				return nil, &Error{Line: old.Line, Key: f.Key, Err: ErrComplex}
			}
			if err := checkValue(f.Value); err != nil {
				return nil, &Error{Line: old.Line, Key: f.Key, Err: err}
			}
			edits = append(edits, p.setEdits(data, i, f)...)
			changed[f.Key] = f.Value
			continue
		}
		if err := checkKey(f.Key); err != nil {
			return nil, &Error{Key: f.Key, Err: err}
		}
		if f.Kind == Complex {
			return nil, &Error{Key: f.Key, Err: ErrComplex}
		}
		if err := checkValue(f.Value); err != nil {
			return nil, &Error{Key: f.Key, Err: err}
		}
		adds = append(adds, f)
		changed[f.Key] = f.Value
	}
	removed := map[string]bool{}
	for _, k := range remove {
		if named[k] {
			return nil, &Error{Key: k, Err: errors.New("both set and removed")}
		}
		i, exists := index[k]
		if !exists || removed[k] {
			continue
		}
		e := p.entries[i]
		removed[k] = true
		end := e.end
		if i > 0 && p.canAbsorb(i-1) {
			// Blank lines after the entry would join the text of a block
			// scalar before it, so they go too.
			end = p.skipBlankLines(data, end)
		}
		edits = append(edits, edit{e.start, end, ""})
	}
	if p.flow && (len(edits) > 0 || len(adds) > 0) {
		return nil, &Error{Line: 2, Err: fmt.Errorf("%w: the front matter is one {…} mapping", ErrUnsafe)}
	}
	if p.bareNull && len(adds) > 0 {
		return nil, &Error{Err: fmt.Errorf("%w: the front matter is a bare null, not key: value lines", ErrUnsafe)}
	}
	out := p.apply(data, edits, adds, body)
	if err := p.verify(out, changed, removed, adds, body); err != nil {
		return nil, err
	}
	return out, nil
}

// canAbsorb reports whether entry i may hold a block scalar, which takes in
// the blank lines that follow it.
func (p *parsed) canAbsorb(i int) bool {
	return p.page.Fields[i].Kind != Scalar
}

// edit replaces data[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// setEdits changes the value of entry i in place.
func (p *parsed) setEdits(data []byte, i int, f Field) []edit {
	e := p.entries[i]
	sep := ""
	if e.empty {
		sep = " " // "key:" becomes "key: value"
	}
	wasBlock := e.style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	start, end := e.after, e.after
	if wasBlock {
		start, end = e.contentStart, e.contentEnd
	}
	if f.Kind == Text || strings.Contains(f.Value, "\n") {
		indent := p.keyIndent + 2
		if wasBlock {
			indent = e.contentIndent
		}
		// Comment lines indented under the entry would become text of the
		// block; indenting the text deeper than them, and saying so in the
		// header for when there is no text to show it, keeps them comments.
		orphans := p.indentAfter(data, end)
		indent = max(indent, orphans+1)
		// An indentation indicator is one digit; past that, and for text
		// a block cannot hold, the value goes double-quoted on one line.
		if blockOK(f.Value) && indent-p.keyIndent <= 9 {
			header, content, keep := block(f.Value, p.keyIndent, indent, p.nl, orphans > 0)
			if keep {
				// "|+" keeps trailing empty lines, so blank lines that used
				// to separate this entry from the next would join the value.
				end = p.skipBlankLines(data, end)
			}
			return []edit{{e.vs, e.ve, sep + header}, {start, end, content}}
		}
	}
	text := strings.Repeat(" ", e.shallow) + sep + inline(f.Value, e.style)
	if e.ve < len(data) && data[e.ve] == '#' {
		text += " " // "|#" and `"x"#` start comments; "value#" would not
	}
	edits := []edit{{e.vs, e.ve, text}}
	if wasBlock {
		edits = append(edits, edit{start, end, ""}) // its text lines go
	}
	return edits
}

// indentAfter returns the deepest indentation among the lines from off up
// to the next line at or left of the keys' column, which are blank lines and
// comments left between two entries. A line of spaces counts too: one that
// is longer than a block's indentation is text of the block.
func (p *parsed) indentAfter(data []byte, off int) int {
	deepest := 0
	for off < p.yamlEnd {
		line, _, _ := bytes.Cut(data[off:p.yamlEnd], []byte("\n"))
		off += len(line) + 1
		line = bytes.TrimSuffix(line, []byte("\r"))
		if isBlank(line) {
			deepest = max(deepest, leadingSpaces(line))
			continue
		}
		n := leadingSpaces(line)
		if n <= p.keyIndent {
			break
		}
		deepest = max(deepest, n)
	}
	return deepest
}

func (p *parsed) skipBlankLines(data []byte, off int) int {
	for off < p.yamlEnd {
		i := bytes.IndexByte(data[off:p.yamlEnd], '\n')
		if i < 0 || !isSpaces(bytes.TrimSuffix(data[off:off+i], []byte("\r"))) {
			break
		}
		off += i + 1
	}
	return off
}

func (p *parsed) apply(data []byte, edits []edit, adds []Field, body *string) []byte {
	var added strings.Builder
	for _, f := range adds {
		added.WriteString(strings.Repeat(" ", p.keyIndent))
		added.WriteString(f.Key)
		added.WriteString(":")
		if (f.Kind == Text || strings.Contains(f.Value, "\n")) && blockOK(f.Value) {
			header, content, _ := block(f.Value, p.keyIndent, p.keyIndent+2, p.nl, false)
			added.WriteString(" " + header + p.nl + content)
		} else {
			added.WriteString(" " + inline(f.Value, 0) + p.nl)
		}
	}
	var out bytes.Buffer
	if !p.page.FrontMatter {
		out.Write(data[:p.bom])
		if len(adds) > 0 {
			out.WriteString("---" + p.nl + added.String() + "---" + p.nl)
		}
		if body != nil {
			out.WriteString(*body)
		} else {
			out.Write(data[p.bom:])
		}
		return out.Bytes()
	}
	if len(adds) > 0 {
		edits = append(edits, edit{p.yamlEnd, p.yamlEnd, added.String()})
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	pos := 0
	for _, e := range edits {
		out.Write(data[pos:e.start])
		out.WriteString(e.text)
		pos = e.end
	}
	if body == nil {
		out.Write(data[pos:])
		return out.Bytes()
	}
	out.Write(data[pos:p.bodyStart])
	if !p.closeNewline && *body != "" {
		out.WriteString(p.nl) // the closing "---" was the file's last line
	}
	out.WriteString(*body)
	return out.Bytes()
}

// verify parses Update's result and checks that it reads back as asked:
// changed and added fields hold their new strings, every other field its old
// value, in the old order, and the body is the expected one. The scanning in
// locate follows the YAML scanner closely but not provably, so this is what
// guarantees that a save never silently damages a page.
func (p *parsed) verify(out []byte, changed map[string]string, removed map[string]bool, adds []Field, body *string) error {
	q, err := parse(out)
	if err != nil {
		return &Error{Err: fmt.Errorf("%w: the result would not parse: %w", ErrUnsafe, err)}
	}
	type want struct {
		key, value, tag string
		kind            Kind
		set             bool
	}
	var wants []want
	for i, f := range p.page.Fields {
		if removed[f.Key] {
			continue
		}
		if v, ok := changed[f.Key]; ok {
			wants = append(wants, want{key: f.Key, value: v, tag: "!!str", set: true})
			continue
		}
		wants = append(wants, want{f.Key, f.Value, p.entries[i].tag, f.Kind, false})
	}
	for _, f := range adds {
		wants = append(wants, want{key: f.Key, value: f.Value, tag: "!!str", set: true})
	}
	if len(q.page.Fields) != len(wants) {
		return &Error{Err: fmt.Errorf("%w: the result would have %d fields, not %d", ErrUnsafe, len(q.page.Fields), len(wants))}
	}
	for i, w := range wants {
		got, e := q.page.Fields[i], q.entries[i]
		ok := got.Key == w.key && got.Value == w.value && e.tag == w.tag
		if w.set {
			ok = ok && got.Kind != Complex
		} else {
			ok = ok && got.Kind == w.kind
		}
		if !ok {
			return &Error{Line: got.Line, Key: w.key, Err: fmt.Errorf("%w: it would read back as %q (%s)", ErrUnsafe, got.Value, e.tag)}
		}
	}
	wantBody := p.page.Body
	if body != nil {
		wantBody = *body
	}
	if q.page.Body != wantBody || (p.page.FrontMatter && !q.page.FrontMatter) {
		return &Error{Err: fmt.Errorf("%w: the body would change", ErrUnsafe)}
	}
	return nil
}

// maxKeyLen keeps keys far below the 1024 characters YAML allows a
// simple key.
const maxKeyLen = 128

// checkKey accepts the names Jekyll sites use (title, third_nav_title,
// file_url, media-colors). Anything else would need quoting, and words like
// "yes" or "on" are booleans to Jekyll's YAML 1.1 parser, not names.
func checkKey(k string) error {
	if k == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(k) > maxKeyLen {
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidKey, maxKeyLen)
	}
	for i, r := range k {
		letter := r == '_' || r < utf8.RuneSelf && unicode.IsLetter(r)
		if !letter && (i == 0 || !(r == '-' || r < utf8.RuneSelf && unicode.IsDigit(r))) {
			return fmt.Errorf("%w: use ASCII letters, digits, _ and -, starting with a letter or _", ErrInvalidKey)
		}
	}
	if implicitWord(k) {
		return fmt.Errorf("%w: %q reads as a boolean or null", ErrInvalidKey, k)
	}
	return nil
}

// checkValue refuses text YAML cannot hold literally and forms should not
// send: control characters would need escapes no editor shows.
func checkValue(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("value is not valid UTF-8")
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return fmt.Errorf("%w (U+%04X)", ErrControlChar, r)
		}
	}
	return nil
}
