package check

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"isomer.dev/isomer/internal/diag"
)

// localOnly sends requests for the test server's address to it and answers
// every other host itself with 200, so the theme's own external links (the
// footer's REACH, Isomer and OGP links) never reach the network.
type localOnly struct {
	addr string
	next http.RoundTripper

	mu    sync.Mutex
	other []string
}

func (l *localOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == l.addr {
		return l.next.RoundTrip(req)
	}
	l.mu.Lock()
	l.other = append(l.other, req.URL.String())
	l.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: req}, nil
}

// linkServer answers on 127.0.0.1 and counts requests per path.
type linkServer struct {
	*httptest.Server
	mu    sync.Mutex
	count map[string]int
	times []time.Time
}

func newLinkServer(t *testing.T) *linkServer {
	t.Helper()
	ls := &linkServer{count: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ls.Server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls.mu.Lock()
		ls.count[r.Method+" "+r.URL.Path]++
		ls.times = append(ls.times, time.Now())
		ls.mu.Unlock()
		switch r.URL.Path {
		case "/ok", "/ok2", "/ok3":
			w.WriteHeader(http.StatusOK)
		case "/head-not-allowed":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			w.WriteHeader(http.StatusOK)
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusMovedPermanently)
		case "/error":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	})}}
	ls.Start()
	t.Cleanup(ls.Close)
	return ls
}

func (ls *linkServer) requests() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	n := 0
	for _, c := range ls.count {
		n += c
	}
	return n
}

// externalSite writes a small site whose one content page links to the
// test server.
func externalSite(t *testing.T, base string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"_config.yml":          "title: External\n",
		"_data/navigation.yml": "links:\n  - title: Links\n    url: /links/\n",
		"_data/footer.yml":     "privacy_policy: /links/\nterms_of_use: /links/\n",
		"index.md":             "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
		"pages/links.md": "---\ntitle: Links\npermalink: /links/\nvariant: tiptap\n---\n" +
			fmt.Sprintf("<p><a href=\"%s/ok\">Fine</a></p>\n", base) +
			fmt.Sprintf("<p><a href=\"%s/gone\">Gone</a></p>\n", base) +
			fmt.Sprintf("<p><a href=\"%s/head-not-allowed\">No HEAD</a></p>\n", base) +
			fmt.Sprintf("<p><a href=\"%s/moved\">Moved</a></p>\n", base) +
			fmt.Sprintf("<p><a href=\"%s/error\">Broken server</a></p>\n", base) +
			fmt.Sprintf("<p><a href=\"%s/ok2\">Two</a> <a href=\"%s/ok3\">Three</a></p>\n", base, base),
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExternal(t *testing.T) {
	ls := newLinkServer(t)
	dir := externalSite(t, ls.URL)
	transport := &localOnly{addr: ls.Listener.Addr().String(), next: http.DefaultTransport}
	cache := filepath.Join(t.TempDir(), "cache", "links.json")
	opts := Options{Source: dir, External: ExternalOptions{
		Enabled: true, Client: &http.Client{Transport: transport, Timeout: 5 * time.Second},
		Rate: 20, CacheFile: cache,
	}}

	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		if f.Rule != RuleExternalLink {
			t.Errorf("unexpected finding %s", f)
			continue
		}
		got[fmt.Sprintf("%s:%d", f.Path, f.Line)] = f.Severity.String()
	}
	want := map[string]string{
		"pages/links.md:7":  diag.Error.String(),   // 404
		"pages/links.md:10": diag.Warning.String(), // 500
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("external findings = %v, want %v", got, want)
	}
	ls.mu.Lock()
	if ls.count["GET /head-not-allowed"] != 1 {
		t.Errorf("a 405 on HEAD is not retried with GET: %v", ls.count)
	}
	ls.mu.Unlock()
	if rep.External < 7 {
		t.Errorf("checked %d external URLs, want the 7 on the page and the theme's", rep.External)
	}

	// The rate limit: 20 a second means at least ~50ms between requests.
	ls.mu.Lock()
	times := append([]time.Time(nil), ls.times...)
	ls.mu.Unlock()
	if n := len(times); n >= 4 {
		first, last := times[0], times[0]
		for _, tm := range times {
			if tm.Before(first) {
				first = tm
			}
			if tm.After(last) {
				last = tm
			}
		}
		if min := time.Duration(n-2) * 50 * time.Millisecond * 8 / 10; last.Sub(first) < min {
			t.Errorf("%d requests in %v: faster than the rate limit", n, last.Sub(first))
		}
	}

	// A second run answers from the cache: no new requests.
	before := ls.requests()
	rep2, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if after := ls.requests(); after != before {
		t.Errorf("second run made %d requests; the cache should answer", after-before)
	}
	if len(rep2.Findings) != len(rep.Findings) {
		t.Errorf("cached run: %d findings, first run %d", len(rep2.Findings), len(rep.Findings))
	}

	// Expired entries are fetched again.
	opts.External.MaxAge = time.Nanosecond
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if ls.requests() == before {
		t.Error("expired cache entries were not fetched again")
	}
}

// TestExternalOff checks that nothing is fetched without --external, and
// that malformed URLs are still reported.
func TestExternalOff(t *testing.T) {
	ls := newLinkServer(t)
	dir := externalSite(t, ls.URL)
	rep, err := Run(context.Background(), Options{Source: dir})
	if err != nil {
		t.Fatal(err)
	}
	if n := ls.requests(); n != 0 {
		t.Errorf("%d requests without --external", n)
	}
	if len(rep.Findings) != 0 {
		t.Errorf("findings without --external: %v", rep.Findings)
	}
}
