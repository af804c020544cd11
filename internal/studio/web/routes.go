package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
)

// access is who may use a route.
type access int

const (
	// public: anyone, signed in or not.
	public access = iota + 1
	// signedIn: any signed-in user.
	signedIn
	// platformAdmin: users with the platform-admin flag.
	platformAdmin
	// siteMember: members of the route's {site} in any role (and platform
	// admins).
	siteMember
	// siteAdmin: members of {site} with the admin role (and platform admins).
	siteAdmin
)

func (a access) String() string {
	switch a {
	case public:
		return "public"
	case signedIn:
		return "signed in"
	case platformAdmin:
		return "platform admin"
	case siteMember:
		return "site member"
	case siteAdmin:
		return "site admin"
	}
	return "unknown"
}

// route is one entry of the route table.
type route struct {
	pattern string
	access  access
	handler http.HandlerFunc
}

// routes is the single list of everything Studio serves.
func (s *Server) routes() []route {
	return []route{
		{"GET /static/{file}", public, s.serveStatic},
		{"GET /healthz", public, s.healthz},
		{"GET /signin", public, s.signInForm},
		{"POST /signin", public, s.requestCode},
		{"GET /signin/code", public, s.codeForm},
		{"POST /signin/code", public, s.verifyCode},
		{"GET /signin/oidc", public, s.startOIDC},
		{"GET " + OIDCCallbackPath, public, s.finishOIDC},

		{"GET /{$}", signedIn, s.dashboard},
		{"POST /signout", signedIn, s.signOut},
		{"POST /signout/everywhere", signedIn, s.signOutEverywhere},

		{"GET /sites/new", platformAdmin, s.newSiteForm},
		{"POST /sites", platformAdmin, s.createSite},
		{"POST /sites/import", platformAdmin, s.importSite},
		{"GET /audit", platformAdmin, s.auditLog},
		{"GET /audit.csv", platformAdmin, s.auditCSV},

		{"GET /sites/{site}/{$}", siteMember, s.contentTree},
		{"GET /sites/{site}/edit/{path...}", siteMember, s.editForm},
		{"POST /sites/{site}/edit/{path...}", siteMember, s.saveFile},
		{"POST /sites/{site}/pages", siteMember, s.createPage},
		{"POST /sites/{site}/folders", siteMember, s.createFolder},
		{"POST /sites/{site}/move", siteMember, s.movePath},
		{"POST /sites/{site}/delete", siteMember, s.deletePath},
		{"GET /sites/{site}/history", siteMember, s.history},
		{"GET /sites/{site}/preview-status", siteMember, s.previewStatus},
		{"GET /sites/{site}/preview/{path...}", siteMember, s.servePreview},

		{"GET /sites/{site}/members", siteAdmin, s.members},
		{"POST /sites/{site}/members", siteAdmin, s.addMember},
		{"POST /sites/{site}/members/role", siteAdmin, s.setMemberRole},
		{"POST /sites/{site}/members/remove", siteAdmin, s.removeMember},
		{"GET /sites/{site}/audit", siteAdmin, s.auditLog},
		{"GET /sites/{site}/audit.csv", siteAdmin, s.auditCSV},
	}
}

type ctxKey int

const (
	userKey ctxKey = iota
	siteKey
	roleKey
)

// withSession loads the request's session (saving it, with a fresh idle
// deadline, when the response starts) and resolves its user, if any, into
// the request's user. A user that no longer exists means signed out.
func (s *Server) withSession(next http.Handler) http.Handler {
	load := s.cfg.Sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := s.cfg.Sessions.GetInt64(r.Context(), signin.UserIDKey); id != 0 {
			u, err := s.cfg.DB.UserByID(r.Context(), id)
			switch {
			case err == nil:
				r = r.WithContext(context.WithValue(r.Context(), userKey, u))
			case !errors.Is(err, store.ErrNotFound):
				s.log.Error("session user lookup", "user", id, "err", err)
			}
		}
		next.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Before loading, so the error page of a failed session load has
		// them too.
		setSecurityHeaders(w)
		load.ServeHTTP(w, r)
	})
}

// guard enforces a route's access before its handler runs. Sites a user may
// not see answer 404, so site names cannot be probed; a member lacking the
// role gets 403.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.access == public {
			rt.handler(w, r)
			return
		}
		u, ok := currentUser(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, http.StatusUnauthorized, "Please sign in again: your session has ended.")
			return
		}
		switch rt.access {
		case signedIn:
		case platformAdmin:
			if !u.PlatformAdmin {
				s.fail(w, r, http.StatusForbidden, "Only platform administrators can do this.")
				return
			}
		case siteMember, siteAdmin:
			site, err := s.cfg.DB.SiteBySlug(r.Context(), r.PathValue("site"))
			if errors.Is(err, store.ErrNotFound) {
				s.fail(w, r, http.StatusNotFound, "There is no such site, or you are not a member of it.")
				return
			} else if err != nil {
				s.serverError(w, r, err)
				return
			}
			role, err := s.cfg.DB.RoleOf(r.Context(), site.ID, u.ID)
			switch {
			case u.PlatformAdmin:
				role = store.RoleAdmin
			case errors.Is(err, store.ErrNotFound):
				s.fail(w, r, http.StatusNotFound, "There is no such site, or you are not a member of it.")
				return
			case err != nil:
				s.serverError(w, r, err)
				return
			}
			if rt.access == siteAdmin && role != store.RoleAdmin {
				s.fail(w, r, http.StatusForbidden, "Only this site's administrators can do this.")
				return
			}
			ctx := context.WithValue(r.Context(), siteKey, site)
			r = r.WithContext(context.WithValue(ctx, roleKey, role))
		default:
			s.fail(w, r, http.StatusForbidden, "Access denied.")
			return
		}
		rt.handler(w, r)
	})
}

func currentUser(r *http.Request) (store.User, bool) {
	u, ok := r.Context().Value(userKey).(store.User)
	return u, ok
}

func currentSite(r *http.Request) store.Site {
	st, _ := r.Context().Value(siteKey).(store.Site)
	return st
}

func currentRole(r *http.Request) store.Role {
	role, _ := r.Context().Value(roleKey).(store.Role)
	return role
}

// setSecurityHeaders applies Studio's own headers; the preview replaces the
// CSP with the site's.
func setSecurityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}
