package tiptap

import (
	"bytes"
	"slices"
	"testing"

	"golang.org/x/net/html"
)

// FuzzTokens checks the token reader against html.Tokenizer, the slow path
// it stands in for: the same tokens, with the same source bytes, names and
// attributes, up to the same end.
func FuzzTokens(f *testing.F) {
	addTestdataSeeds(f)
	for _, s := range []string{
		"",
		"text only",
		"a < b <3 <",
		"a</",
		"a</>b</ x>c<!>d<!-->e<!--->f<!-- x --!>g<?xml?>h<!DOCTYPE html>i",
		`<p a=/><p a=/ b=/><br/><br /><img src=x/><a b/>`,
		`<DIV Class="X" CLASS=y class='z'>`,
		`<div =x ==y a= "b" c = 'd' e=f>g</DIV foo="</div>">`,
		`<a href="x>y" title='a"b'>`,
		"<p\tclass\n=\r\"a\"\f>",
		"<a href=\"?a=1&amp;b=2&lt\" title=\"x\r\ny\x00z\">",
		"<d\x00iv a\x00b=c>x</d\x00iv>",
		"<Script>a<b>c</SCRIPT >d<textarea><p></textarea><title>x</title>",
		"<iframe src=x><div class=iframe-wrapper></iframe>",
		"<svg><foreignObject></foreignObject><path d=M0/></svg>",
		"<div class=\"isomer-card-grid\"><a class=isomer-card href=/x",
		"<div class='unterminated>",
		"<div a",
		"<div a=",
		"<div a=b",
		"<div ",
		"<div/",
		"</div",
		"</div a='>'>",
		"<plaintext><p>",
		"<xmp><b></xmp><noscript>x</noscript>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		z := html.NewTokenizer(bytes.NewReader(in))
		toks := newTokens(in)
		for i := 0; ; i++ {
			want := z.Next()
			got, raw := toks.next()
			if got != want {
				t.Fatalf("token %d: type %v, html.Tokenizer has %v (%q)", i, got, want, z.Raw())
			}
			if got == html.ErrorToken {
				break
			}
			if !bytes.Equal(raw, z.Raw()) {
				t.Fatalf("token %d: source %q, html.Tokenizer has %q", i, raw, z.Raw())
			}
			switch got {
			case html.StartTagToken, html.SelfClosingTagToken:
				wantName, wantAttrs := tokenizerTagAttrs(z)
				name, attrs := toks.tagAttrs()
				if name != wantName || !slices.Equal(attrs, wantAttrs) {
					t.Fatalf("token %d (%q): %q %q, html.Tokenizer has %q %q", i, raw, name, attrs, wantName, wantAttrs)
				}
			case html.EndTagToken:
				wantName, _ := z.TagName()
				if name := toks.tagName(); name != string(wantName) {
					t.Fatalf("token %d (%q): name %q, html.Tokenizer has %q", i, raw, name, wantName)
				}
			}
		}
		if toks.bad {
			t.Fatal("source bytes do not partition the input")
		}
	})
}
