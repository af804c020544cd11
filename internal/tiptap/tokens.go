package tiptap

import (
	"bytes"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"isomer.dev/isomer/internal/htmltag"
)

// tokens hands out the tokens of a body, each with its source bytes as a
// sub-slice of the body, split exactly as html.Tokenizer splits it
// (FuzzTokens checks this). It reads text and plain start and end tags
// itself: html.Tokenizer reads a byte at a time and allocates for every
// attribute, and that was most of what a page cost. At the first markup it
// does not read (a comment, doctype or processing instruction, a raw-text
// element such as <script> or <textarea>, a tag cut off by the end of the
// body) it hands the rest of the body to html.Tokenizer, which is then in the
// same state as at the start of a body.
type tokens struct {
	body  []byte
	start int  // where the current token starts
	off   int  // where the next token starts
	bad   bool // html.Tokenizer's partition guarantee did not hold: give up

	// z reads body[off:] once the scanner has handed over, nil until then.
	z *html.Tokenizer

	// The name and attributes of the tag token the scanner read last, as
	// html.Tokenizer delimits them. attrs holds the first attribute of each
	// name only, as the tokenizer does.
	name  htmltag.Span
	attrs []htmltag.Attr

	// attrBlock is where the attribute lists handed out are cut from,
	// rather than an allocation each.
	attrBlock []html.Attribute
}

func newTokens(body []byte) *tokens {
	return &tokens{body: body}
}

func (t *tokens) next() (html.TokenType, []byte) {
	t.start = t.off
	if t.z == nil {
		if t.off == len(t.body) {
			return html.ErrorToken, nil
		}
		if tt, end, ok := t.scan(t.off); ok {
			t.off = end
			return tt, t.body[t.start:end]
		}
		t.z = html.NewTokenizer(bytes.NewReader(t.body[t.off:]))
	}
	tt := t.z.Next()
	if tt == html.ErrorToken {
		return tt, nil
	}
	n := len(t.z.Raw())
	if t.off+n > len(t.body) {
		t.bad = true
		return html.ErrorToken, nil
	}
	t.off += n
	return tt, t.body[t.start:t.off]
}

// scan reads the token at body[i:] and returns its type and end, or false
// for markup it leaves to html.Tokenizer.
func (t *tokens) scan(i int) (html.TokenType, int, bool) {
	b := t.body
	if opensMarkup(b, i) {
		switch c := b[i+1]; {
		case htmltag.IsASCIILetter(c):
			tag, ok := t.readTag(i + 1)
			if !ok || t.opensRawText() {
				return 0, 0, false
			}
			if tag.SelfClosing {
				return html.SelfClosingTagToken, tag.End, true
			}
			return html.StartTagToken, tag.End, true
		case c == '/' && i+2 < len(b) && htmltag.IsASCIILetter(b[i+2]):
			tag, ok := t.readTag(i + 2)
			return html.EndTagToken, tag.End, ok
		}
		return 0, 0, false // comment, doctype, processing instruction, "</>"
	}
	// Text runs up to the next "<" that opens markup.
	for j := i + 1; ; j++ {
		k := bytes.IndexByte(b[j:], '<')
		if k < 0 {
			return html.TextToken, len(b), true
		}
		j += k
		if opensMarkup(b, j) {
			return html.TextToken, j, true
		}
	}
}

// opensMarkup reports whether b[i] is a "<" that html.Tokenizer takes as the
// start of a tag, comment, doctype or processing instruction.
func opensMarkup(b []byte, i int) bool {
	if b[i] != '<' || i+1 == len(b) {
		return false
	}
	c := b[i+1]
	return htmltag.IsASCIILetter(c) || c == '/' || c == '!' || c == '?'
}

// opensRawText reports whether the start tag just read is one after which
// html.Tokenizer reads raw text (its check: the name as written, ignoring
// ASCII case).
func (t *tokens) opensRawText() bool {
	name := t.body[t.name.Start:t.name.End]
	var lower [len("plaintext")]byte
	if len(name) > len(lower) {
		return false
	}
	for i, c := range name {
		lower[i] = htmltag.LowerASCII(c)
	}
	return isRawText(string(lower[:len(name)]))
}

// readTag reads the tag whose name starts at body[i], recording its name
// and attributes.
func (t *tokens) readTag(i int) (htmltag.Tag, bool) {
	tag, attrs, ok := htmltag.Read(t.body, i, t.attrs[:0])
	t.name, t.attrs = tag.Name, attrs
	return tag, ok
}

// tagName returns the current tag's name as html.Tokenizer.TagName does.
func (t *tokens) tagName() string {
	if t.z != nil {
		name, _ := t.z.TagName()
		return lowerName(name)
	}
	return lowerName(t.body[t.name.Start:t.name.End])
}

// tagAttrs reads the current start tag's name and attributes as
// html.Tokenizer.TagName and TagAttr give them.
func (t *tokens) tagAttrs() (string, []html.Attribute) {
	if t.z != nil {
		return tokenizerTagAttrs(t.z)
	}
	for _, a := range t.attrs {
		if bytes.ContainsAny(t.body[a.Val.Start:a.Val.End], "&\r\x00") {
			// Character references, carriage returns and NULs are
			// decoded by the tokenizer's rules for attribute values;
			// let it read this one tag.
			z := html.NewTokenizer(bytes.NewReader(t.body[t.start:t.off]))
			z.Next()
			return tokenizerTagAttrs(z)
		}
	}
	if cap(t.attrBlock)-len(t.attrBlock) < len(t.attrs) {
		t.attrBlock = make([]html.Attribute, 0, max(len(t.attrs), 64))
	}
	from := len(t.attrBlock)
	for _, a := range t.attrs {
		key := lowerName(t.body[a.Key.Start:a.Key.End])
		t.attrBlock = append(t.attrBlock, html.Attribute{Key: key, Val: string(t.body[a.Val.Start:a.Val.End])})
	}
	// The capacity ends with the list, so that an attribute added to one
	// element cannot overwrite the next element's.
	return t.tagName(), t.attrBlock[from:len(t.attrBlock):len(t.attrBlock)]
}

func tokenizerTagAttrs(z *html.Tokenizer) (string, []html.Attribute) {
	name, more := z.TagName()
	tag := lowerName(name)
	var attrs []html.Attribute
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		attrs = append(attrs, html.Attribute{Key: lowerName(k), Val: string(v)})
	}
	return tag, attrs
}

// lowerName returns a tag or attribute name as html.Tokenizer gives it: NUL
// replaced by U+FFFD, ASCII letters in lower case. Names the atom table holds
// come from it, without allocating (only names already in lower case, as the
// table holds "foreignObject").
func lowerName(b []byte) string {
	for _, c := range b {
		if c == 0 || 'A' <= c && c <= 'Z' {
			s := bytes.ReplaceAll(b, []byte{0}, []byte("\ufffd")) // always a copy
			for i, c := range s {
				s[i] = htmltag.LowerASCII(c)
			}
			return string(s)
		}
	}
	if a := atom.Lookup(b); a != 0 {
		return a.String()
	}
	return string(b)
}
