package markup

import "strings"

// This file holds a small scanner for the HTML that kramdown recognises,
// following the regular expressions of kramdown's HTML parser (HTML_TAG_RE,
// HTML_TAG_CLOSE_RE, HTML_COMMENT_RE), so that block and span HTML start
// and end exactly where kramdown's do.

// elementClass is what kramdown's HTML parser knows about an element name
// (its HTML_ELEMENT, HTML_SPAN_ELEMENTS, HTML_BLOCK_ELEMENTS and
// HTML_CONTENT_MODEL tables): a set of the flags below, zero for a name it
// does not know.
type elementClass uint8

const (
	knownElement elementClass = 1 << iota // kramdown lower-cases the name
	spanElement
	blockElement
	voidElement
	blockContent // markdown="1" makes the content block-level
	spanContent  // markdown="1" makes the content span-level
)

// classOf returns the class of an element name as normName returns it (or
// lower-cased). It is a switch, not a lookup in a list, because every tag
// of raw HTML asks it.
func classOf(name string) elementClass {
	switch name {
	case "a", "abbr", "acronym", "b", "bdo", "big", "button", "cite", "del", "dfn", "em", "i", "ins",
		"label", "q", "rb", "rbc", "rp", "rt", "rtc", "ruby", "select", "small", "span", "strong",
		"sub", "sup", "tt":
		return knownElement | spanElement | spanContent
	case "code", "kbd", "mark", "option", "samp", "u", "var":
		return knownElement | spanElement
	case "br", "img", "input":
		return knownElement | spanElement | voidElement
	case "address", "applet", "article", "aside", "blockquote", "body", "dd", "div", "dl", "fieldset",
		"figcaption", "footer", "form", "header", "hgroup", "iframe", "li", "main", "map", "menu",
		"nav", "section", "summary", "td":
		return knownElement | blockElement | blockContent
	case "caption", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "legend", "optgroup", "p", "th":
		return knownElement | blockElement | spanContent
	case "colgroup", "head", "html", "ol", "pre", "table", "tbody", "tfoot", "thead", "tr", "ul":
		return knownElement | blockElement
	case "col", "hr":
		return knownElement | blockElement | voidElement
	case "area", "base", "command", "embed", "keygen", "link", "meta", "param", "source", "track", "wbr":
		return knownElement | voidElement
	case "details", "figure", "noscript", "object":
		return knownElement | blockContent
	case "math", "script", "style", "textarea":
		return knownElement
	}
	return 0
}

// hasClass reports whether name, lower-cased, has any of the flags in class.
func hasClass(name string, class elementClass) bool {
	return classOf(strings.ToLower(name))&class != 0
}

// inList reports whether name is one of the whitespace-separated words of
// list (which starts and ends with whitespace). It does not allocate.
func inList(list, name string) bool {
	if name == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(list[i:], name)
		if j < 0 {
			return false
		}
		j += i
		if isSpace(list[j-1]) && j+len(name) < len(list) && isSpace(list[j+len(name)]) {
			return true
		}
		i = j + 1
	}
}

type scanResult int

const (
	scanFail scanResult = iota
	scanOK
	scanIncomplete // input ended while the construct was still valid
)

type htmlAttr struct{ key, val string }

type htmlTag struct {
	name   string
	attrs  []htmlAttr
	closed bool // written as <x ... />
	end    int  // offset just past '>'
}

func isNameStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c == '-' || c == '.' || c >= '0' && c <= '9'
}

func scanName(s string, i int) int {
	if i >= len(s) || !isNameStart(s[i]) {
		return i
	}
	i++
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	return i
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isUnicodeWordByte(c byte) bool { return isWordByte(c) || c >= 0x80 }

// scanStartTag matches HTML_TAG_RE at s[0] == '<'. The tag's attributes
// are appended to attrs, which lets a caller that is done with one tag's
// attributes reuse their slice for the next.
func scanStartTag(s string, attrs []htmlAttr) (htmlTag, scanResult) {
	t := htmlTag{attrs: attrs[:0]}
	n := scanName(s, 1)
	if n == 1 {
		if len(s) == 1 {
			return t, scanIncomplete
		}
		return t, scanFail
	}
	t.name = s[1:n]
	i := n
	for {
		j := skipSpace(s, i)
		if j >= len(s) {
			return t, scanIncomplete
		}
		switch s[j] {
		case '>':
			t.end = j + 1
			return t, scanOK
		case '/':
			if j+1 >= len(s) {
				return t, scanIncomplete
			}
			if s[j+1] == '>' {
				t.closed = true
				t.end = j + 2
				return t, scanOK
			}
			return t, scanFail
		}
		if j == i { // attributes must be separated by whitespace
			return t, scanFail
		}
		k := scanName(s, j)
		if k == j {
			return t, scanFail
		}
		a := htmlAttr{key: s[j:k]}
		m := skipSpace(s, k)
		if m >= len(s) {
			return t, scanIncomplete
		}
		if s[m] == '=' {
			m = skipSpace(s, m+1)
			if m >= len(s) {
				return t, scanIncomplete
			}
			if q := s[m]; q == '"' || q == '\'' {
				e := strings.IndexByte(s[m+1:], q)
				if e < 0 {
					return t, scanIncomplete
				}
				a.val = s[m+1 : m+1+e]
				i = m + 2 + e
			} else {
				e := m
				for e < len(s) && isUnicodeWordByte(s[e]) {
					e++
				}
				if e == m {
					return t, scanFail
				}
				if e == len(s) {
					return t, scanIncomplete
				}
				a.val = s[m:e]
				i = e
			}
		} else {
			i = k
		}
		t.attrs = append(t.attrs, a)
	}
}

// scanEndTag matches HTML_TAG_CLOSE_RE at s[0:2] == "</".
func scanEndTag(s string) (name string, end int, r scanResult) {
	n := scanName(s, 2)
	if n == 2 {
		if len(s) == 2 {
			return "", 0, scanIncomplete
		}
		return "", 0, scanFail
	}
	j := skipSpace(s, n)
	if j >= len(s) {
		return "", 0, scanIncomplete
	}
	if s[j] != '>' {
		return "", 0, scanFail
	}
	return s[2:n], j + 1, scanOK
}

// scanDelimited matches <!--...--> or <?...?> at s[0].
func scanDelimited(s, open, close string) (int, scanResult) {
	if !strings.HasPrefix(s, open) {
		return 0, scanFail
	}
	e := strings.Index(s[len(open):], close)
	if e < 0 {
		return 0, scanIncomplete
	}
	return len(open) + e + len(close), scanOK
}

// normName is an element name as kramdown writes it: lower-cased when
// kramdown knows the element, as written otherwise.
func normName(name string) string {
	if l := strings.ToLower(name); classOf(l)&knownElement != 0 {
		return l
	}
	return name
}

// writeEscaped writes s escaped the way kramdown's escape_html does:
// <, > and & become entities unless the & starts an entity reference
// (and, for attributes, " becomes &quot;). Runs of plain text are
// written whole.
func writeEscaped(w htmlWriter, s string, attr bool) {
	if !mayNeedEscaping(s, attr) {
		w.WriteString(s)
		return
	}
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			if !attr {
				continue
			}
			rep = "&quot;"
		case '&':
			if n := entityRefLen(s[i:]); n > 0 {
				i += n - 1
				continue
			}
			rep = "&amp;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(rep)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// mayNeedEscaping reports whether s holds a byte that writeEscaped may
// replace. Most text holds none, and searching for each byte in turn is
// much faster than looking at every byte once.
func mayNeedEscaping(s string, attr bool) bool {
	return strings.IndexByte(s, '<') >= 0 || strings.IndexByte(s, '>') >= 0 || strings.IndexByte(s, '&') >= 0 ||
		attr && strings.IndexByte(s, '"') >= 0
}

// entityRefLen returns the length of an XML entity or character reference
// at s[0] == '&', or 0.
func entityRefLen(s string) int {
	if len(s) < 3 {
		return 0
	}
	i := 1
	if s[1] == '#' {
		i = 2
		if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
			i++
			st := i
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f' || s[i] >= 'A' && s[i] <= 'F') {
				i++
			}
			if i == st {
				return 0
			}
		} else {
			st := i
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			if i == st {
				return 0
			}
		}
	} else {
		e := scanName(s, 1)
		if e == 1 {
			return 0
		}
		i = e
	}
	if i < len(s) && s[i] == ';' {
		return i + 1
	}
	return 0
}

// writeStartTag writes a start tag as kramdown does; name is as normName
// returns it.
func writeStartTag(b htmlWriter, name string, attrs []htmlAttr, selfClose bool) {
	b.WriteByte('<')
	b.WriteString(name)
	lower := classOf(name)&knownElement != 0
	for i, a := range attrs {
		k := a.key
		if lower {
			k = strings.ToLower(k)
		}
		dup := false
		for _, o := range attrs[i+1:] {
			if strings.EqualFold(o.key, a.key) {
				dup = true
				break
			}
		}
		if dup || (k == "id" && strings.TrimSpace(a.val) == "") {
			continue // kramdown keeps the last duplicate and drops empty ids
		}
		b.WriteByte(' ')
		b.WriteString(k)
		b.WriteString(`="`)
		writeEscaped(b, a.val, true)
		b.WriteByte('"')
	}
	if selfClose {
		b.WriteString(" />")
	} else {
		b.WriteByte('>')
	}
}
