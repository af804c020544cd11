package sanitize

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/aymerick/douceur/css"
	"github.com/aymerick/douceur/parser"
	"golang.org/x/net/html"
)

// Kind says what a Finding is about.
type Kind int

const (
	// Element: the element is removed (its text content is kept unless the
	// element is one whose content is never shown, such as <script>).
	Element Kind = iota
	// Attribute: the attribute is removed from an element that stays.
	Attribute
	// URL: a URL-valued attribute is removed because of its URL.
	URL
	// Style: some declarations of a style attribute are removed.
	Style
	// Comment: an HTML comment is removed (harmless, but not kept).
	Comment
)

func (k Kind) String() string {
	switch k {
	case Element:
		return "element"
	case Attribute:
		return "attribute"
	case URL:
		return "URL"
	case Style:
		return "style"
	case Comment:
		return "comment"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Finding is one thing Sanitize would remove.
type Finding struct {
	Line      int    // 1-based line in the input
	Kind      Kind   //
	Element   string // lower-case element name; empty for comments
	Attribute string // for Attribute, URL and Style
	Value     string // the attribute value, URL or CSS declarations removed (shortened)
	Reason    string // why, where more specific than Kind (scripts)
}

func (f Finding) String() string {
	var msg string
	switch f.Kind {
	case Element:
		msg = fmt.Sprintf("<%s> element removed", f.Element)
	case Attribute:
		msg = fmt.Sprintf("%s attribute removed from <%s>", f.Attribute, f.Element)
	case URL:
		msg = fmt.Sprintf("%s URL %q removed from <%s>", f.Attribute, f.Value, f.Element)
	case Style:
		msg = fmt.Sprintf("CSS %q removed from <%s> style", f.Value, f.Element)
	case Comment:
		msg = "comment removed"
	}
	if f.Reason != "" {
		msg += ": " + f.Reason
	}
	return fmt.Sprintf("line %d: %s", f.Line, msg)
}

// urlAttributes hold URLs; removing one is reported as a URL finding.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true,
	"cite": true, "data": true, "background": true, "codebase": true, "srcset": true,
	"xlink:href": true, "dynsrc": true, "lowsrc": true, "longdesc": true, "ping": true,
}

// skipContent are elements whose content bluemonday drops with them when
// they are not allowed; the content is not reported separately.
var skipContent = map[string]bool{
	"frame": true, "frameset": true, "iframe": true, "noembed": true, "noframes": true,
	"noscript": true, "nostyle": true, "object": true, "script": true, "style": true, "title": true,
}

const maxValue = 120

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxValue {
		return s
	}
	cut := maxValue
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// Findings lists what Sanitize would remove from src, in input order. It
// asks the same bluemonday policy about each start tag on its own, so it
// reports exactly what the policy drops, with the line it is on.
func (p *Policy) Findings(src string) []Finding {
	if !strings.Contains(src, "<") {
		return nil
	}
	f := &finder{p: p, cache: map[string]string{}}
	z := html.NewTokenizer(strings.NewReader(src))
	line := 1
	skipping, skipTag := 0, ""
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		tagLine := line
		line += bytes.Count(raw, []byte{'\n'})
		switch tt {
		case html.CommentToken:
			if skipping == 0 {
				f.add(Finding{Line: tagLine, Kind: Comment, Value: shorten(string(z.Text()))})
			}
		case html.DoctypeToken:
			if skipping == 0 {
				f.add(Finding{Line: tagLine, Kind: Element, Element: "!doctype"})
			}
		case html.EndTagToken:
			if skipping > 0 {
				if name, _ := z.TagName(); string(name) == skipTag {
					skipping--
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			rawTag := string(raw) // TagName and TagAttr may reuse the buffer
			name, attrs := tagAttrs(z)
			if skipping > 0 {
				if name == skipTag && tt == html.StartTagToken {
					skipping++
				}
				continue
			}
			if name == "script" {
				e := readScript(z, attrs, len(rawTag))
				f.script(e, rawTag, tagLine)
				line += e.newlines
				continue
			}
			if removed := f.tag(name, attrs, rawTag, tagLine); removed && skipContent[name] && tt == html.StartTagToken {
				skipping, skipTag = 1, name
			}
		}
	}
	return f.out
}

type finder struct {
	p     *Policy
	cache map[string]string // start tag → bluemonday's output for it
	out   []Finding
}

func (f *finder) add(x Finding) { f.out = append(f.out, x) }

func (f *finder) script(e scriptElement, rawTag string, line int) {
	v := scriptVerdict(e.attrs, e.body)
	if !v.ok {
		f.add(Finding{Line: line, Kind: Element, Element: "script", Reason: v.reason})
		return
	}
	for _, a := range v.dropped {
		f.add(Finding{Line: attrLine(rawTag, a.Key, line), Kind: Attribute, Element: "script", Attribute: a.Key, Value: shorten(a.Val)})
	}
}

// tag reports what the policy removes from one start tag and whether the
// element itself goes.
func (f *finder) tag(name string, attrs []html.Attribute, rawTag string, line int) bool {
	if name == placeholder {
		f.add(Finding{Line: line, Kind: Element, Element: name, Reason: "reserved element name"})
		return true
	}
	tok := html.Token{Type: html.StartTagToken, Data: name, Attr: attrs}
	in := tok.String()
	out, ok := f.cache[in]
	if !ok {
		out = f.p.bm.Sanitize(in)
		f.cache[in] = out
	}
	kept, found := firstTag(out, name)
	if !found {
		f.add(Finding{Line: line, Kind: Element, Element: name})
		return true
	}
	for _, a := range attrs {
		key := a.Key
		if a.Namespace != "" {
			key = a.Namespace + ":" + a.Key
		}
		at := attrLine(rawTag, key, line)
		val, stays := kept[key]
		switch {
		case !stays && urlAttributes[key]:
			f.add(Finding{Line: at, Kind: URL, Element: name, Attribute: key, Value: shorten(a.Val)})
		case !stays && key == "style":
			f.add(Finding{Line: at, Kind: Style, Element: name, Attribute: key, Value: shorten(a.Val)})
		case !stays:
			f.add(Finding{Line: at, Kind: Attribute, Element: name, Attribute: key, Value: shorten(a.Val)})
		case key == "style":
			if lost := lostDeclarations(a.Val, val); lost != "" {
				f.add(Finding{Line: at, Kind: Style, Element: name, Attribute: key, Value: shorten(lost)})
			} else if squashCSS(a.Val) != squashCSS(val) {
				// Text the CSS parser skipped (stray braces, say) is gone too.
				f.add(Finding{Line: at, Kind: Style, Element: name, Attribute: key, Value: shorten(a.Val), Reason: "CSS that does not parse as declarations"})
			}
		}
	}
	return false
}

// firstTag returns the attributes of the first start tag named name in s.
func firstTag(s, name string) (map[string]string, bool) {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, false
		case html.StartTagToken, html.SelfClosingTagToken:
			n, attrs := tagAttrs(z)
			if n != name {
				continue
			}
			m := make(map[string]string, len(attrs))
			for _, a := range attrs {
				m[a.Key] = a.Val
			}
			return m, true
		}
	}
}

// parseDeclarations parses a style attribute the way bluemonday does: the
// parser needs a final ";".
func parseDeclarations(style string) ([]*css.Declaration, error) {
	style = strings.TrimRight(style, " ")
	if style != "" && !strings.HasSuffix(style, ";") {
		style += ";"
	}
	return parser.ParseDeclarations(style)
}

// lostDeclarations lists the declarations of before that are not in after.
func lostDeclarations(before, after string) string {
	kept := map[string]bool{}
	if decls, err := parseDeclarations(after); err == nil {
		for _, d := range decls {
			kept[strings.ToLower(d.Property)+":"+strings.TrimSpace(d.Value)] = true
		}
	}
	decls, err := parseDeclarations(before)
	if err != nil {
		return before
	}
	var lost []string
	for _, d := range decls {
		if !kept[strings.ToLower(d.Property)+":"+strings.TrimSpace(d.Value)] {
			lost = append(lost, d.Property+": "+d.Value)
		}
	}
	return strings.Join(lost, "; ")
}

// squashCSS removes what re-serialising declarations changes anyway:
// whitespace and the final ";".
func squashCSS(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.TrimRight(s, ";")
}

// attrLine is the line of attribute key inside a start tag that begins on
// line: the tag's line plus the newlines before the attribute name.
func attrLine(rawTag, key string, line int) int {
	// ASCII-only lower-casing keeps byte offsets (the tokenizer lower-cases
	// attribute names the same way).
	lower := []byte(rawTag)
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	for from := 0; ; {
		i := bytes.Index(lower[from:], []byte(key))
		if i < 0 {
			return line
		}
		i += from
		end := i + len(key)
		if i == 0 {
			from = end
			continue
		}
		before := lower[i-1]
		if (before == ' ' || before == '\n' || before == '\t' || before == '\r' || before == '\f' || before == '/' || before == '"' || before == '\'') &&
			(end == len(lower) || bytes.IndexByte([]byte(" \n\t\r\f=/>"), lower[end]) >= 0) {
			return line + strings.Count(rawTag[:i], "\n")
		}
		from = end
	}
}
