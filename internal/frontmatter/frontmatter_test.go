package frontmatter

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		yaml     string
		body     string
		bodyLine int
		err      error
	}{
		{"simple", "---\ntitle: A\n---\nbody\n", "title: A\n", "body\n", 4, nil},
		{"crlf", "---\r\ntitle: A\r\n---\r\nbody\r\n", "title: A\r\n", "body\r\n", 4, nil},
		{"bom", "\xEF\xBB\xBF---\ntitle: A\n---\nbody", "title: A\n", "body", 4, nil},
		{"trailing spaces on delimiters", "---  \ntitle: A\n---   \nbody", "title: A\n", "body", 4, nil},
		{"empty front matter", "---\n---\nbody", "", "body", 3, nil},
		{"dots close", "---\ntitle: A\n...\nbody", "title: A\n", "body", 4, nil},
		{"dashes inside a value", "---\ntitle: a --- b\n---\nbody", "title: a --- b\n", "body", 4, nil},
		{"rule in the body", "---\ntitle: A\n---\nabove\n\n---\n\nbelow", "title: A\n", "above\n\n---\n\nbelow", 4, nil},
		{"no body, no final newline", "---\ntitle: A\n---", "title: A\n", "", 4, nil},
		{"unclosed", "---\ntitle: A\nbody", "", "---\ntitle: A\nbody", 1, ErrUnclosed},
		{"none", "title: A\n", "", "title: A\n", 1, ErrNone},
		{"four dashes is not a delimiter", "----\ntitle: A\n---\n", "", "----\ntitle: A\n---\n", 1, ErrNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Split([]byte(tc.src))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got := string(doc.YAML); got != tc.yaml {
				t.Errorf("YAML = %q, want %q", got, tc.yaml)
			}
			if got := string(doc.Body); got != tc.body {
				t.Errorf("Body = %q, want %q", got, tc.body)
			}
			if doc.BodyLine != tc.bodyLine {
				t.Errorf("BodyLine = %d, want %d", doc.BodyLine, tc.bodyLine)
			}
			if got := Has([]byte(tc.src)); got != (tc.err != ErrNone) {
				t.Errorf("Has = %v", got)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]any
		line int // error line, 0 for no error
	}{
		{"dates stay strings", "date: 2020-01-27\ntime: 2020-01-27 10:00:00\n", map[string]any{"date": "2020-01-27", "time": "2020-01-27 10:00:00"}, 0},
		{"folded scalar", "title: a long title\n  folded over\n", map[string]any{"title": "a long title folded over"}, 0},
		{"empty", "", map[string]any{}, 0},
		{"null document", "~\n", map[string]any{}, 0},
		{"types", "n: 3\nf: 1.5\nb: true\nnil:\nempty: \"\"\nlist: [a, 1]\n", map[string]any{"n": 3, "f": 1.5, "b": true, "nil": nil, "empty": "", "list": []any{"a", 1}}, 0},
		{"yes stays a string", "answer: yes\n", map[string]any{"answer": "yes"}, 0},
		{"nested maps have string keys", "colors:\n  primary-color: \"#fff\"\n", map[string]any{"colors": map[string]any{"primary-color": "#fff"}}, 0},
		{"merge keys", "base: &b\n  x: 1\nderived:\n  <<: *b\n  y: 2\n", map[string]any{"base": map[string]any{"x": 1}, "derived": map[string]any{"x": 1, "y": 2}}, 0},
		{"not a mapping", "- a\n", nil, 1},
		{"syntax error", "a: 1\nb: \"open\n", nil, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.src))
			if tc.line > 0 {
				var fe *Error
				if !errors.As(err, &fe) || fe.Line != tc.line {
					t.Fatalf("err = %v, want an error at line %d", err, tc.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// FuzzSplitDecode checks that no input crashes the splitter or the YAML
// decoder, and that the split is consistent with the input.
func FuzzSplitDecode(f *testing.F) {
	for _, seed := range []string{
		"---\ntitle: A\n---\nbody\n",
		"---\r\na: [1, 2]\r\n---\r\n",
		"\xEF\xBB\xBF---\n---\n",
		"---\na: &x [*x]\n---\n",
		"---\n? complex\n: key\n---\n",
		"---\na: !!binary aGVsbG8=\nb: !!timestamp 2001-12-14\n---\n",
		"---\nunclosed: \"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := Split(src)
		if err != nil {
			return
		}
		if !bytes.Contains(src, doc.YAML) || !bytes.HasSuffix(src, doc.Body) {
			t.Fatalf("split lost bytes: yaml %q body %q", doc.YAML, doc.Body)
		}
		if doc.BodyLine < 2 {
			t.Fatalf("BodyLine = %d after front matter", doc.BodyLine)
		}
		_, _ = Decode(doc.YAML)
		_, _ = DecodeAny(doc.YAML)
	})
}

// FuzzDecodeFlat checks that the shortcut for one-line string values
// decodes exactly what the YAML parser decodes, whenever it takes the input.
func FuzzDecodeFlat(f *testing.F) {
	for _, seed := range []string{
		"title: \"A\"\npermalink: /a/b/\nbreadcrumb: 'B'\n",
		"title: A: b\n", "title: a #c\n", "title: a#c\n", "title: true\n", "title: yes\n",
		"title: \"a\" \n", "title:  x  \n", "a-b: c\nA_1: /x y/\n", "t: 'it''s'\n", "t: \"a\\tb\"\n",
		"t: a\nt: b\n", "t:\n", "t: x:\n", "t: x:y\n", "t: a, [b], {c}\n", "t: e5\n", "t: .5\n",
		"t: ~\n", "t: 0x1\n", "t: 2024-01-02\n", "- a\n", "t: a\r\n", "t: \"a\n", "t: a\n  b\n",
		"t: 2024-13-99\n", "t: 2024-01-02 \n", "d: a long\n  description\n  goes on\nn: x\n", "t: a\n  - b\n",
		"t: a\n  b: c\n", "t: a\n  #b\n", "t: a\n\n  b\n", "t: \"a\"\n  b\n", "t: a\n   \n", "t: a\n  ---\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fast, ok := decodeFlat(src)
		if !ok {
			return
		}
		var node yaml.Node
		if err := yaml.Unmarshal(src, &node); err != nil {
			t.Fatalf("the shortcut took %q, which YAML refuses: %v", src, err)
		}
		var full any = map[string]any{}
		if len(node.Content) > 0 {
			var err error
			if full, err = nodeValue(node.Content[0]); err != nil {
				t.Fatalf("nodeValue(%q): %v", src, err)
			}
		}
		if diff := cmp.Diff(full, any(fast)); diff != "" {
			t.Fatalf("decodeFlat(%q) differs from YAML (-yaml +flat):\n%s", src, diff)
		}
	})
}
