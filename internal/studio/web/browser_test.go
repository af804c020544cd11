package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"isomer.dev/isomer/internal/browsertest"
	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/store"
)

// seedTitle is the seed page's title, as the content tree links it.
const seedTitle = "Our Digital Government Efforts"

// seedPreview is where the preview publishes the seed page.
const seedPreview = "/sites/agency-site/preview/about-us/what-we-do/our-digital-government-efforts/"

// pageProblem is something a page did that it must not: a console error, an
// uncaught exception, a failed load or a CSP violation.
type pageProblem struct {
	page string // the address the tab showed
	url  string // the resource concerned, if any
	text string
}

func (p pageProblem) String() string { return p.text + " (on " + p.page + ")" }

// studioTab is a browser tab on a running Studio that records every
// problem its pages cause.
type studioTab struct {
	t    *testing.T
	h    *harness
	ctx  context.Context
	mu   sync.Mutex
	at   string // the main frame's address
	seen []pageProblem
}

func newStudioTab(t *testing.T, h *harness, browser context.Context) *studioTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tb := &studioTab{t: t, h: h, ctx: ctx}
	if err := chromedp.Listen(ctx, tb.record); err != nil {
		t.Fatal(err)
	}
	// The binding survives navigations, so a violation is reported even
	// when the page that caused it is gone by the time the test looks.
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: "__reportCSP"}); err != nil {
		t.Fatal(err)
	}
	// Added through the protocol, so it is not itself subject to the CSP.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `document.addEventListener("securitypolicyviolation", function (e) {
			window.__reportCSP(JSON.stringify({page: e.documentURI, text: e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber}));
		});`,
	}); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *studioTab) record(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	add := func(p pageProblem) {
		if p.page == "" {
			p.page = tb.at
		}
		tb.seen = append(tb.seen, p)
	}
	switch ev := ev.(type) {
	case *page.EventFrameNavigated:
		if ev.Frame.ParentID == "" {
			tb.at = ev.Frame.URL
		}
	case *runtime.EventBindingCalled:
		if ev.Name != "__reportCSP" {
			return
		}
		var v struct{ Page, Text string }
		_ = json.Unmarshal([]byte(ev.Payload), &v)
		add(pageProblem{page: v.Page, text: "CSP: " + v.Text})
	case *runtime.EventExceptionThrown:
		add(pageProblem{text: "exception: " + ev.ExceptionDetails.Text + " " + remoteText(ev.ExceptionDetails.Exception)})
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, remoteText(a))
			}
			add(pageProblem{text: "console." + string(ev.Type) + ": " + strings.Join(parts, " ")})
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			add(pageProblem{url: ev.Entry.URL, text: fmt.Sprintf("log %s/%s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)})
		}
	}
}

func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	return strings.Trim(string(o.Value), `"`)
}

// problems returns what Studio's own pages did wrong, leaving out the
// preview (which runs the site's pages under the site's policy, checked by
// the theme's tests) and the browser's note that a document answered with
// an error status, when the test asked for that status.
func (tb *studioTab) problems(expectedStatus map[string]bool) []pageProblem {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []pageProblem
	for _, p := range tb.seen {
		if strings.Contains(p.page, "/preview/") {
			tb.t.Logf("preview page problem (not Studio's): %s", p)
			continue
		}
		if p.url != "" && expectedStatus[p.url] && strings.Contains(p.text, "the server responded with a status of") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// do runs browser actions with a deadline, failing the test with what was
// being done.
func (tb *studioTab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v (page %s)", what, err, tb.location())
	}
}

// follow runs actions that load a new page (a click on a link or a submit
// button) and returns the document's final status.
func (tb *studioTab) follow(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		tb.t.Fatalf("%s: %v (page %s)", what, err, tb.location())
	}
	if res == nil {
		return 0
	}
	return res.Status
}

// open loads a Studio address and returns its status.
func (tb *studioTab) open(p string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.h.ts.URL+p))
	if err != nil {
		tb.t.Fatalf("open %s: %v", p, err)
	}
	return res.Status
}

func (tb *studioTab) location() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.at
}

// get runs a browser action that reads a value.
func get[T any](tb *studioTab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v (page %s)", what, err, tb.location())
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *studioTab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %.60q: %v (page %s)", expr, err, tb.location())
	}
	return v
}

// path is the tab's current address without the server.
func (tb *studioTab) path() string {
	tb.t.Helper()
	return eval[string](tb, `location.pathname + location.search`)
}

// signIn signs email in the way a person does: address, then the code
// from the email.
func (tb *studioTab) signIn(email string) {
	tb.t.Helper()
	if st := tb.open("/signin"); st != http.StatusOK {
		tb.t.Fatalf("sign-in page: %d", st)
	}
	tb.do("type the email address", chromedp.SendKeys(chromedp.ID("email"), email))
	if st := tb.follow("ask for a code", chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`))); st != http.StatusOK {
		tb.t.Fatalf("asking for a code: %d", st)
	}
	if p := tb.path(); !strings.HasPrefix(p, "/signin/code?") {
		tb.t.Fatalf("after asking for a code the browser is at %s", p)
	}
	tb.do("type the code", chromedp.SendKeys(chromedp.ID("code"), tb.h.lastCode(email)))
	if st := tb.follow("submit the code", chromedp.Click(chromedp.CSS(`form[action="/signin/code"] button[type=submit]`))); st != http.StatusOK {
		tb.t.Fatalf("submitting the code: %d", st)
	}
}

// clickLink follows the first link on the page whose text is text.
func (tb *studioTab) clickLink(text string) int64 {
	tb.t.Helper()
	return tb.follow("follow the link "+text,
		chromedp.Click(fmt.Sprintf(`(//a[normalize-space(.)=%q])[1]`, text)))
}

// TestBrowserEditLoop is the editor's whole loop in a real browser: sign in
// with an emailed code, open the site, find the seed page in the content
// tree, change its text, save, see the change in the preview; the commit
// is the editor's, and a site administrator finds it in the audit log. No
// Studio page logs an error or breaks its Content-Security-Policy.
func TestBrowserEditLoop(t *testing.T) {
	browsertest.Require(t)
	forEachDB(t, func(t *testing.T, h *harness) {
		start := time.Now()
		ed := h.member("editor@agency.gov.sg", h.site, store.RoleContributor)
		sa := h.member("siteadmin@agency.gov.sg", h.site, store.RoleAdmin)
		tb := newStudioTab(t, h, browsertest.Start(t))

		tb.signIn(ed.Email)
		if p := tb.path(); p != "/" {
			t.Fatalf("signed in, the browser is at %s, want the dashboard", p)
		}
		if h1 := eval[string](tb, `document.querySelector('h1').textContent`); h1 != "Your sites" {
			t.Fatalf("dashboard heading %q", h1)
		}
		if st := tb.clickLink(h.site.Title); st != http.StatusOK {
			t.Fatalf("opening the site: %d", st)
		}
		if st := tb.clickLink(seedTitle); st != http.StatusOK {
			t.Fatalf("opening the seed page from the content tree: %d", st)
		}
		if p := tb.path(); p != "/sites/agency-site/edit/"+escapePath(seedPath) {
			t.Fatalf("the seed page's link led to %s", p)
		}
		t.Logf("signed in and opened the editor in %v", time.Since(start))

		body := get(tb, "read the body", chromedp.Value(chromedp.ID("body")))
		base := get(tb, "read the base revision", chromedp.Value(chromedp.CSS(`input[name=base]`)))
		marker := fmt.Sprintf("Edited in a browser %d", time.Now().UnixNano())
		edited := strings.Replace(body, seedTitle+"</h3>", marker+"</h3>", 1)
		if edited == body {
			t.Fatalf("the editor's body lacks the heading %q</h3>", seedTitle)
		}
		tb.do("change the body", chromedp.SetValue(chromedp.ID("body"), edited))
		saved := time.Now()
		if st := tb.follow("save", chromedp.Click(chromedp.CSS(`form.editor button[type=submit]`))); st != http.StatusOK {
			t.Fatalf("saving: %d", st)
		}
		if notice := eval[string](tb, `(document.querySelector('.notice') || {}).textContent || ''`); !strings.HasPrefix(notice, "Saved") {
			t.Fatalf("after saving the page says %q, want the Saved notice", notice)
		}
		if got := eval[string](tb, `document.getElementById('body').value`); got != edited {
			t.Errorf("the editor reopened with a body other than the one saved")
		}

		if st := tb.clickLink("View in the preview"); st != http.StatusOK {
			t.Fatalf("opening the preview: %d", st)
		}
		if p := tb.path(); p != seedPreview {
			t.Errorf("the preview link led to %s, want %s", p, seedPreview)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !eval[bool](tb, fmt.Sprintf(`document.body.innerText.includes(%q)`, marker)) {
			if time.Now().After(deadline) {
				t.Fatalf("the preview did not show the edit within 10s of the save")
			}
			time.Sleep(250 * time.Millisecond)
			tb.do("reload the preview", chromedp.Reload())
		}
		t.Logf("the preview showed the edit %v after the save was clicked", time.Since(saved))

		ctx := context.Background()
		repo, err := siterepo.Open(ctx, h.site.RepoPath)
		if err != nil {
			t.Fatal(err)
		}
		commits, err := repo.Log(ctx, siterepo.Staging, seedPath, 1)
		if err != nil || len(commits) != 1 {
			t.Fatalf("log of the seed page: %v (%d commits)", err, len(commits))
		}
		rev := commits[0].Rev
		if commits[0].Author.Email != ed.Email {
			t.Errorf("newest commit of the seed page by %q, want the editor %q", commits[0].Author.Email, ed.Email)
		}
		now, _ := repo.ReadFile(ctx, rev, seedPath)
		was, _ := repo.ReadFile(ctx, base, seedPath)
		if !strings.Contains(string(now), marker) {
			t.Errorf("the committed page lacks the edit")
		}
		// A browser form round trip (CRLF, the newline a textarea drops)
		// must change only the edited line.
		if a, b := strings.Count(string(was), "\n"), strings.Count(string(now), "\n"); a != b || strings.Contains(string(now), "\r") != strings.Contains(string(was), "\r") {
			t.Errorf("saving from the browser changed more than the edited line: %d lines before, %d after", a, b)
		}

		// A site administrator finds the edit in the audit log.
		tb.open("/")
		if st := tb.follow("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`))); st != http.StatusOK {
			t.Fatalf("signing out: %d", st)
		}
		tb.signIn(sa.Email)
		if st := tb.clickLink(h.site.Title); st != http.StatusOK {
			t.Fatalf("site admin opening the site: %d", st)
		}
		if st := tb.clickLink("Audit log"); st != http.StatusOK {
			t.Fatalf("opening the audit log: %d", st)
		}
		rows := eval[[]string](tb, `[...document.querySelectorAll('main tbody tr')].map(tr => tr.innerText)`)
		found := false
		for _, row := range rows {
			if strings.Contains(row, rev[:8]) {
				found = true
				if !strings.Contains(row, ed.Email) || !strings.Contains(row, seedPath) {
					t.Errorf("audit row of the edit %q, want the editor %s and the page %s", row, ed.Email, seedPath)
				}
			}
		}
		if !found {
			t.Errorf("the audit log does not list commit %s; rows:\n%s", rev[:8], strings.Join(rows, "\n"))
		}

		for _, p := range tb.problems(nil) {
			t.Errorf("%s", p)
		}
		t.Logf("edit loop took %v", time.Since(start))
	})
}

// axe runs axe-core's WCAG 2.2 AA rules on the tab's page.
func (tb *studioTab) axe(script string) browsertest.AxeResult {
	tb.t.Helper()
	res, err := browsertest.RunAxe(tb.ctx, script)
	if err != nil {
		tb.t.Fatal(err)
	}
	return res
}

// checkSkipLink checks keyboard basics on a freshly loaded page: Tab
// reaches the skip link first, the link shows when focused, and Enter moves
// focus to the main content.
func (tb *studioTab) checkSkipLink(name string) {
	tb.t.Helper()
	tb.do("focus the document", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.focus()`))
	tb.do("press Tab", chromedp.KeyEvent(kb.Tab))
	first := eval[struct {
		Skip    bool   `json:"skip"`
		HTML    string `json:"html"`
		Visible bool   `json:"visible"`
	}](tb, `(() => { const a = document.activeElement, r = a.getBoundingClientRect();
		return {skip: a.matches('a.skip[href="#main"]'), html: a.outerHTML.slice(0, 120),
			visible: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth}; })()`)
	if !first.Skip {
		tb.t.Errorf("%s: the first Tab focuses %s, want the skip link", name, first.HTML)
		return
	}
	if !first.Visible {
		tb.t.Errorf("%s: the focused skip link is not visible", name)
	}
	tb.do("press Enter on the skip link", chromedp.KeyEvent(kb.Enter))
	if got := eval[string](tb, `document.activeElement.id || document.activeElement.tagName`); got != "main" {
		tb.t.Errorf("%s: the skip link moved focus to %s, want main", name, got)
	}
}

// sidewaysJS names the innermost elements that stick out past the right
// edge when the page is wider than the window, or gives "".
const sidewaysJS = `document.documentElement.scrollWidth <= innerWidth + 1 ? '' :
	[...document.querySelectorAll('body *')].filter(e => e.checkVisibility() && e.getBoundingClientRect().right > innerWidth + 1 &&
		![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1)).slice(0, 5)
	.map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' "' + e.textContent.trim().slice(0, 40) + '"').join(', ') || 'something'`

// TestStudioPagesAxe checks every kind of Studio page with axe-core's WCAG
// 2.2 AA rules at desktop and mobile widths, plus the keyboard basics, under
// Studio's real Content-Security-Policy.
// screenshot saves the visible part of the page (README pictures:
// ISOMER_SCREENSHOTS=docs/screenshots go test ./internal/studio/web -run Axe).
func (tb *studioTab) screenshot(file string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Errorf("screenshot %s: %v", file, err)
		return
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

func TestStudioPagesAxe(t *testing.T) {
	browsertest.Require(t)
	axe := browsertest.AxeScript(t)
	h := newHarness(t, storetestSQLite(t))
	h.member("contributor@agency.gov.sg", h.site, store.RoleContributor)
	h.member("siteadmin@agency.gov.sg", h.site, store.RoleAdmin)
	tb := newStudioTab(t, h, browsertest.Start(t))
	editor := "/sites/agency-site/edit/" + escapePath(seedPath)
	expected := map[string]bool{}

	// conflict makes the editor's save clash with another editor's save
	// from the same revision, and shows the conflict view it answers with.
	round := 0
	conflict := func() int64 {
		round++
		if st := tb.open(editor); st != http.StatusOK {
			t.Fatalf("editor: %d", st)
		}
		body := get(tb, "read the body", chromedp.Value(chromedp.ID("body")))
		base := get(tb, "read the base revision", chromedp.Value(chromedp.CSS(`input[name=base]`)))
		change := func(who string) string {
			lines := strings.Split(body, "\n")
			for i, l := range lines {
				if strings.Contains(l, "Blueprint") {
					lines[i] = fmt.Sprintf("%s %d: %s", who, round, l)
					return strings.Join(lines, "\n")
				}
			}
			t.Fatal("the seed page has no line mentioning the Blueprint")
			return ""
		}
		other := h.signIn(h.admin.Email)
		if res := h.post(other, editor, url.Values{"base": {base}, "body": {change("Another editor")}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the other editor's save: %d", res.StatusCode)
		}
		tb.do("change the body", chromedp.SetValue(chromedp.ID("body"), change("My change")))
		st := tb.follow("save", chromedp.Click(chromedp.CSS(`form.editor button[type=submit]`)))
		expected[tb.location()] = true
		if !eval[bool](tb, `!!document.querySelector('.conflict')`) {
			t.Fatalf("the clashing save did not show the conflict view")
		}
		return st
	}
	pages := []struct {
		name   string
		open   func() int64
		status int64
	}{
		{"sign-in", func() int64 { return tb.open("/signin") }, http.StatusOK},
		{"code entry", func() int64 { return tb.open("/signin/code?email=" + url.QueryEscape(h.admin.Email)) }, http.StatusOK},
		{"dashboard", func() int64 { return tb.open("/") }, http.StatusOK},
		{"new site", func() int64 { return tb.open("/sites/new") }, http.StatusOK},
		{"content tree", func() int64 { return tb.open("/sites/agency-site/") }, http.StatusOK},
		{"editor", func() int64 { return tb.open(editor) }, http.StatusOK},
		{"editor after saving", func() int64 { return tb.open(editor + "?notice=saved") }, http.StatusOK},
		{"editor raw", func() int64 { return tb.open(editor + "?mode=raw") }, http.StatusOK},
		{"conflict", conflict, http.StatusConflict},
		{"history", func() int64 { return tb.open("/sites/agency-site/history") }, http.StatusOK},
		{"members", func() int64 { return tb.open("/sites/agency-site/members") }, http.StatusOK},
		{"audit", func() int64 { return tb.open("/sites/agency-site/audit") }, http.StatusOK},
		{"not found", func() int64 {
			expected[h.ts.URL+"/sites/no-such-site/"] = true
			return tb.open("/sites/no-such-site/")
		}, http.StatusNotFound},
	}
	for _, pg := range pages {
		if pg.name == "dashboard" {
			tb.signIn(h.admin.Email)
		}
		for _, width := range []int64{1280, 375} {
			tb.do("set the width", chromedp.EmulateViewport(width, 900))
			if st := pg.open(); st != pg.status {
				t.Fatalf("%s: status %d, want %d", pg.name, st, pg.status)
			}
			start := time.Now()
			res := tb.axe(axe)
			if len(res.Violations) > 0 {
				t.Errorf("%s at %dpx (%s): axe found %d violations:%s", pg.name, width, tb.location(), len(res.Violations), res)
			}
			t.Logf("%s at %dpx: %d rules passed, %d to review by hand %v (%v)", pg.name, width, len(res.Passes), len(res.Incomplete), res.Incomplete, time.Since(start).Round(time.Millisecond))
			if wide := eval[string](tb, sidewaysJS); wide != "" {
				t.Errorf("%s at %dpx: the page scrolls sideways, past the edge: %s", pg.name, width, wide)
			}
			if dir := os.Getenv("ISOMER_SCREENSHOTS"); dir != "" && width == 1280 {
				tb.screenshot(filepath.Join(dir, "studio-"+strings.ReplaceAll(pg.name, " ", "-")+".png"))
			}
			if width == 1280 && pg.name != "conflict" {
				tb.checkSkipLink(pg.name)
			}
		}
	}
	for _, p := range tb.problems(expected) {
		t.Errorf("%s", p)
	}
}
