package pagefile_test

import (
	"fmt"
	"strings"
	"testing"

	yaml2 "gopkg.in/yaml.v2"

	"go.yaml.in/yaml/v3"

	"isomer.dev/isomer/internal/frontmatter"
	"isomer.dev/isomer/internal/studio/pagefile"
)

// trickyValues are strings that YAML would read as something else, or not at
// all, if written carelessly.
var trickyValues = []string{
	"plain words", "",
	"true", "false", "True", "FALSE", "yes", "No", "on", "OFF", "y", "n", "Y",
	"null", "Null", "~", "123", "-1", "+1", "0", "007", "0x1F", "0o17", "0b101", "1e3", "1.5", ".5", "-.5",
	"1_000", "1:30", "190:20:30", "2024-01-01", "2024-1-1", "2024-01-01 10:00:00", "2024-01-01T10:00:00Z",
	".inf", "-.Inf", ".NaN", "<<", "=", "3 Feb",
	"key: value", "a: b: c", "a:b", "ends with colon:", ":", ": x", "a #b", "a#b", "#hash", "# comment",
	"- item", "-item", "-", "--", "---", "...", "? x", "?", "?x",
	"[a, b]", "[", "]", "{a: 1}", "{", "}", "{{ page.title }}", "{% if x %}", ",", "a, b",
	"&anchor", "*alias", "!tag", "!!str x", "|", "|-", ">", ">-", "%YAML 1.2", "%", "@at", "`tick`",
	"'single'", `"double"`, "it's", `say "hi"`, `'`, `"`, `''`, `""`, `\`, `back\slash`, `C:\path\to`,
	`\n is not a newline`, `a\`, `"mixed' quotes"`,
	"  leading", "trailing  ", " both ", "\tleading tab", "a\tb", "trailing tab\t",
	"unicode é ü ß 中文 العربية", "emoji 🎉👍🏽🇸🇬", "\u00a0nbsp", "nbsp\u00a0", "zero\u200bwidth",
	"a\u2028line separator", "para\u2029sep", "\ufeffbom", "non\ufffechar",
	"<b>html</b> &amp; <br/>", "50%", "100% sure", "https://example.com/a?b=c#frag", "mailto:a@b.sg",
	"/about-us/", "a | b", "a > b", "x: y # z", strings.Repeat("long value ", 30),
	"line1\nline2", "ends with newline\n", "two newlines\n\n", "\n", "\n\n", "\nleading newline",
	"  indented first\nsecond", "\tTab first\nline", "a\n  b\n", "a\n\n\nb", "---\n...\n", "x\n# not a comment\n",
	"key: value\n- item\n", "trailing spaces  \nnext", "   \nspaces only first line", "last line spaces\n   ",
}

// bases put the field "f" in every shape a value can have in a file.
var bases = []struct{ name, src string }{
	{"absent", "---\ntitle: T\n---\nbody\n"},
	{"no front matter", "body\n"},
	{"plain", "---\ntitle: T\nf: orig\nafter: z\n---\nbody\n"},
	{"plain with comment", "---\ntitle: T\nf: orig   # c\nafter: z\n---\nbody\n"},
	{"double-quoted", "---\ntitle: T\nf: \"orig\"\nafter: z\n---\nbody\n"},
	{"single-quoted", "---\ntitle: T\nf: 'orig'\nafter: z\n---\nbody\n"},
	{"null", "---\ntitle: T\nf:\nafter: z\n---\nbody\n"},
	{"tilde", "---\ntitle: T\nf: ~ # none\nafter: z\n---\nbody\n"},
	{"literal", "---\ntitle: T\nf: |\n  orig\n  more\nafter: z\n---\nbody\n"},
	{"deep literal", "---\ntitle: T\nf: |-\n      orig\nafter: z\n---\nbody\n"},
	{"folded", "---\ntitle: T\nf: >-\n  orig\n  more\nafter: z\n---\nbody\n"},
	{"kept literal", "---\ntitle: T\nf: |+\n  orig\n\n\nafter: z\n---\nbody\n"},
	{"blank lines around", "---\ntitle: T\n\nf: orig\n\nafter: z\n---\nbody\n"},
	{"literal then blank line", "---\ntitle: T\nf: |\n  orig\n\nafter: z\n---\nbody\n"},
	{"on the next line", "---\ntitle: T\nf:\n  orig\nafter: z\n---\nbody\n"},
	{"folded plain", "---\ntitle: T\nf: orig\n  continued\nafter: z\n---\nbody\n"},
	{"multi-line quoted", "---\ntitle: T\nf: \"orig\n  continued\"\nafter: z\n---\nbody\n"},
	{"indented mapping", "---\n  title: T\n  f: orig\n  after: z\n---\nbody\n"},
	{"last field", "---\ntitle: T\nf: |\n  orig\n---\nbody\n"},
	{"CRLF plain", "---\r\ntitle: T\r\nf: orig\r\nafter: z\r\n---\r\nbody\r\n"},
	{"CRLF literal", "---\r\ntitle: T\r\nf: |\r\n  orig\r\nafter: z\r\n---\r\nbody\r\n"},
	{"BOM and spaced delimiters", "\xEF\xBB\xBF---  \ntitle: T\nf: orig\nafter: z\n---\t\nbody"},
}

func TestRoundTrip(t *testing.T) {
	for _, base := range bases {
		for _, kind := range []pagefile.Kind{pagefile.Scalar, pagefile.Text} {
			for _, v := range trickyValues {
				name := fmt.Sprintf("%s/%s/%q", base.name, kind, v)
				checkSet(t, name, []byte(base.src), "f", v, kind)
			}
		}
	}
}

// checkSet sets key to v in src and checks that the value reads back as
// that string — through Parse, yaml.v3 and yaml.v2 (YAML 1.1 rules, as
// Jekyll's parser follows) — and that every other field, the body and every
// line outside the field are untouched.
func checkSet(t *testing.T, name string, src []byte, key, v string, kind pagefile.Kind) {
	t.Helper()
	before, err := pagefile.Parse(src)
	if err != nil {
		t.Fatalf("%s: Parse input: %v", name, err)
	}
	out, err := pagefile.Update(src, []F{{Key: key, Value: v, Kind: kind}}, nil, nil)
	if err != nil {
		t.Errorf("%s: Update: %v", name, err)
		return
	}
	after, err := pagefile.Parse(out)
	if err != nil {
		t.Errorf("%s: Parse result: %v\n%s", name, err, out)
		return
	}
	old := fieldOf(before, key)
	if old != nil && old.Value == v {
		if string(out) != string(src) {
			t.Errorf("%s: setting the current value changed the file", name)
		}
		return
	}
	if got := fieldOf(after, key); got == nil || got.Value != v {
		t.Errorf("%s: Parse reads %+v, want %q\n%s", name, got, v, out)
	}
	if after.Body != before.Body {
		t.Errorf("%s: body changed to %q", name, after.Body)
	}
	var others []F
	for _, f := range before.Fields {
		if f.Key != key {
			others = append(others, f)
		}
	}
	var gotOthers []F
	for _, f := range after.Fields {
		if f.Key != key {
			f.Line = 0
			gotOthers = append(gotOthers, f)
		}
	}
	for i := range others {
		others[i].Line = 0
	}
	if fmt.Sprint(others) != fmt.Sprint(gotOthers) {
		t.Errorf("%s: other fields changed from %v to %v", name, others, gotOthers)
	}

	doc, err := frontmatter.Split(out)
	if err != nil {
		t.Fatalf("%s: Split: %v", name, err)
	}
	var m3 map[string]any
	if err := yaml.Unmarshal(doc.YAML, &m3); err != nil {
		t.Errorf("%s: yaml.v3: %v", name, err)
	} else if s, ok := m3[key].(string); !ok || s != v {
		t.Errorf("%s: yaml.v3 reads %#v, want string %q\n%s", name, m3[key], v, out)
	}
	var m2 map[string]any
	if err := yaml2.Unmarshal(doc.YAML, &m2); err != nil {
		t.Errorf("%s: yaml.v2: %v", name, err)
	} else if s, ok := m2[key].(string); !ok || s != v {
		t.Errorf("%s: yaml.v2 reads %#v, want string %q\n%s", name, m2[key], v, out)
	}

	// Only the field's own lines may differ: everything before its first
	// line and after its last line is the same text.
	if old != nil {
		in, res := strings.SplitAfter(string(src), "\n"), strings.SplitAfter(string(out), "\n")
		first := old.Line - 1
		for i := 0; i < first; i++ {
			if in[i] != res[i] {
				t.Errorf("%s: line %d changed", name, i+1)
			}
		}
		// The lines from the next key, or from the closing delimiter, on.
		tail := len(strings.SplitAfter(before.Body, "\n")) + 1
		for i, f := range before.Fields {
			if f.Key == key && i+1 < len(before.Fields) {
				tail = len(in) - (before.Fields[i+1].Line - 1)
			}
		}
		for i := 1; i <= tail; i++ {
			if in[len(in)-i] != res[len(res)-i] {
				t.Errorf("%s: line %d from the end changed", name, i)
				break
			}
		}
	}
}
