package liquid

import (
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"isomer.dev/isomer/internal/diag"
)

type wantDiag struct {
	at   string // "path:line"
	sev  diag.Severity
	text string // substring of the message
}

func diagEngine() *Engine {
	return New(Config{
		Includes: []fs.FS{fstest.MapFS{
			"bad.html":  {Data: []byte("line1\n{% nope %}\n{{ x | nofilter }}")},
			"loop.html": {Data: []byte("{% include loop.html %}")},
		}},
		Limits: Limits{MaxIterations: 1000, MaxOutputBytes: 1000, Timeout: time.Second},
	})
}

// TestDiagnostics: every problem names path:line (body starts at line 10
// of pages/p.md) in plain words, and the page still renders.
func TestDiagnostics(t *testing.T) {
	cases := []struct {
		name, src, out string
		diags          []wantDiag
	}{
		{"unknown tag", "a\nb\n{% foo bar %}\nc", "a\nb\n{% foo bar %}\nc",
			[]wantDiag{{"pages/p.md:12", diag.Error, `unknown tag "foo"`}}},
		{"unclosed blocks", "a\n{% if x %}\nb\n{% for y in z %}\nc", "a\n{% if x %}\nb\n{% for y in z %}\nc",
			[]wantDiag{{"pages/p.md:11", diag.Error, "{% if %} is never closed"}, {"pages/p.md:13", diag.Error, "{% for %} is never closed"}}},
		{"stray end tag", "a\n{% endif %}\nb", "a\n{% endif %}\nb",
			[]wantDiag{{"pages/p.md:11", diag.Error, "{% endif %} has no matching {% if %}"}}},
		{"end closes outer block", "{% if true %}a{% for x in (1..2) %}b{% endif %}c", "a{% for x in (1..2) %}bc",
			[]wantDiag{{"pages/p.md:10", diag.Error, "{% for %} is never closed"}}},
		{"bad for syntax", "a\n{% for x in %}\nb\n{% endfor %}\nc", "a\n{% for x in %}\nb\n{% endfor %}\nc",
			[]wantDiag{{"pages/p.md:11", diag.Error, "syntax error"}}},
		{"clause outside block", "a {% else %} b", "a {% else %} b",
			[]wantDiag{{"pages/p.md:10", diag.Error, "{% else %} is not allowed outside any block"}}},
		{"unterminated object", "a\n{{ oops } b", "a\n{{ oops } b",
			[]wantDiag{{"pages/p.md:11", diag.Error, "is not closed with }}"}}},
		{"unterminated tag", "a {% if b", "a {% if b",
			[]wantDiag{{"pages/p.md:10", diag.Error, "is not a complete tag"}}},
		{"unclosed raw", "{% raw %} x {{ 'y' }}", "{% raw %} x y",
			[]wantDiag{{"pages/p.md:10", diag.Error, "{% raw %} is never closed"}}},
		{"unknown filter", "a\n{{ 'v' | nofilter: 1 }}\nb", "a\nv\nb",
			[]wantDiag{{"pages/p.md:11", diag.Warning, `unknown filter "nofilter"`}}},
		{"lenient object", "{{ 'v' | upcase extra }}", "V",
			[]wantDiag{{"pages/p.md:10", diag.Warning, "read leniently"}}},
		{"lenient if", "{% if 'abc' | size > 5 %}y{% endif %}", "y",
			[]wantDiag{{"pages/p.md:10", diag.Warning, "read leniently"}}},
		{"missing include", "a\n{% include missing.html %}\nb", "a\n\nb",
			[]wantDiag{{"pages/p.md:11", diag.Error, `could not find include file "missing.html" in _includes`}}},
		{"errors inside include", "a\n{% include bad.html %}\nb", "a\nline1\n{% nope %}\n\nb",
			[]wantDiag{{"_includes/bad.html:2", diag.Error, `unknown tag "nope"`}, {"_includes/bad.html:3", diag.Warning, `unknown filter "nofilter"`}}},
		{"recursive include", "a{% include loop.html %}b", "ab",
			[]wantDiag{{"_includes/loop.html:1", diag.Error, "nested more than 20 deep"}}},
		{"invalid include name", "{% include ../etc/passwd %}", "{% include ../etc/passwd %}",
			[]wantDiag{{"pages/p.md:10", diag.Error, "invalid characters"}}},
		{"filter errors", "a\n{{ 'x' | date_to_string }}\n{{ 1 | divided_by: 0 }}\nz", "a\n\n\nz",
			[]wantDiag{{"pages/p.md:11", diag.Error, "invalid date"}, {"pages/p.md:12", diag.Error, "divided by 0"}}},
		{"wrong arity", "{{ 'a' | upcase: 1 }}!", "!",
			[]wantDiag{{"pages/p.md:10", diag.Error, "wrong number of arguments (given 2, expected 1)"}}},
		{"bad comparison", "a {% if 1 < 'a' %}y{% else %}n{% endif %} b", "a n b",
			[]wantDiag{{"pages/p.md:10", diag.Error, "comparison of Integer with String failed"}}},
		{"runaway loop", "x {% for i in (1..100000) %}{% endfor %} y", "x ",
			[]wantDiag{{"pages/p.md:10", diag.Error, "stopped after 1000 loop iterations"}}},
		{"output limit", "{% for i in (1..100) %}0123456789012345678901234567890123456789{% endfor %}", strings.Repeat("0123456789012345678901234567890123456789", 25),
			[]wantDiag{{"pages/p.md:10", diag.Error, "output limit"}}},
		{"break outside loop", "a{% break %}b", "a",
			[]wantDiag{{"pages/p.md:10", diag.Warning, "outside a loop"}}},
		{"unsupported tag", "{% render 'x' %}", "{% render 'x' %}",
			[]wantDiag{{"pages/p.md:10", diag.Error, "not supported"}}},
		{"line after trimmed whitespace", "a\n\n{%- if x -%}\n\n{% nope %}", "a{%- if x -%}{% nope %}",
			[]wantDiag{{"pages/p.md:12", diag.Error, "{% if %} is never closed"}, {"pages/p.md:14", diag.Error, `unknown tag "nope"`}}},
		{"runtime line after multi-line tag", "{% assign x = 1\n %}\n\n{{ 1 | divided_by: 0 }}", "\n\n",
			[]wantDiag{{"pages/p.md:13", diag.Error, "divided by 0"}}},
	}
	e := diagEngine()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, diags := e.Render([]byte(c.src), "pages/p.md", 10, nil)
			if diff := cmp.Diff(c.out, string(out)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			var l diag.List
			for _, d := range diags {
				l.Add(d)
			}
			got := l.Items()
			if len(got) != len(c.diags) {
				t.Fatalf("got %d diagnostics, want %d:\n%v", len(got), len(c.diags), got)
			}
			for i, w := range c.diags {
				d := got[i]
				if at := fmt.Sprintf("%s:%d", d.Path, d.Line); at != w.at || d.Severity != w.sev || !strings.Contains(d.Message, w.text) {
					t.Errorf("diagnostic %d = %s\nwant %s: %s: …%s…", i, d, w.at, w.sev, w.text)
				}
			}
		})
	}
}

// TestIncludeCache: an include is read and parsed once per engine.
func TestIncludeCache(t *testing.T) {
	reads := 0
	var mu sync.Mutex
	fsys := countingFS{fstest.MapFS{"a.html": {Data: []byte("{{ include.n }}")}}, &reads, &mu}
	e := New(Config{Includes: []fs.FS{fsys}})
	for i := 0; i < 5; i++ {
		out, diags := e.Render([]byte(fmt.Sprintf("{%% include a.html n=%d %%}", i)), "p.md", 1, nil)
		if string(out) != fmt.Sprint(i) || len(diags) > 0 {
			t.Fatalf("render %d: %q %v", i, out, diags)
		}
	}
	if reads != 1 {
		t.Errorf("include read %d times, want 1", reads)
	}
}

type countingFS struct {
	fs.FS
	n  *int
	mu *sync.Mutex
}

func (c countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	*c.n++
	c.mu.Unlock()
	return c.FS.Open(name)
}

// TestIncludeOrder: earlier Includes entries win; names in diagnostics
// come from IncludePaths.
func TestIncludeOrder(t *testing.T) {
	site := fstest.MapFS{"x.html": {Data: []byte("site")}}
	theme := fstest.MapFS{"x.html": {Data: []byte("theme")}, "y.html": {Data: []byte("theme-y {% bad %}")}}
	e := New(Config{Includes: []fs.FS{site, theme}, IncludePaths: []string{"_includes", "theme/_includes"}})
	out, diags := e.Render([]byte("{% include x.html %} {% include y.html %}"), "p.md", 1, nil)
	if string(out) != "site theme-y {% bad %}" {
		t.Errorf("got %q", out)
	}
	if len(diags) != 1 || diags[0].Path != "theme/_includes/y.html" {
		t.Errorf("diags = %v", diags)
	}
}

// TestConcurrentRender runs one engine from many goroutines (run with -race).
func TestConcurrentRender(t *testing.T) {
	e := unitEngine(tagFS())
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				src := fmt.Sprintf(`{%% for p in people %%}{%% include inc.html name=p.name n=nums %%}{%% cycle "a","b" %%}{%% endfor %%}{{ %d | plus: %d }}`, g, i)
				out, diags := e.Render([]byte(src), "p.md", 1, unitVars())
				want := fmt.Sprintf("Hi Tan (3)aHi Ali (3)bHi Bo (3)a%d", g+i)
				if string(out) != want || len(diags) > 0 {
					t.Errorf("got %q %v", out, diags)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestPanicRecovered: a panic inside rendering becomes a diagnostic and
// the source is returned unrendered.
func TestPanicRecovered(t *testing.T) {
	e := New(Config{Markdownify: func([]byte) ([]byte, error) { panic("boom") }})
	out, diags := e.Render([]byte("a {% accordion T %}x{% endaccordion %} {{ 'y' | markdownify }}"), "p.md", 1, nil)
	if len(diags) == 0 {
		t.Fatalf("no diagnostic; out=%q", out)
	}
	if !strings.Contains(string(out), "a ") {
		t.Errorf("output lost: %q", out)
	}
}

// TestTimeout: the wall-clock budget stops a long render and keeps the
// output produced so far.
func TestTimeout(t *testing.T) {
	e := New(Config{Limits: Limits{Timeout: time.Nanosecond}})
	out, diags := e.Render([]byte("start {% for i in (1..100000) %}{% endfor %} end"), "p.md", 1, nil)
	if string(out) != "start " || len(diags) != 1 || !strings.Contains(diags[0].Message, "time limit") {
		t.Errorf("got %q %v", out, diags)
	}
}
