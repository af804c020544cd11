package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
	"isomer.dev/isomer/internal/studio/store/storetest"
)

// sessionCookie is the session token in c's jar for the harness server.
func sessionCookie(h *harness, c *http.Client) string {
	for _, ck := range c.Jar.Cookies(mustURL(h.ts.URL)) {
		if ck.Name == signin.CookieName {
			return ck.Value
		}
	}
	return ""
}

// withSessionCookie puts token into c's jar, as an attacker or a thief
// would, and returns c.
func withSessionCookie(h *harness, c *http.Client, token string) *http.Client {
	c.Jar.SetCookies(mustURL(h.ts.URL), []*http.Cookie{{Name: signin.CookieName, Value: token}})
	return c
}

// hasSession reports whether c gets the dashboard (rather than the sign-in
// redirect).
func hasSession(h *harness, c *http.Client) bool {
	h.t.Helper()
	switch res := h.get(c, "/"); res.StatusCode {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	default:
		h.t.Fatalf("GET /: %d", res.StatusCode)
		return false
	}
}

// TestSessionTokenRotatesAtSignIn: a token held before signing in, whether
// planted (session fixation) or a real earlier session, does not survive
// the sign-in.
func TestSessionTokenRotatesAtSignIn(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		planted := withSessionCookie(h, h.client(), "attacker-chosen-token")
		h.post(planted, "/signin", url.Values{"email": {h.admin.Email}})
		h.post(planted, "/signin/code", url.Values{"email": {h.admin.Email}, "code": {h.lastCode(h.admin.Email)}})
		if got := sessionCookie(h, planted); got == "" || got == "attacker-chosen-token" {
			t.Errorf("cookie after sign-in = %q, want a fresh token", got)
		}
		if !hasSession(h, planted) {
			t.Fatal("sign-in with a planted cookie failed")
		}

		c := h.signIn(h.admin.Email)
		before := sessionCookie(h, c)
		h.post(c, "/signin", url.Values{"email": {h.admin.Email}})
		h.post(c, "/signin/code", url.Values{"email": {h.admin.Email}, "code": {h.lastCode(h.admin.Email)}})
		if after := sessionCookie(h, c); after == before || after == "" {
			t.Fatalf("signing in again: token %q, was %q", after, before)
		}
		if hasSession(h, withSessionCookie(h, h.client(), before)) {
			t.Error("the pre-login token still signs in")
		}
		if !hasSession(h, c) {
			t.Error("the new session is not signed in")
		}
	})
}

// TestSignOutEverywhereOverHTTP: one browser ends every session of its
// user, in every browser, and nobody else's.
func TestSignOutEverywhereOverHTTP(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		laptop, phone := h.signIn(h.admin.Email), h.signIn(h.admin.Email)
		other := h.signIn(h.member("editor@agency.gov.sg", h.site, store.RoleContributor).Email)
		if res := h.post(laptop, "/signout/everywhere", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out everywhere: %d", res.StatusCode)
		}
		if sessionCookie(h, laptop) != "" {
			t.Error("sign-out everywhere left the cookie in the browser")
		}
		if hasSession(h, laptop) || hasSession(h, phone) {
			t.Error("a session of the user survived sign-out everywhere")
		}
		if !hasSession(h, other) {
			t.Error("another user's session ended")
		}
	})
}

// TestSessionTimeoutsOverHTTP uses real, short timeouts on the session
// manager, whose clock is time.Now.
func TestSessionTimeoutsOverHTTP(t *testing.T) {
	const (
		idle     = 600 * time.Millisecond
		lifetime = 1500 * time.Millisecond
		step     = idle / 3
	)
	storetest.ForEach(t, func(t *testing.T, dsn string) {
		h := newHarnessWith(t, dsn, func(cfg *Config) {
			cfg.Sessions = signin.NewSessionManager(cfg.DB, false)
			cfg.Sessions.IdleTimeout = idle
			cfg.Sessions.Lifetime = lifetime
		})

		// Idle: activity every step keeps it alive past the idle timeout...
		c := h.signIn(h.admin.Email)
		for range 4 {
			time.Sleep(step)
			if !hasSession(h, c) {
				t.Fatal("active session ended")
			}
		}
		// ...a pause longer than it ends it.
		time.Sleep(idle + step)
		if hasSession(h, c) {
			t.Error("idle session still signed in")
		}

		// Absolute: constant activity does not extend it past the lifetime.
		c = h.signIn(h.admin.Email)
		start := time.Now()
		for time.Since(start) < lifetime-3*step {
			time.Sleep(step)
			if !hasSession(h, c) {
				t.Fatalf("session ended at +%v, before its lifetime", time.Since(start))
			}
		}
		for time.Since(start) < lifetime+step {
			time.Sleep(step)
			hasSession(h, c)
		}
		if hasSession(h, c) {
			t.Error("session past its lifetime still signed in")
		}
	})
}

// TestSecurityHeadersWithSessions: Studio's headers are on every page,
// signed in or not, while the preview still serves under the site's own
// policy, through the session layer.
func TestSecurityHeadersWithSessions(t *testing.T) {
	h := newHarness(t, storetest.DSN(t, "sqlite"))
	c := h.signIn(h.admin.Email)
	studioCSP := ""
	for _, tc := range []struct {
		c    *http.Client
		path string
	}{{h.client(), "/signin"}, {h.client(), "/"}, {c, "/"}, {c, "/sites/agency-site/"}} {
		res := h.get(tc.c, tc.path)
		csp := res.Header.Get("Content-Security-Policy")
		if csp == "" || res.Header.Get("X-Frame-Options") != "SAMEORIGIN" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s (%d): security headers missing: %v", tc.path, res.StatusCode, res.Header)
		}
		studioCSP = csp
	}
	var prev response
	waitFor(t, 30*time.Second, "the preview", func() bool {
		prev = h.get(c, "/sites/agency-site/preview/")
		return prev.StatusCode == http.StatusOK
	})
	if csp := prev.Header.Get("Content-Security-Policy"); csp == "" || csp == studioCSP {
		t.Errorf("preview CSP %q: want the site's own policy", csp)
	}
	if !hasSession(h, c) {
		t.Error("the preview request ended the session")
	}
}
