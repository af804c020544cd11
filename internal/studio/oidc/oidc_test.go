package oidc_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/oauth2-proxy/mockoidc"

	"isomer.dev/isomer/internal/studio/oidc"
	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
)

const callbackPath = "/signin/oidc/callback"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// result is what the app's callback handler saw, for assertions.
type result struct {
	id        oidc.Identity
	finishErr error
	signInErr error
	user      store.User
}

// harness is a mock IdP and a minimal Studio app wired the way the web
// package is expected to wire this package, both on real HTTP servers.
type harness struct {
	idp      *mockoidc.MockOIDC
	app      *httptest.Server
	p        *oidc.Provider
	svc      *signin.Service
	sessions *scs.SessionManager
	db       *store.DB
	clk      *clock
	jar      *cookiejar.Jar
	client   *http.Client

	alice, bob store.User

	mu   sync.Mutex
	last result
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := t.Context()
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Shutdown() })

	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "studio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := &harness{idp: idp, db: db, clk: &clock{t: time.Now()}}
	if h.alice, err = db.CreateUser(ctx, "alice@tech.gov.sg", "Alice"); err != nil {
		t.Fatal(err)
	}
	// Bob exists but his domain is not allowed.
	if h.bob, err = db.CreateUser(ctx, "bob@example.com", "Bob"); err != nil {
		t.Fatal(err)
	}
	h.svc = &signin.Service{
		Store:          db,
		Mailer:         signin.NewDevOutbox(nil, 0),
		Key:            []byte("0123456789abcdef0123456789abcdef"),
		AllowedDomains: []string{"gov.sg"},
	}

	h.sessions = signin.NewSessionManager(db, false)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /signin/oidc", func(w http.ResponseWriter, r *http.Request) {
		h.p.Start(w, r, r.URL.Query().Get("next"))
	})
	mux.HandleFunc("GET "+callbackPath, h.callback)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		u, err := h.db.UserByID(r.Context(), h.sessions.GetInt64(r.Context(), signin.UserIDKey))
		if err != nil {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, u.Email)
	})
	// The provider needs the app's URL and the app needs the provider:
	// take the address from the listener, start serving last.
	h.app = httptest.NewUnstartedServer(h.sessions.LoadAndSave(mux))
	cfg := idp.Config()
	h.p, err = oidc.New(ctx, oidc.Config{
		Issuer:       cfg.Issuer,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURL:  "http://" + h.app.Listener.Addr().String() + callbackPath,
		Key:          []byte("flow-key-flow-key-flow-key-flow-key"),
		Now:          h.clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.app.Start()
	t.Cleanup(h.app.Close)
	h.jar, _ = cookiejar.New(nil)
	h.client = &http.Client{
		Jar: h.jar,
		// Each hop is taken by hand so tests can tamper in between.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return h
}

func (h *harness) callback(w http.ResponseWriter, r *http.Request) {
	var res result
	defer func() {
		h.mu.Lock()
		h.last = res
		h.mu.Unlock()
	}()
	res.id, res.finishErr = h.p.Finish(r.Context(), w, r)
	if res.finishErr != nil {
		http.Error(w, "sign-in failed", http.StatusForbidden)
		return
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	res.user, res.signInErr = oidc.SignIn(r.Context(), h.svc, res.id, ip)
	if res.signInErr != nil {
		http.Error(w, "sign-in failed", http.StatusForbidden)
		return
	}
	if err := h.sessions.RenewToken(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h.sessions.Put(r.Context(), signin.UserIDKey, res.user.ID)
	http.Redirect(w, r, res.id.Next, http.StatusSeeOther)
}

func (h *harness) result() result {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// get fetches u and returns the response with its body read.
func (h *harness) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := h.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// redirect fetches u and returns where it redirects.
func (h *harness) redirect(t *testing.T, u string) *url.URL {
	t.Helper()
	resp, body := h.get(t, u)
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s: status %d, want a redirect; body %q", u, resp.StatusCode, body)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// start begins a sign-in at the app and returns the IdP authorisation URL.
func (h *harness) start(t *testing.T, next string) *url.URL {
	t.Helper()
	return h.redirect(t, h.app.URL+"/signin/oidc?next="+url.QueryEscape(next))
}

// authorize visits the IdP, which signs in its queued user at once, and
// returns the callback URL it sends the browser back to.
func (h *harness) authorize(t *testing.T, authURL *url.URL) *url.URL {
	t.Helper()
	cb := h.redirect(t, authURL.String())
	if cb.Path != callbackPath {
		t.Fatalf("IdP redirected to %s, want the callback", cb)
	}
	return cb
}

// flowCookie returns the flow cookie the browser holds for the callback.
func (h *harness) flowCookie(t *testing.T) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(h.app.URL + callbackPath)
	for _, c := range h.jar.Cookies(u) {
		if c.Name == "isomer_oidc" {
			return c
		}
	}
	t.Fatal("browser holds no flow cookie")
	return nil
}

func (h *harness) setFlowCookie(t *testing.T, value string) {
	t.Helper()
	u, _ := url.Parse(h.app.URL + callbackPath)
	h.jar.SetCookies(u, []*http.Cookie{{Name: "isomer_oidc", Value: value, Path: callbackPath}})
}

type auditRow struct {
	Action string
	Actor  int64
	Detail map[string]string
}

// lastAudit returns the newest audit entry.
func (h *harness) lastAudit(t *testing.T) auditRow {
	t.Helper()
	es, err := h.db.AuditForSite(t.Context(), 0, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		t.Fatal("audit log is empty")
	}
	r := auditRow{Action: es[0].Action}
	if es[0].ActorUserID != nil {
		r.Actor = *es[0].ActorUserID
	}
	if err := json.Unmarshal(es[0].Detail, &r.Detail); err != nil {
		t.Fatal(err)
	}
	delete(r.Detail, "ip") // loopback; not worth pinning
	return r
}

func TestSignInEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.idp.QueueUser(&mockoidc.MockUser{Subject: "idp-alice", Email: "Alice@Tech.GOV.sg", EmailVerified: true})

	authURL := h.start(t, "/sites/moh?tab=pages")
	q := authURL.Query()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Errorf("authorisation URL has no %s: %s", k, authURL)
		}
	}
	if got := q.Get("code_challenge_method"); got != "S256" {
		t.Errorf("code_challenge_method = %q, want S256", got)
	}
	if got, want := q.Get("scope"), "openid email profile"; got != want {
		t.Errorf("scope = %q, want %q", got, want)
	}

	cb := h.authorize(t, authURL)
	next := h.redirect(t, cb.String())
	res := h.result()
	if res.finishErr != nil || res.signInErr != nil {
		t.Fatalf("Finish: %v; SignIn: %v", res.finishErr, res.signInErr)
	}
	want := oidc.Identity{Email: "alice@tech.gov.sg", Subject: "idp-alice", Next: "/sites/moh?tab=pages"}
	if diff := cmp.Diff(want, res.id); diff != "" {
		t.Errorf("Identity (-want +got):\n%s", diff)
	}
	if res.user.ID != h.alice.ID {
		t.Errorf("signed in user %d, want alice (%d)", res.user.ID, h.alice.ID)
	}
	if got, want := next.String(), h.app.URL+"/sites/moh?tab=pages"; got != want {
		t.Errorf("after sign-in redirected to %q, want %q", got, want)
	}

	// The session cookie set by the callback signs alice in.
	resp, body := h.get(t, next.String())
	if resp.StatusCode != http.StatusOK || body != "alice@tech.gov.sg" {
		t.Errorf("GET %s: %d %q, want 200 alice@tech.gov.sg", next, resp.StatusCode, body)
	}
	wantAudit := auditRow{Action: store.ActionSignIn, Actor: h.alice.ID,
		Detail: map[string]string{"method": "oidc", "subject": "idp-alice"}}
	if diff := cmp.Diff(wantAudit, h.lastAudit(t)); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}

	// The callback cleared the flow cookie, so replaying it fails.
	if resp, _ := h.get(t, cb.String()); resp.StatusCode != http.StatusForbidden {
		t.Errorf("replayed callback: status %d, want 403", resp.StatusCode)
	}
	if err := h.result().finishErr; !errors.Is(err, oidc.ErrInvalidFlow) {
		t.Errorf("replayed callback: %v, want ErrInvalidFlow", err)
	}
}

// TestFinishRefuses runs one sign-in per case, letting each case tamper
// with a step, and checks which check refused it.
func TestFinishRefuses(t *testing.T) {
	verified := func(email string) *mockoidc.MockUser {
		return &mockoidc.MockUser{Subject: "s", Email: email, EmailVerified: true}
	}
	tests := []struct {
		name string
		user *mockoidc.MockUser
		// Hooks; nil means leave the step alone.
		tamperAuth     func(q url.Values)
		beforeCallback func(t *testing.T, h *harness)
		tamperCallback func(q url.Values)
		want           error
	}{
		{
			name:           "state mismatch",
			user:           verified("alice@tech.gov.sg"),
			tamperCallback: func(q url.Values) { q.Set("state", q.Get("state")+"x") },
			want:           oidc.ErrInvalidFlow,
		},
		{
			name:           "state missing",
			user:           verified("alice@tech.gov.sg"),
			tamperCallback: func(q url.Values) { q.Del("state") },
			want:           oidc.ErrInvalidFlow,
		},
		{
			name: "cookie payload tampered",
			user: verified("alice@tech.gov.sg"),
			beforeCallback: func(t *testing.T, h *harness) {
				// Keep state, nonce and verifier intact so only the MAC
				// can catch this: an open redirect via Next.
				payload, mac, _ := strings.Cut(h.flowCookie(t).Value, ".")
				b, err := base64.RawURLEncoding.DecodeString(payload)
				if err != nil {
					t.Fatal(err)
				}
				var f map[string]any
				if err := json.Unmarshal(b, &f); err != nil {
					t.Fatal(err)
				}
				f["r"] = "//evil.example/"
				b, _ = json.Marshal(f)
				h.setFlowCookie(t, base64.RawURLEncoding.EncodeToString(b)+"."+mac)
			},
			want: oidc.ErrInvalidFlow,
		},
		{
			name: "cookie MAC tampered",
			user: verified("alice@tech.gov.sg"),
			beforeCallback: func(t *testing.T, h *harness) {
				v := h.flowCookie(t).Value
				last := "A"
				if strings.HasSuffix(v, "A") {
					last = "B"
				}
				h.setFlowCookie(t, v[:len(v)-1]+last)
			},
			want: oidc.ErrInvalidFlow,
		},
		{
			name: "cookie missing",
			user: verified("alice@tech.gov.sg"),
			beforeCallback: func(t *testing.T, h *harness) {
				u, _ := url.Parse(h.app.URL + callbackPath)
				h.jar.SetCookies(u, []*http.Cookie{{Name: "isomer_oidc", Path: callbackPath, MaxAge: -1}})
			},
			want: oidc.ErrInvalidFlow,
		},
		{
			name:           "flow expired",
			user:           verified("alice@tech.gov.sg"),
			beforeCallback: func(t *testing.T, h *harness) { h.clk.Add(oidc.FlowTTL + time.Second) },
			want:           oidc.ErrInvalidFlow,
		},
		{
			// The IdP signs whatever nonce it was sent, so changing it on
			// the way there yields a validly signed token for another flow.
			name:       "nonce mismatch",
			user:       verified("alice@tech.gov.sg"),
			tamperAuth: func(q url.Values) { q.Set("nonce", "someone-elses-nonce") },
			want:       oidc.ErrInvalidToken,
		},
		{
			name: "PKCE challenge not ours",
			user: verified("alice@tech.gov.sg"),
			tamperAuth: func(q url.Values) {
				q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
			},
			want: nil, // exchange refused by the IdP; checked below as non-nil
		},
		{
			name:           "IdP error",
			user:           verified("alice@tech.gov.sg"),
			tamperCallback: func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") },
			want:           oidc.ErrDenied,
		},
		{
			name: "email missing",
			user: &mockoidc.MockUser{Subject: "s", EmailVerified: true},
			want: oidc.ErrNoVerifiedEmail,
		},
		{
			name: "email unverified",
			user: &mockoidc.MockUser{Subject: "s", Email: "alice@tech.gov.sg"},
			want: oidc.ErrNoVerifiedEmail,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.idp.QueueUser(tc.user)
			authURL := h.start(t, "/")
			if tc.tamperAuth != nil {
				q := authURL.Query()
				tc.tamperAuth(q)
				authURL.RawQuery = q.Encode()
			}
			cb := h.authorize(t, authURL)
			if tc.beforeCallback != nil {
				tc.beforeCallback(t, h)
			}
			if tc.tamperCallback != nil {
				q := cb.Query()
				tc.tamperCallback(q)
				cb.RawQuery = q.Encode()
			}
			resp, _ := h.get(t, cb.String())
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("callback status %d, want 403", resp.StatusCode)
			}
			res := h.result()
			switch {
			case res.finishErr == nil:
				t.Fatalf("Finish succeeded with %+v, want an error", res.id)
			case tc.want != nil && !errors.Is(res.finishErr, tc.want):
				t.Errorf("Finish error %v, want %v", res.finishErr, tc.want)
			}
			if res.id != (oidc.Identity{}) {
				t.Errorf("refused Finish returned identity %+v", res.id)
			}
			// Whatever went wrong, the flow is spent.
			for _, c := range resp.Cookies() {
				if c.Name == "isomer_oidc" && c.MaxAge >= 0 {
					t.Errorf("flow cookie not cleared: %v", c)
				}
			}
			if es, _ := h.db.AuditForSite(t.Context(), 0, 10, 0); len(es) != 0 {
				t.Errorf("refused Finish wrote audit rows: %+v", es)
			}
		})
	}
}

// TestSignInRefusals drives the admission rule end to end: the IdP vouches
// for the address, and Studio still says no.
func TestSignInRefusals(t *testing.T) {
	tests := []struct {
		name      string
		email     string
		wantActor func(h *harness) int64
		reason    string
	}{
		{"unknown user", "carol@tech.gov.sg", func(*harness) int64 { return 0 }, "unknown_user"},
		{"unknown user, disallowed domain", "mallory@example.org", func(*harness) int64 { return 0 }, "unknown_user"},
		{"existing user, disallowed domain", "bob@example.com", func(h *harness) int64 { return h.bob.ID }, "domain_not_allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.idp.QueueUser(&mockoidc.MockUser{Subject: "idp-x", Email: tc.email, EmailVerified: true})
			cb := h.authorize(t, h.start(t, "/"))
			resp, _ := h.get(t, cb.String())
			res := h.result()
			if res.finishErr != nil {
				t.Fatalf("Finish: %v", res.finishErr)
			}
			if !errors.Is(res.signInErr, oidc.ErrNotAllowed) {
				t.Errorf("SignIn error %v, want ErrNotAllowed", res.signInErr)
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("callback status %d, want 403", resp.StatusCode)
			}
			want := auditRow{Action: store.ActionSignInFailed, Actor: tc.wantActor(h),
				Detail: map[string]string{"method": "oidc", "email": tc.email, "subject": "idp-x", "reason": tc.reason}}
			if diff := cmp.Diff(want, h.lastAudit(t)); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
			if resp, _ := h.get(t, h.app.URL+"/"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("after refusal GET / = %d, want 401 (no session)", resp.StatusCode)
			}
		})
	}
}

func TestStartSanitisesNext(t *testing.T) {
	// Named cases: a subtest name becomes part of t.TempDir, and
	// store.Open's SQLite DSN cuts a path at '#' or '?'.
	tests := []struct{ name, next, want string }{
		{"local path with query", "/sites/a?x=1", "/sites/a?x=1"},
		{"empty", "", "/"},
		{"protocol-relative", "//evil.example/", "/"},
		{"backslash", "/\\evil.example/", "/"},
		{"absolute URL", "https://evil.example/", "/"},
		{"relative path", "sites", "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			cb := h.authorize(t, h.start(t, tc.next))
			h.get(t, cb.String())
			res := h.result()
			if res.finishErr != nil {
				t.Fatal(res.finishErr)
			}
			if res.id.Next != tc.want {
				t.Errorf("Next = %q, want %q", res.id.Next, tc.want)
			}
		})
	}
}

func TestStartCookie(t *testing.T) {
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Shutdown() })
	cfg := idp.Config()
	for _, secure := range []bool{false, true} {
		p, err := oidc.New(t.Context(), oidc.Config{
			Issuer:      cfg.Issuer,
			ClientID:    cfg.ClientID,
			RedirectURL: "https://studio.example/signin/oidc/callback",
			Key:         make([]byte, 32),
			Secure:      secure,
		})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		p.Start(rec, httptest.NewRequest("GET", "/signin/oidc", nil), "/")
		cs := rec.Result().Cookies()
		if len(cs) != 1 {
			t.Fatalf("secure=%v: %d cookies, want 1", secure, len(cs))
		}
		c := cs[0]
		wantName := "isomer_oidc"
		if secure {
			wantName = "__Secure-isomer_oidc"
		}
		got := []any{c.Name, c.Path, c.MaxAge, c.HttpOnly, c.Secure, c.SameSite}
		want := []any{wantName, "/signin/oidc/callback", 600, true, secure, http.SameSiteLaxMode}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("secure=%v: cookie attributes (-want +got):\n%s", secure, diff)
		}
	}
}

func TestNewErrors(t *testing.T) {
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Shutdown() })
	good := oidc.Config{
		Issuer:      idp.Issuer(),
		ClientID:    "studio",
		RedirectURL: "https://studio.example/signin/oidc/callback",
		Key:         make([]byte, 32),
	}
	// An issuer nothing listens on: a server closed right after start.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()

	tests := []struct {
		name   string
		change func(c *oidc.Config)
		want   string // substring of the error
	}{
		{"no issuer", func(c *oidc.Config) { c.Issuer = "" }, "no issuer"},
		{"no client id", func(c *oidc.Config) { c.ClientID = "" }, "no client id"},
		{"short key", func(c *oidc.Config) { c.Key = make([]byte, 16) }, "key shorter"},
		{"relative redirect", func(c *oidc.Config) { c.RedirectURL = "/cb" }, "redirect URL"},
		{"unreachable issuer", func(c *oidc.Config) { c.Issuer = dead.URL + "/oidc" }, "discover issuer " + dead.URL + "/oidc"},
		{"wrong issuer", func(c *oidc.Config) { c.Issuer = idp.Addr() + "/other" }, "discover issuer " + idp.Addr() + "/other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.change(&cfg)
			_, err := oidc.New(t.Context(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := oidc.New(t.Context(), good); err != nil {
		t.Errorf("New with good config: %v", err)
	}
}
