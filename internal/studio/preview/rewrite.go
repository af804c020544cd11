package preview

import (
	"bytes"
	"encoding/json"
	"strings"

	"golang.org/x/net/html"
)

// rewriter moves a site's root-relative URLs ("/about-us/", "/images/x.png")
// under prefix, so that a build made for the root of a host works from a
// folder of Studio's. The build itself stays exactly what production gets;
// only the served copy changes. Absolute URLs ("https://…"), protocol-relative
// ones ("//host/…"), relative ones ("../x") and fragments are left alone:
// they already resolve the same way under the prefix.
type rewriter struct {
	prefix string // "/sites/3/preview": a clean path, no trailing slash
}

// url returns v moved under the prefix, and whether v was root-relative and
// not already there. It reads v as a browser does: leading and trailing
// spaces and controls do not count, tabs and newlines inside are dropped,
// and a backslash is a slash.
func (w rewriter) url(v string) (string, bool) {
	s := cleanURL(v)
	if !w.rootRelative(s) {
		return v, false
	}
	return w.prefix + "/" + s[1:], true
}

// rootRelative reports whether s, already cleaned, is a root-relative URL
// outside the prefix.
func (w rewriter) rootRelative(s string) bool {
	if s == "" || !isSlash(s[0]) || (len(s) > 1 && isSlash(s[1])) {
		return false
	}
	if rest, ok := strings.CutPrefix(s, w.prefix); ok && (rest == "" || strings.ContainsRune("/?#", rune(rest[0]))) {
		return false // already prefixed
	}
	return true
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }

// cleanURL is what the URL parser sees of an attribute value: without
// leading and trailing C0 controls and spaces, and without tabs and
// newlines anywhere.
func cleanURL(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(v, "\t\n\r") {
		v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	}
	return v
}

// isURLAttr reports whether an attribute holds one URL, on whatever
// element it appears.
func isURLAttr(key string) bool {
	switch key {
	case "href", "src", "action", "formaction", "poster", "background", "cite", "longdesc", "xlink:href":
		return true
	}
	return false
}

// html rewrites the URLs of an HTML document: the attributes that hold
// URLs (see attr), inline styles and style elements, and noscript content.
// Tags with nothing to rewrite are copied byte for byte.
func (w rewriter) html(src []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(src))
	var out bytes.Buffer
	out.Grow(len(src) + len(src)/16)
	rawParent := "" // the element whose raw text comes next
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// End of input; whatever the tokenizer still holds (an
			// unfinished tag) is copied as it was.
			out.Write(z.Raw())
			return out.Bytes()
		case html.StartTagToken, html.SelfClosingTagToken:
			// Raw before Token: Token lower-cases the name in place.
			mark := out.Len()
			out.Write(z.Raw())
			t := z.Token()
			rawParent = ""
			if t.Data == "style" || t.Data == "noscript" {
				rawParent = t.Data
			}
			if w.tag(&t) {
				out.Truncate(mark)
				writeTag(&out, t)
			}
		case html.TextToken:
			switch rawParent {
			case "style":
				out.Write(w.css(z.Raw()))
			case "noscript":
				// Markup when scripting is off: rewrite it as a document.
				out.Write(w.html(z.Raw()))
			default:
				out.Write(z.Raw())
			}
			rawParent = ""
		default:
			out.Write(z.Raw())
			rawParent = ""
		}
	}
}

// tag rewrites the URLs in t's attributes and reports whether any changed.
func (w rewriter) tag(t *html.Token) bool {
	refresh := false
	if t.Data == "meta" {
		for _, a := range t.Attr {
			if a.Key == "http-equiv" && strings.EqualFold(strings.TrimSpace(a.Val), "refresh") {
				refresh = true
			}
		}
	}
	changed := false
	for i := range t.Attr {
		a := &t.Attr[i]
		var v string
		var ok bool
		switch {
		case isURLAttr(a.Key), a.Key == "data" && t.Data == "object":
			v, ok = w.url(a.Val)
		case strings.HasPrefix(a.Key, "data-"):
			// The theme's scripts find their files through data-
			// attributes (data-search-index); a data- value that is a
			// root-relative path is taken to be one of those.
			v, ok = w.url(a.Val)
		case a.Key == "srcset" || a.Key == "imagesrcset":
			v, ok = w.srcset(a.Val)
		case a.Key == "ping":
			v, ok = w.urlList(a.Val)
		case a.Key == "style":
			b := w.css([]byte(a.Val))
			v, ok = string(b), string(b) != a.Val
		case a.Key == "content" && refresh:
			v, ok = w.refresh(a.Val)
		}
		if ok {
			a.Val = v
			changed = true
		}
	}
	return changed
}

// writeTag writes a start tag. Attribute names the tokenizer accepted but
// that could not be written back unambiguously (with quotes, "<" or "=" in
// them, never valid names) are dropped.
func writeTag(out *bytes.Buffer, t html.Token) {
	out.WriteByte('<')
	out.WriteString(t.Data)
	for _, a := range t.Attr {
		if a.Key == "" || strings.ContainsAny(a.Key, "\"'<>=/ \t\n\f\r\x00") {
			continue
		}
		out.WriteByte(' ')
		out.WriteString(a.Key)
		out.WriteString(`="`)
		out.WriteString(html.EscapeString(a.Val))
		out.WriteByte('"')
	}
	if t.Type == html.SelfClosingTagToken {
		out.WriteString("/>")
	} else {
		out.WriteByte('>')
	}
}

// srcset rewrites each image candidate's URL in a srcset value, keeping
// the descriptors ("2x", "480w") and separators as they are. It follows the
// HTML standard's srcset parsing: a URL runs to the next whitespace, commas
// at its end are separators, and descriptors run to the next comma outside
// parentheses.
func (w rewriter) srcset(v string) (string, bool) {
	var b strings.Builder
	changed := false
	for _, part := range srcsetParts(v) {
		if part.url {
			if nu, ok := w.url(part.s); ok {
				b.WriteString(nu)
				changed = true
				continue
			}
		}
		b.WriteString(part.s)
	}
	if !changed {
		return v, false
	}
	return b.String(), true
}

// srcsetPart is a piece of a srcset value: a candidate's URL, or what lies
// between URLs (separators and descriptors).
type srcsetPart struct {
	s   string
	url bool
}

func srcsetParts(v string) []srcsetPart {
	var parts []srcsetPart
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	i := 0
	for i < len(v) {
		start := i
		for i < len(v) && (isSpace(v[i]) || v[i] == ',') {
			i++
		}
		if i > start {
			parts = append(parts, srcsetPart{s: v[start:i]})
		}
		if i == len(v) {
			break
		}
		start = i
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		u := v[start:i]
		trimmed := strings.TrimRight(u, ",")
		parts = append(parts, srcsetPart{s: trimmed, url: true})
		if len(trimmed) < len(u) {
			parts = append(parts, srcsetPart{s: u[len(trimmed):]})
			continue // no descriptors after a comma
		}
		start = i
		depth := 0
		for i < len(v) && (v[i] != ',' || depth > 0) {
			switch v[i] {
			case '(':
				depth++
			case ')':
				if depth > 0 {
					depth--
				}
			}
			i++
		}
		if i > start {
			parts = append(parts, srcsetPart{s: v[start:i]})
		}
	}
	return parts
}

// urlList rewrites a space-separated list of URLs (ping).
func (w rewriter) urlList(v string) (string, bool) {
	fields := strings.Fields(v)
	changed := false
	for i, f := range fields {
		if nu, ok := w.url(f); ok {
			fields[i], changed = nu, true
		}
	}
	if !changed {
		return v, false
	}
	return strings.Join(fields, " "), true
}

// refreshURL finds the URL in a meta refresh's content ("0; url=/x/",
// "5, '/x/'"), as the HTML standard's declarative refresh steps read it: it
// returns where the URL starts and ends, or ok false when there is none.
func refreshURL(v string) (start, end int, ok bool) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	i := 0
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	digits := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == digits && (i == len(v) || v[i] != '.') {
		return 0, 0, false
	}
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	if i == len(v) || !(isSpace(v[i]) || v[i] == ';' || v[i] == ',') {
		return 0, 0, false
	}
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	if i < len(v) && (v[i] == ';' || v[i] == ',') {
		i++
	}
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	if i == len(v) {
		return 0, 0, false
	}
	if j := i + 3; j <= len(v) && strings.EqualFold(v[i:j], "url") {
		for j < len(v) && isSpace(v[j]) {
			j++
		}
		if j < len(v) && v[j] == '=' {
			j++
			for j < len(v) && isSpace(v[j]) {
				j++
			}
			i = j
		}
	}
	if i < len(v) && (v[i] == '"' || v[i] == '\'') {
		q := v[i]
		i++
		end := strings.IndexByte(v[i:], q)
		if end < 0 {
			return i, len(v), true
		}
		return i, i + end, true
	}
	return i, len(v), true
}

// refresh rewrites the URL of a meta refresh's content.
func (w rewriter) refresh(v string) (string, bool) {
	start, end, ok := refreshURL(v)
	if !ok {
		return v, false
	}
	nu, ok := w.url(v[start:end])
	if !ok {
		return v, false
	}
	return v[:start] + nu + v[end:], true
}

// css rewrites url(…) values and @import strings of a style sheet. It
// skips comments and other strings, and only inserts the prefix before a
// URL that starts with a literal slash, so what was valid CSS stays valid.
func (w rewriter) css(src []byte) []byte {
	var out []byte // nil until something changes
	copied := 0
	insert := func(at int) {
		out = append(out, src[copied:at]...)
		out = append(out, w.prefix...)
		copied = at
	}
	n := len(src)
	// quoted skips spaces from j and, if a quoted string follows, prefixes
	// it when root-relative and returns the index after it with done set;
	// otherwise it returns the first non-space index.
	quoted := func(j int) (next int, done bool) {
		for j < n && isCSSSpace(src[j]) {
			j++
		}
		if j < n && (src[j] == '"' || src[j] == '\'') {
			end, content := cssString(src, j)
			if w.cssRootRelative(content) {
				insert(j + 1)
			}
			return end, true
		}
		return j, false
	}
	for i := 0; i < n; {
		c := src[i]
		switch {
		case c == '/' && i+1 < n && src[i+1] == '*':
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				i = n
			} else {
				i += 2 + end + 2
			}
		case c == '\\':
			i += 2
		case c == '"' || c == '\'':
			i, _ = cssString(src, i)
		case (c == 'u' || c == 'U') && i+4 <= n && bytes.EqualFold(src[i:i+4], []byte("url(")) && (i == 0 || !isCSSIdent(src[i-1])):
			j, done := quoted(i + 4)
			if done {
				i = j
				continue
			}
			end := j
			for end < n && src[end] != ')' {
				if src[end] == '\\' {
					end++
				}
				end++
			}
			if w.cssRootRelative(src[j:min(end, n)]) {
				insert(j)
			}
			i = end
		case c == '@' && i+7 <= n && bytes.EqualFold(src[i:i+7], []byte("@import")):
			i, _ = quoted(i + 7)
		default:
			i++
		}
	}
	if out == nil {
		return src
	}
	return append(out, src[copied:]...)
}

// cssRootRelative reports whether a url() or @import value starts with one
// literal slash (escapes are left alone: they never start a site's links).
func (w rewriter) cssRootRelative(v []byte) bool {
	v = bytes.TrimLeft(v, " \t\n\r\f")
	return len(v) > 0 && v[0] == '/' && w.rootRelative(cleanURL(string(v)))
}

// cssString scans the string starting at the quote at i and returns the
// index just past it (or the end of the line or input for an unterminated
// one) and its content between the quotes.
func cssString(src []byte, i int) (end int, content []byte) {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j + 1, src[i+1 : j]
		case '\n':
			return j, src[i+1 : j]
		}
	}
	return len(src), src[i+1:]
}

func isCSSSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isCSSIdent(c byte) bool {
	return c == '-' || c == '_' || c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// searchDocs rewrites the URLs of a search document-table shard
// ([[url,title,kind,date,excerpt],…]): the client links results to them.
// Anything else is returned unchanged.
func (w rewriter) searchDocs(data []byte) []byte {
	var rows [][]json.RawMessage
	if json.Unmarshal(data, &rows) != nil {
		return data
	}
	changed := false
	for _, row := range rows {
		var u string
		if len(row) == 0 || json.Unmarshal(row[0], &u) != nil {
			continue
		}
		if nu, ok := w.url(u); ok {
			if enc, err := json.Marshal(nu); err == nil {
				row[0], changed = enc, true
			}
		}
	}
	if !changed {
		return data
	}
	out, err := json.Marshal(rows)
	if err != nil {
		return data
	}
	return out
}
