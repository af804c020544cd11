// Package htmltag reads HTML start and end tags the way the tokenizer of
// golang.org/x/net/html splits them, in place and without allocating. The
// search index and the rich-text components read every page with it and
// hand anything it does not cover to the tokenizer.
package htmltag

import "bytes"

// Span is the part b[Start:End] of the input.
type Span struct{ Start, End int }

// Attr is an attribute as the tokenizer delimits it: Val is the value
// without its quotes (empty when there is none), still escaped.
type Attr struct{ Key, Val Span }

// Tag is a tag read by Read.
type Tag struct {
	Name Span
	// End is the index just past the ">" that closes the tag.
	End int
	// SelfClosing says the tokenizer takes a start tag as self-closing:
	// it ends in "/>" and that "/" does not end the unquoted value of the
	// last attribute kept (<p a=/>).
	SelfClosing bool
}

// Read reads the tag whose name starts at b[i] (just after "<" or "</")
// as the tokenizer's readTag does: the name, then attributes up to the
// ">" that closes the tag. It appends to attrs, which it expects empty
// (pass a slice cut to length 0 to reuse its room), the first attribute of
// each name (compared in any ASCII case), as the tokenizer keeps them. ok is
// false when b ends first, where the tokenizer ends its token stream.
func Read(b []byte, i int, attrs []Attr) (_ Tag, _ []Attr, ok bool) {
	p := i + 1
	for p < len(b) && !endsName(b[p]) {
		p++
	}
	t := Tag{Name: Span{i, p}}
	lastVal := -1 // where the value of the last attribute kept ends
	for {
		p = SkipSpace(b, p)
		if p >= len(b) {
			return Tag{}, attrs, false
		}
		if b[p] == '>' {
			t.End = p + 1
			t.SelfClosing = b[p-1] == '/' && lastVal != p
			return t, attrs, true
		}
		// The attribute's name; an "=" that starts it belongs to it.
		var a Attr
		a.Key.Start = p
		for p < len(b) {
			c := b[p]
			if c == '=' && p == a.Key.Start {
				p++
				continue
			}
			if c == '=' || endsName(c) {
				break
			}
			p++
		}
		a.Key.End = p
		a.Val = Span{p, p}
		p = SkipSpace(b, p)
		if p >= len(b) {
			return Tag{}, attrs, false
		}
		switch b[p] {
		case '/':
			p++
		case '=':
			p = SkipSpace(b, p+1)
			if p >= len(b) {
				return Tag{}, attrs, false
			}
			switch q := b[p]; q {
			case '>':
				// An empty value; the ">" closes the tag.
			case '"', '\'':
				n := bytes.IndexByte(b[p+1:], q)
				if n < 0 {
					return Tag{}, attrs, false
				}
				a.Val = Span{p + 1, p + 1 + n}
				p += n + 2
			default:
				a.Val.Start = p
				for p < len(b) && b[p] != '>' && !IsSpace(b[p]) {
					p++
				}
				a.Val.End = p
			}
		}
		if a.Key.Start < a.Key.End && !has(b, attrs, a.Key) {
			attrs = append(attrs, a)
			lastVal = a.Val.End
		}
	}
}

// has reports whether attrs has an attribute named key, in any ASCII case.
func has(b []byte, attrs []Attr, key Span) bool {
	k := b[key.Start:key.End]
	for _, a := range attrs {
		if EqualFold(b[a.Key.Start:a.Key.End], k) {
			return true
		}
	}
	return false
}

// EqualFold reports whether a and b are equal in any ASCII case.
func EqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if LowerASCII(a[i]) != LowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// LowerASCII lower-cases an ASCII letter and leaves any other byte.
func LowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// endsName reports whether c ends a tag or attribute name. Letters, most
// of a name, are above '>', so one comparison answers for them.
func endsName(c byte) bool { return c <= '>' && (c == '>' || c == '/' || IsSpace(c)) }

// IsSpace reports HTML white space as the tokenizer reads it.
func IsSpace(c byte) bool {
	return c <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f')
}

// SkipSpace returns the index of the first byte at or after i that is not
// white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && IsSpace(b[i]) {
		i++
	}
	return i
}

// IsASCIILetter reports whether c is an ASCII letter, which after "<" or
// "</" starts a tag.
func IsASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
