package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"
)

// Session is a signed-in browser session. The bearer token itself is never
// stored: the table keys on SHA-256(token). A plain hash suffices (no HMAC
// key) because tokens are 256-bit random values, not guessable secrets.
type Session struct {
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry fixed at creation
}

// NewSessionToken returns a fresh 256-bit random token, base64url encoded,
// for use as a cookie value.
func NewSessionToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSession records a session for token that expires absolutely after
// absolute. A token collision yields ErrConflict.
func (o ops) CreateSession(ctx context.Context, token string, userID int64, absolute time.Duration) (Session, error) {
	if token == "" || absolute <= 0 {
		return Session{}, fmt.Errorf("store: create session: %w: empty token or non-positive timeout", ErrInvalid)
	}
	now := o.now()
	s := Session{
		UserID:     userID,
		CreatedAt:  fromMS(ms(now)),
		LastSeenAt: fromMS(ms(now)),
		ExpiresAt:  fromMS(ms(now.Add(absolute))),
	}
	_, err := o.exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashToken(token), userID, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt))
	if err != nil {
		return Session{}, fmt.Errorf("store: create session for user %d: %w", userID, mapErr(err))
	}
	return s, nil
}

// SessionByToken returns the live session for token. The WHERE clause
// enforces both timeouts, so an expired row is indistinguishable from a
// missing one (ErrNotFound): idle is measured from last_seen_at; absolute
// from created_at, in addition to the expires_at fixed at creation, so that
// shortening the configured timeout takes effect on existing sessions.
func (o ops) SessionByToken(ctx context.Context, token string, idle, absolute time.Duration) (Session, error) {
	if idle <= 0 || absolute <= 0 {
		return Session{}, fmt.Errorf("store: session: %w: non-positive timeout", ErrInvalid)
	}
	now := o.now()
	var s Session
	var created, seen, expires int64
	err := o.queryRow(ctx, `SELECT user_id, created_at, last_seen_at, expires_at FROM sessions
WHERE token_hash = ? AND last_seen_at > ? AND created_at > ? AND expires_at > ?`,
		hashToken(token), ms(now.Add(-idle)), ms(now.Add(-absolute)), ms(now)).
		Scan(&s.UserID, &created, &seen, &expires)
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", mapErr(err))
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	return s, nil
}

// TouchSession records activity now, extending the idle window (never the
// absolute one). ErrNotFound if the session does not exist.
func (o ops) TouchSession(ctx context.Context, token string) error {
	res, err := o.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(o.now()), hashToken(token))
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return mustAffect(res, "store: touch session")
}

// DeleteSession signs one session out. Deleting a missing session is not an
// error: sign-out is idempotent.
func (o ops) DeleteSession(ctx context.Context, token string) error {
	if _, err := o.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions signs a user out everywhere and reports how many
// sessions were ended.
func (o ops) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := o.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return n, nil
}
