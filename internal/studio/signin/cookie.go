package signin

import "net/http"

// Cookie names. Over HTTPS the __Host- prefix makes browsers refuse the
// cookie unless it is Secure, host-only and Path=/, so a sibling subdomain
// cannot plant or overwrite a session cookie (session fixation). Plain HTTP
// (local first run) cannot use the prefix.
const (
	CookieName       = "isomer_session"
	SecureCookieName = "__Host-isomer_session"
)

func cookieName(secure bool) string {
	if secure {
		return SecureCookieName
	}
	return CookieName
}

// SetSessionCookie sets the session cookie. secure must be true whenever
// Studio is reached over https (including behind a TLS-terminating proxy).
//
// SameSite=Lax rather than Strict: Strict drops the cookie on top-level
// navigation from another site, so every link into Studio from an email or
// chat would land on the sign-in page; Lax still withholds the cookie on
// cross-site POSTs, which is the CSRF protection that matters as long as
// state changes are never GETs. No Max-Age: the cookie ends with the
// browser, and the server enforces idle and absolute timeouts regardless.
func SetSessionCookie(w http.ResponseWriter, token string, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName(secure),
		Value:    token,
		Path:     "/",
		Secure:   secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// ClearSessionCookie tells the browser to delete the session cookie. Both
// names are cleared so a deployment switching between http and https does
// not leave a stale cookie behind.
func ClearSessionCookie(w http.ResponseWriter) {
	for _, secure := range []bool{true, false} {
		http.SetCookie(w, &http.Cookie{
			Name:     cookieName(secure),
			Value:    "",
			Path:     "/",
			MaxAge:   -1,
			Secure:   secure,
			HttpOnly: true,
			SameSite: http.SameSiteLaxMode,
		})
	}
}

// SessionToken returns the session token from r, or "". With secure set
// only the __Host- cookie is accepted: reading the unprefixed name too
// would reopen the fixation hole the prefix closes.
func SessionToken(r *http.Request, secure bool) string {
	c, err := r.Cookie(cookieName(secure))
	if err != nil {
		return ""
	}
	return c.Value
}
