package theme_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io/fs"
	"isomer.dev/isomer/internal/browsertest"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/site"
)

// browserPages are one page of every kind in the example site.
func browserPages() []struct{ name, path string } {
	return []struct{ name, path string }{
		{"homepage", "/"},
		{"simple-page", "/open-data-publication-guide/"},
		{"collection-page", "/about-us/who-we-are/"},
		{"seed-page", "/about-us/what-we-do/our-digital-government-efforts/"},
		{"post", "/service-centre-opens-in-jurong-east/"},
		{"resource-room", "/news-and-events/"},
		{"resource-category", "/news-and-events/press-releases/"},
		{"contact-us", "/contact-us/"},
		{"search", "/search/?query=grants"},
		{"not-found", "/404.html"},
	}
}

// browserEnv is the example site built and served under a strict CSP, and a
// running headless Chromium.
type browserEnv struct {
	base    string
	dir     string // the built site
	browser context.Context
	axe     string
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	return newBrowserEnvFor(t, "../../examples/agency-site", "production")
}

func newBrowserEnvFor(t *testing.T, source, buildEnv string) *browserEnv {
	t.Helper()
	browsertest.Require(t)
	axe := browsertest.AxeScript(t)
	out := t.TempDir()
	res, err := build.Build(t.Context(), build.Options{Source: source, Dest: out, Env: buildEnv})
	if err != nil {
		t.Fatalf("build %s: %v", source, err)
	}
	if res.Errors() > 0 {
		t.Logf("%s built with %d errors: %v", source, res.Errors(), res.Diagnostics)
	}
	files := http.FileServer(http.Dir(out))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The strictest policy a static site can live with: nothing inline,
		// nothing from elsewhere.
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	browser := browsertest.Start(t)
	return &browserEnv{base: srv.URL, dir: out, browser: browser, axe: axe}
}

// tab is one browser tab that records everything a page must not do.
type tab struct {
	ctx      context.Context
	mu       sync.Mutex
	external []string // requests that left the test server
	errors   []string // console errors, exceptions, failed loads
}

func (e *browserEnv) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser)
	t.Cleanup(cancel)
	tb := &tab{ctx: ctx}
	host := strings.TrimPrefix(e.base, "http://")
	if err := chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			u, err := url.Parse(ev.Request.URL)
			if err == nil && (u.Scheme == "data" || u.Scheme == "about") {
				return
			}
			if err != nil || u.Host != host {
				tb.external = append(tb.external, ev.Request.URL)
			}
		case *runtime.EventExceptionThrown:
			tb.errors = append(tb.errors, "exception: "+ev.ExceptionDetails.Text+" "+describe(ev.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, describe(a))
				}
				tb.errors = append(tb.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
			}
		case *log.EventEntryAdded:
			// CSP reports are checked through securitypolicyviolation
			// events, which say which element broke the policy.
			if ev.Entry.Source == log.EntrySourceSecurity {
				return
			}
			// Browser warnings (interventions, deprecations) change with
			// Chromium versions; errors are what a page must not cause.
			if ev.Entry.Level == log.EntryLevelError {
				tb.errors = append(tb.errors, fmt.Sprintf("log %s/%s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	// Record CSP violations from the page itself, before any of its scripts run.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) {
			var inContent = !!(e.target && e.target.closest && e.target.closest(".content"));
			window.__csp.push({content: inContent, directive: e.effectiveDirective, blocked: e.blockedURI, text: e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber});
		});`,
	}); err != nil {
		t.Fatal(err)
	}
	return tb
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	return strings.Trim(string(o.Value), `"`)
}

func (tb *tab) problems() (external, errors []string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.external...), append([]string(nil), tb.errors...)
}

func (e *browserEnv) runAxe(ctx context.Context) (browsertest.AxeResult, error) {
	return browsertest.RunAxe(ctx, e.axe)
}

func viewport(width int64) chromedp.Action[chromedp.Void] {
	if width < 600 {
		return chromedp.EmulateViewport(width, 812, chromedp.EmulateScale(2))
	}
	return chromedp.EmulateViewport(width, 900)
}

// TestBrowser loads every page kind of the example site at desktop and
// mobile widths under a strict CSP and checks it with axe-core and by hand.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	env := newBrowserEnv(t)
	shots := os.Getenv("ISOMER_SCREENSHOTS")
	for _, width := range []int64{1280, 375} {
		for _, pg := range browserPages() {
			t.Run(fmt.Sprintf("%s@%d", pg.name, width), func(t *testing.T) {
				t.Parallel()
				tb := env.newTab(t)
				ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
				defer cancel()
				if err := chromedp.Do(ctx, viewport(width), chromedp.Navigate(env.base+pg.path)); err != nil {
					t.Fatalf("load %s: %v", pg.path, err)
				}
				h1, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('h1').length`))
				if err != nil || h1 < 1 {
					t.Errorf("page has %d h1 elements (err %v); want at least one", h1, err)
				}
				overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
				if err == nil && overflow {
					t.Errorf("page scrolls horizontally at %dpx", width)
				}
				res, err := env.runAxe(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Violations) > 0 {
					t.Errorf("axe found %d violations on %s at %dpx:%s", len(res.Violations), pg.path, width, res)
				}
				t.Logf("axe: %d violations, %d rules passed, %d need review %s", len(res.Violations), len(res.Passes), len(res.Incomplete), res.Incomplete)
				csp, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct {
					Content bool
					Text    string
				}](`window.__csp`))
				if err != nil {
					t.Errorf("read CSP violations: %v", err)
				}
				for _, c := range csp {
					if c.Content {
						// The example site must be clean too: the tiptap
						// package turns the styles it has classes for
						// into classes, so a violation here is either a
						// style it should learn or a page to fix.
						t.Errorf("CSP violation in the page content: %s", c.Text)
						continue
					}
					t.Errorf("CSP violation: %s", c.Text)
				}
				// The classes that replaced inline styles must still win
				// over the theme's defaults (a table cell is left-aligned).
				misaligned, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
					const want = {"has-text-left": "left", "has-text-centered": "center", "has-text-right": "right", "has-text-justified": "justify"};
					const bad = [];
					for (const [cls, align] of Object.entries(want)) {
						for (const el of document.querySelectorAll(".content ." + cls)) {
							const got = getComputedStyle(el).textAlign;
							if (got !== align) bad.push(el.tagName.toLowerCase() + "." + cls + " is " + got);
						}
					}
					return bad;
				})()`))
				if err != nil {
					t.Errorf("read alignment: %v", err)
				}
				for _, m := range misaligned {
					t.Errorf("alignment class lost to the theme: %s", m)
				}
				if shots != "" && (os.Getenv("ISOMER_SCREENSHOTS_ALL") != "" || pg.name == "homepage" || pg.name == "collection-page" || pg.name == "seed-page") {
					saveScreenshot(t, ctx, filepath.Join(shots, fmt.Sprintf("%s-%d.png", pg.name, width)), width)
				}
				external, errs := tb.problems()
				for _, u := range external {
					t.Errorf("request left localhost: %s", u)
				}
				for _, e := range errs {
					t.Errorf("browser reported: %s", e)
				}
			})
		}
	}
	t.Run("keyboard", func(t *testing.T) {
		t.Parallel()
		testKeyboard(t, env)
	})
	t.Run("search", func(t *testing.T) {
		t.Parallel()
		testSearch(t, env)
	})
	t.Run("csp-every-page", func(t *testing.T) {
		// The page kinds above are checked in depth; here every page of
		// the site is loaded once, since content differs page by page.
		t.Parallel()
		testCSPEveryPage(t, env)
	})
	t.Run("reflow", func(t *testing.T) {
		// WCAG 1.4.10: nothing may need horizontal scrolling at 320 CSS px;
		// 1024 is where the desktop navbar starts and is tightest.
		t.Parallel()
		tb := env.newTab(t)
		for _, w := range []int64{320, 1024} {
			for _, pg := range browserPages() {
				ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 640), chromedp.Navigate(env.base+pg.path)); err != nil {
					cancel()
					t.Fatalf("load %s: %v", pg.path, err)
				}
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.scrollWidth <= document.documentElement.clientWidth ? '' : [...document.querySelectorAll('body *')].filter(e => e.checkVisibility() && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className).join(', ') || 'something'`))
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				if wide != "" {
					t.Errorf("%s at %dpx: elements wider than the window: %s", pg.path, w, wide)
				}
			}
		}
	})
}

// testCSPEveryPage loads each HTML page of the built site and fails on any
// CSP violation, in the theme or in the content.
func testCSPEveryPage(t *testing.T, env *browserEnv) {
	var paths []string
	err := filepath.WalkDir(env.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, err := filepath.Rel(env.dir, p)
		if err != nil {
			return err
		}
		paths = append(paths, "/"+strings.TrimSuffix(filepath.ToSlash(rel), "index.html"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < len(browserPages()) {
		t.Fatalf("found %d pages in %s, fewer than the %d page kinds", len(paths), env.dir, len(browserPages()))
	}
	// The test server allows no third-party frame so the test stays
	// offline; an embed the production policy allows is not a violation.
	prod := build.ContentSecurityPolicy(&site.Site{Config: &site.Config{}}, false)
	tb := env.newTab(t)
	for _, p := range paths {
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		if err := chromedp.Do(ctx, chromedp.Navigate(env.base+p)); err != nil {
			cancel()
			t.Fatalf("load %s: %v", p, err)
		}
		csp, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct {
			Content   bool
			Directive string
			Blocked   string
			Text      string
		}](`new Promise(r => requestAnimationFrame(() => setTimeout(() => r(window.__csp))))`, chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			t.Fatalf("read CSP violations on %s: %v", p, err)
		}
		for _, c := range csp {
			if c.Directive == "frame-src" && frameAllowed(prod, c.Blocked) {
				t.Logf("%s: embed allowed in production: %s", p, c.Text)
				continue
			}
			where := "theme"
			if c.Content {
				where = "page content"
			}
			t.Errorf("%s: CSP violation in the %s: %s", p, where, c.Text)
		}
	}
}

// frameAllowed reports whether policy's frame-src lists the origin of the
// blocked URL, exactly or through a "*." host wildcard.
func frameAllowed(policy, blocked string) bool {
	u, err := url.Parse(blocked)
	if err != nil || u.Host == "" {
		return false
	}
	for _, d := range strings.Split(policy, ";") {
		srcs, ok := strings.CutPrefix(strings.TrimSpace(d), "frame-src ")
		if !ok {
			continue
		}
		for _, src := range strings.Fields(srcs) {
			scheme, host, ok := strings.Cut(src, "://")
			if !ok || scheme != u.Scheme {
				continue
			}
			if host == u.Host {
				return true
			}
			if rest, ok := strings.CutPrefix(host, "*."); ok && strings.HasSuffix(u.Host, "."+rest) {
				return true
			}
		}
	}
	return false
}

// saveScreenshot captures the full page by growing the viewport to the
// document's height.
func saveScreenshot(t *testing.T, ctx context.Context, file string, width int64) {
	t.Helper()
	h, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`Math.ceil(document.documentElement.scrollHeight)`))
	if err != nil {
		t.Errorf("screenshot %s: %v", file, err)
		return
	}
	// Device scale 1 keeps the files small enough for the repository.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, h, chromedp.EmulateScale(1)), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Errorf("screenshot %s: %v", file, err)
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", file, err)
		return
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testKeyboard opens the menus with the keyboard alone.
func testKeyboard(t *testing.T, env *browserEnv) {
	t.Run("navbar-dropdown@1280", func(t *testing.T) {
		tb := env.newTab(t)
		ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
		defer cancel()
		sel := `.navbar-dropdown-toggle > summary`
		if err := chromedp.Do(ctx, viewport(1280), chromedp.Navigate(env.base+"/"), chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const d = document.querySelector('.navbar-dropdown-toggle'); const a = d.querySelector('.navbar-dropdown a'); return d.open && a.getBoundingClientRect().height > 0 && getComputedStyle(a).visibility !== 'hidden'; })()`))
		if err != nil || !visible {
			t.Errorf("Enter on the first navbar dropdown did not show its links (err %v)", err)
		}
		// Tab reaches the first sub-link; Escape closes the dropdown and returns focus.
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		inside, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.matches('.navbar-dropdown a')`))
		if !inside {
			t.Errorf("Tab after opening the dropdown did not move into it")
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		closed, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector('.navbar-dropdown-toggle').open && document.activeElement.matches('.navbar-dropdown-toggle > summary')`))
		if !closed {
			t.Errorf("Escape did not close the dropdown and return focus to its button")
		}
	})
	t.Run("mobile-menu@375", func(t *testing.T) {
		tb := env.newTab(t)
		ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, viewport(375), chromedp.Navigate(env.base+"/")); err != nil {
			t.Fatal(err)
		}
		hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('.navbar-menu')).display === 'none'`))
		if !hidden {
			t.Errorf("the mobile menu is open before it is asked for")
		}
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`.navbar-burger > summary`)), chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		shown, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('.navbar-menu')).display !== 'none' && document.querySelector('.navbar-menu .navbar-link').getBoundingClientRect().height > 0`))
		if !shown {
			t.Errorf("Enter on the menu button did not show the menu")
		}
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`.navbar-menu .navbar-dropdown-toggle > summary`)), chromedp.KeyEvent(" ")); err != nil {
			t.Fatal(err)
		}
		sub, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('.navbar-menu .navbar-dropdown a').getBoundingClientRect().height > 0`))
		if !sub {
			t.Errorf("Space on a mobile menu group did not show its links")
		}
		if dir := os.Getenv("ISOMER_SCREENSHOTS"); dir != "" && os.Getenv("ISOMER_SCREENSHOTS_ALL") != "" {
			saveScreenshot(t, ctx, filepath.Join(dir, "mobile-menu-375.png"), 375)
		}
	})
	t.Run("year-filter", func(t *testing.T) {
		tb := env.newTab(t)
		ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, viewport(1280), chromedp.Navigate(env.base+"/news-and-events/"), chromedp.Focus(chromedp.CSS(`.year-filter select`))); err != nil {
			t.Fatal(err)
		}
		// Keyboard: ArrowDown moves a focused select to the next option.
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const y = document.querySelector('.year-filter select').value; return [y, ...new Set([...document.querySelectorAll('.resource-cards > li')].filter(li => li.checkVisibility()).map(li => li.dataset.year))]; })()`))
		if err != nil || len(got) != 2 || got[0] == "" || got[1] != got[0] {
			t.Errorf("after choosing a year, the visible cards' years are %v (err %v); want only the chosen year", got, err)
		}
	})
	t.Run("left-nav", func(t *testing.T) {
		const path = "/about-us/what-we-do/our-digital-government-efforts/"
		for _, width := range []int64{1280, 375} {
			tb := env.newTab(t)
			ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
			if err := chromedp.Do(ctx, viewport(width), chromedp.Navigate(env.base+path)); err != nil {
				cancel()
				t.Fatal(err)
			}
			href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.sidenav a[aria-current="page"]') || {}).pathname || ''`))
			if err != nil || href != path {
				t.Errorf("at %dpx the left nav marks %q as current (err %v); want %q", width, href, err, path)
			}
			if width < 1024 {
				if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`.sidenav-toggle > summary`)), chromedp.KeyEvent(kb.Enter)); err != nil {
					t.Fatal(err)
				}
			}
			visible, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('.sidenav a[aria-current="page"]').getBoundingClientRect().height > 0`))
			if !visible {
				t.Errorf("at %dpx the current page's left nav link is not visible (after opening the menu by keyboard)", width)
			}
			cancel()
		}
	})
}

// TestBrowserFixture builds the small fixture site (staging, two items per
// page) to exercise what the example site does not: the hero dropdown, the
// staging banner, resource pagination and the notification's close button.
func TestBrowserFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	src := t.TempDir()
	fsys := fixture()
	fsys["_config.yml"].Data = append([]byte("paginate: 2\n"), fsys["_config.yml"].Data...)
	// The fixture's images, as one small picture each.
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{0x33, 0x66, 0x99, 0xff}), image.Point{}, draw.Src)
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"hero banner.jpg", "logo.svg", "one.png", "two.png", "favicon.ico", "share.png", "slide.png", "partner.png", "contact.jpg"} {
		data := pic.Bytes()
		if strings.HasSuffix(name, ".svg") {
			data = []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48"><rect width="160" height="48" fill="#1b3a6b"/></svg>`)
		}
		fsys["images/"+name] = &fstest.MapFile{Data: data}
	}
	for name, f := range fsys {
		file := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := newBrowserEnvFor(t, src, "staging")
	tb := env.newTab(t)
	ctx, cancel := context.WithTimeout(tb.ctx, 40*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx, viewport(1280), chromedp.Navigate(env.base+"/")); err != nil {
		t.Fatal(err)
	}
	res, err := env.runAxe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Violations) > 0 {
		t.Errorf("axe found %d violations on the fixture homepage:%s", len(res.Violations), res)
	}
	staging, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('.staging-banner') && document.querySelector('meta[name=robots]').content === 'noindex'`))
	if !staging {
		t.Error("staging build lacks the staging banner or noindex")
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`.hero-dropdown > summary`)), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	open, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('.hero-dropdown').open && document.querySelector('.hero-dropdown a').getBoundingClientRect().height > 0`))
	if !open {
		t.Error("Enter on the hero dropdown did not show its options")
	}
	if dir := os.Getenv("ISOMER_SCREENSHOTS"); dir != "" && os.Getenv("ISOMER_SCREENSHOTS_ALL") != "" {
		saveScreenshot(t, ctx, filepath.Join(dir, "fixture-home-1280.png"), 1280)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.notification-close`))); err != nil {
		t.Fatal(err)
	}
	gone, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('notification-bar').hidden`))
	if !gone {
		t.Error("the notification's close button did not hide it")
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(env.base+"/media/")); err != nil {
		t.Fatal(err)
	}
	visible := `[...document.querySelectorAll('.resource-cards > li')].filter(li => li.checkVisibility()).map(li => li.querySelector('.media-card-title').textContent).join(', ')`
	first, _ := chromedp.Run(ctx, chromedp.Evaluate[string](visible))
	if first != "Opening_address, Keynote" {
		t.Errorf("page 1 shows %q, want the two newest items", first)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.pagination button[aria-label="Page 2"]`))); err != nil {
		t.Fatal(err)
	}
	second, _ := chromedp.Run(ctx, chromedp.Evaluate[string](visible))
	if second != "Annual report, Launch" {
		t.Errorf("page 2 shows %q, want the two oldest items", second)
	}
	res, err = env.runAxe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Violations) > 0 {
		t.Errorf("axe found %d violations on the paginated resource room:%s", len(res.Violations), res)
	}
	external, errs := tb.problems()
	for _, u := range external {
		t.Errorf("request left localhost: %s", u)
	}
	for _, e := range errs {
		t.Errorf("browser reported: %s", e)
	}
}

// testSearch runs real queries on the built search page: the seed page must
// be found by words from its card titles and from its body text.
func testSearch(t *testing.T, env *browserEnv) {
	const seed = "/about-us/what-we-do/our-digital-government-efforts/"
	for _, q := range []string{"Digital+Identity", "sustainability"} {
		tb := env.newTab(t)
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		if err := chromedp.Do(ctx, chromedp.Navigate(env.base+"/search/?query="+q),
			chromedp.WaitVisible(chromedp.CSS(`[data-search-results][data-search-state="done"]`))); err != nil {
			cancel()
			t.Fatalf("search %s: %v", q, err)
		}
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-search-results] a')].map(a => a.getAttribute('href'))`))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(links, seed) {
			t.Errorf("search for %q does not find %s; results: %q", q, seed, links)
		}
		external, errs := tb.problems()
		for _, e := range append(external, errs...) {
			t.Errorf("search %s: %s", q, e)
		}
	}
}
