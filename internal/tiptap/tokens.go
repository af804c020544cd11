package tiptap

import (
	"bytes"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
	name  span
	attrs []attrSpan

	// attrBlock is where the attribute lists handed out are cut from,
	// rather than an allocation each.
	attrBlock []html.Attribute
}

type span struct{ start, end int }

type attrSpan struct{ key, val span }

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
		case isASCIILetter(c):
			end, ok := t.readTag(i + 1)
			if !ok || t.opensRawText() {
				return 0, 0, false
			}
			// As html.Tokenizer decides it: a "/" that ends an unquoted
			// value (<p a=/>) does not close the tag.
			last := len(t.attrs) - 1
			if b[end-2] == '/' && (last < 0 || end-2 != t.attrs[last].val.end-1) {
				return html.SelfClosingTagToken, end, true
			}
			return html.StartTagToken, end, true
		case c == '/' && i+2 < len(b) && isASCIILetter(b[i+2]):
			end, ok := t.readTag(i + 2)
			return html.EndTagToken, end, ok
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
	return isASCIILetter(c) || c == '/' || c == '!' || c == '?'
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// opensRawText reports whether the start tag just read is one after which
// html.Tokenizer reads raw text (its check: the name as written, ignoring
// ASCII case).
func (t *tokens) opensRawText() bool {
	name := t.body[t.name.start:t.name.end]
	var lower [len("plaintext")]byte
	if len(name) > len(lower) {
		return false
	}
	for i, c := range name {
		lower[i] = toLowerASCII(c)
	}
	return isRawText(string(lower[:len(name)]))
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// readTag reads the tag whose name starts at body[i] the way
// html.Tokenizer's readTag does, recording its name and attributes, and
// returns the offset just past its ">". It returns false when the body ends
// first, where html.Tokenizer ends the token stream.
func (t *tokens) readTag(i int) (int, bool) {
	b := t.body
	t.attrs = t.attrs[:0]
	t.name.start = i
	for i++; ; i++ {
		if i == len(b) {
			return 0, false
		}
		if c := b[i]; c == '/' || c == '>' {
			t.name.end = i
			break
		} else if isHTMLSpace(c) {
			t.name.end = i
			i++
			break
		}
	}
	for {
		i = skipHTMLSpace(b, i)
		if i == len(b) {
			return 0, false
		}
		if b[i] == '>' {
			return i + 1, true
		}
		var a attrSpan
		a.key.start = i
		for ; i < len(b); i++ {
			c := b[i]
			if c == '=' && i == a.key.start {
				continue // an "=" before the name starts is part of it
			}
			if c == '=' || c == '/' || c == '>' || isHTMLSpace(c) {
				break
			}
		}
		a.key.end = i
		a.val = span{i, i}
		i = skipHTMLSpace(b, i)
		if i == len(b) {
			return 0, false
		}
		switch b[i] {
		case '/':
			i++
		case '=':
			i = skipHTMLSpace(b, i+1)
			if i == len(b) {
				return 0, false
			}
			switch q := b[i]; q {
			case '>':
				// An empty value; the ">" ends the tag.
			case '"', '\'':
				n := bytes.IndexByte(b[i+1:], q)
				if n < 0 {
					return 0, false
				}
				a.val = span{i + 1, i + 1 + n}
				i += n + 2
			default:
				a.val.start = i
				for i++; i < len(b) && b[i] != '>' && !isHTMLSpace(b[i]); i++ {
				}
				if i == len(b) {
					return 0, false
				}
				a.val.end = i
				if b[i] != '>' {
					i++
				}
			}
		}
		if a.key.start < a.key.end && !t.hasAttr(a.key) {
			t.attrs = append(t.attrs, a)
		}
	}
}

func skipHTMLSpace(b []byte, i int) int {
	for i < len(b) && isHTMLSpace(b[i]) {
		i++
	}
	return i
}

// hasAttr reports whether the tag being read already has an attribute named
// key, comparing as html.Tokenizer does (ASCII case folded, nothing else).
func (t *tokens) hasAttr(key span) bool {
	k := t.body[key.start:key.end]
	for _, a := range t.attrs {
		if equalFoldASCII(t.body[a.key.start:a.key.end], k) {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if toLowerASCII(a[i]) != toLowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// tagName returns the current tag's name as html.Tokenizer.TagName does.
func (t *tokens) tagName() string {
	if t.z != nil {
		name, _ := t.z.TagName()
		return lowerName(name)
	}
	return lowerName(t.body[t.name.start:t.name.end])
}

// tagAttrs reads the current start tag's name and attributes as
// html.Tokenizer.TagName and TagAttr give them.
func (t *tokens) tagAttrs() (string, []html.Attribute) {
	if t.z != nil {
		return tokenizerTagAttrs(t.z)
	}
	for _, a := range t.attrs {
		if bytes.ContainsAny(t.body[a.val.start:a.val.end], "&\r\x00") {
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
		key := lowerName(t.body[a.key.start:a.key.end])
		t.attrBlock = append(t.attrBlock, html.Attribute{Key: key, Val: string(t.body[a.val.start:a.val.end])})
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
				s[i] = toLowerASCII(c)
			}
			return string(s)
		}
	}
	if a := atom.Lookup(b); a != 0 {
		return a.String()
	}
	return string(b)
}
