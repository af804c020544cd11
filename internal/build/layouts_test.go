package build_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"isomer.dev/isomer/internal/build"
)

// TestSiteLayouts checks a site's own Liquid layouts and includes: a layout
// chain ending in the theme's skeleton, a layout that writes the whole
// document with the theme's parts included by Isomer's names, and a site
// include with parameters.
func TestSiteLayouts(t *testing.T) {
	fsys := fstest.MapFS{
		"_config.yml":              {Data: []byte("title: Layout Site\n")},
		"_data/navigation.yml":     {Data: []byte("links:\n  - title: Staff\n    url: /staff/\n")},
		"_includes/card.html":      {Data: []byte(`<p class="staff-card">{{ include.name }} ({{ page.role }})</p>`)},
		"_layouts/staff.html":      {Data: []byte("---\nlayout: wrapper\n---\n<article class=\"staff\">{{ content }}</article>")},
		"_layouts/wrapper.html":    {Data: []byte("---\nlayout: skeleton\n---\n<div class=\"wrapper\">{{ content }}</div>")},
		"_layouts/standalone.html": {Data: []byte(`<!doctype html><html lang="en"><head>{% include head.html %}</head><body>{% include agencyhead.html %}<main>{{ content }}</main>{% include footer.html %}</body></html>`)},
		"pages/staff.md":           {Data: []byte("---\ntitle: Staff\npermalink: /staff/\nlayout: staff\nrole: Director\n---\n{% include card.html name=\"Ann Tan\" %}\n")},
		"pages/own.md":             {Data: []byte("---\ntitle: Own\npermalink: /own/\nlayout: standalone\n---\nHello **there**\n")},
	}
	b, err := build.New(build.Options{FS: fsys, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	mem := build.NewMemory()
	res, err := b.Build(context.Background(), mem)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		if d.Severity.String() == "error" {
			t.Errorf("%s", d)
		}
	}
	staff, _ := mem.ReadFile("staff/index.html")
	for _, want := range []string{`<div class="wrapper"><article class="staff">`, `<p class="staff-card">Ann Tan (Director)</p>`, `class="site-header"`, `<footer`} {
		if !strings.Contains(string(staff), want) {
			t.Errorf("staff page lacks %q:\n%s", want, staff)
		}
	}
	if strings.Count(string(staff), "<h1") != 0 && strings.Contains(string(staff), "pagetitle") {
		t.Errorf("a skeleton-wrapped layout must not get the page title banner")
	}
	own, _ := mem.ReadFile("own/index.html")
	for _, want := range []string{"<!doctype html>", `<link rel="stylesheet" href="/assets/isomer/theme.`, `class="site-header"`, "<main><p>Hello <strong>there</strong></p>", `<footer`} {
		if !strings.Contains(string(own), want) {
			t.Errorf("standalone page lacks %q:\n%s", want, own)
		}
	}
}
