package theme_test

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"testing"
	"testing/fstest"

	"isomer.dev/isomer/internal/theme"
)

// BenchmarkRenderPage renders the page kinds that make up nearly all of a
// large site, in the proportions of the 10,000-page benchmark site (four
// folder pages with a left navigation, three plain pages, three resource
// items), each with a body of a few kilobytes. The shared parts (header,
// footer, left navigation fragments) are cached after the first page, as
// in a build, so this measures what every page pays.
func BenchmarkRenderPage(b *testing.B) {
	// A folder of 60 pages, two in three of them in groups of ten, as in
	// the generated sites.
	fsys := fixture()
	var order strings.Builder
	order.WriteString("collections:\n  services:\n    output: true\n    order:\n")
	for i := range 60 {
		name := fmt.Sprintf("Service %02d.md", i)
		front := fmt.Sprintf("---\ntitle: Service %02d & more\npermalink: /services/service-%02d/\n", i, i)
		if i%3 != 0 {
			name = fmt.Sprintf("Group %d/%s", i/10, name)
			front += fmt.Sprintf("third_nav_title: Group %d\n", i/10)
		}
		fmt.Fprintf(&order, "      - %s\n", name)
		fsys["_services/"+name] = &fstest.MapFile{Data: []byte(front + "---\nText.\n")}
	}
	fsys["_services/collection.yml"] = &fstest.MapFile{Data: []byte(order.String())}
	fsys["_data/navigation.yml"].Data = append(fsys["_data/navigation.yml"].Data, "  - title: Services\n    collection: services\n"...)
	s := loadFixture(b, fsys)
	th, err := theme.New()
	if err != nil {
		b.Fatal(err)
	}

	var body strings.Builder
	for i := range 12 {
		fmt.Fprintf(&body, "<h2 id=\"part-%d\">Part %d</h2>\n<p>Residents &amp; businesses can apply for the scheme online; see <a href=\"/guide/\">the guide</a> for the documents you need and the <strong>deadlines</strong> that apply.</p>\n<ul>\n<li>First item</li>\n<li>Second item</li>\n</ul>\n", i, i)
	}
	content := template.HTML(body.String())
	var pages []theme.PageData
	for _, url := range []string{
		"/services/service-01/", "/services/service-03/", "/services/service-25/", "/about/team/staff/",
		"/guide/", "/guide/", "/guide/",
		"/media/press/launch/", "/media/press/launch/", "/media/press/launch/",
	} {
		pages = append(pages, theme.PageData{Site: s, Page: pageAt(b, s, url), Content: content, Env: "production",
			SearchScript: "/assets/search/search.js", SearchIndex: "/assets/search/index.json"})
	}

	var buf bytes.Buffer
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.Reset()
		if err := th.Render(&buf, pages[i%len(pages)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
