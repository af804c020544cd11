package pagefile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"isomer.dev/isomer/internal/frontmatter"
	"isomer.dev/isomer/internal/studio/pagefile"
)

type F = pagefile.Field

const (
	S = pagefile.Scalar
	T = pagefile.Text
	C = pagefile.Complex
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want pagefile.Page
	}{
		{
			name: "simple",
			src:  "---\ntitle: Hello\npermalink: /hello/\n---\nBody\n",
			want: pagefile.Page{FrontMatter: true, Body: "Body\n", Fields: []F{
				{Key: "title", Value: "Hello", Kind: S, Line: 2},
				{Key: "permalink", Value: "/hello/", Kind: S, Line: 3},
			}},
		},
		{
			name: "no front matter",
			src:  "Just text\n---\n",
			want: pagefile.Page{Body: "Just text\n---\n"},
		},
		{
			name: "no front matter with BOM",
			src:  "\xEF\xBB\xBFJust text",
			want: pagefile.Page{Body: "Just text"},
		},
		{
			name: "BOM, CRLF and delimiters with trailing spaces",
			src:  "\xEF\xBB\xBF---  \r\ntitle: A\r\n--- \r\nBody\r\n",
			want: pagefile.Page{FrontMatter: true, Body: "Body\r\n", Fields: []F{{Key: "title", Value: "A", Kind: S, Line: 2}}},
		},
		{
			name: "empty front matter and no body",
			src:  "---\n---",
			want: pagefile.Page{FrontMatter: true},
		},
		{
			name: "comments only",
			src:  "---\n# nothing yet\n---\n",
			want: pagefile.Page{FrontMatter: true},
		},
		{
			name: "nulls read as empty",
			src:  "---\na:\nb: ~\nc: null\nd: # note\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "a", Kind: S, Line: 2}, {Key: "b", Kind: S, Line: 3},
				{Key: "c", Kind: S, Line: 4}, {Key: "d", Kind: S, Line: 5},
			}},
		},
		{
			name: "non-strings keep their text",
			src:  "---\ndate: 2024-01-01\ndraft: false\norder: 3\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "date", Value: "2024-01-01", Kind: S, Line: 2},
				{Key: "draft", Value: "false", Kind: S, Line: 3},
				{Key: "order", Value: "3", Kind: S, Line: 4},
			}},
		},
		{
			name: "quoted values are decoded",
			src:  "---\na: \"say \\\"hi\\\"\\n\"\nb: 'it''s'\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "a", Value: "say \"hi\"\n", Kind: T, Line: 2},
				{Key: "b", Value: "it's", Kind: S, Line: 3},
			}},
		},
		{
			name: "block scalars are text",
			src:  "---\nlit: |\n  one\n  two\nfold: >-\n  one\n  two\nshort: |-\n  x\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "lit", Value: "one\ntwo\n", Kind: T, Line: 2},
				{Key: "fold", Value: "one two", Kind: T, Line: 5},
				{Key: "short", Value: "x", Kind: T, Line: 8},
			}},
		},
		{
			name: "plain value folded over lines is one line of text",
			src:  "---\ndescription: a long\n  description\ntitle: T\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "description", Value: "a long description", Kind: S, Line: 2},
				{Key: "title", Value: "T", Kind: S, Line: 4},
			}},
		},
		{
			name: "complex values show their source",
			src:  "---\ntags:\n  - a\n  - b\nbase: &b x\nref: *b\ntyped: !!str 12\nflow: {a: 1}\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "tags", Value: "tags:\n  - a\n  - b", Kind: C, Line: 2},
				{Key: "base", Value: "base: &b x", Kind: C, Line: 5},
				{Key: "ref", Value: "ref: *b", Kind: C, Line: 6},
				{Key: "typed", Value: "typed: !!str 12", Kind: C, Line: 7},
				{Key: "flow", Value: "flow: {a: 1}", Kind: C, Line: 8},
			}},
		},
		{
			name: "a {…} front matter is read-only",
			src:  "---\n{title: A, n: 1}\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "title", Value: "A", Kind: C, Line: 2},
				{Key: "n", Value: "1", Kind: C, Line: 2},
			}},
		},
		{
			name: "keys are case-sensitive",
			src:  "---\nTitle: A\ntitle: B\n---\n",
			want: pagefile.Page{FrontMatter: true, Fields: []F{
				{Key: "Title", Value: "A", Kind: S, Line: 2},
				{Key: "title", Value: "B", Kind: S, Line: 3},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pagefile.Parse([]byte(tc.src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		is   error  // sentinel the error wraps, if any
		msg  string // text the message must contain
	}{
		{"duplicate key", "---\ntitle: A\nx: 1\ntitle: B\n---\n", 4, pagefile.ErrDuplicateKey, "first on line 2"},
		{"unclosed", "---\ntitle: A\n", 1, frontmatter.ErrUnclosed, "no closing"},
		{"syntax error at its file line", "---\ntitle: A\nbad: [\n---\n", 3, nil, "line 3"},
		{"not a mapping", "---\n- a\n- b\n---\n", 2, nil, "a list"},
		{"second document", "---\ntitle: A\n--- x\n---\n", 3, nil, "more than one"},
		{"key is a list", "---\n[a, b]: c\n---\n", 2, nil, "key"},
		{"lone carriage return", "---\ntitle: A\rB\n---\n", 2, nil, "U+000D"},
		{"line separator", "---\na: 1\ntitle: A\u2028B\n---\n", 3, nil, "U+2028"},
		{"explicit key", "---\ntitle: A\n? b\n: c\n---\n", 3, nil, "colon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pagefile.Parse([]byte(tc.src))
			if err == nil {
				t.Fatal("Parse succeeded, want error")
			}
			var pe *pagefile.Error
			if !errors.As(err, &pe) || pe.Line != tc.line {
				t.Errorf("error %q: got line %d, want %d", err, pe.Line, tc.line)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}
