// Package signin is Studio's email one-time-password sign-in: issuing and
// checking six-digit codes, rate limiting, the audit trail of sign-ins, and
// the settings of Studio's session manager (github.com/alexedwards/scs).
// Persistence (codes, counters, sessions, audit) is the store's job; this
// package holds the policy. It mints no session tokens: after a
// successful Verify or SignInVerified the HTTP layer renews the session
// token and puts the user into the session (see NewSessionManager).
//
// Who may sign in: only users that already exist in the store (created by an
// invitation or by the first-run admin bootstrap) and whose address is in an
// allowed domain. Any other address gets exactly the same outward result as
// a real one (nil from RequestCode, ErrNoCode from Verify) so the sign-in
// form cannot be used to enumerate accounts; the refusal is logged and
// audited instead. Self-registration was rejected because an allowed domain
// like gov.sg covers every public officer, and site access is granted per
// site anyway.
//
// Clock: every sign-in expiry decision (code TTL, rate windows) is made by
// the store with store.DB.Now, so there is deliberately no second clock here
// that could drift from it; tests fake time on the store. Session timeouts
// are the session manager's, which computes expiries with time.Now; the
// store compares them with store.DB.Now, which is time.Now outside tests.
package signin

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"isomer.dev/isomer/internal/studio/store"
)

// Errors returned to the HTTP layer. ErrNoCode, ErrWrongCode and ErrLocked
// are distinct so callers can log and test them, but a UI should show one
// message for all three.
var (
	ErrInvalidEmail  = errors.New("signin: not a valid email address")
	ErrRateLimited   = errors.New("signin: too many requests, try again later")
	ErrNoCode        = errors.New("signin: no valid code for this address")
	ErrWrongCode     = errors.New("signin: wrong code")
	ErrLocked        = errors.New("signin: too many wrong codes, request a new one")
	ErrMisconfigured = errors.New("signin: service misconfigured")
)

// ActionCodeRefused is audited when a code is requested for an address
// that will not get one (unknown user or domain not allowed); the requester
// is told nothing, so this row is the only trace.
const ActionCodeRefused = "auth.code_refused"

// Mailer delivers one plain-text message. DevOutbox and SMTP implement it.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Defaults applied when the corresponding Service field is zero, and the
// session timeouts NewSessionManager sets.
const (
	DefaultCodeTTL         = 10 * time.Minute
	DefaultMaxAttempts     = 5
	DefaultRateWindow      = 15 * time.Minute
	DefaultCodesPerEmail   = 5
	DefaultCodesPerIP      = 20
	DefaultVerifiesPerIP   = 30
	DefaultIdleTimeout     = 2 * time.Hour  // scs IdleTimeout
	DefaultAbsoluteTimeout = 12 * time.Hour // scs Lifetime
)

// Service implements sign-in. Fields are read-only after first use; the
// zero value of each tunable means its Default above. Store, Mailer and Key
// are required.
type Service struct {
	Store  *store.DB
	Mailer Mailer
	// Key is the server secret for store.HashOTP, so a database leak does
	// not let six-digit codes be brute-forced offline. At least 16 bytes.
	Key []byte
	// AllowedDomains are domain suffixes matched on label boundaries:
	// "gov.sg" allows "gov.sg" and "tech.gov.sg" but not "evilgov.sg".
	// Empty allows any domain (only existing users can sign in anyway).
	AllowedDomains []string

	CodeTTL     time.Duration
	MaxAttempts int // wrong codes before the live code locks

	RateWindow    time.Duration // fixed window for the three limits below
	CodesPerEmail int           // code requests per address per window
	CodesPerIP    int           // code requests per client IP per window
	VerifiesPerIP int           // verification attempts per client IP per window

	Logger *slog.Logger // nil: no logging
}

func orDur(v, d time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return d
}

func orInt(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

func (s *Service) codeTTL() time.Duration { return orDur(s.CodeTTL, DefaultCodeTTL) }
func (s *Service) window() time.Duration  { return orDur(s.RateWindow, DefaultRateWindow) }
func (s *Service) maxAttempts() int       { return orInt(s.MaxAttempts, DefaultMaxAttempts) }

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Service) check() error {
	switch {
	case s.Store == nil:
		return fmt.Errorf("%w: no store", ErrMisconfigured)
	case s.Mailer == nil:
		return fmt.Errorf("%w: no mailer", ErrMisconfigured)
	case len(s.Key) < 16:
		return fmt.Errorf("%w: key shorter than 16 bytes", ErrMisconfigured)
	}
	return nil
}

// NormalizeEmail trims and lower-cases addr and checks it is a bare
// address (no display name, exactly one @, a dotted domain).
func NormalizeEmail(addr string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(addr))
	a, err := mail.ParseAddress(e)
	// Require the parse to round-trip to the input: that rejects display
	// names ("Bob <b@x>"), comments and quoted local parts, which have no
	// business in a sign-in form and complicate matching.
	if err != nil || a.Name != "" || a.Address != e {
		return "", fmt.Errorf("%w: %q", ErrInvalidEmail, addr)
	}
	at := strings.LastIndexByte(e, '@')
	dom := e[at+1:]
	if strings.Count(e, "@") != 1 || !strings.Contains(dom, ".") || strings.HasSuffix(dom, ".") || strings.HasPrefix(dom, ".") {
		return "", fmt.Errorf("%w: %q", ErrInvalidEmail, addr)
	}
	return e, nil
}

// DomainAllowed reports whether the normalised address email is in one of
// the allowed domain suffixes.
func (s *Service) DomainAllowed(email string) bool {
	if len(s.AllowedDomains) == 0 {
		return true
	}
	dom := email[strings.LastIndexByte(email, '@')+1:]
	for _, d := range s.AllowedDomains {
		d = strings.ToLower(strings.Trim(strings.TrimSpace(d), ".@"))
		if d == "" {
			continue
		}
		// The "." in the suffix check is what stops "evilgov.sg".
		if dom == d || strings.HasSuffix(dom, "."+d) {
			return true
		}
	}
	return false
}

// hit applies one rate limit and maps "over" to ErrRateLimited.
func (s *Service) hit(ctx context.Context, key string, limit int) error {
	ok, err := s.Store.Hit(ctx, key, s.window(), limit)
	if err != nil {
		return fmt.Errorf("signin: rate limit: %w", err)
	}
	if !ok {
		return fmt.Errorf("%w (%s)", ErrRateLimited, key)
	}
	return nil
}

func detail(kv ...string) json.RawMessage {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m) // a map[string]string always marshals
	return b
}

// audit appends an entry; failures are logged, not returned, because the
// outward result of a sign-in step must not depend on audit health.
func (s *Service) audit(ctx context.Context, actor *int64, action string, d json.RawMessage) {
	if _, err := s.Store.Append(ctx, store.AuditEntry{ActorUserID: actor, Action: action, Detail: d}); err != nil {
		s.log().ErrorContext(ctx, "signin: audit append failed", "action", action, "err", err)
	}
}

// newCode returns six uniformly random decimal digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("signin: code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// RequestCode emails a fresh sign-in code to email, superseding any earlier
// one. It returns nil both when a code was sent and when the address is
// unknown or outside the allowed domains (see the package comment);
// ErrInvalidEmail for a malformed address and ErrRateLimited when the
// per-IP or per-address limit is exhausted. Limits are counted for every
// well-formed address, real or not, so they reveal nothing either.
func (s *Service) RequestCode(ctx context.Context, email, ip string) error {
	if err := s.check(); err != nil {
		return err
	}
	e, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	// IP first: a single client spraying addresses is stopped before it
	// burns every address's budget.
	if err := s.hit(ctx, "otp-send:ip:"+ip, orInt(s.CodesPerIP, DefaultCodesPerIP)); err != nil {
		s.log().WarnContext(ctx, "signin: code request rate limited", "ip", ip, "email", e)
		return err
	}
	if err := s.hit(ctx, "otp-send:email:"+e, orInt(s.CodesPerEmail, DefaultCodesPerEmail)); err != nil {
		s.log().WarnContext(ctx, "signin: code request rate limited", "ip", ip, "email", e)
		return err
	}
	if !s.DomainAllowed(e) {
		s.log().InfoContext(ctx, "signin: code refused, domain not allowed", "email", e, "ip", ip)
		s.audit(ctx, nil, ActionCodeRefused, detail("email", e, "ip", ip, "reason", "domain_not_allowed"))
		return nil
	}
	u, err := s.Store.UserByEmail(ctx, e)
	if errors.Is(err, store.ErrNotFound) {
		s.log().InfoContext(ctx, "signin: code refused, no such user", "email", e, "ip", ip)
		s.audit(ctx, nil, ActionCodeRefused, detail("email", e, "ip", ip, "reason", "unknown_user"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("signin: request code: %w", err)
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	ttl := s.codeTTL()
	if err := s.Store.CreateOTP(ctx, e, store.HashOTP(s.Key, e, code), ttl); err != nil {
		return fmt.Errorf("signin: request code: %w", err)
	}
	body := fmt.Sprintf("Your Isomer Studio sign-in code is %s (valid %s).\n\n"+
		"If you did not ask for this code, you can ignore this email.\n", code, humanDuration(ttl))
	if err := s.Mailer.Send(ctx, e, "Your Isomer Studio sign-in code", body); err != nil {
		return fmt.Errorf("signin: send code to user %d: %w", u.ID, err)
	}
	s.log().InfoContext(ctx, "signin: code sent", "user", u.ID, "ip", ip)
	return nil
}

func humanDuration(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "1 minute"
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return d.String()
}

// Verify checks code for email and, on success, audits the sign-in and
// returns the user; the caller then starts the session (renewing its token,
// so a token planted before sign-in is worthless). Failures are
// ErrRateLimited (per-IP verification limit), ErrNoCode (none live: never
// requested, expired, used, superseded, or not a user), ErrWrongCode (the
// attempt was counted) or ErrLocked (attempts used up; only a new code
// helps). Every failure after the rate limit is audited.
func (s *Service) Verify(ctx context.Context, email, code, ip string) (store.User, error) {
	if err := s.check(); err != nil {
		return store.User{}, err
	}
	if err := s.hit(ctx, "otp-verify:ip:"+ip, orInt(s.VerifiesPerIP, DefaultVerifiesPerIP)); err != nil {
		s.log().WarnContext(ctx, "signin: verify rate limited", "ip", ip)
		return store.User{}, err
	}
	e, err := NormalizeEmail(email)
	if err != nil {
		return store.User{}, err
	}
	// Codes are often pasted as "123 456" or "123-456".
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)

	fail := func(reason string, outward error) (store.User, error) {
		var actor *int64
		if u, err := s.Store.UserByEmail(ctx, e); err == nil {
			actor = &u.ID
		}
		s.log().InfoContext(ctx, "signin: verify failed", "email", e, "ip", ip, "reason", reason)
		s.audit(ctx, actor, store.ActionSignInFailed, detail("email", e, "ip", ip, "reason", reason))
		return store.User{}, outward
	}

	err = s.Store.ConsumeOTP(ctx, e, store.OTPMatcher(s.Key, e, code), s.maxAttempts())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fail("no_code", ErrNoCode)
	case errors.Is(err, store.ErrOTPMismatch):
		return fail("wrong_code", ErrWrongCode)
	case errors.Is(err, store.ErrOTPLocked):
		return fail("locked", ErrLocked)
	case err != nil:
		return store.User{}, fmt.Errorf("signin: verify: %w", err)
	}

	u, err := s.Store.UserByEmail(ctx, e)
	if errors.Is(err, store.ErrNotFound) {
		// Deleted between request and verify.
		return fail("unknown_user", ErrNoCode)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("signin: verify: %w", err)
	}
	if err := s.auditSignIn(ctx, u, detail("ip", ip)); err != nil {
		return store.User{}, fmt.Errorf("signin: verify: %w", err)
	}
	s.log().InfoContext(ctx, "signin: signed in", "user", u.ID, "ip", ip)
	return u, nil
}

// auditSignIn records a successful sign-in. Unlike other audit rows its
// failure fails the sign-in: it is written before the session exists, so
// there is no untraced sign-in.
func (s *Service) auditSignIn(ctx context.Context, u store.User, d json.RawMessage) error {
	if _, err := s.Store.Append(ctx, store.AuditEntry{ActorUserID: &u.ID, Action: store.ActionSignIn, Detail: d}); err != nil {
		return fmt.Errorf("audit sign-in: %w", err)
	}
	return nil
}

// ErrNotAllowed refuses a sign-in vouched for by an identity provider: the
// address is not a Studio user, or not in an allowed domain.
var ErrNotAllowed = errors.New("signin: this account may not use Studio")

// SignInVerified admits a user whose address an identity provider (OIDC)
// has verified, auditing the sign-in; the caller then starts the session as
// after Verify. The same rule as for codes applies: only
// existing users in allowed domains (checked for existing users too, so
// removing a domain locks its users out). method and subject are recorded
// in the audit log; refusals are audited and return ErrNotAllowed.
func (s *Service) SignInVerified(ctx context.Context, email, method, subject, ip string) (store.User, error) {
	refuse := func(actor *int64, reason string) (store.User, error) {
		s.log().InfoContext(ctx, "signin: refused", "method", method, "email", email, "ip", ip, "reason", reason)
		s.audit(ctx, actor, store.ActionSignInFailed,
			detail("method", method, "email", email, "ip", ip, "subject", subject, "reason", reason))
		return store.User{}, ErrNotAllowed
	}
	addr, err := NormalizeEmail(email)
	if err != nil {
		return refuse(nil, "invalid_email")
	}
	u, err := s.Store.UserByEmail(ctx, addr)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return refuse(nil, "unknown_user")
	case err != nil:
		return store.User{}, fmt.Errorf("signin: %s: %w", method, err)
	}
	if !s.DomainAllowed(addr) {
		return refuse(&u.ID, "domain_not_allowed")
	}
	if err := s.auditSignIn(ctx, u, detail("method", method, "ip", ip, "subject", subject)); err != nil {
		return store.User{}, fmt.Errorf("signin: %s: %w", method, err)
	}
	s.log().InfoContext(ctx, "signin: signed in", "method", method, "user", u.ID, "ip", ip)
	return u, nil
}

// LocalPath keeps a post-sign-in redirect inside Studio: a path, not
// "//host" or "/\host", which browsers treat as another origin.
func LocalPath(next string) string {
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") ||
		strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// SignOutEverywhere ends every stored session of userID (e.g. a lost
// laptop), audits it, and reports how many sessions ended. The caller must
// also destroy the current request's session (scs.SessionManager.Destroy),
// or the session manager would save it again at the end of the request.
func (s *Service) SignOutEverywhere(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.DeleteUserSessions(ctx, userID); err != nil {
			return err
		}
		_, err = tx.Append(ctx, store.AuditEntry{ActorUserID: &userID, Action: store.ActionSignOutAll,
			Detail: json.RawMessage(fmt.Sprintf(`{"sessions":%d}`, n))})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("signin: sign out everywhere: %w", err)
	}
	return n, nil
}
