// Package oidc is Studio's optional single sign-on: agencies that run their
// own identity provider (IdP) sign in through OpenID Connect instead of
// emailed codes.
//
// The flow is the authorization-code flow with PKCE. Start redirects the
// browser to the IdP; Finish handles the callback and returns the verified
// Identity; SignIn admits that identity (the caller then starts the
// session) under the same rule as email sign-in (internal/studio/signin): only existing users in allowed
// domains get in, and an IdP account is never a way to self-register.
//
// Per-flow secrets (state, nonce, PKCE verifier) live in a short-lived
// cookie rather than a server-side table so that a sign-in started on one
// Studio node can finish on another with no shared state beyond the key.
// The cookie is HMAC-protected, not encrypted: it only ever travels between
// the user's own browser and Studio, and an attacker who can read it there
// already controls the browser; what matters is that nobody can forge one.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"isomer.dev/isomer/internal/studio/signin"
)

// Errors from Finish. Every error from Finish means "not signed in" and a
// UI should show one generic message for all of them; the sentinels exist
// so callers can log, and tests can tell, which check refused.
var (
	// ErrInvalidFlow: the flow cookie is missing, forged, expired or does
	// not match the callback's state (replay, CSRF, a second tab, or a user
	// who took longer than FlowTTL at the IdP). Starting again fixes it.
	ErrInvalidFlow = errors.New("oidc: sign-in flow missing, invalid or expired")
	// ErrDenied: the IdP reported an error instead of a code, typically
	// the user cancelling or the IdP refusing the user.
	ErrDenied = errors.New("oidc: identity provider refused the sign-in")
	// ErrInvalidToken: the ID token failed verification (signature,
	// issuer, audience, expiry or nonce).
	ErrInvalidToken = errors.New("oidc: invalid ID token")
	// ErrNoVerifiedEmail: the ID token has no email, or the IdP does not
	// vouch for it (email_verified absent or false). Studio identifies
	// users by email, so an unverified one would let anyone who can
	// register at the IdP claim any address.
	ErrNoVerifiedEmail = errors.New("oidc: identity provider gave no verified email")
)

// FlowTTL is how long a started sign-in may take before its cookie is
// refused: long enough for a password and a second factor at the IdP,
// short enough that a stolen cookie is soon useless.
const FlowTTL = 10 * time.Minute

// minKeyLen is the HMAC-SHA256 key size; a shorter key would be the
// weakest link of the flow cookie.
const minKeyLen = 32

// Config configures a Provider. Issuer, ClientID, RedirectURL and Key are
// required.
type Config struct {
	// Issuer is the IdP's issuer URL; discovery reads
	// Issuer + "/.well-known/openid-configuration", and ID tokens must
	// carry exactly this issuer.
	Issuer       string
	ClientID     string
	ClientSecret string // empty for a public client (PKCE only)
	// RedirectURL is Studio's absolute callback URL as registered at the
	// IdP. Its path also scopes the flow cookie.
	RedirectURL string
	// Scopes requested; nil means openid, email and profile. "openid" is
	// added if missing, since without it there is no ID token.
	Scopes []string
	// Key is the secret for the flow cookie's HMAC, at least 32 bytes.
	// Every Studio node must share it; rotating it only breaks sign-ins
	// in progress.
	Key []byte
	// Secure sets the cookie's Secure flag (and __Secure- name prefix).
	// It must be true whenever Studio is reached over https.
	Secure bool
	// Logger receives one line per refused callback; nil means no logging.
	Logger *slog.Logger
	// Now is the clock for the flow cookie's expiry; nil means time.Now.
	// Tests set it. ID-token expiry is checked against the real clock,
	// because the IdP stamps tokens with its own.
	Now func() time.Time
}

// Provider signs users in with one OpenID Connect IdP. It is safe for
// concurrent use.
type Provider struct {
	oauth      oauth2.Config
	verifier   *gooidc.IDTokenVerifier
	key        []byte
	cookiePath string
	secure     bool
	log        *slog.Logger
	now        func() time.Time
}

// Identity is a user the IdP vouched for.
type Identity struct {
	Email   string // verified by the IdP, lower-cased
	Name    string // the "name" claim, possibly empty
	Subject string // the IdP's stable user id ("sub")
	Next    string // local path to continue to, as given to Start (sanitised)
}

// New discovers the IdP's endpoints and keys. The discovery request uses
// ctx; keys are fetched (and refreshed) later, on demand.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("oidc: config: no issuer")
	case cfg.ClientID == "":
		return nil, fmt.Errorf("oidc: config for issuer %s: no client id", cfg.Issuer)
	case len(cfg.Key) < minKeyLen:
		return nil, fmt.Errorf("oidc: config for issuer %s: key shorter than %d bytes", cfg.Issuer, minKeyLen)
	}
	redirect, err := url.Parse(cfg.RedirectURL)
	if err != nil || !redirect.IsAbs() || redirect.Host == "" {
		return nil, fmt.Errorf("oidc: config for issuer %s: redirect URL %q is not an absolute URL", cfg.Issuer, cfg.RedirectURL)
	}
	cookiePath := redirect.Path
	if cookiePath == "" {
		cookiePath = "/"
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{gooidc.ScopeOpenID, "email", "profile"}
	}
	if !slices.Contains(scopes, gooidc.ScopeOpenID) {
		scopes = append([]string{gooidc.ScopeOpenID}, scopes...)
	}
	idp, err := gooidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover issuer %s: %w", cfg.Issuer, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Provider{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     idp.Endpoint(),
			RedirectURL:  cfg.RedirectURL,
			Scopes:       slices.Clone(scopes),
		},
		verifier:   idp.Verifier(&gooidc.Config{ClientID: cfg.ClientID}),
		key:        slices.Clone(cfg.Key),
		cookiePath: cookiePath,
		secure:     cfg.Secure,
		log:        log,
		now:        now,
	}, nil
}

// Start begins a sign-in: it stores fresh state, nonce and PKCE verifier
// in the flow cookie and redirects the browser to the IdP. next is where
// to go after signing in; anything but a local path becomes "/". A second
// Start in the same browser replaces the first flow, so a sign-in
// abandoned in another tab then fails with ErrInvalidFlow.
func (p *Provider) Start(w http.ResponseWriter, r *http.Request, next string) {
	f := flow{
		State:    rand.Text(), // 128 bits each
		Nonce:    rand.Text(),
		Verifier: oauth2.GenerateVerifier(),
		Next:     signin.LocalPath(next),
		Expires:  p.now().Add(FlowTTL).Unix(),
	}
	p.setFlowCookie(w, f)
	u := p.oauth.AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	http.Redirect(w, r, u, http.StatusFound)
}

// Finish completes a sign-in on the callback request r: it checks the
// state against the flow cookie in constant time, exchanges the code with
// the PKCE verifier, verifies the ID token (signature, issuer, audience,
// expiry, nonce) and requires a verified email. The flow cookie is
// cleared whatever the outcome, so a callback URL cannot be replayed.
//
// The returned Identity is authenticated, not authorised: pass it to
// SignIn (or an equivalent check) before trusting it with anything.
func (p *Provider) Finish(ctx context.Context, w http.ResponseWriter, r *http.Request) (Identity, error) {
	id, reason, err := p.finish(ctx, w, r)
	if err != nil {
		p.log.InfoContext(ctx, "oidc: sign-in refused", "reason", reason, "err", err)
		return Identity{}, err
	}
	return id, nil
}

func (p *Provider) finish(ctx context.Context, w http.ResponseWriter, r *http.Request) (Identity, string, error) {
	c, cookieErr := r.Cookie(p.cookieName())
	p.clearFlowCookie(w)
	if cookieErr != nil {
		return Identity{}, "no_flow_cookie", ErrInvalidFlow
	}
	f, err := p.openFlow(c.Value)
	if err != nil {
		return Identity{}, "bad_flow_cookie", err
	}
	q := r.URL.Query()
	// Compare state before looking at anything else the IdP (or an
	// attacker posing as it) put in the URL, error included: an
	// unsolicited callback must not even produce an "IdP refused" message.
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return Identity{}, "state_mismatch", fmt.Errorf("%w: state mismatch", ErrInvalidFlow)
	}
	if e := q.Get("error"); e != "" {
		return Identity{}, "idp_error", fmt.Errorf("%w: %s: %s", ErrDenied, e, q.Get("error_description"))
	}
	code := q.Get("code")
	if code == "" {
		return Identity{}, "no_code", fmt.Errorf("%w: callback without code", ErrDenied)
	}
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, "exchange_failed", fmt.Errorf("oidc: exchange code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, "no_id_token", fmt.Errorf("%w: token response has no id_token", ErrInvalidToken)
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, "token_invalid", fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	// go-oidc leaves the nonce to us. It binds the token to this browser's
	// flow, so a token obtained elsewhere cannot be injected here.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Identity{}, "nonce_mismatch", fmt.Errorf("%w: nonce mismatch", ErrInvalidToken)
	}
	var claims struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		Name          string          `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, "bad_claims", fmt.Errorf("%w: claims: %w", ErrInvalidToken, err)
	}
	if claims.Email == "" || !isTrue(claims.EmailVerified) {
		return Identity{}, "no_verified_email", ErrNoVerifiedEmail
	}
	email, err := signin.NormalizeEmail(claims.Email)
	if err != nil {
		return Identity{}, "bad_email", fmt.Errorf("%w: %w", ErrNoVerifiedEmail, err)
	}
	return Identity{Email: email, Name: claims.Name, Subject: idt.Subject, Next: f.Next}, "", nil
}

// isTrue reads email_verified, which the spec makes a boolean but some
// IdPs (AWS Cognito among them) send as the string "true".
func isTrue(v json.RawMessage) bool {
	s := strings.TrimSpace(string(v))
	return s == "true" || s == `"true"`
}
