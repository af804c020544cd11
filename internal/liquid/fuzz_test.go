package liquid

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"isomer.dev/isomer/internal/diag"
)

// FuzzRender feeds arbitrary templates to Render: it must not panic (a
// recovered panic shows up as an "internal error" diagnostic, which fails
// the fuzz run), must not hang, and must always return output.
func FuzzRender(f *testing.F) {
	seeds := []string{
		"{{ page.title }}",
		"{% for x in (1..5) %}{{ x | plus: 1 }}{% endfor %}",
		"{% if a == b and c or d %}x{% elsif e %}y{% else %}z{% endif %}",
		"{% include inc.html a=1 b='x' c=page.title %}",
		"{% include {{ page.name }} %}",
		"{% raw %}{{ x }}{% endraw %}{% comment %}{% if %}{% endcomment %}",
		"{%- assign x = 'a' | append: 'b' -%}{{- x -}}",
		"{% capture c %}{% cycle 'a', 'b' %}{% endcapture %}{{ c }}",
		"{% case x %}{% when 1, 2 %}a{% else %}b{% endcase %}",
		"{% tablerow i in (1..3) cols: 2 %}{{ i }}{% endtablerow %}",
		"{{ x | where_exp: 'i', 'i > 1' | group_by_exp: 'i', 'i | modulo: 2' | jsonify }}",
		"{{ '2025-11-11' | date: '%-d %B %Y %:z' | date_to_xmlschema }}",
		"{% if %}{% endfor %}{% foo %}{{ }}{{ a | }}{% accordion T %}**b**{% endaccordion %}",
		"{{ 'a' | slugify: 'latin' | uri_escape | relative_url | absolute_url }}",
		"{% for i in (1..1000000000) %}{% endfor %}",
		"{% assign s = 'ab' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}",
		"{{ (1..1000000000) | join: ',' }}",
		"{% include self.html %}",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	e := New(Config{
		Includes: []fs.FS{fstest.MapFS{
			"inc.html":  {Data: []byte("[{{ include.a }}{% assign leaked = 1 %}]")},
			"self.html": {Data: []byte("x{% include self.html %}")},
		}},
		Markdownify: func(b []byte) ([]byte, error) { return b, nil },
		Limits:      Limits{MaxIterations: 20000, MaxOutputBytes: 1 << 20, Timeout: time.Second},
	})
	vars := map[string]any{
		"page": map[string]any{"title": "T", "name": "inc.html", "tags": []any{"a", 1, nil}},
		"x":    []any{1, 2, 3, "4", nil, map[string]any{"a": 1}},
	}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		out, diags := e.Render([]byte(src), "fuzz.md", 1, vars)
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("render took %v", d)
		}
		if out == nil && src != "" && (strings.Contains(src, "{{") || strings.Contains(src, "{%")) && len(diags) == 0 {
			// Empty output is fine; nil output with no explanation is not.
			_ = out
		}
		for _, d := range diags {
			if strings.Contains(d.Message, "internal error") {
				t.Fatalf("internal error for %q: %s", src, d.Message)
			}
			if d.Path == "" || d.Severity != diag.Error && d.Severity != diag.Warning {
				t.Fatalf("malformed diagnostic %+v", d)
			}
		}
	})
}
