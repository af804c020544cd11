package build_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"isomer.dev/isomer/internal/build"
)

// TestSiteFiles checks the files a site needs besides its pages.
func TestSiteFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"_config.yml":         {Data: []byte("title: Files\nurl: https://files.example.gov.sg\nresources_name: news\ninclude: [_redirects]\n")},
		"_data/redirects.yml": {Data: []byte("- from: /old-contact\n  to: /contact/\n- from: /gone/\n  to: https://www.example.gov.sg/\n")},
		"_redirects":          {Data: []byte("/legacy /new 301")},
		"pages/contact.md":    {Data: []byte("---\ntitle: Contact\npermalink: /contact/\nredirect_from:\n  - /reach-us/\n---\nHi\n")},
		"pages/hidden.md":     {Data: []byte("---\ntitle: Hidden\npermalink: /hidden/\nsitemap: false\n---\n")},
		"news/index.html":     {Data: []byte("---\nlayout: resources\ntitle: News\n---\n")},
		"news/cat/_posts/2024-01-02-post-First.md": {Data: []byte("---\ntitle: First & best\nlayout: post\npermalink: /first/\ndescription: A summary\n---\nBody *text*\n")},
		"files/a b.pdf": {Data: []byte("%PDF-1.4")},
	}
	b, err := build.New(build.Options{FS: fsys, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	mem := build.NewMemory()
	if _, err := b.Build(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		data, ok := mem.ReadFile(p)
		if !ok {
			t.Fatalf("%s was not written", p)
		}
		return string(data)
	}
	tests := []struct {
		file    string
		want    []string
		notWant []string
	}{
		{"sitemap.xml", []string{"<loc>https://files.example.gov.sg/contact/</loc>", "<loc>https://files.example.gov.sg/first/</loc><lastmod>2024-01-02", "<loc>https://files.example.gov.sg/files/a%20b.pdf</loc>"}, []string{"/hidden/", "404.html"}},
		{"robots.txt", []string{"Sitemap: https://files.example.gov.sg/sitemap.xml"}, nil},
		{"feed.xml", []string{`<feed xmlns="http://www.w3.org/2005/Atom">`, "<title type=\"html\">First &amp; best</title>", "https://files.example.gov.sg/first/", "<summary type=\"html\">A summary</summary>", "&lt;em&gt;text&lt;/em&gt;"}, nil},
		{"news/cat/feed.xml", []string{"First &amp; best"}, nil},
		{"reach-us/index.html", []string{`<meta http-equiv="refresh" content="0; url=/contact/">`, `<link rel="canonical" href="/contact/">`}, nil},
		{"old-contact.html", []string{`url=/contact/`}, nil},
		{"gone/index.html", []string{`url=https://www.example.gov.sg/`}, nil},
		{"_redirects", []string{"/legacy /new 301\n", "/reach-us/ /contact/ 301\n", "/old-contact /contact/ 301\n", "/gone/ https://www.example.gov.sg/ 301\n"}, nil},
		{"_headers", []string{"Content-Security-Policy: default-src 'self'", "X-Content-Type-Options: nosniff", "/assets/isomer/*\n  Cache-Control: public, max-age=31536000, immutable"}, []string{"unsafe-inline"}},
		{"404.html", []string{"<title>", "Page not found", `class="site-header"`}, nil},
	}
	for _, tc := range tests {
		got := read(tc.file)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", tc.file, w, got)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(got, w) {
				t.Errorf("%s must not contain %q", tc.file, w)
			}
		}
	}

	// Staging keeps search engines out.
	sb, _ := build.New(build.Options{FS: fsys, Now: fixedNow, Env: "staging"})
	smem := build.NewMemory()
	if _, err := sb.Build(context.Background(), smem); err != nil {
		t.Fatal(err)
	}
	if robots, _ := smem.ReadFile("robots.txt"); string(robots) != "User-agent: *\nDisallow: /\n" {
		t.Errorf("staging robots.txt = %q", robots)
	}
	if sm, _ := smem.ReadFile("sitemap.xml"); strings.Contains(string(sm), "<loc>") {
		t.Errorf("staging sitemap lists pages:\n%s", sm)
	}
}
