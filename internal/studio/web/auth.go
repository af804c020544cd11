package web

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
)

type signInData struct {
	Email string
	Next  string
}

// safeNext keeps post-sign-in redirects inside Studio.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
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
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", s.newView(r, "Sign in", signInData{Next: safeNext(r.URL.Query().Get("next"))}))
}

func (s *Server) requestCode(w http.ResponseWriter, r *http.Request) {
	d := signInData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
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
	d := signInData{Email: r.URL.Query().Get("email"), Next: safeNext(r.URL.Query().Get("next"))}
	if d.Email == "" {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "code", s.newView(r, "Enter your sign-in code", d))
}

func (s *Server) verifyCode(w http.ResponseWriter, r *http.Request) {
	d := signInData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
	code := strings.Join(strings.Fields(r.PostFormValue("code")), "")
	token, _, err := s.cfg.SignIn.Verify(r.Context(), d.Email, code, clientIP(r))
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
	signin.SetSessionCookie(w, token, s.cfg.Secure)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if token, _ := r.Context().Value(tokenKey).(string); token != "" {
		if err := s.cfg.SignIn.SignOut(r.Context(), token); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	signin.ClearSessionCookie(w)
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
	signin.ClearSessionCookie(w)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// userRef is the audit actor for the current user.
func userRef(u store.User) *int64 { id := u.ID; return &id }
