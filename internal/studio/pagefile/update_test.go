package pagefile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"isomer.dev/isomer/internal/frontmatter"
	"isomer.dev/isomer/internal/studio/pagefile"
)

func ptr(s string) *string { return &s }

func TestUpdate(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		set    []F
		remove []string
		body   *string
		want   string
	}{
		{
			name: "plain stays plain",
			src:  "---\ntitle: Old\nx: 1\n---\nB",
			set:  []F{{Key: "title", Value: "New title"}},
			want: "---\ntitle: New title\nx: 1\n---\nB",
		},
		{
			name: "plain is quoted when it would change type",
			src:  "---\ntitle: Old\n---\n",
			set:  []F{{Key: "title", Value: "2024-01-01"}},
			want: "---\ntitle: \"2024-01-01\"\n---\n",
		},
		{
			name: "plain with double quotes inside gets single quotes",
			src:  "---\ntitle: Old\n---\n",
			set:  []F{{Key: "title", Value: `"Quoted": yes`}},
			want: "---\ntitle: '\"Quoted\": yes'\n---\n",
		},
		{
			name: "double-quoted stays double-quoted",
			src:  "---\ntitle: \"Old\"\n---\n",
			set:  []F{{Key: "title", Value: `a\b "c"`}},
			want: "---\ntitle: \"a\\\\b \\\"c\\\"\"\n---\n",
		},
		{
			name: "single-quoted doubles its quotes",
			src:  "---\ntitle: 'Old'\n---\n",
			set:  []F{{Key: "title", Value: "it's"}},
			want: "---\ntitle: 'it''s'\n---\n",
		},
		{
			name: "single-quoted that cannot hold the value turns double",
			src:  "---\ntitle: 'Old'\n---\n",
			set:  []F{{Key: "title", Value: "a\u2028b"}},
			want: "---\ntitle: \"a\\Lb\"\n---\n",
		},
		{
			name: "comment and spacing after the value stay",
			src:  "---\ntitle:   Old   # banner\n---\n",
			set:  []F{{Key: "title", Value: "New"}},
			want: "---\ntitle:   New   # banner\n---\n",
		},
		{
			name: "empty value is filled",
			src:  "---\nimage:\nnote: # todo\n---\n",
			set:  []F{{Key: "image", Value: "/a.png"}, {Key: "note", Value: "later"}},
			want: "---\nimage: /a.png\nnote: later # todo\n---\n",
		},
		{
			name: "null set to the empty string stays null",
			src:  "---\nimage: ~\n---\n",
			set:  []F{{Key: "image", Value: ""}},
			want: "---\nimage: ~\n---\n",
		},
		{
			name: "null set to a value",
			src:  "---\nimage: ~\n---\n",
			set:  []F{{Key: "image", Value: "x"}},
			want: "---\nimage: x\n---\n",
		},
		{
			name: "emptied value is an empty string",
			src:  "---\ndescription: Old\n---\n",
			set:  []F{{Key: "description", Value: ""}},
			want: "---\ndescription: \"\"\n---\n",
		},
		{
			name: "folded plain value becomes one line",
			src:  "---\ndescription: a long\n  description # c\ntitle: T\n---\n",
			set:  []F{{Key: "description", Value: "short"}},
			want: "---\ndescription: short # c\ntitle: T\n---\n",
		},
		{
			name: "value on its own line stays there",
			src:  "---\ndescription:\n  Old\ntitle: T\n---\n",
			set:  []F{{Key: "description", Value: "New"}},
			want: "---\ndescription:\n  New\ntitle: T\n---\n",
		},
		{
			name: "multi-line double-quoted becomes one line",
			src:  "---\na: \"one\n  two\"\nb: 1\n---\n",
			set:  []F{{Key: "a", Value: "three"}},
			want: "---\na: \"three\"\nb: 1\n---\n",
		},
		{
			name: "block keeps its indentation and header comment",
			src:  "---\nsummary: | # note\n    one\n    two\n\ntitle: T\n---\n",
			set:  []F{{Key: "summary", Value: "one\nthree\n", Kind: T}},
			want: "---\nsummary: | # note\n    one\n    three\n\ntitle: T\n---\n",
		},
		{
			name: "block chomping follows trailing line breaks",
			src:  "---\na: |\n  x\nb: |\n  x\nc: |\n  x\n\nd: T\n---\n",
			set:  []F{{Key: "a", Value: "y", Kind: T}, {Key: "b", Value: "y\n", Kind: T}, {Key: "c", Value: "y\n\n", Kind: T}},
			want: "---\na: |-\n  y\nb: |\n  y\nc: |+\n  y\n\nd: T\n---\n",
		},
		{
			name: "block with leading spaces gets an indentation indicator",
			src:  "---\na: x\n---\n",
			set:  []F{{Key: "a", Value: "  indented\nnot", Kind: T}},
			want: "---\na: |2-\n    indented\n  not\n---\n",
		},
		{
			name: "folded block is rewritten literal",
			src:  "---\na: >\n  one\n  two\n---\n",
			set:  []F{{Key: "a", Value: "one\ntwo\n", Kind: T}},
			want: "---\na: |\n  one\n  two\n---\n",
		},
		{
			name: "block to single line drops its content lines",
			src:  "---\na: | # c\n  x\n  y\nb: 1\n---\n",
			set:  []F{{Key: "a", Value: "z"}},
			want: "---\na: z # c\nb: 1\n---\n",
		},
		{
			name: "plain to block",
			src:  "---\na: x # c\nb: 1\n---\n",
			set:  []F{{Key: "a", Value: "l1\nl2"}},
			want: "---\na: |- # c\n  l1\n  l2\nb: 1\n---\n",
		},
		{
			name: "text kind writes a block even for one line",
			src:  "---\na: x\n---\n",
			set:  []F{{Key: "a", Value: "y", Kind: T}},
			want: "---\na: |-\n  y\n---\n",
		},
		{
			name: "new keys appended in order",
			src:  "---\ntitle: T\n# trailing comment\n---\nB\n",
			set:  []F{{Key: "b", Value: "2"}, {Key: "a", Value: "one"}, {Key: "t", Value: "x\ny\n", Kind: T}},
			want: "---\ntitle: T\n# trailing comment\nb: \"2\"\na: one\nt: |\n  x\n  y\n---\nB\n",
		},
		{
			name: "new key in an indented mapping is indented alike",
			src:  "---\n  title: T\n---\n",
			set:  []F{{Key: "a", Value: "x\n", Kind: T}},
			want: "---\n  title: T\n  a: |\n    x\n---\n",
		},
		{
			name: "new key into empty front matter",
			src:  "---\n---\nB",
			set:  []F{{Key: "title", Value: "T"}},
			want: "---\ntitle: T\n---\nB",
		},
		{
			name: "front matter is created before the unchanged body",
			src:  "\xEF\xBB\xBFBody\r\n---\r\n",
			set:  []F{{Key: "title", Value: "T"}, {Key: "permalink", Value: "/t/"}},
			want: "\xEF\xBB\xBF---\r\ntitle: T\r\npermalink: /t/\r\n---\r\nBody\r\n---\r\n",
		},
		{
			name: "CRLF stays CRLF",
			src:  "---\r\na: x\r\nb: 1\r\n---\r\nB\r\n",
			set:  []F{{Key: "a", Value: "p\nq\n", Kind: T}, {Key: "c", Value: "new"}},
			want: "---\r\na: |\r\n  p\r\n  q\r\nb: 1\r\nc: new\r\n---\r\nB\r\n",
		},
		{
			name:   "remove a block with its content lines",
			src:    "---\ntitle: T\nsummary: |\n  one\n\n  two\n\n# about b\nb: 1\n---\n",
			remove: []string{"summary"},
			want:   "---\ntitle: T\n\n# about b\nb: 1\n---\n",
		},
		{
			name:   "remove lists, folded plain values and missing keys",
			src:    "---\ntags:\n  - a\n  # last\n  - b\nlong: x\n  y\nkeep: 1\n---\n",
			remove: []string{"tags", "long", "missing"},
			want:   "---\nkeep: 1\n---\n",
		},
		{
			name: "replace body",
			src:  "---  \ntitle: T\n---   \nold\n",
			body: ptr("new"),
			want: "---  \ntitle: T\n---   \nnew",
		},
		{
			name: "replace body after a final delimiter line",
			src:  "---\ntitle: T\n---",
			body: ptr("new\n"),
			want: "---\ntitle: T\n---\nnew\n",
		},
		{
			name: "replace body without front matter keeps the BOM",
			src:  "\xEF\xBB\xBFold",
			body: ptr("new"),
			want: "\xEF\xBB\xBFnew",
		},
		{
			name: "unchanged complex and typed values are left alone",
			src:  "---\ntags: [a]\ndraft: true\n---\n",
			set:  []F{{Key: "tags", Value: "tags: [a]"}, {Key: "draft", Value: "true"}},
			want: "---\ntags: [a]\ndraft: true\n---\n",
		},
		{
			name: "keys match case-sensitively",
			src:  "---\ntitle: a\n---\n",
			set:  []F{{Key: "Title", Value: "b"}},
			want: "---\ntitle: a\nTitle: b\n---\n",
		},
		{
			name: "quoted keys are matched by their value",
			src:  "---\n\"title\" : 'a' # c\n---\n",
			set:  []F{{Key: "title", Value: "b"}},
			want: "---\n\"title\" : 'b' # c\n---\n",
		},
		{
			name: "value after a comment on the key line",
			src:  "---\na: # c\n  x\nb: 1\n---\n",
			set:  []F{{Key: "a", Value: "new"}},
			want: "---\na: # c\n  new\nb: 1\n---\n",
		},
		{
			name: "block text goes deeper than comments under the entry",
			src:  "---\na:\n  # about a\nb: 1\n---\n",
			set:  []F{{Key: "a", Value: "x\n", Kind: T}},
			want: "---\na: |3\n   x\n  # about a\nb: 1\n---\n",
		},
		{
			name: "changed typed value becomes a string",
			src:  "---\ndraft: true\n---\n",
			set:  []F{{Key: "draft", Value: "false"}},
			want: "---\ndraft: \"false\"\n---\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pagefile.Update([]byte(tc.src), tc.set, tc.remove, tc.body)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("Update:\ngot  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestUpdateErrors(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		set    []F
		remove []string
		is     error
		line   int
	}{
		{"key with a space", "---\n---\n", []F{{Key: "my key", Value: "x"}}, nil, pagefile.ErrInvalidKey, 0},
		{"key with a colon", "---\n---\n", []F{{Key: "a:b", Value: "x"}}, nil, pagefile.ErrInvalidKey, 0},
		{"empty key", "---\n---\n", []F{{Key: "", Value: "x"}}, nil, pagefile.ErrInvalidKey, 0},
		{"overlong key", "---\n---\n", []F{{Key: strings.Repeat("k", 1100), Value: "x"}}, nil, pagefile.ErrInvalidKey, 0},
		{"boolean key", "---\n---\n", []F{{Key: "yes", Value: "x"}}, nil, pagefile.ErrInvalidKey, 0},
		{"setting a list", "---\ntags:\n  - a\n---\n", []F{{Key: "tags", Value: "a, b"}}, nil, pagefile.ErrComplex, 2},
		{"adding a complex field", "---\n---\n", []F{{Key: "tags", Value: "[a]", Kind: C}}, nil, nil, 0},
		{"control character", "---\ntitle: A\n---\n", []F{{Key: "title", Value: "a\x00b"}}, nil, pagefile.ErrControlChar, 2},
		{"carriage return", "---\ntitle: A\n---\n", []F{{Key: "title", Value: "a\r\nb"}}, nil, pagefile.ErrControlChar, 2},
		{"C1 control character", "---\n---\n", []F{{Key: "title", Value: "a\u0085b"}}, nil, pagefile.ErrControlChar, 0},
		{"set twice", "---\n---\n", []F{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}, nil, nil, 0},
		{"set and removed", "---\na: 1\n---\n", []F{{Key: "a", Value: "2"}}, []string{"a"}, nil, 0},
		{"unclosed front matter", "---\ntitle: A\n", []F{{Key: "title", Value: "B"}}, nil, frontmatter.ErrUnclosed, 1},
		{"flow mapping", "---\n{title: A}\n---\n", []F{{Key: "title", Value: "B"}}, nil, pagefile.ErrComplex, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := pagefile.Update([]byte(tc.src), tc.set, tc.remove, nil)
			if err == nil {
				t.Fatalf("Update succeeded with %q, want error", out)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			var pe *pagefile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %q is not a *pagefile.Error", err)
			}
			if pe.Line != tc.line {
				t.Errorf("error %q: line %d, want %d", err, pe.Line, tc.line)
			}
		})
	}
}

// pageFiles lists the real pages the byte-identity tests run over: the seed
// page, every page of the example site and the odd files in testdata.
func pageFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"../../../../shared/seed/our-digital-government-efforts.md"}
	if _, err := os.Stat(files[0]); err != nil {
		files = nil // the seed lives outside the repository
	}
	for _, root := range []string{"../../../examples/agency-site", "testdata"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 10 {
		t.Fatalf("found only %d page files", len(files))
	}
	return files
}

func TestRealFiles(t *testing.T) {
	for _, path := range pageFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := pagefile.Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			same, err := pagefile.Update(data, p.Fields, nil, &p.Body)
			if err != nil {
				t.Fatalf("Update with parsed values: %v", err)
			}
			if string(same) != string(data) {
				t.Errorf("Update with parsed values changed the file:\n%s", cmp.Diff(string(data), string(same)))
			}

			body := "<p>Replaced</p>\n"
			replaced, err := pagefile.Update(data, nil, nil, &body)
			if err != nil {
				t.Fatalf("Update body: %v", err)
			}
			head := len(data) - len(p.Body)
			if string(replaced[:head]) != string(data[:head]) || string(replaced[head:]) != body && p.FrontMatter {
				t.Errorf("replacing the body changed the front matter:\n%s", cmp.Diff(string(data), string(replaced)))
			}

			title := fieldOf(p, "title")
			if title == nil || title.Kind != pagefile.Scalar || !p.FrontMatter {
				return
			}
			changed, err := pagefile.Update(data, []F{{Key: "title", Value: "A new title: with \"quotes\" & #hash"}}, nil, nil)
			if err != nil {
				t.Fatalf("Update title: %v", err)
			}
			before, after := strings.SplitAfter(string(data), "\n"), strings.SplitAfter(string(changed), "\n")
			if len(before) != len(after) {
				t.Fatalf("changing the title changed the line count from %d to %d", len(before), len(after))
			}
			var diff []int
			for i := range before {
				if before[i] != after[i] {
					diff = append(diff, i+1)
				}
			}
			if len(diff) != 1 || diff[0] != title.Line {
				t.Errorf("changing the title changed lines %v, want only line %d", diff, title.Line)
			}
		})
	}
}

func fieldOf(p *pagefile.Page, key string) *F {
	for i := range p.Fields {
		if p.Fields[i].Key == key {
			return &p.Fields[i]
		}
	}
	return nil
}
