package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"isomer.dev/isomer/internal/studio/oidc"
	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
)

type signInData struct {
	Email string
	Next  string
	// OIDC names the single sign-on provider, when one is configured.
	OIDC string
}

// clientIP is the peer address. Forwarded headers are not trusted: a
// client could otherwise pick a fresh "IP" per request and escape the limits.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := currentUser(r); ok {
		http.Redirect(w, r, signin.LocalPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	d := signInData{Next: signin.LocalPath(r.URL.Query().Get("next"))}
	if s.cfg.OIDC != nil {
		d.OIDC = s.cfg.OIDCLabel
	}
	s.render(w, r, http.StatusOK, "signin", s.newView(r, "Sign in", d))
}

func (s *Server) requestCode(w http.ResponseWriter, r *http.Request) {
	d := signInData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: signin.LocalPath(r.PostFormValue("next"))}
	err := s.cfg.SignIn.RequestCode(r.Context(), d.Email, clientIP(r))
	switch {
	case errors.Is(err, signin.ErrInvalidEmail):
		v := s.newView(r, "Sign in", d)
		v.Error = "Enter a valid email address, like name@agency.gov.sg."
		s.render(w, r, http.StatusUnprocessableEntity, "signin", v)
		return
	case errors.Is(err, signin.ErrRateLimited):
		v := s.newView(r, "Sign in", d)
		v.Error = "Too many sign-in attempts. Wait a few minutes and try again."
		s.render(w, r, http.StatusTooManyRequests, "signin", v)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	q := url.Values{"email": {d.Email}, "next": {d.Next}}
	http.Redirect(w, r, "/signin/code?"+q.Encode(), http.StatusSeeOther)
}

func (s *Server) codeForm(w http.ResponseWriter, r *http.Request) {
	d := signInData{Email: r.URL.Query().Get("email"), Next: signin.LocalPath(r.URL.Query().Get("next"))}
	if d.Email == "" {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "code", s.newView(r, "Enter your sign-in code", d))
}

func (s *Server) verifyCode(w http.ResponseWriter, r *http.Request) {
	d := signInData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: signin.LocalPath(r.PostFormValue("next"))}
	code := strings.Join(strings.Fields(r.PostFormValue("code")), "")
	u, err := s.cfg.SignIn.Verify(r.Context(), d.Email, code, clientIP(r))
	if err != nil {
		v := s.newView(r, "Enter your sign-in code", d)
		status := http.StatusUnauthorized
		switch {
		case errors.Is(err, signin.ErrRateLimited):
			status = http.StatusTooManyRequests
			v.Error = "Too many attempts from your network. Wait a few minutes and try again."
		case errors.Is(err, signin.ErrLocked):
			v.Error = "Too many wrong codes. Request a new code."
		case errors.Is(err, signin.ErrWrongCode), errors.Is(err, signin.ErrNoCode), errors.Is(err, signin.ErrInvalidEmail):
			v.Error = "That code is not valid. Check the latest email, or request a new code."
		default:
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, status, "code", v)
		return
	}
	if err := s.startSession(r.Context(), u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// startSession makes the request's session u's. The token is renewed first
// (the old one deleted), so a token planted or seen before sign-in
// (session fixation) is worthless afterwards.
func (s *Server) startSession(ctx context.Context, u store.User) error {
	if err := s.cfg.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("start session for user %d: %w", u.ID, err)
	}
	s.cfg.Sessions.Put(ctx, signin.UserIDKey, u.ID)
	return nil
}

// signOut ends this session; the session manager expires the cookie.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// signOutEverywhere ends every session of the user, this one included (a
// lost laptop must not keep a session alive while its owner signs in again).
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if _, err := s.cfg.SignIn.SignOutEverywhere(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	// The stored row is gone already; Destroy stops the manager saving it
	// again at the end of this request, and expires the cookie.
	if err := s.cfg.Sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// userRef is the audit actor for the current user.
func userRef(u store.User) *int64 { id := u.ID; return &id }

// OIDCCallbackPath is where the identity provider sends people back; the
// redirect URL registered with it is Studio's address plus this path.
const OIDCCallbackPath = "/signin/oidc/callback"

func (s *Server) startOIDC(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	s.cfg.OIDC.Start(w, r, signin.LocalPath(r.URL.Query().Get("next")))
}

// finishOIDC completes single sign-on. Every refusal gets one message, so
// the page reveals nothing about which accounts exist; the reason is in the
// log and the audit log.
func (s *Server) finishOIDC(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	id, err := s.cfg.OIDC.Finish(r.Context(), w, r)
	var u store.User
	if err == nil {
		u, err = oidc.SignIn(r.Context(), s.cfg.SignIn, id, clientIP(r))
	}
	if err != nil {
		if !errors.Is(err, oidc.ErrNotAllowed) {
			s.log.Warn("single sign-on failed", "err", err)
		}
		v := s.newView(r, "Sign in", signInData{OIDC: s.cfg.OIDCLabel})
		v.Error = "Single sign-on did not work for this account. Try again, or sign in with an emailed code."
		s.render(w, r, http.StatusUnauthorized, "signin", v)
		return
	}
	if err := s.startSession(r.Context(), u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, id.Next, http.StatusSeeOther)
}
