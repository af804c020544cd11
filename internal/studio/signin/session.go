package signin

import (
	"net/http"

	"github.com/alexedwards/scs/v2"

	"isomer.dev/isomer/internal/studio/store"
)

// Cookie names. Over HTTPS the __Host- prefix makes browsers refuse the
// cookie unless it is Secure, host-only and Path=/, so a sibling subdomain
// cannot plant or overwrite a session cookie (session fixation). Plain HTTP
// (local first run) cannot use the prefix.
const (
	CookieName       = "isomer_session"
	SecureCookieName = "__Host-isomer_session"
)

// UserIDKey is the session value (an int64) naming the signed-in user.
const UserIDKey = store.SessionUserKey

// NewSessionManager returns Studio's session manager, keeping sessions in
// db. secure must be true whenever Studio is reached over https (including
// behind a TLS-terminating proxy). Callers may shorten the timeouts (tests
// do) before first use.
//
// SameSite=Lax rather than Strict: Strict drops the cookie on top-level
// navigation from another site, so every link into Studio from an email or
// chat would land on the sign-in page; Lax still withholds the cookie on
// cross-site POSTs, which is the CSRF protection that matters as long as
// state changes are never GETs. Persist false: the cookie has no Max-Age
// and ends with the browser, while the server enforces the idle and
// absolute timeouts regardless. Only one cookie name is read, so with
// secure set an unprefixed cookie is ignored: reading it too would reopen
// the fixation hole the prefix closes.
func NewSessionManager(db *store.DB, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = db
	sm.IdleTimeout = DefaultIdleTimeout
	sm.Lifetime = DefaultAbsoluteTimeout
	sm.Cookie.Name = CookieName
	if secure {
		sm.Cookie.Name = SecureCookieName
	}
	sm.Cookie.Path = "/"
	sm.Cookie.Domain = "" // host-only, as __Host- requires
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Persist = false
	return sm
}
