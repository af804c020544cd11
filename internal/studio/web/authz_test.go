package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"isomer.dev/isomer/internal/studio/store"
)

// intended is who may use each route. Adding a route to routes() without
// adding it here fails TestEveryRouteHasARule, so access is always decided
// on purpose; a route whose access differs from this table fails too.
var intended = map[string]access{
	"GET /static/{file}":                  public,
	"GET /healthz":                        public,
	"GET /signin":                         public,
	"POST /signin":                        public,
	"GET /signin/code":                    public,
	"POST /signin/code":                   public,
	"GET /signin/oidc":                    public,
	"GET /signin/oidc/callback":           public,
	"GET /{$}":                            signedIn,
	"POST /signout":                       signedIn,
	"POST /signout/everywhere":            signedIn,
	"GET /sites/new":                      platformAdmin,
	"POST /sites":                         platformAdmin,
	"POST /sites/import":                  platformAdmin,
	"GET /audit":                          platformAdmin,
	"GET /audit.csv":                      platformAdmin,
	"GET /sites/{site}/{$}":               siteMember,
	"GET /sites/{site}/edit/{path...}":    siteMember,
	"POST /sites/{site}/edit/{path...}":   siteMember,
	"POST /sites/{site}/pages":            siteMember,
	"POST /sites/{site}/folders":          siteMember,
	"POST /sites/{site}/move":             siteMember,
	"POST /sites/{site}/delete":           siteMember,
	"GET /sites/{site}/history":           siteMember,
	"GET /sites/{site}/preview-status":    siteMember,
	"GET /sites/{site}/preview/{path...}": siteMember,
	"GET /sites/{site}/members":           siteAdmin,
	"POST /sites/{site}/members":          siteAdmin,
	"POST /sites/{site}/members/role":     siteAdmin,
	"POST /sites/{site}/members/remove":   siteAdmin,
	"GET /sites/{site}/audit":             siteAdmin,
	"GET /sites/{site}/audit.csv":         siteAdmin,
}

func TestEveryRouteHasARule(t *testing.T) {
	s := &Server{}
	seen := map[string]bool{}
	for _, rt := range s.routes() {
		seen[rt.pattern] = true
		want, ok := intended[rt.pattern]
		if !ok {
			t.Errorf("route %q has no intended access in authz_test.go: decide who may use it", rt.pattern)
			continue
		}
		if rt.access != want {
			t.Errorf("route %q: access %v, intended %v", rt.pattern, rt.access, want)
		}
	}
	for p := range intended {
		if !seen[p] {
			t.Errorf("intended access for %q, which is not a route", p)
		}
	}
}

// actor is one kind of visitor.
type actor int

const (
	anonymous actor = iota
	otherContributor
	contributor
	siteAdministrator
	platformAdministrator
)

var actorNames = map[actor]string{
	anonymous: "anonymous", otherContributor: "contributor of another site", contributor: "contributor",
	siteAdministrator: "site admin", platformAdministrator: "platform admin",
}

// allowed is the rule the table encodes, per access level.
func allowed(a access, who actor) bool {
	switch a {
	case public:
		return true
	case signedIn:
		return who != anonymous
	case platformAdmin:
		return who == platformAdministrator
	case siteMember:
		return who == contributor || who == siteAdministrator || who == platformAdministrator
	case siteAdmin:
		return who == siteAdministrator || who == platformAdministrator
	}
	return false
}

// TestRouteAccess sends every route, as every kind of visitor, through the
// real session and access layer with the real route table; the handlers are
// replaced by a marker so only the access decision is observed. Denials
// must be: anonymous → sign-in redirect (GET) or 401; outsiders of a site →
// 404 (the site's existence is not revealed); members without the role → 403.
func TestRouteAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.member("contrib@agency.gov.sg", h.site, store.RoleContributor)
		h.member("siteadmin@agency.gov.sg", h.site, store.RoleAdmin)
		h.member("elsewhere@agency.gov.sg", h.other, store.RoleContributor)
		clients := map[actor]*http.Client{
			anonymous:             h.client(),
			otherContributor:      h.signIn("elsewhere@agency.gov.sg"),
			contributor:           h.signIn("contrib@agency.gov.sg"),
			siteAdministrator:     h.signIn("siteadmin@agency.gov.sg"),
			platformAdministrator: h.signIn(h.admin.Email),
		}
		// The real server's session layer and guard, with marker handlers.
		mux := http.NewServeMux()
		for _, rt := range h.srv.routes() {
			rt.handler = func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) }
			mux.Handle(rt.pattern, h.srv.guard(rt))
		}
		ts := httptest.NewServer(h.srv.withSession(mux))
		defer ts.Close()
		tsURL, _ := url.Parse(ts.URL)
		for _, c := range clients {
			// Session cookies were issued for the harness server's host.
			c.Jar.SetCookies(tsURL, c.Jar.Cookies(mustURL(h.ts.URL)))
		}
		for _, rt := range h.srv.routes() {
			method, p, _ := strings.Cut(rt.pattern, " ")
			p = strings.NewReplacer("{site}", h.site.Slug, "{path...}", "pages/contact-us.md", "{file}", "studio.css", "{$}", "").Replace(p)
			for who := anonymous; who <= platformAdministrator; who++ {
				req, _ := http.NewRequest(method, ts.URL+p, nil)
				res, err := clients[who].Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				got := res.StatusCode
				ok := allowed(rt.access, who)
				var want int
				switch {
				case ok:
					want = 299
				case who == anonymous && method == http.MethodGet:
					want = http.StatusSeeOther
				case who == anonymous:
					want = http.StatusUnauthorized
				case who == otherContributor && (rt.access == siteMember || rt.access == siteAdmin):
					want = http.StatusNotFound
				default:
					want = http.StatusForbidden
				}
				if got != want {
					t.Errorf("%s as %s: status %d, want %d", rt.pattern, actorNames[who], got, want)
				}
				if want == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
					t.Errorf("%s as anonymous: redirected to %q, want the sign-in page", rt.pattern, res.Header.Get("Location"))
				}
			}
		}
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestCrossOriginRefused: a state-changing request sent by a browser from
// another site is refused before any handler runs, even with a valid
// session cookie (which SameSite=Lax would withhold anyway).
func TestCrossOriginRefused(t *testing.T) {
	h := newHarness(t, storetestSQLite(t))
	c := h.signIn(h.admin.Email)
	for _, p := range []string{"/signout", "/sites/agency-site/delete", "/sites/agency-site/members"} {
		req, _ := http.NewRequest(http.MethodPost, h.ts.URL+p, strings.NewReader("path=index.md"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		res := h.do(c, req)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: status %d, want 403", p, res.StatusCode)
		}
	}
	// The site still has its homepage: the cross-site delete did nothing.
	if res := h.get(c, "/sites/agency-site/edit/index.md"); res.StatusCode != http.StatusOK {
		t.Errorf("after refused cross-site delete: GET index.md: %d", res.StatusCode)
	}
}
