package search

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"isomer.dev/isomer/internal/htmltag"
)

// TextOf extracts the text a reader sees in a rendered HTML body (or a whole
// document), and the text of its headings (h1–h6) on their own, for
// indexing. Scripts, styles, navigation and anything marked hidden are
// skipped. Block boundaries become spaces so that words of adjacent
// paragraphs do not run together; inline elements do not, so
// "<b>Gov</b>Tech" stays one word. The text includes the headings' words:
// they are read on the page too.
//
// It reads tokens rather than building a tree: PageDoc reads every page of
// a build this way. Skipped elements are skipped up to their matching end
// tag.
func TextOf(body []byte) (headings []string, text string) {
	var e extractor
	e.readPage(body, math.MaxInt, nil)
	return e.w.headings, string(e.w.out)
}

// PageDoc completes d, whose URL, Title, Kind and Date are set, with a
// rendered page's body HTML, read as TextOf reads it. It counts the words
// of the page here, so that Index, which runs once every page is rendered,
// only has to merge them; the build calls it as each page is rendered, on
// all cores. The text itself is not kept: Text is only its start, which
// the excerpt is made from (see excerptSource).
func PageDoc(d Doc, body []byte) Doc {
	return new(PageReader).Doc(d, body)
}

// PageReader is PageDoc with buffers that it keeps from one page to the
// next: a build reads thousands of pages, and fresh buffers for each were a
// twelfth of what it allocated. A PageReader is not safe for concurrent use;
// its zero value is ready to use.
type PageReader struct {
	e     extractor
	words *docWords
}

// Doc is PageDoc(d, body).
func (r *PageReader) Doc(d Doc, body []byte) Doc {
	if r.words == nil {
		r.words = newDocWords()
	}
	e := &r.e
	e.readPage(body, excerptLimit(d.Title), r.words)
	e.words.use = uses{title: 1}
	e.reader.read([]byte(d.Title))
	e.reader.separate()
	d.Headings = e.w.headings
	d.Text = string(excerptSource(d.Title, e.w.out))
	d.words = e.words.pack()
	return d
}

// readPage reads body with the scanner, or with the tokenizer when the
// scanner meets markup it does not handle: comments, doctypes, scripts,
// truncated tags. The scanner reads the markup a build writes several
// times faster than the tokenizer (which copies every attribute name) and
// tokenizes it the same way. The text written stops after textLimit bytes;
// words, when not nil, counts its words, all of them.
func (e *extractor) readPage(body []byte, textLimit int, words *docWords) {
	e.reset(len(body), textLimit, words)
	if !e.scan(body) {
		e.reset(len(body), textLimit, words)
		e.tokenize(body)
	}
	e.separate()
	e.endHeading()
}

// extractor is the state of one extraction: the text so far, the skipped
// elements we are inside, innermost last, and the words counted.
type extractor struct {
	w       textWriter
	skip    []atom.Atom
	heading atom.Atom
	// The start tag being read, here so that passing it as a tag does not
	// allocate.
	rawTag   rawTag
	tokenTag tokenTag
	// attrs are the attributes of the tag being read, in attrBuf unless
	// a tag has more.
	attrs   []htmltag.Attr
	attrBuf [8]htmltag.Attr
	atoms   atomCache
	// words, when not nil, counts the words of the text as reader reads
	// them.
	words  *docWords
	reader wordReader
}

// reset readies e to read a body of size bytes, counting its words in
// words unless that is nil. It keeps e's buffers, but not the headings,
// which the caller keeps.
func (e *extractor) reset(size, textLimit int, words *docWords) {
	// Room for the text up to its limit and the word that passes it.
	out := e.w.out[:0]
	if need := min(size/2, textLimit) + 64; cap(out) < need {
		out = make([]byte, 0, need)
	}
	e.w = textWriter{out: out, heading: e.w.heading[:0], limit: textLimit}
	e.skip, e.heading = e.skip[:0], 0
	e.rawTag, e.tokenTag = rawTag{}, tokenTag{}
	e.attrs = nil
	e.words = words
	if words != nil {
		words.reset()
		words.use = uses{text: 1}
		e.reader = words.reader(e.reader.word[:0])
	}
}

// separate marks a block boundary: no word goes on across it.
func (e *extractor) separate() {
	e.w.pending, e.w.hpend = true, true
	if e.words != nil {
		e.reader.separate()
	}
}

// startHeading starts collecting a heading. A heading's words count in the
// heading and in the text. Headings start and end at block boundaries, so
// no word is being read then.
func (e *extractor) startHeading(a atom.Atom) {
	e.heading = a
	e.w.inHeading = true
	e.w.heading = e.w.heading[:0]
	e.w.hpend = false
	if e.words != nil {
		e.words.use = uses{head: 1, text: 1}
	}
}

// endHeading closes the heading being collected, if any.
func (e *extractor) endHeading() {
	e.w.endHeading()
	if e.words != nil {
		e.words.use = uses{text: 1}
	}
}

// tag answers the two questions about a start tag that only some tags
// need answered, so that both readers can answer them lazily.
type tag interface {
	selfClosing() bool
	hidden() bool
}

func (e *extractor) start(a atom.Atom, t tag) {
	if len(e.skip) > 0 {
		if a == e.skip[len(e.skip)-1] && !voidElement(a) && !t.selfClosing() {
			e.skip = append(e.skip, a) // the same element nested inside itself
		}
		return
	}
	if skipped(a) || t.hidden() {
		if !voidElement(a) && !t.selfClosing() {
			e.skip = append(e.skip, a)
		}
		return
	}
	if !inlineElement(a) {
		e.separate()
	}
	if isHeading(a) && !t.selfClosing() {
		// As in HTML5 parsing, a heading start tag ends an open heading.
		e.endHeading()
		e.startHeading(a)
	}
}

func (e *extractor) end(a atom.Atom) {
	if len(e.skip) > 0 {
		if a == e.skip[len(e.skip)-1] {
			e.skip = e.skip[:len(e.skip)-1]
		}
		return
	}
	if !inlineElement(a) {
		e.separate()
	}
	if isHeading(a) && e.heading != 0 {
		e.heading = 0
		e.endHeading()
	}
}

// text takes a text token's bytes; escaped says they may hold entities,
// still to be decoded.
func (e *extractor) text(b []byte, escaped bool) {
	if len(e.skip) > 0 || len(b) == 0 {
		return
	}
	if escaped && bytes.IndexByte(b, '&') >= 0 {
		b = []byte(html.UnescapeString(string(b)))
	}
	if e.w.writing() {
		e.w.text(b)
	}
	if e.words != nil {
		e.reader.read(b)
	}
}

// tokenize reads body with the general HTML tokenizer.
func (e *extractor) tokenize(body []byte) {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return
		case html.TextToken:
			e.text(z.Text(), false)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			e.tokenTag = tokenTag{z: z, self: tt == html.SelfClosingTagToken, hasAttr: hasAttr}
			e.start(atom.Lookup(name), &e.tokenTag)
		case html.EndTagToken:
			name, _ := z.TagName()
			e.end(atom.Lookup(name))
		}
	}
}

// tokenTag is the current start tag of a tokenizer.
type tokenTag struct {
	z             *html.Tokenizer
	self, hasAttr bool
}

func (t *tokenTag) selfClosing() bool { return t.self }
func (t *tokenTag) hidden() bool      { return t.hasAttr && hiddenTag(t.z) }

// hiddenTag reports whether the current start tag hides its element.
func hiddenTag(z *html.Tokenizer) bool {
	for {
		k, v, more := z.TagAttr()
		switch {
		case string(k) == "hidden",
			string(k) == "aria-hidden" && string(v) == "true",
			string(k) == "role" && string(v) == "navigation":
			return true
		}
		if !more {
			return false
		}
	}
}

// scan reads body as the tokenizer does, for the constructs a build's
// pages consist of: text, start and end tags, and raw text elements other
// than script. It reports false, partway through, on anything else.
func (e *extractor) scan(body []byte) bool {
	if bytes.IndexByte(body, 0) >= 0 {
		return false // the tokenizer replaces NUL in some contexts
	}
	text, i := 0, 0 // the text token since text; i is where to look for '<'
	// amp is the first '&' at or after text, or len(body): found with one
	// search for many texts, most of which have none.
	amp := -1
	hasEntity := func(end int) bool {
		if amp < text {
			if k := bytes.IndexByte(body[text:], '&'); k >= 0 {
				amp = text + k
			} else {
				amp = len(body)
			}
		}
		return amp < end
	}
	for {
		lt := bytes.IndexByte(body[i:], '<')
		if lt < 0 {
			e.text(body[text:], true)
			return true
		}
		lt += i
		if lt+1 == len(body) {
			e.text(body[text:], true) // a final '<' is text
			return true
		}
		c := body[lt+1]
		closing := c == '/'
		switch {
		case htmltag.IsASCIILetter(c):
		case closing && lt+2 < len(body) && htmltag.IsASCIILetter(body[lt+2]):
		case c == '!' || c == '?' || closing:
			return false // comments, doctypes and their bogus forms
		default:
			i = lt + 1 // not a tag: part of the text
			continue
		}
		e.text(body[text:lt], hasEntity(lt))
		nameAt := lt + 1
		if closing {
			nameAt++
		}
		if e.attrs == nil {
			e.attrs = e.attrBuf[:0]
		}
		tag, attrs, ok := htmltag.Read(body, nameAt, e.attrs[:0])
		e.attrs = attrs
		if !ok {
			return false
		}
		nameEnd, end := tag.Name.End, tag.End
		a := e.atoms.lookup(body[nameAt:nameEnd])
		if closing {
			e.end(a)
			text, i = end, end
			continue
		}
		e.rawTag = rawTag{raw: body[lt:end], self: tag.SelfClosing, mayHide: mayHide(body, attrs)}
		e.start(a, &e.rawTag)
		text, i = end, end
		switch a {
		case atom.Script, atom.Plaintext:
			return false
		case atom.Iframe, atom.Noembed, atom.Noframes, atom.Noscript, atom.Style, atom.Textarea, atom.Title, atom.Xmp:
			// Raw text up to the element's end tag, entities decoded in
			// textarea and title only.
			stop := rawTextEnd(body, end, body[nameAt:nameEnd])
			e.text(body[end:stop], a == atom.Textarea || a == atom.Title)
			text, i = stop, stop
		}
	}
}

// atomCache remembers the atoms of the short tag names of a page, which
// come back hundreds of times, by the name's bytes, lower-cased, in one
// number: cheaper than hashing the name again, as atom.Lookup does.
type atomCache [64]struct {
	name uint64
	atom atom.Atom
}

// lookup is atom.Lookup of a tag name in any case.
func (c *atomCache) lookup(name []byte) atom.Atom {
	if len(name) > 8 {
		var buf [32]byte
		return lookup(name, &buf)
	}
	// Names have no zero byte (scan gives up on NUL), so no two names have
	// the same key, and no name has the empty entries' key, 0.
	var key uint64
	for i := len(name) - 1; i >= 0; i-- {
		b := name[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		key = key<<8 | uint64(b)
	}
	e := &c[key*0x9e3779b97f4a7c15>>58]
	if e.name != key {
		var lower [8]byte
		binary.LittleEndian.PutUint64(lower[:], key)
		e.name, e.atom = key, atom.Lookup(lower[:len(name)])
	}
	return e.atom
}

// lookup is atom.Lookup of a tag name in any case.
func lookup(name []byte, buf *[32]byte) atom.Atom {
	for j, c := range name {
		if 'A' <= c && c <= 'Z' {
			if len(name) > len(buf) {
				return 0 // longer than any atom
			}
			n := copy(buf[:], name)
			for k := j; k < n; k++ {
				if c := buf[k]; 'A' <= c && c <= 'Z' {
					buf[k] = c + 'a' - 'A'
				}
			}
			return atom.Lookup(buf[:n])
		}
	}
	return atom.Lookup(name)
}

// rawTextEnd is where the raw text that starts at i ends: at "</name"
// (any case) followed by white space, '/' or '>', or at the end of b.
func rawTextEnd(b []byte, i int, name []byte) int {
	for {
		n := bytes.Index(b[i:], []byte("</"))
		if n < 0 {
			return len(b)
		}
		at := i + n
		rest := b[at+2:]
		if len(rest) > len(name) && bytes.EqualFold(rest[:len(name)], name) {
			if c := rest[len(name)]; htmltag.IsSpace(c) || c == '/' || c == '>' {
				return at
			}
		}
		i = at + 2
	}
}

// rawTag is a start tag read by scan. The rare tags whose answers depend
// on their attributes are handed to the tokenizer.
type rawTag struct {
	raw  []byte
	self bool
	// mayHide says an attribute is named like one that can hide the
	// element (see hiddenTag).
	mayHide bool
}

func (t *rawTag) selfClosing() bool { return t.self }

func (t *rawTag) hidden() bool {
	if !t.mayHide {
		return false
	}
	z := html.NewTokenizer(bytes.NewReader(t.raw))
	z.Next()
	_, hasAttr := z.TagName()
	return hasAttr && hiddenTag(z)
}

// mayHide reports whether some attribute of attrs is one that hiddenTag
// looks at.
func mayHide(b []byte, attrs []htmltag.Attr) bool {
	for _, a := range attrs {
		if hidingAttr(b[a.Key.Start:a.Key.End]) {
			return true
		}
	}
	return false
}

// hidingAttr reports whether an attribute name, in any case, is one that
// hiddenTag looks at.
func hidingAttr(name []byte) bool {
	return htmltag.EqualFold(name, []byte("hidden")) || htmltag.EqualFold(name, []byte("aria-hidden")) || htmltag.EqualFold(name, []byte("role"))
}

// endHeading closes the heading being collected, if any.
func (w *textWriter) endHeading() {
	if !w.inHeading {
		return
	}
	w.inHeading = false
	if len(w.heading) > 0 {
		w.headings = append(w.headings, string(w.heading))
	}
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// textWriter collapses white space as it writes: a run of spaces, or a block
// boundary, becomes one space, written only before the next word. Once out
// holds more than limit bytes, only headings are written.
type textWriter struct {
	out, heading   []byte
	limit          int
	pending, hpend bool
	inHeading      bool
	headings       []string
}

// writing reports whether text written now is kept.
func (w *textWriter) writing() bool { return w.inHeading || len(w.out) <= w.limit }

// text writes s word by word. Invalid UTF-8 becomes U+FFFD, byte by byte.
func (w *textWriter) text(s []byte) {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) {
			if j+8 <= len(s) {
				// Printable ASCII, most of a word, eight bytes at a time.
				k := printableASCII(binary.LittleEndian.Uint64(s[j : j+8]))
				if j += k; k == 8 {
					continue
				}
			}
			if c := s[j]; c < utf8.RuneSelf {
				if c <= ' ' && htmltag.IsSpace(c) {
					break
				}
				j++
				continue
			}
			r, n := utf8.DecodeRune(s[j:])
			if r == '\u00a0' || r == utf8.RuneError && n == 1 {
				break
			}
			j += n
		}
		if j > i {
			w.word(s[i:j])
			i = j
			continue
		}
		if s[i] < utf8.RuneSelf { // a space
			w.pending, w.hpend = true, true
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			w.word([]byte(string(utf8.RuneError)))
		} else {
			w.pending, w.hpend = true, true
		}
		i += n
	}
}

// printableASCII is the number of bytes from '!' to DEL that the eight
// bytes of x, read as little-endian, start with.
func printableASCII(x uint64) int {
	const high = 0x8080808080808080
	// The high bit of the first byte below '!' is set in below (later bytes
	// may be wrong, from a borrow), and that of a byte from 0x80 on in x.
	below := (x - 0x2121212121212121) &^ x & high
	return bits.TrailingZeros64(below|x&high) / 8
}

// word writes a run of non-space characters.
func (w *textWriter) word(b []byte) {
	if len(w.out) <= w.limit {
		if w.pending && len(w.out) > 0 {
			w.out = append(w.out, ' ')
		}
		w.pending = false
		w.out = append(w.out, b...)
	}
	if w.inHeading {
		if w.hpend && len(w.heading) > 0 {
			w.heading = append(w.heading, ' ')
		}
		w.hpend = false
		w.heading = append(w.heading, b...)
	}
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// skipped elements hold no reading text: code to run, chrome repeated on
// every page, or content the reader cannot see.
func skipped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Nav, atom.Head,
		atom.Svg, atom.Math, atom.Iframe, atom.Object, atom.Select, atom.Textarea, atom.Button:
		return true
	}
	return false
}

// inlineElement lists the phrasing elements that do not break a word.
func inlineElement(a atom.Atom) bool {
	switch a {
	case atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Cite, atom.Code, atom.Data,
		atom.Del, atom.Dfn, atom.Em, atom.I, atom.Ins, atom.Kbd, atom.Mark, atom.Q, atom.S,
		atom.Samp, atom.Small, atom.Span, atom.Strong, atom.Sub, atom.Sup, atom.Time, atom.U,
		atom.Var, atom.Wbr, atom.Font, atom.Label:
		return true
	}
	return false
}
