package preview_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/studio/preview"
	"isomer.dev/isomer/internal/studio/siterepo"
)

const (
	prefix = "/sites/1/preview"
	// The seed page: a Tiptap page with a card grid of images.
	seedPath = "_about-us/What We Do/Our Digital Government Efforts.md"
	seedURL  = "/about-us/what-we-do/our-digital-government-efforts/"
)

var (
	editor = siterepo.Author{Name: "Editor", Email: "editor@example.gov.sg"}
	// buildTime is fixed so that builds made at different times (feeds
	// carry the build time) can be compared byte for byte.
	buildTime = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
)

// importSite makes a site repository of the example site.
func importSite(tb testing.TB) *siterepo.Repo {
	tb.Helper()
	repo, err := siterepo.Import(context.Background(), filepath.Join(tb.TempDir(), "site.git"), filepath.Join("..", "..", "..", "examples", "agency-site"), editor)
	if err != nil {
		tb.Fatal(err)
	}
	return repo
}

// logs collects what a Preview logs.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func open(tb testing.TB, repo *siterepo.Repo, workDir string, log io.Writer) *preview.Preview {
	tb.Helper()
	if log == nil {
		log = io.Discard
	}
	p, err := preview.New(context.Background(), repo, workDir, preview.Options{Logger: slog.New(slog.NewTextHandler(log, nil)), Now: buildTime})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	return p
}

// started returns a refreshed preview of a fresh import of the example site.
func started(tb testing.TB) (*siterepo.Repo, *preview.Preview) {
	tb.Helper()
	repo := importSite(tb)
	p := open(tb, repo, tb.TempDir(), nil)
	refresh(tb, p)
	return repo, p
}

func refresh(tb testing.TB, p *preview.Preview) *build.Result {
	tb.Helper()
	res, err := p.Refresh(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func save(tb testing.TB, repo *siterepo.Repo, ops ...siterepo.Op) string {
	tb.Helper()
	res, err := repo.Save(context.Background(), siterepo.Change{Author: editor, Message: "Edit", Ops: ops})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Rev
}

func read(tb testing.TB, repo *siterepo.Repo, p string) string {
	tb.Helper()
	data, err := repo.ReadFile(context.Background(), siterepo.Staging, p)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

func get(h http.Handler, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// fullBuild builds rev of repo from scratch, independently of any preview.
func fullBuild(t *testing.T, repo *siterepo.Repo, rev string) map[string][]byte {
	t.Helper()
	fsys, cleanup, err := repo.Snapshot(t.Context(), rev)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	b, err := build.New(build.Options{FS: fsys, Now: buildTime})
	if err != nil {
		t.Fatal(err)
	}
	mem := build.NewMemory()
	if _, err := b.Build(t.Context(), mem); err != nil {
		t.Fatal(err)
	}
	return mem.Snapshot()
}

// checkoutTime is the modification time the sitemap gives files (PDFs),
// which is when they were checked out: it differs between any two
// checkouts of the same revision, so it is left out of comparisons.
var checkoutTime = regexp.MustCompile(`(\.pdf</loc>)<lastmod>[^<]*</lastmod>`)

// sameFiles reports how two builds differ, by path.
func sameFiles(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	for p, w := range want {
		g, ok := got[p]
		if p == "sitemap.xml" {
			g = checkoutTime.ReplaceAll(g, []byte("$1"))
			w = checkoutTime.ReplaceAll(w, []byte("$1"))
		}
		switch {
		case !ok:
			t.Errorf("%s: missing from the preview", p)
		case !bytes.Equal(g, w):
			t.Errorf("%s differs from a full build:\n%s", p, cmp.Diff(string(w), string(g)))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: in the preview, not in a full build", p)
		}
	}
}

// urlAttrs are the attributes the check below reads as URLs.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "poster": true, "xlink:href": true}

// rootRelativeURLs lists every URL in doc's attributes that is
// root-relative ("/x", not "//host/x"), as html.Parse reads the page.
func rootRelativeURLs(t *testing.T, doc []byte) map[string][]string {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{} // tag name → URLs
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		refresh := false
		for _, a := range n.Attr {
			refresh = refresh || a.Key == "http-equiv" && strings.EqualFold(a.Val, "refresh")
		}
		for _, a := range n.Attr {
			var urls []string
			switch {
			case urlAttrs[a.Key], strings.HasPrefix(a.Key, "data-"):
				urls = []string{a.Val}
			case a.Key == "srcset":
				for c := range strings.SplitSeq(a.Val, ",") {
					if f := strings.Fields(c); len(f) > 0 {
						urls = append(urls, f[0])
					}
				}
			case a.Key == "content" && refresh:
				_, u, _ := strings.Cut(a.Val, "url=")
				urls = []string{u}
			}
			for _, u := range urls {
				u = strings.TrimSpace(u)
				if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
					found[n.Data+" "+a.Key] = append(found[n.Data+" "+a.Key], u)
				}
			}
		}
	}
	return found
}

func TestServeSeedPage(t *testing.T) {
	_, p := started(t)
	h := p.Handler(prefix)
	rec := get(h, prefix+seedURL)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET seed page: status %d\n%s", rec.Code, rec.Body)
	}
	body := rec.Body.Bytes()
	if !bytes.Contains(body, []byte("<title>Our Digital Government Efforts</title>")) {
		t.Errorf("the seed page has no title:\n%.400s", body)
	}
	for name, want := range map[string]string{
		"Cache-Control": "no-store",
		"X-Robots-Tag":  "noindex",
		"Content-Type":  "text/html; charset=utf-8",
	} {
		if got := rec.Header().Get(name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy: got %q, want the site's own", csp)
	}
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
	}

	urls := rootRelativeURLs(t, body)
	if len(urls["a href"]) < 10 || len(urls["img src"]) == 0 || len(urls["link href"]) == 0 || len(urls["script src"]) == 0 {
		t.Errorf("expected links, images, style sheets and scripts; got %v", urls)
	}
	for attr, list := range urls {
		for _, u := range list {
			if !strings.HasPrefix(u, prefix+"/") {
				t.Errorf("%s=%q is not under %s", attr, u, prefix)
			}
		}
	}
	// Every style sheet, script and image the page uses loads.
	for _, attr := range []string{"link href", "script src", "img src"} {
		for _, u := range urls[attr] {
			pu, err := url.Parse(u)
			if err != nil {
				t.Errorf("%s=%q: %v", attr, u, err)
				continue
			}
			res := get(h, pu.RequestURI())
			if res.Code != http.StatusOK {
				t.Errorf("GET %s (%s): status %d", u, attr, res.Code)
				continue
			}
			ct := res.Header().Get("Content-Type")
			switch {
			case strings.HasSuffix(pu.Path, ".css") && !strings.HasPrefix(ct, "text/css"),
				strings.HasSuffix(pu.Path, ".png") && ct != "image/png":
				t.Errorf("GET %s: Content-Type %q", u, ct)
			}
		}
	}
}

func TestServe(t *testing.T) {
	repo, p := started(t)
	// A page whose style sheet and markup use root-relative URLs in every
	// place the rewriter handles.
	save(t, repo,
		siterepo.Write("pages/styled.md", []byte("---\ntitle: Styled\npermalink: /styled/\n---\n"+
			`<picture><source srcset="/images/a.png 1x, /images/b.png 2x"><img src="/images/a.png" alt="A"></picture>`+"\n\n"+
			`<video poster="/images/p.png" src="https://cdn.example.com/v.mp4"></video>`+"\n\n"+
			`<p><a href="//other.example.com/x">other</a> <a href="../relative/">relative</a> <a href="#top">top</a></p>`+"\n")),
		siterepo.Write("assets/css/extra.css", []byte(`.hero { background: url(/images/Homepage/hero-banner.jpg) } @import "/assets/x.css"; .ext { background: url("https://cdn.example.com/a.png") }`)),
	)
	refresh(t, p)
	h := p.Handler(prefix + "/") // a trailing slash is the same prefix
	badge, err := repo.ReadFile(t.Context(), siterepo.Staging, "images/Graphics /award badge.png")
	if err != nil {
		t.Fatal(err)
	}

	type want struct {
		status   int
		ctype    string // prefix
		location string
		body     []string // substrings
		absent   []string
		exact    []byte
	}
	cases := []struct {
		name, method, target string
		want                 want
	}{
		{"home", "GET", prefix + "/", want{status: 200, ctype: "text/html", body: []string{`href="` + prefix + `/about-us/who-we-are/"`}}},
		{"prefix without slash", "GET", prefix, want{status: 301, location: prefix + "/"}},
		{"folder without slash", "GET", prefix + "/faq?x=1", want{status: 301, location: prefix + "/faq/?x=1"}},
		{"image with spaces", "GET", prefix + "/images/Graphics%20/award%20badge.png", want{status: 200, ctype: "image/png", exact: badge}},
		{"srcset, src and poster", "GET", prefix + "/styled/", want{status: 200, body: []string{
			`srcset="` + prefix + `/images/a.png 1x, ` + prefix + `/images/b.png 2x"`,
			`src="` + prefix + `/images/a.png"`,
			`poster="` + prefix + `/images/p.png"`,
			`src="https://cdn.example.com/v.mp4"`,
			`href="//other.example.com/x"`, `href="../relative/"`, `href="#top"`,
		}}},
		{"style sheet", "GET", prefix + "/assets/css/extra.css", want{status: 200, ctype: "text/css", body: []string{
			`url(` + prefix + `/images/Homepage/hero-banner.jpg)`, `@import "` + prefix + `/assets/x.css"`, `url("https://cdn.example.com/a.png")`,
		}}},
		{"search page finds its index under the prefix", "GET", prefix + "/search/", want{status: 200, body: []string{
			`data-search-index="` + prefix + `/assets/search/index.json"`, `action="` + prefix + `/search/"`,
		}}},
		{"search results link under the prefix", "GET", prefix + "/assets/search/index.json", want{status: 200, ctype: "application/json"}},
		{"unknown page", "GET", prefix + "/no-such-page/", want{status: 404, ctype: "text/html", body: []string{"404", `href="` + prefix + `/"`}}},
		{"_headers is not served", "GET", prefix + "/_headers", want{status: 404, absent: []string{"Strict-Transport-Security:"}}},
		{"_redirects is not served", "GET", prefix + "/_redirects", want{status: 404, absent: []string{"/about-us/who-we-are/ 301"}}},
		{"traversal", "GET", prefix + "/../../go.mod", want{status: 400, absent: []string{"module"}}},
		{"traversal encoded", "GET", prefix + "/%2e%2e/%2e%2e/go.mod", want{status: 400, absent: []string{"module"}}},
		{"traversal encoded slash", "GET", prefix + "/..%2f..%2fgo.mod", want{status: 400, absent: []string{"module"}}},
		{"NUL", "GET", prefix + "/index%00.html", want{status: 400}},
		{"outside the prefix", "GET", "/sites/2/preview/", want{status: 404}},
		{"POST", "POST", prefix + "/", want{status: 405}},
		{"HEAD", "HEAD", prefix + seedURL, want{status: 200, ctype: "text/html"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
			if rec.Code != tc.want.status {
				t.Fatalf("status: got %d, want %d\n%.300s", rec.Code, tc.want.status, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tc.want.ctype) {
				t.Errorf("Content-Type: got %q, want %q…", got, tc.want.ctype)
			}
			if got := rec.Header().Get("Location"); got != tc.want.location {
				t.Errorf("Location: got %q, want %q", got, tc.want.location)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q, want no-store", got)
			}
			for _, s := range tc.want.body {
				if !strings.Contains(rec.Body.String(), s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range tc.want.absent {
				if strings.Contains(rec.Body.String(), s) {
					t.Errorf("body has %q", s)
				}
			}
			if tc.want.exact != nil && !bytes.Equal(rec.Body.Bytes(), tc.want.exact) {
				t.Errorf("body: got %d bytes, want the file's %d", rec.Body.Len(), len(tc.want.exact))
			}
		})
	}

	// The search client links results to the document tables' URLs.
	files := preview.Files(p)
	shards := 0
	for rel := range files {
		if !strings.HasPrefix(rel, "assets/search/d/") {
			continue
		}
		shards++
		body := get(h, prefix+"/"+rel).Body.String()
		if all, ok := strings.Count(body, `["/`), strings.Count(body, `["`+prefix+`/`); ok == 0 || ok != all {
			t.Errorf("%s: %d of %d result URLs are under the prefix:\n%.300s", rel, ok, all, body)
		}
	}
	if shards == 0 {
		t.Error("the build has no search document tables")
	}
}

func TestEditsPropagate(t *testing.T) {
	repo, p := started(t)
	h := p.Handler(prefix)

	// A body edit re-renders the page alone.
	seed := read(t, repo, seedPath)
	edited := strings.Replace(seed, "<h3>Our Digital Government Efforts</h3>", "<h3>Our Digital Government Efforts</h3>\n<p>Edited in Studio: the preview shows it.</p>", 1)
	if edited == seed {
		t.Fatal("the seed page changed; update the test")
	}
	rev := save(t, repo, siterepo.Write(seedPath, []byte(edited)))
	res := refresh(t, p)
	if res.Full || res.Rendered > 3 {
		t.Errorf("after a body edit: Full=%v Rendered=%d, want a partial rebuild of about one page", res.Full, res.Rendered)
	}
	if p.Rev() != rev {
		t.Errorf("Rev: got %s, want %s", p.Rev(), rev)
	}
	if rec := get(h, prefix+seedURL); !strings.Contains(rec.Body.String(), "Edited in Studio: the preview shows it.") {
		t.Errorf("the served page lacks the edit (status %d)", rec.Code)
	}
	// Nothing moved: a refresh is a no-op returning the same result.
	if again := refresh(t, p); again != res {
		t.Errorf("a refresh with nothing new rebuilt: %+v", again)
	}

	// A rename that changes the page's address.
	privacy := read(t, repo, "pages/Privacy Statement.md")
	moved := strings.Replace(privacy, "permalink: /privacy/", "permalink: /privacy-policy/", 1)
	if moved == privacy {
		t.Fatal("the privacy page changed; update the test")
	}
	save(t, repo, siterepo.Rename("pages/Privacy Statement.md", "pages/Privacy Policy.md"), siterepo.Write("pages/Privacy Policy.md", []byte(moved)))
	refresh(t, p)
	if rec := get(h, prefix+"/privacy/"); rec.Code != http.StatusNotFound {
		t.Errorf("old address after the rename: status %d, want 404", rec.Code)
	}
	if rec := get(h, prefix+"/privacy-policy/"); rec.Code != http.StatusOK {
		t.Errorf("new address after the rename: status %d, want 200", rec.Code)
	}

	// A deletion, of a page and of an image.
	save(t, repo, siterepo.Delete("pages/Terms of Use.md"), siterepo.Delete("images/Graphics /award badge.png"))
	refresh(t, p)
	for _, u := range []string{"/terms-of-use/", "/images/Graphics%20/award%20badge.png"} {
		if rec := get(h, prefix+u); rec.Code != http.StatusNotFound {
			t.Errorf("%s after its deletion: status %d, want 404", u, rec.Code)
		}
	}
	// The handler refreshes by itself when the branch moved.
	save(t, repo, siterepo.Write(seedPath, []byte(strings.Replace(edited, "Edited in Studio", "Edited again", 1))))
	if rec := get(h, prefix+seedURL); !strings.Contains(rec.Body.String(), "Edited again") {
		t.Errorf("the handler did not pick up a save (status %d)", rec.Code)
	}
}

// TestMatchesFullBuild checks the invariant the preview rests on: after any
// sequence of saves, what it serves is what a fresh full build of the same
// revision writes, also after a restart reuses its folder.
func TestMatchesFullBuild(t *testing.T) {
	repo := importSite(t)
	work := t.TempDir()
	var log logs
	p := open(t, repo, work, &log)
	refresh(t, p)

	seed := read(t, repo, seedPath)
	steps := []struct {
		name string
		ops  []siterepo.Op
	}{
		{"body edit", []siterepo.Op{siterepo.Write(seedPath, []byte(seed+"\n<p>One more paragraph.</p>\n"))}},
		{"title edit", []siterepo.Op{siterepo.Write(seedPath, []byte(strings.Replace(seed, "title: Our Digital Government Efforts", "title: Our Digital Efforts", 1)))}},
		{"new page", []siterepo.Op{siterepo.Write("pages/New Page.md", []byte("---\ntitle: New Page\npermalink: /new-page/\n---\nHello, {{ site.title }}.\n"))}},
		{"new image", []siterepo.Op{siterepo.Write("images/New/pixel.png", []byte("\x89PNG\r\n\x1a\nnot really"))}},
		{"rename folder", []siterepo.Op{siterepo.Rename("_about-us/Our Leadership", "_about-us/Leadership")}},
		{"delete", []siterepo.Op{siterepo.Delete("pages/Our Offices.md")}},
		{"file replaces folder", []siterepo.Op{siterepo.Delete("images/New"), siterepo.Write("images/New", []byte("a file now"))}},
		{"config", []siterepo.Op{siterepo.Write("_config.yml", []byte(strings.Replace(read(t, repo, "_config.yml"), "Digital Public Services Agency", "Digital Services Agency", 1)))}},
		{"navigation", []siterepo.Op{siterepo.Write("_data/navigation.yml", []byte(read(t, repo, "_data/navigation.yml")+"\n"))}},
	}
	for _, s := range steps {
		rev := save(t, repo, s.ops...)
		refresh(t, p)
		if p.Rev() != rev {
			t.Fatalf("%s: Rev %s, want %s", s.name, p.Rev(), rev)
		}
	}
	head := p.Rev()
	want := fullBuild(t, repo, head)
	t.Run("after edits", func(t *testing.T) { sameFiles(t, preview.Files(p), want) })

	// Restart on the same folder: it is reused, not checked out again.
	p.Close()
	before := strings.Count(log.String(), "checked out preview")
	p2 := open(t, repo, work, &log)
	refresh(t, p2)
	if after := strings.Count(log.String(), "checked out preview"); after != before {
		t.Errorf("a restart checked the branch out again:\n%s", log.String())
	}
	t.Run("after restart", func(t *testing.T) { sameFiles(t, preview.Files(p2), want) })

	// A restart on a folder someone changed checks out again.
	p2.Close()
	if err := os.WriteFile(filepath.Join(work, "site", "pages", "stray.md"), []byte("---\ntitle: Stray\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p3 := open(t, repo, work, &log)
	refresh(t, p3)
	if !strings.Contains(log.String(), "does not match its revision") {
		t.Errorf("a changed folder was trusted:\n%s", log.String())
	}
	t.Run("after tampering", func(t *testing.T) { sameFiles(t, preview.Files(p3), want) })
}

// hook is a slog.Handler that shows each record to a test.
type hook struct {
	slog.Handler
	on func(slog.Record)
}

func (h hook) Enabled(context.Context, slog.Level) bool      { return true }
func (h hook) Handle(_ context.Context, r slog.Record) error { h.on(r); return nil }
func (h hook) WithAttrs(as []slog.Attr) slog.Handler {
	return hook{h.Handler.WithAttrs(as), h.on}
}
func (h hook) WithGroup(name string) slog.Handler { return hook{h.Handler.WithGroup(name), h.on} }

// blobFile is where git keeps data as a loose object.
func blobFile(repo *siterepo.Repo, data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	sum := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(repo.Dir(), "objects", sum[:2], sum[2:])
}

func TestFailedRefreshKeepsServing(t *testing.T) {
	repo := importSite(t)
	var mu sync.Mutex
	var cancelOnLoad context.CancelFunc // armed: cancel the refresh once the site is loaded
	logger := slog.New(hook{slog.DiscardHandler, func(r slog.Record) {
		mu.Lock()
		defer mu.Unlock()
		if r.Message == "loaded site" && cancelOnLoad != nil {
			cancelOnLoad()
			cancelOnLoad = nil
		}
	}})
	p, err := preview.New(t.Context(), repo, t.TempDir(), preview.Options{Logger: logger, Now: buildTime})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	refresh(t, p)
	h := p.Handler(prefix)
	good := p.Rev()
	seed := read(t, repo, seedPath)
	seedFile := strings.TrimPrefix(seedURL, "/") + "index.html"
	stillGood := func(when string) {
		t.Helper()
		if p.Rev() != good {
			t.Errorf("%s: Rev %s, want the last good %s", when, p.Rev(), good)
		}
		if page := preview.Files(p)[seedFile]; page == nil || bytes.Contains(page, []byte("After the failure")) {
			t.Errorf("%s: the preview does not hold the last good page", when)
		}
	}

	// The saved file cannot be read from the repository: the refresh
	// fails, every time, and the last build stays.
	edited := []byte(seed + "\n<p>After the failure.</p>\n")
	rev := save(t, repo, siterepo.Write(seedPath, edited))
	blob := blobFile(repo, edited)
	if err := os.Rename(blob, blob+".away"); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := p.Refresh(t.Context()); err == nil {
			t.Fatalf("refresh %d succeeded without the file", i)
		}
	}
	stillGood("after failed refreshes")
	// The handler's own refresh fails the same way; it serves the last build.
	if rec := get(h, prefix+seedURL); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "After the failure") {
		t.Errorf("GET after failed refreshes: status %d, want the last good page", rec.Code)
	}

	// The build is cancelled part way: still the last build.
	if err := os.Rename(blob+".away", blob); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	mu.Lock()
	cancelOnLoad = cancel
	mu.Unlock()
	if _, err := p.Refresh(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Refresh cancelled during the build: got %v, want context.Canceled", err)
	}
	stillGood("after a cancelled build")

	// Repaired, the next refresh builds everything again.
	res := refresh(t, p)
	if !res.Full || p.Rev() != rev {
		t.Errorf("after repair: Full=%v Rev=%s, want a full build of %s", res.Full, p.Rev(), rev)
	}
	if rec := get(h, prefix+seedURL); !strings.Contains(rec.Body.String(), "After the failure") {
		t.Error("the page lacks the edit after repair")
	}
	sameFiles(t, preview.Files(p), fullBuild(t, repo, rev))

	// A caller that gave up before its turn changes nothing.
	save(t, repo, siterepo.Write(seedPath, []byte(seed+"\n<p>Cancelled.</p>\n")))
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := p.Refresh(gone); !errors.Is(err, context.Canceled) {
		t.Errorf("Refresh with a cancelled context: got %v, want context.Canceled", err)
	}
	if p.Rev() != rev {
		t.Errorf("Rev after a cancelled refresh: got %s, want %s", p.Rev(), rev)
	}
}

func TestRefreshCoalesces(t *testing.T) {
	repo := importSite(t)
	var log logs
	p := open(t, repo, t.TempDir(), &log)
	refresh(t, p)
	save(t, repo, siterepo.Write(seedPath, []byte(read(t, repo, seedPath)+"\n<p>Once.</p>\n")))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Go(func() {
			<-start
			if _, err := p.Refresh(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := strings.Count(log.String(), "preview built"); n != 2 {
		t.Errorf("20 concurrent refreshes after one save built %d times, want once (after the first build):\n%s", n-1, log.String())
	}
}

func TestSiteWithErrorsPreviews(t *testing.T) {
	repo, p := started(t)
	save(t, repo, siterepo.Write("pages/broken.md", []byte("---\ntitle: Broken\npermalink: /broken/\n---\n{% if %}\n")))
	res := refresh(t, p)
	var found []diag.Diagnostic
	for _, d := range p.Diagnostics() {
		if d.Path == "pages/broken.md" && d.Severity == diag.Error {
			found = append(found, d)
		}
	}
	if len(found) == 0 || res.Errors() == 0 {
		t.Errorf("no error reported for the broken page; diagnostics: %v", p.Diagnostics())
	}
	if rec := get(p.Handler(prefix), prefix+seedURL); rec.Code != http.StatusOK {
		t.Errorf("other pages: status %d, want 200", rec.Code)
	}
	if s := p.Site(); s == nil || len(s.Pages) == 0 {
		t.Error("Site: no pages")
	}
}

func TestClose(t *testing.T) {
	base := runtime.NumGoroutine()
	repo := importSite(t)
	p := open(t, repo, t.TempDir(), nil)
	refresh(t, p)
	h := p.Handler(prefix)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Refresh(t.Context()); !errors.Is(err, preview.ErrClosed) {
		t.Errorf("Refresh after Close: got %v, want ErrClosed", err)
	}
	if rec := get(h, prefix+"/"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET after Close: status %d, want 503", rec.Code)
	}
	// Nothing the preview started outlives it (git's pipes take a moment
	// to wind down).
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("goroutines: %d after Close, %d before New", n, base)
	}
}

// TestConcurrent saves, refreshes and serves at once; run it with -race.
func TestConcurrent(t *testing.T) {
	repo, p := started(t)
	h := p.Handler(prefix)
	seed := read(t, repo, seedPath)
	var saves, readers sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 100)
	for i := range 3 {
		saves.Go(func() {
			for j := range 4 {
				ops := []siterepo.Op{siterepo.Write(fmt.Sprintf("pages/concurrent-%d.md", i), []byte(fmt.Sprintf("---\ntitle: Concurrent %d\npermalink: /concurrent-%d/\n---\nSave %d.\n", i, i, j)))}
				if i == 0 {
					ops = []siterepo.Op{siterepo.Write(seedPath, []byte(seed+fmt.Sprintf("\n<p>Save %d.</p>\n", j)))}
				}
				if _, err := repo.Save(context.Background(), siterepo.Change{Author: editor, Ops: ops}); err != nil {
					errs <- err
				}
			}
		})
	}
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := p.Refresh(context.Background()); err != nil {
					errs <- err
					return
				}
				_ = p.Site()
				_ = p.Diagnostics()
			}
		})
	}
	for _, u := range []string{seedURL, "/", "/search/", "/assets/search/index.json", "/no-such-page/"} {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				rec := get(h, prefix+u)
				if rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
					errs <- fmt.Errorf("GET %s: status %d", u, rec.Code)
					return
				}
			}
		})
	}
	saves.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	refresh(t, p)
	head, err := repo.Head(t.Context(), siterepo.Staging)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rev() != head {
		t.Fatalf("Rev: got %s, want the head %s", p.Rev(), head)
	}
	sameFiles(t, preview.Files(p), fullBuild(t, repo, head))
}

// BenchmarkSaveToPreview measures what an editor waits for between saving
// a page and seeing it: the commit, then the refresh.
func BenchmarkSaveToPreview(b *testing.B) {
	repo, p := started(b)
	seed := read(b, repo, seedPath)
	rendered := 0
	i := 0
	for b.Loop() {
		i++
		save(b, repo, siterepo.Write(seedPath, []byte(seed+fmt.Sprintf("\n<p>Save %d.</p>\n", i))))
		res := refresh(b, p)
		rendered += res.Rendered
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(float64(rendered)/float64(b.N), "pages/op")
}
