package devserver

import (
	"context"
	"fmt"
	"isomer.dev/isomer/internal/browsertest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// tab is a browser tab that records console errors and warnings,
// exceptions and CSP violations.
type tab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newTab(t *testing.T, browser context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tb := &tab{ctx: ctx}
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
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				tb.errors = append(tb.errors, fmt.Sprintf("log %s/%s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Added through the protocol, so it is not itself subject to the CSP.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) {
			window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
		});`,
	}); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *tab) problems() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.errors...)
}

// shown is what a tab shows.
type shown struct {
	H1     string   `json:"h1"`
	Text   string   `json:"text"`
	Panel  string   `json:"panel"`
	Fixed  bool     `json:"fixed"`  // the panel is styled: the stylesheet loaded under the CSP
	Marker bool     `json:"marker"` // the page was not reloaded since the marker was set
	CSP    []string `json:"csp"`
	Client bool     `json:"client"` // the reload client is on the page
	// Loaded is when this document finished parsing (DOMContentLoaded),
	// in Unix milliseconds; the browser's own clock, free of polling delay.
	Loaded float64 `json:"loaded"`
}

const readShown = `(() => {
	const h1 = document.querySelector("h1");
	const panel = document.querySelector(".isomer-serve-problems");
	return {
		h1: h1 ? h1.textContent.trim() : "",
		text: document.body ? document.body.innerText : "",
		panel: panel ? panel.innerText : "",
		fixed: !!panel && getComputedStyle(panel).borderTopStyle === "solid",
		marker: window.__marker === true,
		csp: window.__csp || [],
		client: !!document.querySelector('script[src="/_isomer/reload.js"]'),
		loaded: (() => {
			const nav = performance.getEntriesByType("navigation")[0];
			return nav && nav.domContentLoadedEventEnd ? performance.timeOrigin + nav.domContentLoadedEventEnd : 0;
		})(),
	};
})()`

// read returns what the tab shows, or false while it is between pages.
func (tb *tab) read() (shown, bool) {
	ctx, cancel := context.WithTimeout(tb.ctx, 100*time.Millisecond)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[shown](readShown))
	return s, err == nil
}

// waitFor polls the tab until cond holds and returns how long it took.
func (tb *tab) waitFor(t *testing.T, what string, within time.Duration, cond func(shown) bool) (shown, time.Duration) {
	t.Helper()
	start := time.Now()
	var last shown
	for time.Since(start) < within {
		if s, ok := tb.read(); ok {
			last = s
			if cond(s) {
				return s, time.Since(start)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: not seen within %s; last seen h1 %q panel %q (problems: %v)", what, within, last.H1, last.Panel, tb.problems())
	return last, 0
}

func (tb *tab) navigate(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
}

func (tb *tab) setMarker(t *testing.T) {
	t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`window.__marker = true`)); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserLiveReload opens a page in Chromium, edits its source and
// sees the edit in the open tab without a manual reload; breaks the page's
// front matter and sees the error page naming the file and line (and the
// panel on another open page); fixes it and sees both tabs recover.
func TestBrowserLiveReload(t *testing.T) {
	browser := browsertest.Start(t)
	dir := copySite(t, nil)
	base, stop := runServer(t, dir)
	good := readFile(t, dir, privacy)

	page := newTab(t, browser)
	page.navigate(t, base+"/privacy/")
	first, _ := page.waitFor(t, "the page", 10*time.Second, func(s shown) bool { return s.H1 == "Privacy Statement" })
	if !first.Client {
		t.Fatal("the reload client is not on the page")
	}
	// Let the event stream connect; a save before it does is caught by
	// the version check on connect anyway.
	time.Sleep(300 * time.Millisecond)
	page.setMarker(t)

	edited := strings.Replace(good, "This is a Government of Singapore website", "This is the LIVE EDITED website", 1)
	saved := time.Now()
	writeFile(t, dir, privacy, edited)
	after, took := page.waitFor(t, "the edit", 5*time.Second, func(s shown) bool {
		return strings.Contains(s.Text, "This is the LIVE EDITED website") && !s.Marker && s.Loaded > 0
	})
	shownAt := time.UnixMicro(int64(after.Loaded * 1000)).Sub(saved)
	t.Logf("edit → reloaded page parsed in %s (seen by polling after %s)", shownAt.Round(time.Millisecond), took.Round(time.Millisecond))
	if shownAt > time.Second {
		t.Errorf("the edit took %s to show, want under 1s", shownAt)
	}

	home := newTab(t, browser)
	home.navigate(t, base+"/")
	home.waitFor(t, "the home page", 10*time.Second, func(s shown) bool { return s.Client && s.Panel == "" })
	time.Sleep(300 * time.Millisecond)

	broken := strings.Replace(edited, "title: Privacy Statement", `title: "Privacy Statement`, 1)
	writeFile(t, dir, privacy, broken)
	errPage, took := page.waitFor(t, "the error page", 5*time.Second, func(s shown) bool {
		return s.H1 == "This page could not be built" && s.Fixed
	})
	t.Logf("broken front matter → error page in %s", took.Round(time.Millisecond))
	for _, want := range []string{"pages/Privacy Statement.md", "line 5", "invalid YAML", "/privacy/"} {
		if !strings.Contains(errPage.Text, want) {
			t.Errorf("error page does not say %q:\n%s", want, errPage.Text)
		}
	}
	panel, _ := home.waitFor(t, "the panel on the home page", 5*time.Second, func(s shown) bool { return s.Panel != "" && s.Fixed })
	if !strings.Contains(panel.Panel, "pages/Privacy Statement.md, line 5: invalid YAML") {
		t.Errorf("home page panel %q", panel.Panel)
	}

	writeFile(t, dir, privacy, edited)
	_, took = page.waitFor(t, "recovery", 5*time.Second, func(s shown) bool {
		return s.H1 == "Privacy Statement" && strings.Contains(s.Text, "LIVE EDITED") && s.Panel == ""
	})
	t.Logf("fixed → page back in %s", took.Round(time.Millisecond))
	home.waitFor(t, "the home page without the panel", 5*time.Second, func(s shown) bool { return s.Client && s.Panel == "" })

	tabs := map[string]*tab{"page": page, "home": home}
	for name, tb := range tabs {
		s, _ := tb.read()
		if len(s.CSP) > 0 {
			t.Errorf("%s tab: CSP violations: %v", name, s.CSP)
		}
		for _, p := range tb.problems() {
			// The error page is answered with status 500 on purpose,
			// which Chromium logs.
			if strings.Contains(p, "status of 500") && strings.Contains(p, "/privacy/") {
				continue
			}
			t.Errorf("%s tab: %s", name, p)
		}
	}

	// The server restarts (with an edit made while it was down): the tab
	// reconnects and reloads by itself.
	page.setMarker(t)
	seen := len(page.problems())
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, privacy, strings.Replace(good, "This is a Government of Singapore website", "Edited while the server was down", 1))
	runServerAt(t, dir, strings.TrimPrefix(base, "http://"))
	_, took = page.waitFor(t, "the edit after a restart", 10*time.Second, func(s shown) bool {
		return strings.Contains(s.Text, "Edited while the server was down") && !s.Marker
	})
	t.Logf("restart → page reloaded in %s", took.Round(time.Millisecond))
	for _, p := range page.problems()[seen:] {
		// While the server is down the event stream cannot reconnect, and
		// anything else the tab asks for then (a favicon) is refused.
		if strings.Contains(p, "/_isomer/events") || strings.Contains(p, "ERR_CONNECTION_REFUSED") {
			continue
		}
		t.Errorf("page tab after restart: %s", p)
	}
}
