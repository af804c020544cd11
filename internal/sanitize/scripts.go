package sanitize

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// bluemonday can allow <script> only wholesale (and then keeps inline
// code), so the one script rule is a structural step around it:
//
//  1. before: each <script> that passes scriptVerdict is replaced by an
//     empty placeholder element naming its allow-list entry; any
//     placeholder-named element already in the input is removed, so it
//     cannot be forged. Every other script is left for bluemonday, which
//     drops it and its content.
//  2. bluemonday sanitises the result; the placeholder is an allowed element.
//  3. after: each placeholder becomes <script [async] src="…"></script>,
//     with src taken from the allow-list, not from the input.
//
// Both steps walk the x/net/html tokenizer that bluemonday itself uses, so
// they see the same tags bluemonday sees.

// scriptAttrs are the attributes an allowed script keeps.
var scriptAttrs = map[string]bool{"src": true, "async": true}

// verdict is the decision on one <script> element.
type verdict struct {
	ok      bool
	index   int    // into allowedScripts, when ok
	async   bool   // keeps its async attribute
	reason  string // why it is removed, when !ok
	dropped []html.Attribute
}

// scriptVerdict applies the CMS rule: a script survives only with a src
// that is exactly one of allowedScripts, no inline code, and no href or
// xlink:href. Other attributes are dropped from a surviving script.
func scriptVerdict(attrs []html.Attribute, body string) verdict {
	var v verdict
	src, hasSrc := "", false
	for _, a := range attrs {
		switch {
		case a.Key == "src" && a.Namespace == "":
			src, hasSrc = a.Val, true
		case a.Key == "href" || strings.HasSuffix(a.Key, ":href"):
			v.reason = "script with an href"
			return v
		case a.Key == "async" && a.Namespace == "":
			v.async = true
		}
		if !scriptAttrs[a.Key] {
			v.dropped = append(v.dropped, a)
		}
	}
	if !hasSrc {
		v.reason = "inline script"
		return v
	}
	if strings.TrimSpace(body) != "" {
		v.reason = "script with inline code"
		return v
	}
	for i, allowed := range allowedScripts {
		if src == allowed {
			v.ok, v.index = true, i
			return v
		}
	}
	v.reason = "script src not in the allow-list"
	return v
}

// scriptElement is one <script> as the tokenizer sees it: its start tag, the
// raw text up to </script> (or the end of input) and the end tag.
type scriptElement struct {
	attrs    []html.Attribute
	body     string
	raw      int // bytes of input it spans
	newlines int // in the body and end tag
}

// readScript consumes the tokens after a script start tag. The tokenizer is
// in raw-text mode there, so at most one text token precedes the end tag.
func readScript(z *html.Tokenizer, attrs []html.Attribute, startLen int) scriptElement {
	e := scriptElement{attrs: attrs, raw: startLen}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return e
		}
		e.raw += len(z.Raw())
		e.newlines += bytes.Count(z.Raw(), []byte{'\n'})
		switch tt {
		case html.TextToken:
			e.body += string(z.Text())
		case html.EndTagToken:
			return e // the tokenizer only ends raw text at </script>
		}
	}
}

func tagAttrs(z *html.Tokenizer) (string, []html.Attribute) {
	name, more := z.TagName()
	return string(name), restAttrs(z, more)
}

// restAttrs reads the attributes of the current tag after TagName.
func restAttrs(z *html.Tokenizer, more bool) []html.Attribute {
	var attrs []html.Attribute
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
	}
	return attrs
}

// replaceScripts is step 1.
func replaceScripts(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	off := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		n := len(z.Raw())
		if off+n > len(s) {
			return s // cannot happen (raw tokens partition the input); bluemonday then drops every script
		}
		raw := s[off : off+n]
		off += n
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			b.WriteString(raw)
			continue
		}
		bname, more := z.TagName()
		switch name := string(bname); {
		case name == placeholder:
			continue // forged placeholder
		case name == "script" && tt != html.EndTagToken:
			e := readScript(z, restAttrs(z, more), n)
			whole := s[off-n : off-n+e.raw]
			off += e.raw - n
			v := scriptVerdict(e.attrs, e.body)
			if !v.ok {
				b.WriteString(whole)
				continue
			}
			b.WriteString("<" + placeholder + " " + placeholderAttr + `="` + strconv.Itoa(v.index) + `"`)
			if v.async {
				b.WriteString(" " + placeholderAsync + `=""`)
			}
			b.WriteString("></" + placeholder + ">")
		default:
			b.WriteString(raw)
		}
	}
	b.WriteString(s[off:]) // an unfinished tag at the end, as bluemonday would see it
	return b.String()
}

// restoreScripts is step 3. It also writes the quotes bluemonday escapes in
// text (&#34; and &#39;) back as characters, as DOMPurify does: in text
// they mean nothing to HTML, and in Markdown bodies kramdown only applies
// smart quotes to literal quote characters.
func restoreScripts(s string) string {
	if !strings.Contains(s, placeholder) && !strings.Contains(s, "&#3") {
		return s
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b bytes.Buffer
	b.Grow(len(s))
	off := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		n := len(z.Raw())
		if off+n > len(s) {
			return s // cannot happen; a placeholder left in place is inert
		}
		raw := s[off : off+n]
		off += n
		switch tt {
		case html.TextToken:
			b.WriteString(unescapeQuotes(raw))
			continue
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		default:
			b.WriteString(raw)
			continue
		}
		if !strings.Contains(raw, placeholder) {
			b.WriteString(raw)
			continue
		}
		name, attrs := tagAttrs(z)
		if name != placeholder {
			b.WriteString(raw)
			continue
		}
		if tt == html.EndTagToken {
			continue
		}
		idx, async := -1, false
		for _, a := range attrs {
			switch a.Key {
			case placeholderAttr:
				if i, err := strconv.Atoi(strings.TrimSpace(a.Val)); err == nil && i >= 0 && i < len(allowedScripts) {
					idx = i
				}
			case placeholderAsync:
				async = true
			}
		}
		if idx < 0 {
			continue
		}
		b.WriteString("<script")
		if async {
			b.WriteString(" async")
		}
		b.WriteString(` src="` + html.EscapeString(allowedScripts[idx]) + `"></script>`)
	}
	b.WriteString(s[off:])
	return b.String()
}

var quoteEntities = strings.NewReplacer("&#34;", `"`, "&#39;", "'")

func unescapeQuotes(text string) string {
	if !strings.Contains(text, "&#3") {
		return text
	}
	return quoteEntities.Replace(text)
}
