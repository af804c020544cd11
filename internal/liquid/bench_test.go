package liquid

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	yaml "gopkg.in/yaml.v2"
)

// benchBody is a typical Isomer content body with Liquid: a loop over
// site data, an assign, filters and an include with parameters.
const benchBody = `<h2>Our agencies</h2>
<p>Last updated {{ page.date | date: "%-d %B %Y" }}.</p>
{% assign sorted = site.data.agencies | sort: "name" %}
<div class="row is-multiline">
{% for agency in sorted %}
  {% include card.html title=agency.name url=agency.url description=agency.blurb %}
{% endfor %}
</div>
<p>{{ site.data.agencies | size }} agencies in {{ site.title | escape }}.</p>
`

func benchSetup() (*Engine, map[string]any) {
	e := New(Config{Includes: []fs.FS{fstest.MapFS{"card.html": {Data: []byte(
		`<a class="isomer-card" href="{{ include.url | relative_url }}"><h4>{{ include.title | escape }}</h4>{% if include.description %}<p>{{ include.description }}</p>{% endif %}</a>`)}}}})
	var agencies []any
	for _, n := range []string{"Delta", "Alpha", "Echo", "Charlie", "Bravo", "Golf", "Foxtrot", "Hotel", "India", "Juliet"} {
		agencies = append(agencies, yaml.MapSlice{{Key: "name", Value: "Agency " + n}, {Key: "url", Value: "/agencies/" + strings.ToLower(n) + "/"}, {Key: "blurb", Value: "About " + n}})
	}
	vars := map[string]any{
		"site": yaml.MapSlice{{Key: "title", Value: "Ministry of Examples"}, {Key: "data", Value: yaml.MapSlice{{Key: "agencies", Value: agencies}}}},
		"page": yaml.MapSlice{{Key: "title", Value: "Agencies"}, {Key: "date", Value: "2025-11-11"}},
	}
	return e, vars
}

func BenchmarkRender(b *testing.B) {
	e, vars := benchSetup()
	src := []byte(benchBody)
	b.Run("loop+include", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			_, diags := e.Render(src, "pages/agencies.md", 5, vars)
			if len(diags) > 0 {
				b.Fatal(diags)
			}
		}
	})
	plain := []byte(strings.Repeat("<p>Plain Tiptap content with <strong>no</strong> Liquid at all, 100% {curly} safe.</p>\n", 40))
	b.Run("no-liquid", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			e.Render(plain, "pages/plain.md", 5, vars)
		}
	})
}
