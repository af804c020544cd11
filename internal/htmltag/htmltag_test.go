package htmltag

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRead(t *testing.T) {
	tests := []struct {
		in, name string
		attrs    []string // key=val as written
		self, ok bool
	}{
		{in: `<p>`, name: "p", ok: true},
		{in: `<a href="/x" class='c d'>`, name: "a", attrs: []string{"href=/x", "class=c d"}, ok: true},
		{in: `<img src=a.png alt=x/>`, name: "img", attrs: []string{"src=a.png", "alt=x/"}, ok: true},
		{in: `<br/>`, name: "br", self: true, ok: true},
		{in: `<input disabled />`, name: "input", attrs: []string{"disabled="}, self: true, ok: true},
		{in: `<p a=1 A=2>`, name: "p", attrs: []string{"a=1"}, ok: true},
		{in: `<p a=1 a=x/>`, name: "p", attrs: []string{"a=1"}, self: true, ok: true}, // the value of a dropped attribute does not count
		{in: `<p =x>`, name: "p", attrs: []string{"=x="}, ok: true},
		{in: `<p a = "b" >`, name: "p", attrs: []string{"a=b"}, ok: true},
		{in: `<p a="b`, name: "p"},
		{in: `<p a`, name: "p"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			b := []byte(tc.in)
			tag, attrs, ok := Read(b, 1, nil)
			nameEnd, end := tag.Name.End, tag.End
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if got := string(b[1:nameEnd]); got != tc.name {
				t.Errorf("name = %q, want %q", got, tc.name)
			}
			if end != len(b) {
				t.Errorf("end = %d, want %d", end, len(b))
			}
			var got []string
			for _, a := range attrs {
				got = append(got, string(b[a.Key.Start:a.Key.End])+"="+string(b[a.Val.Start:a.Val.End]))
			}
			if strings.Join(got, " ") != strings.Join(tc.attrs, " ") {
				t.Errorf("attrs = %q, want %q", got, tc.attrs)
			}
			if tag.SelfClosing != tc.self {
				t.Errorf("SelfClosing = %v", tag.SelfClosing)
			}
		})
	}
}

// FuzzRead checks Read against the tokenizer on a tag: the same extent,
// name, attributes (those whose values need no decoding) and
// self-closing answer, and ok exactly when the tokenizer reads a tag.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"p>", `a href="x" b='y' c=z d>`, "br/>", "p a=/>", "p a=1 a=2>", "p a=1 a=x/>", "p =x>", "p\ta\n=\f'b'\r/>", "p a", `p a="`, "P A=B>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rest []byte) {
		if len(rest) == 0 || !IsASCIILetter(rest[0]) {
			return
		}
		b := append([]byte("<"), rest...)
		tag, attrs, ok := Read(b, 1, nil)
		nameEnd, end := tag.Name.End, tag.End
		z := html.NewTokenizer(bytes.NewReader(b))
		tt := z.Next()
		isTag := tt == html.StartTagToken || tt == html.SelfClosingTagToken
		if ok != isTag {
			t.Fatalf("%q: ok = %v, tokenizer gives %v", b, ok, tt)
		}
		if !ok {
			return
		}
		if raw := len(z.Raw()); raw != end {
			t.Fatalf("%q: end = %d, tokenizer's tag is %d bytes", b, end, raw)
		}
		if tag.SelfClosing != (tt == html.SelfClosingTagToken) {
			t.Fatalf("%q: SelfClosing = %v, tokenizer gives %v", b, tag.SelfClosing, tt)
		}
		name, more := z.TagName()
		if want := lower(b[1:nameEnd]); string(name) != want && !bytes.ContainsRune(b[1:nameEnd], 0) {
			t.Fatalf("%q: name %q, tokenizer %q", b, want, name)
		}
		n := 0
		for ; more; n++ {
			i := n
			var k, v []byte
			k, v, more = z.TagAttr()
			if i >= len(attrs) {
				t.Fatalf("%q: %d attributes, tokenizer has more", b, len(attrs))
			}
			a := attrs[i]
			key, val := b[a.Key.Start:a.Key.End], b[a.Val.Start:a.Val.End]
			if lower(key) != string(k) && !bytes.ContainsRune(key, 0) {
				t.Fatalf("%q: attribute %d is %q, tokenizer %q", b, i, key, k)
			}
			if !bytes.ContainsAny(val, "&\r\x00") && string(val) != string(v) {
				t.Fatalf("%q: value %d is %q, tokenizer %q", b, i, val, v)
			}
		}
		if n != len(attrs) {
			t.Fatalf("%q: %d attributes, tokenizer has %d", b, len(attrs), n)
		}
	})
}

// lower lower-cases ASCII letters only, as the tokenizer does.
func lower(b []byte) string {
	s := []byte(string(b))
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			s[i] = c + 'a' - 'A'
		}
	}
	return string(s)
}
