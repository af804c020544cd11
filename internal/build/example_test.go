package build_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/frontmatter"
)

const exampleSite = "../../examples/agency-site"

func buildExample(t *testing.T) (string, *build.Result) {
	t.Helper()
	out := t.TempDir()
	res, err := build.Build(context.Background(), build.Options{Source: exampleSite, Dest: out})
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

func readDoc(t *testing.T, file string) *goquery.Document {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestExampleSiteBuildsClean builds the example site: no problems reported.
func TestExampleSiteBuildsClean(t *testing.T) {
	_, res := buildExample(t)
	for _, d := range res.Diagnostics {
		t.Errorf("%s", d)
	}
	if res.Pages < 30 {
		t.Errorf("built %d pages; the example site has more", res.Pages)
	}
}

// TestSeedPageCards checks the real seed page: all nine cards with their
// titles, descriptions, links and images, in a left navigation under "What We Do".
func TestSeedPageCards(t *testing.T) {
	out, _ := buildExample(t)
	src, err := os.ReadFile(filepath.Join(exampleSite, "_about-us/What We Do/Our Digital Government Efforts.md"))
	if err != nil {
		t.Fatal(err)
	}
	fm, err := frontmatter.Split(src)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := goquery.NewDocumentFromReader(strings.NewReader(string(fm.Body)))
	if err != nil {
		t.Fatal(err)
	}
	type card struct{ title, desc, href, img, alt string }
	var want []card
	seed.Find(".isomer-card").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		img, _ := s.Find("img").Attr("src")
		alt, _ := s.Find("img").Attr("alt")
		want = append(want, card{
			title: strings.TrimSpace(s.Find(".isomer-card-title").Text()),
			desc:  strings.Join(strings.Fields(s.Find(".isomer-card-description").Text()), " "),
			href:  href, img: img, alt: alt,
		})
	})
	if len(want) != 9 {
		t.Fatalf("seed page has %d cards, want 9", len(want))
	}

	page := readDoc(t, filepath.Join(out, "about-us/what-we-do/our-digital-government-efforts/index.html"))
	main := page.Find("main")
	text := strings.Join(strings.Fields(main.Text()), " ")
	for _, c := range want {
		if !strings.Contains(text, c.title) || !strings.Contains(text, c.desc) {
			t.Errorf("card %q: title or description missing from the page", c.title)
		}
		link := main.Find(`a[href="` + c.href + `"]`)
		if link.Length() != 1 {
			t.Errorf("card %q: want exactly one link to %s, found %d", c.title, c.href, link.Length())
		}
		img := main.Find(`img[src="` + c.img + `"]`)
		if alt, _ := img.Attr("alt"); img.Length() != 1 || alt != c.alt {
			t.Errorf("card %q: image %s with its alt text not found", c.title, c.img)
		}
	}

	current := page.Find(`[aria-current="page"][href="/about-us/what-we-do/our-digital-government-efforts/"]`)
	if current.Length() == 0 {
		t.Fatal("the left navigation does not mark the seed page as current")
	}
	inGroup := false
	current.Parents().Each(func(_ int, s *goquery.Selection) {
		if s.Is("li, details") && strings.HasPrefix(strings.TrimSpace(s.Text()), "What We Do") {
			inGroup = true
		}
	})
	if !inGroup {
		t.Error(`the seed page is not inside a left-navigation group headed "What We Do"`)
	}
}

// TestExampleSiteReferences checks that every image, file and page that an
// output page links to (by a site-relative URL) exists in the output.
func TestExampleSiteReferences(t *testing.T) {
	out, _ := buildExample(t)
	checked := 0
	filepath.WalkDir(out, func(file string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(file) != ".html" {
			return err
		}
		doc := readDoc(t, file)
		rel, _ := filepath.Rel(out, file)
		doc.Find("[src], [href], [srcset], [poster]").Each(func(_ int, s *goquery.Selection) {
			for _, attr := range []string{"src", "href", "poster"} {
				v, ok := s.Attr(attr)
				if !ok || !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
					continue
				}
				if goquery.NodeName(s) == "form" {
					continue
				}
				checked++
				if !exists(out, v) {
					t.Errorf("%s: %s=%q does not exist in the output", rel, attr, v)
				}
			}
		})
		return nil
	})
	if checked == 0 {
		t.Fatal("no references checked")
	}
}

// exists resolves a site-relative URL the way a static web server does.
func exists(root, ref string) bool {
	u, err := url.Parse(ref)
	if err != nil {
		return false
	}
	p := filepath.Join(root, filepath.FromSlash(u.Path))
	for _, candidate := range []string{p, filepath.Join(p, "index.html"), p + ".html"} {
		if info, err := os.Stat(candidate); err == nil && !info.IsDir() {
			return true
		}
	}
	return false
}
