package signin

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"isomer.dev/isomer/internal/studio/store"
	"isomer.dev/isomer/internal/studio/store/storetest"
)

// app is the smallest web layer over Service and NewSessionManager, wired
// the way Studio's is: sign-in renews the token and puts the user, the
// user is read back from the session, sign-out destroys it.
type app struct {
	e  *env
	sm *scs.SessionManager
	ts *httptest.Server
}

// newApp serves e with Studio's session manager, after tune (which may
// shorten its timeouts). Sessions expire on the real clock here, as the
// manager computes expiries with time.Now.
func newApp(t *testing.T, e *env, secure bool, tune func(sm *scs.SessionManager)) *app {
	t.Helper()
	e.db.Now = time.Now
	a := &app{e: e, sm: NewSessionManager(e.db, secure)}
	if tune != nil {
		tune(a.sm)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		u, err := e.svc.Verify(r.Context(), r.FormValue("email"), r.FormValue("code"), "192.0.2.1")
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if err := a.sm.RenewToken(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		a.sm.Put(r.Context(), UserIDKey, u.ID)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		u, err := e.db.UserByID(r.Context(), a.sm.GetInt64(r.Context(), UserIDKey))
		if err != nil {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, u.Email)
	})
	mux.HandleFunc("POST /signout", func(w http.ResponseWriter, r *http.Request) {
		if err := a.sm.Destroy(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("POST /signout/everywhere", func(w http.ResponseWriter, r *http.Request) {
		n, err := e.svc.SignOutEverywhere(r.Context(), a.sm.GetInt64(r.Context(), UserIDKey))
		if err == nil {
			err = a.sm.Destroy(r.Context())
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
	a.ts = httptest.NewServer(a.sm.LoadAndSave(mux))
	t.Cleanup(a.ts.Close)
	return a
}

// browser is a client with its own cookie jar.
func (a *app) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (a *app) do(t *testing.T, c *http.Client, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, a.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// signIn signs email in from c with a freshly mailed code.
func (a *app) signIn(t *testing.T, c *http.Client, email string) *http.Response {
	t.Helper()
	res, body := a.do(t, c, http.MethodPost, "/signin", url.Values{"email": {email}, "code": {a.e.request(t, email)}})
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("sign in %s: %d %s", email, res.StatusCode, body)
	}
	return res
}

// whoami is the signed-in address of c, or "" when signed out.
func (a *app) whoami(t *testing.T, c *http.Client) string {
	t.Helper()
	res, body := a.do(t, c, http.MethodGet, "/me", nil)
	switch res.StatusCode {
	case http.StatusOK:
		return body
	case http.StatusUnauthorized:
		return ""
	}
	t.Fatalf("GET /me: %d %s", res.StatusCode, body)
	return ""
}

func (a *app) cookie(c *http.Client) string {
	u, _ := url.Parse(a.ts.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == a.sm.Cookie.Name {
			return ck.Value
		}
	}
	return ""
}

func TestSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprint("secure=", secure), func(t *testing.T) {
			e := newEnv(t, storetest.DSN(t, "sqlite"))
			a := newApp(t, e, secure, nil)
			if a.sm.IdleTimeout != DefaultIdleTimeout || a.sm.Lifetime != DefaultAbsoluteTimeout {
				t.Errorf("timeouts %v idle, %v lifetime; want %v, %v", a.sm.IdleTimeout, a.sm.Lifetime, DefaultIdleTimeout, DefaultAbsoluteTimeout)
			}
			// Read the Set-Cookie header itself: an http test server cannot
			// round-trip a Secure cookie through a jar.
			res := a.signIn(t, a.browser(), aliceEmail)
			cks := res.Cookies()
			if len(cks) != 1 {
				t.Fatalf("Set-Cookie: %q, want one cookie", res.Header.Values("Set-Cookie"))
			}
			ck := cks[0]
			wantName := CookieName
			if secure {
				wantName = SecureCookieName
			}
			if ck.Name != wantName || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly ||
				ck.SameSite != http.SameSiteLaxMode || ck.Secure != secure || ck.MaxAge != 0 || !ck.Expires.IsZero() {
				t.Errorf("session cookie %q: want %s, Path=/, host-only, HttpOnly, SameSite=Lax, Secure=%v, no Max-Age or Expires",
					res.Header.Get("Set-Cookie"), wantName, secure)
			}
			if len(ck.Value) < 43 {
				t.Errorf("token %q: want at least 256 bits", ck.Value)
			}
		})
	}
}

func TestSessionSignInAndOut(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a := newApp(t, e, false, nil)
		c := a.browser()
		if who := a.whoami(t, c); who != "" {
			t.Fatalf("before sign-in: %q", who)
		}
		a.signIn(t, c, aliceEmail)
		if who := a.whoami(t, c); who != aliceEmail {
			t.Fatalf("after sign-in: %q, want %s", who, aliceEmail)
		}
		tok := a.cookie(c)
		if res, _ := a.do(t, c, http.MethodPost, "/signout", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("sign out: %d", res.StatusCode)
		}
		if a.cookie(c) != "" {
			t.Error("sign-out left the cookie in the browser")
		}
		// The token itself is dead, not just the browser's copy.
		thief := a.browser()
		u, _ := url.Parse(a.ts.URL)
		thief.Jar.SetCookies(u, []*http.Cookie{{Name: CookieName, Value: tok}})
		if who := a.whoami(t, thief); who != "" {
			t.Errorf("signed-out token still signs in %q", who)
		}
		if res, _ := a.do(t, c, http.MethodPost, "/signout", nil); res.StatusCode != http.StatusOK {
			t.Errorf("second sign-out: %d", res.StatusCode)
		}
	})
}

// TestSessionTokenRotates: whatever token a browser held before signing in
// (planted by an attacker, or an earlier session) is not the signed-in
// session's, and no longer works.
func TestSessionTokenRotates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a := newApp(t, e, false, nil)
		u, _ := url.Parse(a.ts.URL)

		planted := a.browser()
		planted.Jar.SetCookies(u, []*http.Cookie{{Name: CookieName, Value: "attacker-chosen-token"}})
		a.signIn(t, planted, aliceEmail)
		if got := a.cookie(planted); got == "attacker-chosen-token" || got == "" {
			t.Errorf("cookie after sign-in = %q, want a fresh token", got)
		}

		c := a.browser()
		a.signIn(t, c, aliceEmail)
		before := a.cookie(c)
		a.signIn(t, c, aliceEmail)
		after := a.cookie(c)
		if after == before {
			t.Fatal("signing in again kept the session token")
		}
		old := a.browser()
		old.Jar.SetCookies(u, []*http.Cookie{{Name: CookieName, Value: before}})
		if who := a.whoami(t, old); who != "" {
			t.Errorf("pre-login token still signs in %q", who)
		}
		if who := a.whoami(t, c); who != aliceEmail {
			t.Errorf("rotated session: %q, want %s", who, aliceEmail)
		}
	})
}

func TestSignOutEverywhere(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a := newApp(t, e, false, nil)
		var alices []*http.Client
		for range 3 {
			c := a.browser()
			a.signIn(t, c, aliceEmail)
			alices = append(alices, c)
		}
		if _, err := e.db.CreateUser(t.Context(), "bob@gov.sg", "Bob"); err != nil {
			t.Fatal(err)
		}
		bob := a.browser()
		a.signIn(t, bob, "bob@gov.sg")

		res, body := a.do(t, alices[0], http.MethodPost, "/signout/everywhere", nil)
		if res.StatusCode != http.StatusOK || body != "3" {
			t.Fatalf("sign out everywhere: %d %q, want 3 sessions ended", res.StatusCode, body)
		}
		for i, c := range alices {
			if who := a.whoami(t, c); who != "" {
				t.Errorf("alice's browser %d still signed in", i)
			}
		}
		if who := a.whoami(t, bob); who != "bob@gov.sg" {
			t.Errorf("bob's session: %q", who)
		}
		rows := e.audit(t)
		if last := rows[len(rows)-1]; last != (auditRow{store.ActionSignOutAll, e.alice.ID}) {
			t.Errorf("last audit row = %+v", last)
		}
	})
}

// TestSessionTimeouts uses real, short timeouts: the session manager's
// clock is time.Now.
func TestSessionTimeouts(t *testing.T) {
	const (
		idle     = 600 * time.Millisecond
		lifetime = 1500 * time.Millisecond
		step     = idle / 3
	)
	forEachEngine(t, func(t *testing.T, e *env) {
		a := newApp(t, e, false, func(sm *scs.SessionManager) {
			sm.IdleTimeout = idle
			sm.Lifetime = lifetime
		})

		// Idle: activity every step keeps it alive past the idle timeout...
		c := a.browser()
		a.signIn(t, c, aliceEmail)
		for range 4 {
			time.Sleep(step)
			if who := a.whoami(t, c); who != aliceEmail {
				t.Fatalf("active session ended (got %q)", who)
			}
		}
		// ...a pause longer than it ends it.
		time.Sleep(idle + step)
		if who := a.whoami(t, c); who != "" {
			t.Errorf("idle session still signed in %q", who)
		}

		// Absolute: constant activity does not extend it past the lifetime.
		c = a.browser()
		a.signIn(t, c, aliceEmail)
		start := time.Now()
		for time.Since(start) < lifetime-3*step {
			time.Sleep(step)
			if who := a.whoami(t, c); who != aliceEmail {
				t.Fatalf("session ended at +%v, before its lifetime", time.Since(start))
			}
		}
		for time.Since(start) < lifetime+step {
			time.Sleep(step)
			a.whoami(t, c)
		}
		if who := a.whoami(t, c); who != "" {
			t.Errorf("session past its lifetime still signed in %q", who)
		}
	})
}
