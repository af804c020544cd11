package oidc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Flow cookie names. Over https the __Secure- prefix makes browsers refuse
// the cookie unless it is Secure, so a plain-http page on a sibling host
// cannot plant one. (__Host- would be stronger but demands Path=/, and the
// cookie is deliberately scoped to the callback path.)
const (
	flowCookieName       = "isomer_oidc"
	secureFlowCookieName = "__Secure-isomer_oidc"
)

// macLabel separates this MAC from any other use of the same key, so a
// deployment that reuses one secret cannot have a flow cookie MAC accepted
// as something else, or the reverse.
const macLabel = "isomer studio oidc flow v1\x00"

// flow is what one sign-in must remember between Start and Finish.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"r"`
	Expires  int64  `json:"e"` // Unix seconds; enforced here, not by the browser
}

func (p *Provider) cookieName() string {
	if p.secure {
		return secureFlowCookieName
	}
	return flowCookieName
}

func (p *Provider) mac(payload string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(macLabel))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// sealFlow encodes f as base64url(JSON) "." base64url(HMAC).
func (p *Provider) sealFlow(f flow) string {
	b, _ := json.Marshal(f) // strings and an int always marshal
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(p.mac(payload))
}

// openFlow checks the MAC, then the expiry, and only then trusts the
// payload. Every failure is ErrInvalidFlow.
func (p *Provider) openFlow(v string) (flow, error) {
	payload, sig, ok := strings.Cut(v, ".")
	if !ok {
		return flow{}, fmt.Errorf("%w: malformed cookie", ErrInvalidFlow)
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, p.mac(payload)) {
		return flow{}, fmt.Errorf("%w: cookie MAC mismatch", ErrInvalidFlow)
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return flow{}, fmt.Errorf("%w: cookie payload: %w", ErrInvalidFlow, err)
	}
	var f flow
	if err := json.Unmarshal(b, &f); err != nil {
		return flow{}, fmt.Errorf("%w: cookie payload: %w", ErrInvalidFlow, err)
	}
	// The cookie's Max-Age is only advice to the browser; this check is
	// what actually bounds a flow's life.
	if p.now().Unix() >= f.Expires {
		return flow{}, fmt.Errorf("%w: flow expired", ErrInvalidFlow)
	}
	if f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return flow{}, fmt.Errorf("%w: incomplete cookie", ErrInvalidFlow)
	}
	return f, nil
}

// setFlowCookie stores f for the callback. SameSite=Lax, not Strict: the
// callback is a top-level GET navigation from the IdP's site, which Strict
// would strip the cookie from. Lax is also why the flow uses the default
// query response mode; a cross-site form_post callback would arrive
// without the cookie.
func (p *Provider) setFlowCookie(w http.ResponseWriter, f flow) {
	http.SetCookie(w, &http.Cookie{
		Name:     p.cookieName(),
		Value:    p.sealFlow(f),
		Path:     p.cookiePath,
		MaxAge:   int(FlowTTL.Seconds()),
		Secure:   p.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

func (p *Provider) clearFlowCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     p.cookieName(),
		Value:    "",
		Path:     p.cookiePath,
		MaxAge:   -1,
		Secure:   p.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}
