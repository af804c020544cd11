package theme

import (
	"html/template"
	"reflect"
	"strings"
	"testing"
)

// trickyStrings are values that exercise every branch of html/template's
// escaping: characters it escapes, '+' (which only it escapes), NUL,
// invalid UTF-8, and URLs that are unsafe, need normalising or are inert.
var trickyStrings = []string{
	"", "Plain title", "Tom & Jerry's \"best\" <b>day</b>", "C++ and A+B", "nul\x00byte", "bad \xff\xfe utf-8",
	"Ünïcode — ✓", "https://www.example.gov.sg/a/b-c_d.e~f/", "/about-us/", "/a b/c?q=1&r=2#frag",
	"javascript:alert(1)", "mailto:hello@example.gov.sg", "HTTP://EXAMPLE.COM/X", "//cdn.example.com/x",
	"/%7Euser/", "/it's/", "http://x/<script>",
}

// FuzzStencilEscaping checks the claims stencil.write rests on: where
// escapeText handles a string, html/template escapes it in text, RCDATA and
// quoted attributes as template.HTMLEscapeString does; where escapeURL
// handles it, html/template leaves it as it is in a URL attribute.
func FuzzStencilEscaping(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	text := template.Must(template.New("").Parse(`<p>{{.}}</p><title>{{.}}</title><p title="{{.}}"></p><p title='{{.}}'></p>`))
	url := template.Must(template.New("").Parse(`<a href="{{.}}"></a><img src='{{.}}'>`))
	f.Fuzz(func(t *testing.T, s string) {
		if escapeText.handles(s) {
			var got strings.Builder
			if err := text.Execute(&got, s); err != nil {
				t.Fatal(err)
			}
			e := template.HTMLEscapeString(s)
			if want := `<p>` + e + `</p><title>` + e + `</title><p title="` + e + `"></p><p title='` + e + `'></p>`; got.String() != want {
				t.Errorf("html/template escapes %q as text as\n%s\nnot as HTMLEscapeString does:\n%s", s, got.String(), want)
			}
		}
		if escapeURL.handles(s) {
			var got strings.Builder
			if err := url.Execute(&got, s); err != nil {
				t.Fatal(err)
			}
			if want := `<a href="` + s + `"></a><img src='` + s + `'>`; got.String() != want {
				t.Errorf("html/template changes %q in a URL attribute:\n%s", s, got.String())
			}
		}
	})
}

// TestStencilsMatchTemplates renders every stenciled template from its
// stencil and by executing it, for values of every shape made of tricky
// strings, and wants the same bytes.
func TestStencilsMatchTemplates(t *testing.T) {
	th, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		names []string
		typ   reflect.Type
	}{
		{[]string{"headtags", "page", "post", "leftnav", "pagetitle", "breadcrumb"}, reflect.TypeFor[pageValues]()},
		{[]string{"sidenav-link", "sidenav-group-head", "sidenav-group-item"}, reflect.TypeFor[sideNavItem]()},
		{[]string{"resource-card"}, reflect.TypeFor[card]()},
		{[]string{"navbar-item"}, reflect.TypeFor[navbarEntry]()},
		{[]string{"navbar-child"}, reflect.TypeFor[navbarChild]()},
	} {
		fields := th.stencils.fields[tc.typ]
		for _, name := range tc.names {
			// Each value in turn takes each tricky string, every other
			// value its first non-empty one, in every shape where it shows.
			for i := range fields {
				for j, s := range trickyStrings {
					data := valuesFor(tc.typ, fields, i, s, j)
					var stenciled, executed strings.Builder
					if err := th.stencils.execute(&stenciled, name, data.Interface()); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := th.tmpl.ExecuteTemplate(&executed, name, data.Interface()); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if stenciled.String() != executed.String() {
						t.Errorf("%s with field %d = %q: the stencil writes\n%s\nthe template\n%s", name, i, s, stenciled.String(), executed.String())
					}
				}
			}
		}
	}
}

// valuesFor makes a *typ whose field i is s (or, for a bool or pointer, set
// when variant is odd), whose other strings are "x" and whose pointers and
// bools are set when variant is odd or field i is reached through them.
func valuesFor(typ reflect.Type, fields []valueField, i int, s string, variant int) reflect.Value {
	needed := map[int]bool{}
	for p := fields[i].parent; p >= 0; p = fields[p].parent {
		needed[p] = true
	}
	data := reflect.New(typ)
	at := make([]reflect.Value, len(fields))
	for k, f := range fields {
		parent := data.Elem()
		if f.parent >= 0 {
			if !at[f.parent].IsValid() || at[f.parent].IsNil() {
				continue
			}
			parent = at[f.parent].Elem()
		}
		v := parent.Field(f.index)
		at[k] = v
		switch {
		case f.kind == reflect.String && k == i:
			v.SetString(s)
		case f.kind == reflect.String:
			v.SetString("x")
		case f.kind == reflect.Bool:
			v.SetBool(variant%2 == 1)
		case f.kind == reflect.Pointer && (needed[k] || variant%2 == 1):
			v.Set(reflect.New(v.Type().Elem()))
		}
	}
	return data
}

// TestStencilRefuses checks that a template printing a value where a
// stencil cannot reproduce html/template's escaping fails to stencil
// instead of writing wrong bytes.
func TestStencilRefuses(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(`
{{define "query"}}<a href="/search?q={{.Title}}">x</a>{{end}}
{{define "unquoted"}}<p class={{.Title}}>x</p>{{end}}
{{define "script"}}<script>var t = {{.Title}};</script>{{end}}
{{define "style"}}<p style="color: {{.Title}}">x</p>{{end}}
{{define "html-in-attribute"}}<p title="{{.Content}}">x</p>{{end}}
{{define "html-in-title"}}<title>{{.Content}}</title>{{end}}
`))
	typ := reflect.TypeFor[pageValues]()
	fields, err := valueFields(typ)
	if err != nil {
		t.Fatal(err)
	}
	var all uint64 = 1<<len(fields) - 1 // every value true
	for _, name := range []string{"query", "unquoted", "script", "style", "html-in-attribute", "html-in-title"} {
		if _, err := newStencil(tmpl, name, typ, fields, all); err == nil {
			t.Errorf("%s: stenciled", name)
		}
	}
}
