package devserver

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// handlerSite adds to the example site what it lacks: a page served from
// x.html, a page and a file with Unicode names, a redirect_from page.
var handlerSite = map[string]string{
	"pages/legacy.md":          "---\ntitle: Legacy\npermalink: /legacy-page\n---\nLegacy body\n",
	"pages/uber.md":            "---\ntitle: Über uns\npermalink: /über-uns/\nredirect_from: /old-uber/\n---\nÜber body 東京\n",
	"files/café 東京.txt":        "café text\n",
	"files/weird name .txt":    "trailing space\n",
	"files/Notes/readme.txt":   "notes\n",
	"images/Graphics /x y.svg": `<svg xmlns="http://www.w3.org/2000/svg"/>`,
}

func TestHandler(t *testing.T) {
	dir := copySite(t, handlerSite)
	s := builtServer(t, dir)
	h := s.Handler()
	badge, err := os.ReadFile(filepath.Join(dir, "images", "Graphics ", "award badge.png"))
	if err != nil {
		t.Fatal(err)
	}
	notFound, ok := s.mem.ReadFile("404.html")
	if !ok {
		t.Fatal("the build has no 404.html")
	}

	type want struct {
		status   int
		ctype    string // prefix
		location string
		body     string // substring
		exact    string // whole body
		absent   string // must not be in the body
	}
	cases := []struct {
		name, method, target string
		want                 want
	}{
		{"home", "GET", "/", want{status: 200, ctype: "text/html", body: `<script src="/_isomer/reload.js" data-version=`}},
		{"directory index", "GET", "/about-us/who-we-are/", want{status: 200, ctype: "text/html", body: "<h1>Who We Are</h1>"}},
		{"index.html itself", "GET", "/about-us/who-we-are/index.html", want{status: 200, ctype: "text/html", body: "Who We Are"}},
		{"folder without slash redirects", "GET", "/about-us/who-we-are", want{status: 301, location: "/about-us/who-we-are/"}},
		{"folder without slash keeps the query", "GET", "/faq?x=1", want{status: 301, location: "/faq/?x=1"}},
		{"html fallback", "GET", "/legacy-page", want{status: 200, ctype: "text/html", body: "Legacy body"}},
		{"html file itself", "GET", "/legacy-page.html", want{status: 200, ctype: "text/html", body: "Legacy body"}},
		{"space as %20", "GET", "/images/Graphics%20/award%20badge.png", want{status: 200, ctype: "image/png", exact: string(badge)}},
		{"space in folder and file", "GET", "/images/Graphics%20/x%20y.svg", want{status: 200, ctype: "image/svg+xml", body: "<svg"}},
		{"trailing space in name", "GET", "/files/weird%20name%20.txt", want{status: 200, ctype: "text/plain", exact: "trailing space\n"}},
		{"parentheses and spaces", "GET", "/files/Speeches/Keynote%20(Regional%20Digital%20Government%20Summit%202024).pdf", want{status: 200, ctype: "application/pdf"}},
		{"unicode file", "GET", "/files/caf%C3%A9%20%E6%9D%B1%E4%BA%AC.txt", want{status: 200, ctype: "text/plain", exact: "café text\n"}},
		{"unicode page", "GET", "/%C3%BCber-uns/", want{status: 200, ctype: "text/html", body: "Über body 東京"}},
		{"redirect_from page", "GET", "/old-uber/", want{status: 200, ctype: "text/html", body: `http-equiv="refresh"`}},
		{"site _redirects rule", "GET", "/about", want{status: 301, location: "/about-us/who-we-are/"}},
		{"unknown page", "GET", "/no-such-page/", want{status: 404, ctype: "text/html", body: "404 Error"}},
		{"unknown file", "GET", "/images/nope.png", want{status: 404, ctype: "text/html", body: "404 Error"}},
		{"no directory listing", "GET", "/files/Notes/", want{status: 404, body: "404 Error", absent: "readme.txt"}},
		{"no directory listing at root of assets", "GET", "/assets/isomer/", want{status: 404, body: "404 Error"}},
		{"hosting configuration is not served", "GET", "/_headers", want{status: 404, absent: "Content-Security-Policy"}},
		{"_redirects is not served", "GET", "/_redirects", want{status: 404, absent: "/about-us/who-we-are/    301"}},
		{"traversal", "GET", "/../go.mod", want{status: 400, absent: "module"}},
		{"traversal deep", "GET", "/images/../../../../etc/passwd", want{status: 400, absent: "root:"}},
		{"traversal encoded dots", "GET", "/%2e%2e/go.mod", want{status: 400, absent: "module"}},
		{"traversal encoded slash", "GET", "/..%2fgo.mod", want{status: 400, absent: "module"}},
		{"traversal all encoded", "GET", "/files/%2e%2e%2f%2e%2e%2f%2e%2e%2fgo.mod", want{status: 400, absent: "module"}},
		{"traversal upper-case escapes", "GET", "/%2E%2E%2Fgo.mod", want{status: 400, absent: "module"}},
		{"dot segment is not a file", "GET", "/./go.mod", want{status: 404}},
		{"NUL byte", "GET", "/index%00.html", want{status: 400}},
		{"reload client", "GET", "/_isomer/reload.js", want{status: 200, ctype: "text/javascript", body: "EventSource"}},
		{"error styles", "GET", "/_isomer/serve.css", want{status: 200, ctype: "text/css", body: ".isomer-serve-problems"}},
		{"unknown internal file", "GET", "/_isomer/nope", want{status: 404}},
		{"POST", "POST", "/", want{status: 405}},
		{"feed", "GET", "/feed.xml", want{status: 200, ctype: "", body: "<feed"}},
		{"css", "GET", "/assets/isomer/", want{status: 404}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := do(t, h, tc.method, tc.target)
			if got.status != tc.want.status {
				t.Errorf("status = %d, want %d; body:\n%.300s", got.status, tc.want.status, got.body)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, tc.want.ctype) {
				t.Errorf("Content-Type = %q, want %q…", ct, tc.want.ctype)
			}
			if loc := got.header.Get("Location"); loc != tc.want.location {
				t.Errorf("Location = %q, want %q", loc, tc.want.location)
			}
			if !strings.Contains(got.body, tc.want.body) {
				t.Errorf("body does not contain %q:\n%.300s", tc.want.body, got.body)
			}
			if tc.want.exact != "" && got.body != tc.want.exact {
				t.Errorf("body differs from the source file (%d bytes, want %d)", len(got.body), len(tc.want.exact))
			}
			if tc.want.absent != "" && strings.Contains(got.body, tc.want.absent) {
				t.Errorf("body contains %q", tc.want.absent)
			}
			// Every response carries the site's security headers, errors included.
			for _, kv := range s.builder.Headers() {
				if v := got.header.Get(kv[0]); v != kv[1] {
					t.Errorf("header %s = %q, want %q", kv[0], v, kv[1])
				}
			}
		})
	}

	t.Run("404 serves the site's 404.html", func(t *testing.T) {
		got := do(t, h, "GET", "/missing")
		want := string(inject(notFound, s.state.Load()))
		if diff := cmp.Diff(want, got.body); diff != "" {
			t.Errorf("404 body (-want +got):\n%s", diff)
		}
	})

	t.Run("pages are served as built, plus the reload client", func(t *testing.T) {
		built, _ := s.mem.ReadFile("about-us/who-we-are/index.html")
		got := do(t, h, "GET", "/about-us/who-we-are/")
		tag := `<script src="/_isomer/reload.js" data-version="` + s.state.Load().version + `" defer></script>`
		if diff := cmp.Diff(string(built), strings.Replace(got.body, tag, "", 1)); diff != "" {
			t.Errorf("page differs from the build beyond the script tag (-built +served):\n%s", diff)
		}
		if strings.Count(got.body, "/_isomer/reload.js") != 1 || !strings.Contains(got.body, tag+"</head>") {
			t.Errorf("the reload client is not in <head> exactly once")
		}
		if strings.Contains(got.body, "isomer-serve-problems") {
			t.Errorf("a clean site shows the error panel")
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		for _, target := range []string{"/", "/images/Graphics%20/award%20badge.png", "/no-such-page/", "/_isomer/reload.js"} {
			get := do(t, h, "GET", target)
			head := do(t, h, "HEAD", target)
			if head.status != get.status || head.body != "" {
				t.Errorf("HEAD %s: status %d body %d bytes; GET status %d", target, head.status, len(head.body), get.status)
			}
			if head.header.Get("Content-Length") != get.header.Get("Content-Length") && get.header.Get("Content-Length") != "" {
				t.Errorf("HEAD %s: Content-Length %q, GET %q", target, head.header.Get("Content-Length"), get.header.Get("Content-Length"))
			}
			if head.header.Get("Content-Security-Policy") == "" {
				t.Errorf("HEAD %s: no CSP", target)
			}
		}
	})

	t.Run("revalidation", func(t *testing.T) {
		first := do(t, h, "GET", "/faq/")
		etag := first.header.Get("ETag")
		if etag == "" || first.header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("ETag %q, Cache-Control %q", etag, first.header.Get("Cache-Control"))
		}
		if got := do(t, h, "GET", "/faq/", "If-None-Match", etag); got.status != http.StatusNotModified {
			t.Errorf("If-None-Match: status %d, want 304", got.status)
		}
	})
}

func TestInject(t *testing.T) {
	st := &state{version: "v-1"}
	tag := `<script src="/_isomer/reload.js" data-version="v-1" defer></script>`
	for _, tc := range []struct{ in, want string }{
		{"<html><head><title>x</title></head><body>b</body></html>", "<html><head><title>x</title>" + tag + "</head><body>b</body></html>"},
		{"<HTML><HEAD></HEAD><BODY>b</BODY>", "<HTML><HEAD>" + tag + "</HEAD><BODY>b</BODY>"},
		{"no head at all", tag + "no head at all"},
		// A Unicode case fold must not shift the insertion point.
		{"<title>İİİ</title></head>", "<title>İİİ</title>" + tag + "</head>"},
	} {
		if got := string(inject([]byte(tc.in), st)); got != tc.want {
			t.Errorf("inject(%q) =\n%q\nwant\n%q", tc.in, got, tc.want)
		}
	}
}
