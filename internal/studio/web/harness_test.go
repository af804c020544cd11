package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
	"isomer.dev/isomer/internal/studio/store/storetest"
)

// seedPath is the real page from an Isomer site that the example carries.
const seedPath = "_about-us/What We Do/Our Digital Government Efforts.md"

// harness is a running Studio over a real database and real git
// repositories, with the example site imported as "agency-site" and
// another site ("other") for authorisation checks.
type harness struct {
	t       testing.TB
	db      *store.DB
	srv     *Server
	ts      *httptest.Server
	outbox  *signin.DevOutbox
	dataDir string
	site    store.Site
	other   store.Site
	admin   store.User // platform admin
}

func exampleSite(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "agency-site")
}

func newHarness(t testing.TB, dsn string) *harness {
	t.Helper()
	return newHarnessWith(t, dsn, nil)
}

// newHarnessWith is newHarness with tune applied to the server's Config
// first (for example to shorten session timeouts).
func newHarnessWith(t testing.TB, dsn string, tune func(cfg *Config)) *harness {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := &harness{t: t, db: db, outbox: signin.NewDevOutbox(nil, 1000), dataDir: t.TempDir()}
	svc := &signin.Service{Store: db, Mailer: h.outbox, Key: []byte("0123456789abcdef0123456789abcdef")}
	cfg := Config{DataDir: h.dataDir, DB: db, SignIn: svc}
	if tune != nil {
		tune(&cfg)
	}
	h.srv, err = New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.srv.Close() })
	h.ts = httptest.NewServer(h.srv.Handler())
	t.Cleanup(h.ts.Close)
	h.admin = h.user("admin@agency.gov.sg", true)
	h.site, err = h.srv.AddSite(ctx, h.admin, "Agency Site", "agency-site", exampleSite(t))
	if err != nil {
		t.Fatal(err)
	}
	h.other, err = h.srv.AddSite(ctx, h.admin, "Other Site", "other", "")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// user creates a user.
func (h *harness) user(email string, platformAdmin bool) store.User {
	h.t.Helper()
	ctx := context.Background()
	u, err := h.db.CreateUser(ctx, email, strings.Split(email, "@")[0])
	if err != nil {
		h.t.Fatal(err)
	}
	if platformAdmin {
		if err := h.db.SetPlatformAdmin(ctx, u.ID, true); err != nil {
			h.t.Fatal(err)
		}
		u.PlatformAdmin = true
	}
	return u
}

// member creates a user with a role on site.
func (h *harness) member(email string, site store.Site, role store.Role) store.User {
	h.t.Helper()
	u := h.user(email, false)
	if err := h.db.AddMember(context.Background(), site.ID, u.ID, role); err != nil {
		h.t.Fatal(err)
	}
	return u
}

// client is a browser-like client: cookie jar, no automatic redirects.
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode returns the newest code mailed to email.
func (h *harness) lastCode(email string) string {
	h.t.Helper()
	msgs := h.outbox.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == email {
			return codeRE.FindString(msgs[i].Body)
		}
	}
	h.t.Fatalf("no code mailed to %s", email)
	return ""
}

// signIn signs email in over HTTP and returns its client.
func (h *harness) signIn(email string) *http.Client {
	h.t.Helper()
	c := h.client()
	res := h.post(c, "/signin", url.Values{"email": {email}})
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("POST /signin: %d", res.StatusCode)
	}
	res = h.post(c, "/signin/code", url.Values{"email": {email}, "code": {h.lastCode(email)}})
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("POST /signin/code: %d %s", res.StatusCode, res.Body)
	}
	return c
}

// response is a read response.
type response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

func (h *harness) do(c *http.Client, req *http.Request) response {
	h.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{StatusCode: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (h *harness) get(c *http.Client, p string) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.ts.URL+p, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(c, req)
}

func (h *harness) post(c *http.Client, p string, form url.Values) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.ts.URL+p, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(c, req)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// forEachDB runs fn on SQLite and on PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, h *harness)) {
	storetest.ForEach(t, func(t *testing.T, dsn string) { fn(t, newHarness(t, dsn)) })
}

func storetestSQLite(t testing.TB) string { return storetest.DSN(t, "sqlite") }
