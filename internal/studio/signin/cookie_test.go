package signin

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSetSessionCookie(t *testing.T) {
	for _, tc := range []struct {
		secure bool
		want   string
	}{
		{true, "__Host-isomer_session=tok; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{false, "isomer_session=tok; Path=/; HttpOnly; SameSite=Lax"},
	} {
		w := httptest.NewRecorder()
		SetSessionCookie(w, "tok", tc.secure)
		if diff := cmp.Diff([]string{tc.want}, w.Header().Values("Set-Cookie")); diff != "" {
			t.Errorf("secure=%v Set-Cookie (-want +got):\n%s", tc.secure, diff)
		}
		// Round trip through a request as the browser would send it.
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, c := range w.Result().Cookies() {
			r.AddCookie(c)
		}
		if got := SessionToken(r, tc.secure); got != "tok" {
			t.Errorf("secure=%v SessionToken = %q", tc.secure, got)
		}
	}
}

func TestSessionTokenIgnoresUnprefixedWhenSecure(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: CookieName, Value: "planted"})
	if got := SessionToken(r, true); got != "" {
		t.Errorf("SessionToken(secure) = %q, want \"\"", got)
	}
	if got := SessionToken(httptest.NewRequest(http.MethodGet, "/", nil), false); got != "" {
		t.Errorf("no cookie: %q", got)
	}
}

func TestClearSessionCookie(t *testing.T) {
	w := httptest.NewRecorder()
	ClearSessionCookie(w)
	want := []string{
		"__Host-isomer_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
		"isomer_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
	}
	if diff := cmp.Diff(want, w.Header().Values("Set-Cookie")); diff != "" {
		t.Errorf("Set-Cookie (-want +got):\n%s", diff)
	}
}
