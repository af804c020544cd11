package starter_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/check"
	"isomer.dev/isomer/internal/frontmatter"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/starter"
)

// buildSite builds fsys into a temporary folder and fails the test on any
// error or warning.
func buildSite(t *testing.T, fsys fs.FS) (*site.Site, string) {
	t.Helper()
	out := t.TempDir()
	b, err := build.New(build.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Build(t.Context(), &build.Dir{Root: out})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("diagnostic: %s", d)
	}
	if res.Errors() != 0 || res.Warnings() != 0 {
		t.Fatalf("got %d errors and %d warnings, want none", res.Errors(), res.Warnings())
	}
	return b.Site(), out
}

// TestBuildsClean builds the starter with the real engine: no problems, and
// every navigation and footer entry leads to a page that was written.
func TestBuildsClean(t *testing.T) {
	s, out := buildSite(t, starter.FS())

	exists := func(what, url string) {
		t.Helper()
		if url == "" {
			t.Errorf("%s: empty URL", what)
			return
		}
		p := s.ByURL[url]
		if p == nil {
			t.Errorf("%s: no page at %s", what, url)
			return
		}
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(p.OutputPath))); err != nil {
			t.Errorf("%s: %s was not written: %v", what, url, err)
		}
	}
	collections := map[string]*site.Collection{}
	for _, c := range s.Collections {
		collections[c.Name] = c
	}
	if len(s.Navigation.Links) == 0 {
		t.Fatal("navigation has no links")
	}
	for _, l := range s.Navigation.Links {
		switch {
		case l.Collection != "":
			c := collections[l.Collection]
			if c == nil || len(c.Docs) == 0 {
				t.Errorf("navigation %q: collection %q has no pages", l.Title, l.Collection)
				continue
			}
			for _, d := range c.Docs {
				exists("navigation "+l.Title, d.URL)
			}
		case l.ResourceRoom:
			exists("navigation "+l.Title, "/"+s.Config.ResourcesName+"/")
			if len(s.Categories) < 2 || len(s.Posts) == 0 {
				t.Errorf("resource room: %d categories and %d posts, want a category with a post", len(s.Categories)-1, len(s.Posts))
			}
		default:
			exists("navigation "+l.Title, l.URL)
			for _, sub := range l.Sublinks {
				exists("navigation "+sub.Title, sub.URL)
			}
		}
	}
	exists("footer contact_us", s.Footer.ContactUs)
	exists("footer privacy_policy", s.Footer.PrivacyPolicy)
	exists("footer terms_of_use", s.Footer.TermsOfUse)

	// The folder has a top-level page and a third_nav_title group.
	about := collections["about-us"]
	if about == nil {
		t.Fatal("no about-us collection")
	}
	var groups []string
	for _, e := range about.SideNav() {
		if e.IsGroup() {
			groups = append(groups, e.Title())
		}
	}
	if want := []string{"What We Do"}; !cmp.Equal(groups, want) {
		t.Errorf("about-us groups = %q, want %q", groups, want)
	}
}

// TestCheckClean runs the publish gate over the starter: no findings of
// any severity.
func TestCheckClean(t *testing.T) {
	titled, err := starter.Files("Agency for Testing & Examples")
	if err != nil {
		t.Fatal(err)
	}
	for name, fsys := range map[string]fs.FS{"starter": starter.FS(), "titled": titled} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, fsys); err != nil {
				t.Fatal(err)
			}
			rep, err := check.Run(t.Context(), check.Options{Source: dir, Output: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				t.Errorf("finding: %s", f)
			}
			if rep.Pages == 0 {
				t.Error("checked no pages")
			}
		})
	}
}

// TestSmall keeps the embedded starter light: it ships in the binary.
func TestSmall(t *testing.T) {
	var total int64
	err := fs.WalkDir(starter.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		total += info.Size()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if total >= 50<<10 {
		t.Errorf("starter is %d bytes, want under 50 KB", total)
	}
}

// TestPathsValid checks that Studio accepts every path of the starter when
// it commits it as a new site repository.
func TestPathsValid(t *testing.T) {
	for p := range readAll(t, starter.FS()) {
		if err := siterepo.ValidatePath(p); err != nil {
			t.Error(err)
		}
	}
}

// TestFilesTitle sets titles that need YAML quoting or escaping and checks
// that _config.yml and index.md decode to the starter with only the title
// changed, and that every other file is byte for byte the starter's.
func TestFilesTitle(t *testing.T) {
	long := strings.Repeat("Agency for Very Long Names ", 5)
	tests := []struct {
		name, title, want string
	}{
		{"plain", "Ministry of Examples", "Ministry of Examples"},
		{"double quotes", `The "Example" Board`, `The "Example" Board`},
		{"single quote", "People's Association of Examples", "People's Association of Examples"},
		{"leading quote", `'Quoted' Agency`, `'Quoted' Agency`},
		{"colon", "Examples: An Agency", "Examples: An Agency"},
		{"colon at end", "Agency:", "Agency:"},
		{"hash", "Agency #1 # not a comment", "Agency #1 # not a comment"},
		{"leading hash", "#1 Agency", "#1 Agency"},
		{"leading dash", "- Agency", "- Agency"},
		{"flow characters", "[Agency] {of} Examples, & more *", "[Agency] {of} Examples, & more *"},
		{"ampersand and angle brackets", "Arts & Heritage <Board>", "Arts & Heritage <Board>"},
		{"backslash", `Agency \n not a newline`, `Agency \n not a newline`},
		{"boolean word", "yes", "yes"},
		{"null word", "null", "null"},
		{"number", "1965", "1965"},
		{"date", "2026-01-05", "2026-01-05"},
		{"unicode", "新加坡示例局 – Café Agency ✓", "新加坡示例局 – Café Agency ✓"},
		{"tamil", "எடுத்துக்காட்டு முகமை", "எடுத்துக்காட்டு முகமை"},
		{"emoji", "Agency 🇸🇬", "Agency 🇸🇬"},
		{"tab inside", "Agency\tof Tabs", "Agency\tof Tabs"},
		{"surrounding space", "  Spaced Agency \t", "Spaced Agency"},
		{"line breaks", "Two\nLine\r\nAgency\u2028Name", "Two Line  Agency Name"},
		{"long", long, strings.TrimSpace(long)},
	}
	base := starter.FS()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := starter.Files(tt.title)
			if err != nil {
				t.Fatal(err)
			}
			compareTitled(t, base, got, tt.want)
		})
	}
}

func compareTitled(t *testing.T, base, titled fs.FS, title string) {
	t.Helper()
	// _config.yml: the title changed, nothing else.
	orig, next := decodeFile(t, base, "_config.yml", false), decodeFile(t, titled, "_config.yml", false)
	if next["title"] != title {
		t.Errorf("_config.yml title = %#v, want %#v", next["title"], title)
	}
	delete(orig, "title")
	delete(next, "title")
	if diff := cmp.Diff(orig, next); diff != "" {
		t.Errorf("_config.yml changed beyond the title (-starter +titled):\n%s", diff)
	}
	// index.md: the homepage title follows, the body is untouched.
	orig, next = decodeFile(t, base, "index.md", true), decodeFile(t, titled, "index.md", true)
	if next["title"] != title {
		t.Errorf("index.md title = %#v, want %#v", next["title"], title)
	}
	delete(orig, "title")
	delete(next, "title")
	if diff := cmp.Diff(orig, next); diff != "" {
		t.Errorf("index.md changed beyond the title (-starter +titled):\n%s", diff)
	}
	if a, b := body(t, base, "index.md"), body(t, titled, "index.md"); !bytes.Equal(a, b) {
		t.Errorf("index.md body changed: %q, want %q", b, a)
	}
	// Every other file is the starter's, and nothing is missing or added.
	want, got := readAll(t, base), readAll(t, titled)
	if len(got) != len(want) {
		t.Errorf("titled starter has %d files, want %d", len(got), len(want))
	}
	for p, data := range want {
		if p == "_config.yml" || p == "index.md" {
			continue
		}
		if !bytes.Equal(got[p], data) {
			t.Errorf("%s differs from the starter", p)
		}
	}
}

// TestFilesOnlyTitleLines checks the edit is surgical: the titled files
// differ from the starter's only on the title lines.
func TestFilesOnlyTitleLines(t *testing.T) {
	titled, err := starter.Files(`Board: "Grants" & Loans`)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"_config.yml", "index.md"} {
		a := strings.Split(string(mustRead(t, starter.FS(), name)), "\n")
		b := strings.Split(string(mustRead(t, titled, name)), "\n")
		if len(a) != len(b) {
			t.Fatalf("%s: %d lines, want %d", name, len(b), len(a))
		}
		for i := range a {
			if a[i] != b[i] && !strings.HasPrefix(a[i], "title: ") {
				t.Errorf("%s:%d changed: %q, want %q", name, i+1, b[i], a[i])
			}
		}
	}
}

// TestFilesRejects refuses titles that cannot be written safely.
func TestFilesRejects(t *testing.T) {
	for _, title := range []string{"", "   ", "\n\t\r\n", "Agency --- Name"} {
		if _, err := starter.Files(title); !errors.Is(err, starter.ErrTitle) {
			t.Errorf("Files(%q) error = %v, want ErrTitle", title, err)
		}
	}
}

// TestTitledBuild builds a titled starter: the title reaches the pages.
func TestTitledBuild(t *testing.T) {
	const title = `Examples & "Quotes": Agency ✓`
	fsys, err := starter.Files(title)
	if err != nil {
		t.Fatal(err)
	}
	s, out := buildSite(t, fsys)
	if s.Config.Title != title {
		t.Errorf("site title = %q, want %q", s.Config.Title, title)
	}
	if home := s.ByURL["/"]; home == nil || home.Title != title {
		t.Errorf("homepage title = %v, want %q", home, title)
	}
	html, err := os.ReadFile(filepath.Join(out, "contact-us", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	// The contact page names the agency by the site title (agency_name is empty).
	if want := "Examples &amp; &#34;Quotes&#34;: Agency ✓"; !strings.Contains(string(html), want) {
		t.Errorf("contact page does not contain %q", want)
	}
}

func mustRead(t *testing.T, fsys fs.FS, name string) []byte {
	t.Helper()
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeFile(t *testing.T, fsys fs.FS, name string, hasFrontMatter bool) map[string]any {
	t.Helper()
	data := mustRead(t, fsys, name)
	if hasFrontMatter {
		doc, err := frontmatter.Split(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data = doc.YAML
	}
	m, err := frontmatter.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func body(t *testing.T, fsys fs.FS, name string) []byte {
	t.Helper()
	doc, err := frontmatter.Split(mustRead(t, fsys, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc.Body
}

func readAll(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[path.Clean(p)] = mustRead(t, fsys, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
