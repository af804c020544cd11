package search

import (
	"context"
	"fmt"
	"isomer.dev/isomer/internal/browsertest"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// startBrowser serves dir on 127.0.0.1 under a strict CSP and starts a
// headless Chromium. It skips the test when Chromium is missing, except in
// CI, where that is a failure.
func startBrowser(t *testing.T, dir string) (base string, browser context.Context) {
	t.Helper()
	browsertest.Require(t)
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Nothing inline and nothing from elsewhere: the policy the
		// client must live under.
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	browser = browsertest.Start(t)
	return srv.URL, browser
}

// browserTab is a tab that records console errors, exceptions and CSP
// violations.
type browserTab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowserTab(t *testing.T, browser context.Context) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tb := &browserTab{ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			tb.errors = append(tb.errors, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, a.Description+strings.Trim(string(a.Value), `"`))
				}
				tb.errors = append(tb.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
			}
		case *log.EventEntryAdded:
			// Security entries are CSP reports: the page records those
			// itself, with more detail.
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				tb.errors = append(tb.errors, fmt.Sprintf("log %s/%s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Injected by the protocol, so it runs before the page and is not itself
	// subject to the page's CSP.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) {
			window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
		});`,
	}); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *browserTab) problems() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.errors...)
}

// shownResults is what the client rendered.
type shownResults struct {
	State    string   `json:"state"`
	Busy     string   `json:"busy"`
	Status   string   `json:"status"`
	Role     string   `json:"role"`
	Live     string   `json:"live"`
	Input    string   `json:"input"`
	URLs     []string `json:"urls"`
	Marks    []string `json:"marks"`
	Meta     []string `json:"meta"`
	Next     string   `json:"next"`
	Prev     string   `json:"prev"`
	CSP      []string `json:"csp"`
	Headings int      `json:"headings"`
}

const readResults = `(() => {
	const root = document.querySelector("[data-search-results]");
	const status = root.querySelector("[data-search-status]");
	const attr = (sel, name) => { const e = root.querySelector(sel); return e ? e.getAttribute(name) : ""; };
	return {
		state: root.getAttribute("data-search-state") || "",
		busy: root.getAttribute("aria-busy") || "",
		status: status ? status.textContent : "",
		role: status ? status.getAttribute("role") : "",
		live: status ? status.getAttribute("aria-live") : "",
		input: document.querySelector("[data-search-form] input[name=query]").value,
		urls: Array.from(root.querySelectorAll("li.search-result h2 a")).map(a => a.getAttribute("href")),
		marks: Array.from(root.querySelectorAll("mark")).map(m => m.textContent),
		meta: Array.from(root.querySelectorAll(".search-result-meta")).map(m => m.textContent),
		next: attr("a[rel=next]", "href"),
		prev: attr("a[rel=prev]", "href"),
		csp: window.__csp || [],
		headings: root.querySelectorAll("h2").length,
	};
})()`

// load opens a search address and waits for the client to finish.
func (tb *browserTab) load(t *testing.T, base, path string) shownResults {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
		t.Fatalf("navigate %s: %v", path, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector("[data-search-results][data-search-state]")`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("%s: the client never finished: %v (problems: %v)", path, err, tb.problems())
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[shownResults](readResults))
	if err != nil {
		t.Fatalf("%s: read results: %v", path, err)
	}
	return got
}

func TestBrowserSearch(t *testing.T) {
	dir := t.TempDir()
	docs := siteDocs(t)
	writeSite(t, dir, docs)
	base, browser := startBrowser(t, dir)
	fsys := os.DirFS(dir)

	goURLs := func(q string, page int) []string {
		res, err := Search(fsys, q, page)
		if err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, h := range res.Hits {
			urls = append(urls, h.URL)
		}
		return urls
	}

	for _, tc := range []struct {
		path, query string
		page        int
		wantSeed    bool
		wantStatus  string
	}{
		{"/search/?query=Digital+Identity", "Digital Identity", 1, true, " results for “Digital Identity”"},
		{"/search/?query=sustainability", "sustainability", 1, true, " results for “sustainability”"},
		{"/search/?query=xyzzy+plugh", "xyzzy plugh", 1, false, "No results for “xyzzy plugh”."},
		{"/search/?query=the+of", "the of", 1, false, "No results for “the of”."},
		{"/search/?query=government", "government", 1, true, ", page 1 of 2."},
		{"/search/?query=government&page=2", "government", 2, false, ", page 2 of 2."},
		{"/search/?query=%E2%80%9Cservices%E2%80%9D+%3Cb%3E", "“services” <b>", 1, false, " results for ““services” <b>”"},
	} {
		t.Run(tc.query+fmt.Sprint(tc.page), func(t *testing.T) {
			tb := newBrowserTab(t, browser)
			got := tb.load(t, base, tc.path)
			if got.State != "done" || got.Busy == "true" {
				t.Errorf("state %q, aria-busy %q; want done, not busy", got.State, got.Busy)
			}
			if !strings.Contains(got.Status, tc.wantStatus) {
				t.Errorf("status %q, want it to contain %q", got.Status, tc.wantStatus)
			}
			if got.Role != "status" || got.Live != "polite" {
				t.Errorf("status role %q aria-live %q, want status/polite", got.Role, got.Live)
			}
			if got.Input != tc.query {
				t.Errorf("input %q, want the query %q", got.Input, tc.query)
			}
			found := false
			for _, u := range got.URLs {
				found = found || u == seedURL
			}
			if tc.wantSeed && !found {
				t.Errorf("seed page %s not among the results %v", seedURL, got.URLs)
			}
			// The browser ranks exactly as the Go twin does.
			if diff := cmp.Diff(goURLs(tc.query, tc.page), got.URLs, cmpEmpty); diff != "" {
				t.Errorf("browser results differ from Search (-go +browser):\n%s", diff)
			}
			if len(got.URLs) > PageSize {
				t.Errorf("%d results shown, want at most %d", len(got.URLs), PageSize)
			}
			if len(got.URLs) > 0 && len(got.Marks) == 0 {
				t.Errorf("no <mark> in the results")
			}
			if len(got.CSP) > 0 {
				t.Errorf("CSP violations: %v", got.CSP)
			}
			if p := tb.problems(); len(p) > 0 {
				t.Errorf("console errors: %v", p)
			}
			switch {
			case tc.page == 1 && strings.Contains(tc.wantStatus, "page 1 of"):
				if want := "/search/?query=" + url.QueryEscape(tc.query) + "&page=2"; got.Next != want || got.Prev != "" {
					t.Errorf("pagination next %q prev %q, want next %q", got.Next, got.Prev, want)
				}
			case tc.page == 2:
				if want := "/search/?query=" + url.QueryEscape(tc.query); got.Prev != want || got.Next != "" {
					t.Errorf("pagination prev %q next %q, want prev %q", got.Prev, got.Next, want)
				}
			}
		})
	}

	t.Run("marks and meta", func(t *testing.T) {
		tb := newBrowserTab(t, browser)
		got := tb.load(t, base, "/search/?query=sustainability+report")
		if len(got.URLs) == 0 || got.URLs[0] != "/files/sustainability-report-2024.pdf" {
			t.Errorf("first result %v, want the sustainability report", got.URLs)
		}
		for _, m := range got.Marks {
			if w := strings.ToLower(m); !strings.HasPrefix(w, "sustain") && !strings.HasPrefix(w, "report") {
				t.Errorf("marked %q, which is not a query word", m)
			}
		}
		if len(got.Meta) == 0 || got.Meta[0] != "File · 30 Sep 2024" {
			t.Errorf("meta %q, want \"File · 30 Sep 2024\" first", got.Meta)
		}
	})

	// axe-core is vendored by the theme's tests; the rendered results must
	// pass the WCAG 2.2 AA rules it checks.
	t.Run("axe", func(t *testing.T) {
		tb := newBrowserTab(t, browser)
		tb.load(t, base, "/search/?query=government")
		res, err := browsertest.RunAxe(tb.ctx, browsertest.AxeScript(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Violations) > 0 {
			t.Errorf("axe found %d violations:%s", len(res.Violations), res)
		}
	})

	t.Run("tokeniser parity", func(t *testing.T) {
		tb := newBrowserTab(t, browser)
		tb.load(t, base, "/search/")
		tk := newTokenizer()
		for _, s := range tokenCases() {
			js, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](`window.isomerSearch.terms(`+jsString(s)+`)`))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tk.terms(s), js, cmpEmpty); diff != "" {
				t.Errorf("terms(%q) (-go +js):\n%s", s, diff)
			}
		}
	})
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				fmt.Fprintf(&b, `\u{%x}`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
