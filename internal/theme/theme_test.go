package theme_test

import (
	"bytes"
	"compress/gzip"
	"flag"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/theme"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixture is a small site with every page kind and every homepage section.
func fixture() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"_config.yml": f(`title: Test Agency
description: A test agency site.
url: https://www.test.gov.sg
favicon: /images/favicon.ico
shareicon: /images/share.png
resources_name: media
colors:
  primary-color: "#1b3a6b"
  secondary-color: "#ffcc00"
  media-colors:
    - title: media-color-one
      color: "#1b3a6b"
    - title: media-color-two
      color: "#0b6e6e"
    - title: media-color-three
      color: "#7b3f98"
    - title: media-color-four
      color: "#a8431e"
    - title: media-color-five
      color: "#2e6b30"
`),
		"_data/navigation.yml": f(`logo: /images/logo.svg
links:
  - title: About Us
    collection: about
  - title: Resources
    url: /guide/
    sublinks:
      - title: Guide
        url: /guide/
      - title: Directory
        url: https://www.sgdi.gov.sg/
  - title: Media
    resource_room: true
  - title: Contact Us
    url: /contact-us/
`),
		"_data/footer.yml": f(`contact_us: /contact-us/
show_reach: true
feedback: https://form.gov.sg/abc
faq: /faq/
privacy_policy: /privacy/
terms_of_use: /terms-of-use/
copyright_agency: Test Agency
social_media:
  facebook: https://www.facebook.com/test
  twitter: https://x.com/test
  youtube: https://www.youtube.com/test
  instagram: https://www.instagram.com/test/
  linkedin: https://www.linkedin.com/company/test/
  telegram: https://t.me/test
  tiktok: https://www.tiktok.com/@test
links:
  - title: Accessibility
    url: /accessibility/
  - title: Directory
    url: https://www.sgdi.gov.sg/
  - title: Third (not shown)
    url: /third/
`),
		"_about/collection.yml": f(`collections:
  about:
    output: true
    order:
      - Who We Are.md
      - Team/Leaders.md
      - Team/Staff.md
      - Mission.md
`),
		"_about/Who We Are.md":   f("---\ntitle: Who We Are\npermalink: /about/who-we-are/\n---\nWho we are.\n"),
		"_about/Team/Leaders.md": f("---\ntitle: Leaders\npermalink: /about/team/leaders/\nthird_nav_title: Team\n---\nLeaders.\n"),
		"_about/Team/Staff.md":   f("---\ntitle: Staff\npermalink: /about/team/staff/\nthird_nav_title: Team\n---\nStaff.\n"),
		"_about/Mission.md":      f("---\ntitle: Mission\npermalink: /about/mission/\n---\nMission.\n"),
		"index.md": f(`---
layout: homepage
title: Test Agency
description: Home of the test agency.
permalink: /
notification: Maintenance on <b>Sunday</b>.
sections:
  - hero:
      title: Welcome
      subtitle: We help.
      background: /images/hero banner.jpg
      dropdown:
        title: I want to...
        options:
          - title: Apply
            url: /apply/
          - title: Learn
            url: /learn/
      key_highlights:
        - title: Sign in
          description: One account
          url: /sign-in/
        - title: Open data
          description: Datasets
          url: https://data.gov.sg/
        - title: No link
          description: Just text
  - announcements:
      title: Announcements
      subtitle: New
      announcement_items:
        - title: Opening hours
          date: 1 May 2026
          announcement: We open at 9.
          link_text: Plan
          link_url: /contact-us/
        - title: No link
          date: 2 May 2026
          announcement: Plain.
  - infobar:
      title: Our purpose
      subtitle: About
      description: We serve.
      button: Who we are
      url: /about/who-we-are/
  - textcards:
      title: Help
      subtitle: Topics
      description: Popular topics.
      cards:
        - title: Residents
          description: Sign in.
          linktext: More
          url: /residents/
        - title: External
          description: Elsewhere.
          linktext: Go
          url: https://www.gov.sg/
  - infopic:
      title: First picture
      subtitle: One
      description: Text.
      button: Read
      url: /guide/
      image: /images/one.png
      alt: One
  - infopic:
      title: Second picture
      subtitle: Two
      description: Text.
      button: Read
      url: https://www.gov.sg/
      image: /images/two.png
      alt: Two
  - infocols:
      title: Commitments
      subtitle: Standards
      url: /standards/
      linktext: Read more
      infoboxes:
        - title: Fast
          description: Quick.
        - title: Safe
          description: Secure.
        - title: Open
          description: Open.
  - resources:
      title: Latest
      subtitle: News
      button: All news
  - carousel:
      - title: Slide
        subtitle: Legacy
        description: A slide.
        image: /images/slide.png
        alt: Slide
  - listing:
      title: Partners
      entries:
        - url: https://www.gov.sg/
          image: /images/partner.png
---
`),
		"pages/guide.md": f("---\ntitle: Guide\npermalink: /guide/\ndescription: \"\"\n---\n## A heading\n\nSome *text* and a [link](/about/who-we-are/).\n"),
		"pages/contact-us.md": f(`---
layout: contact_us
title: Contact Us
permalink: /contact-us/
agency_name: Test Agency
image: /images/contact.jpg
locations:
  - title: Main Office
    address:
      - 1 Test Road
      - "#01-01 <b>Block</b>"
      - ""
    operating_hours:
      - days: Mon - Fri
        time: 9am - 5pm
        description: Closed on public holidays
  - title: Branch
    address: 2 Branch Road<br>Singapore 123456
    maps_link: https://maps.example.com/branch
  - title: Empty
    address:
      - ""
contacts:
  - title: Enquiries
    content:
      - phone: +65 6123 4567
      - email: hello@test.gov.sg
      - other: Open <i>daily</i>
---
`),
		"pages/search.md":           f("---\nlayout: search\ntitle: Search\npermalink: /search/\n---\n"),
		"404.md":                    f("---\ntitle: Page not found\npermalink: /404.html\n---\n"),
		"media/index.html":          f("---\nlayout: resources\ntitle: Media\n---\n"),
		"media/press/index.html":    f("---\nlayout: resources-alt\ntitle: Press\n---\n"),
		"media/speeches/index.html": f("---\nlayout: resources-alt\ntitle: Speeches\n---\n"),
		"media/press/_posts/2024-01-02-post-Launch.md":     f("---\nlayout: post\ntitle: Launch\ndate: 2024-01-02\npermalink: /media/press/launch/\n---\nWe launched.\n"),
		"media/press/_posts/2024-03-04-file-Report.md":     f("---\nlayout: file\ntitle: Annual report\ndate: 2024-03-04\nfile_url: /files/report 2024.pdf\n---\n"),
		"media/speeches/_posts/2024-05-06-link-Keynote.md": f("---\nlayout: link\ntitle: Keynote\ndate: 2024-05-06\nexternal: https://www.gov.sg/keynote\n---\n"),
		"media/speeches/_posts/2024-06-07-post-Opening.md": f("---\nlayout: post\ntitle: Opening_address\ndate: 2024-06-07\n---\nHello.\n"),
	}
}

func loadFixture(t testing.TB, fsys fstest.MapFS) *site.Site {
	t.Helper()
	s, err := site.Load(t.Context(), fsys, site.Options{Now: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range s.Diagnostics.Items() {
		t.Logf("fixture diagnostic: %v", d)
	}
	return s
}

// page finds a page by URL among pages, documents and posts.
func pageAt(t testing.TB, s *site.Site, url string) *site.Page {
	t.Helper()
	if p := s.ByURL[url]; p != nil {
		return p
	}
	t.Fatalf("no page at %s", url)
	return nil
}

func render(t *testing.T, th *theme.Theme, d theme.PageData) string {
	t.Helper()
	var buf bytes.Buffer
	if err := th.Render(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// versionRE matches the cache-busting hashes of asset URLs, which change
// with every CSS or JS edit and would make every golden file churn.
var versionRE = regexp.MustCompile(`\.[0-9a-f]{10}\.(css|js)"`)

func golden(t *testing.T, name, got string) {
	t.Helper()
	got = versionRE.ReplaceAllString(got, ".HASH.$1\"")
	file := filepath.Join("testdata", name+".golden.html")
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; go test -update rewrites it):\n%s", file, diff)
	}
}

var mainRE = regexp.MustCompile(`(?s)<main id="main-content" tabindex="-1">.*</main>`)

// strictness checks what a strict CSP and WCAG need from the theme's own markup.
func strictness(t *testing.T, name, html string) {
	t.Helper()
	checks := []struct {
		re   *regexp.Regexp
		what string
	}{
		{regexp.MustCompile(`<style`), "a <style> element"},
		{regexp.MustCompile(`\sstyle=`), "a style attribute"},
		{regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`), "an inline script"},
		{regexp.MustCompile(`<script(?:(?:\s(?:defer|async|src="[^"]*"))*)>`), ""},
		{regexp.MustCompile(`\son[a-z]+=`), "an event handler attribute"},
	}
	for _, c := range checks {
		if c.what == "" {
			continue
		}
		if loc := c.re.FindStringIndex(html); loc != nil {
			t.Errorf("%s: the theme emits %s: %q", name, c.what, html[max(loc[0]-40, 0):min(loc[1]+40, len(html))])
		}
	}
	for _, s := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(s, `src="`) {
			t.Errorf("%s: script without src: %s", name, s)
		}
	}
	if n := strings.Count(html, "<h1"); n != 1 {
		t.Errorf("%s: %d h1 elements, want exactly 1", name, n)
	}
	for _, must := range []string{`<a class="skip-link" href="#main-content">`, `<main id="main-content"`, `<header`, `<footer`, `<html lang="en"`, `<nav class="navbar" aria-label="Main">`} {
		if !strings.Contains(html, must) {
			t.Errorf("%s: missing %s", name, must)
		}
	}
}

func TestLayouts(t *testing.T) {
	s := loadFixture(t, fixture())
	th, err := theme.New()
	if err != nil {
		t.Fatal(err)
	}
	content := template.HTML("<p>Body <a href=\"/guide/\">text</a>.</p>\n<h2 id=\"more\">More</h2>\n<ul>\n<li>One</li>\n</ul>")
	for _, tc := range []struct {
		name, url, env string
		empty          bool
	}{
		{name: "homepage", url: "/", empty: true},
		{name: "page", url: "/guide/"},
		{name: "page-staging", url: "/guide/", env: "staging"},
		{name: "collection-first", url: "/about/who-we-are/"},
		{name: "collection-group", url: "/about/team/staff/"},
		{name: "collection-last", url: "/about/mission/"},
		{name: "post", url: "/media/press/launch/"},
		{name: "resource-room", url: "/media/", empty: true},
		{name: "resource-category", url: "/media/speeches/", empty: true},
		{name: "contact-us", url: "/contact-us/", empty: true},
		{name: "search", url: "/search/", empty: true},
		{name: "not-found", url: "/404.html", empty: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := theme.PageData{Site: s, Page: pageAt(t, s, tc.url), Content: content, Env: tc.env}
			if tc.empty {
				d.Content = ""
			}
			if d.Env == "" {
				d.Env = "production"
			}
			if tc.name == "search" {
				d.SearchScript = "/assets/search/search.js"
			}
			got := render(t, th, d)
			strictness(t, tc.name, got)
			golden(t, tc.name, got)
		})
	}
}

// TestHomepageSections renders the homepage with one section after the hero
// at a time, and every hero variant, comparing only <main>.
func TestHomepageSections(t *testing.T) {
	s := loadFixture(t, fixture())
	th, err := theme.New()
	if err != nil {
		t.Fatal(err)
	}
	home := pageAt(t, s, "/")
	sections := home.Homepage.Sections
	hero := sections[0]
	only := func(secs ...site.Section) *site.Page {
		p := *home
		h := *home.Homepage
		h.Notification = ""
		h.Sections = secs
		p.Homepage = &h
		return &p
	}
	cases := map[string]*site.Page{}
	for _, sec := range sections[1:] {
		name := "section-" + sec.Name()
		if sec.Name() == "infopic" {
			// Two infopics show the alternation.
			cases[name] = only(hero, sections[4], sections[5])
			continue
		}
		cases[name] = only(hero, sec)
	}
	for _, variant := range []string{"center", "image", "side", "floating"} {
		h := *hero.Hero
		h.Variant = variant
		h.KeyHighlights = nil
		if variant == "side" || variant == "floating" {
			h.Dropdown = nil
			h.Button, h.URL = "Explore", "/explore/"
			h.BackgroundColor, h.Alignment, h.Size = "black", "right", "sm"
		}
		cases["hero-"+variant] = only(site.Section{Hero: &h})
	}
	cases["no-hero"] = only(sections[2])
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			got := render(t, th, theme.PageData{Site: s, Page: p, Env: "production"})
			strictness(t, name, got)
			golden(t, name, mainRE.FindString(got)+"\n")
		})
	}
}

func TestNotGovernment(t *testing.T) {
	fsys := fixture()
	fsys["_config.yml"] = &fstest.MapFile{Data: append([]byte("is_government: false\nhide_search_on_nav: true\ngoogle_analytics_ga4: G-TEST123\n"), fsys["_config.yml"].Data...)}
	s := loadFixture(t, fsys)
	th, err := theme.New()
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, th, theme.PageData{Site: s, Page: pageAt(t, s, "/guide/"), Env: "production"})
	if strings.Contains(got, "bp-masthead") {
		t.Error("masthead shown although is_government is false")
	}
	if strings.Contains(got, `navbar-search`) {
		t.Error("navbar search shown although hide_search_on_nav is true")
	}
	if !strings.Contains(got, `<script src="https://www.googletagmanager.com/gtag/js?id=G-TEST123" async></script>`) || !strings.Contains(got, `data-ga4="G-TEST123"`) {
		t.Error("GA4 not loaded although configured")
	}
	s2 := loadFixture(t, fixture())
	plain := render(t, th, theme.PageData{Site: s2, Page: pageAt(t, s2, "/guide/"), Env: "production"})
	if strings.Contains(plain, "googletagmanager") || regexp.MustCompile(`<script[^>]*src="https?://|<link rel="stylesheet" href="https?://`).MatchString(strings.Split(plain, "</head>")[0]) {
		t.Error("the head loads a third-party resource although the site configures none")
	}
}

func TestAssetsAndBudget(t *testing.T) {
	s := loadFixture(t, fixture())
	th, err := theme.New()
	if err != nil {
		t.Fatal(err)
	}
	assets := th.Assets(s)
	var paths []string
	total := 0
	for _, a := range assets {
		paths = append(paths, a.Path)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(a.Data)
		zw.Close()
		t.Logf("%s: %d bytes, %d gzipped", a.Path, len(a.Data), buf.Len())
		total += buf.Len()
	}
	hashed := regexp.MustCompile(`^assets/isomer/(theme|site)\.[0-9a-f]{10}\.(css|js)$`)
	for _, p := range paths {
		if !hashed.MatchString(p) {
			t.Errorf("asset %s has no content-hashed name", p)
		}
	}
	if len(paths) != 3 {
		t.Errorf("want 3 assets (theme CSS, theme JS, site colours), got %q", paths)
	}
	const budget = 30 * 1024
	if total > budget {
		t.Errorf("theme CSS and JS are %d bytes gzipped; the budget is %d", total, budget)
	}
	t.Logf("theme CSS + JS for a page: %d bytes gzipped", total)
	siteCSS := string(assets[2].Data)
	for _, want := range []string{"--primary:#1b3a6b;", "--on-primary:#ffffff;", "--secondary:#ffcc00;", "--on-secondary:#1f1f1f;", "--media-5:#2e6b30;"} {
		if !strings.Contains(siteCSS, want) {
			t.Errorf("site.css lacks %s:\n%s", want, siteCSS)
		}
	}
	if strings.Contains(siteCSS, "--secondary-text:#ffcc00;") {
		t.Error("a yellow secondary colour is used as text on white")
	}
}

func TestContrastProblems(t *testing.T) {
	got := theme.ContrastProblems(site.Colors{Primary: "#1b3a6b", Secondary: "#ffcc00", MediaColors: []string{"#1b3a6b", "nope"}})
	if len(got) != 3 {
		t.Fatalf("got %d problems, want 3 (secondary with white text, secondary as text, invalid media colour):\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, want := range []string{"colors.secondary-color #ffcc00 has a contrast of", "too light for headings", `colors.media-colors[1] "nope" is not a hex colour`} {
		if !strings.Contains(got[i], want) {
			t.Errorf("problem %d = %q, want it to contain %q", i, got[i], want)
		}
	}
	if p := theme.ContrastProblems(site.Colors{Primary: "#12355b", Secondary: "#0b6e6e"}); len(p) != 0 {
		t.Errorf("accessible colours reported: %v", p)
	}
}

func TestHasLayout(t *testing.T) {
	th, err := theme.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"page", "homepage", "contact_us", "post", "resources", "resources-alt", "search"} {
		if !th.HasLayout(l) {
			t.Errorf("HasLayout(%q) = false", l)
		}
	}
	if th.HasLayout("nope") {
		t.Error(`HasLayout("nope") = true`)
	}
}

// TestOneResourceCategory: with a single category the resource room's menu
// and footer column still list it; only "All" needs two (§8.3).
func TestOneResourceCategory(t *testing.T) {
	fsys := fixture()
	for p := range fsys {
		if strings.HasPrefix(p, "media/speeches/") {
			delete(fsys, p)
		}
	}
	s := loadFixture(t, fsys)
	th, err := theme.New()
	if err != nil {
		t.Fatal(err)
	}
	got := render(t, th, theme.PageData{Site: s, Page: pageAt(t, s, "/guide/"), Env: "production"})
	footer := got[strings.Index(got, `<footer`):]
	for name, part := range map[string]string{"page": got, "footer": footer} {
		if !strings.Contains(part, `href="/media/press/"`) {
			t.Errorf("%s lacks the only category's link", name)
		}
	}
	if strings.Contains(got, `>All<`) {
		t.Error(`"All" shown with a single category`)
	}
}
