package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionUserKey is the session value (an int64) naming the signed-in user.
// Commit copies it into its own column so that DeleteUserSessions can end
// every session of one user ("sign out everywhere").
const SessionUserKey = "user_id"

// DB is the session store of Studio's scs.SessionManager. The manager owns
// tokens, timeouts and the encoded values; the store keeps one row per
// session. The manager must use scs's default codec (gob), because Commit
// decodes the data to find the user.
//
// Ending a session (Delete, DeleteUserSessions) leaves a tombstone row until
// the session would have expired, rather than deleting it: scs saves a
// session at the end of every request, so a request that loaded the session
// just before a sign-out would otherwise commit it back to life. Commit never
// revives a tombstone and Find never returns one; Prune removes them.
var _ scs.CtxStore = (*DB)(nil)

// sessionKey is what the table keys on: SHA-256 of the bearer token, so a
// database leak yields no usable cookies. A plain hash suffices (no HMAC
// key) because scs tokens are 256-bit random values, not guessable secrets.
func sessionKey(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// FindCtx returns the data of a live session. Expiry is compared with the
// store's clock (DB.Now), so tests can fake time; an expired row is
// indistinguishable from a missing one.
func (db *DB) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := db.queryRow(ctx, `SELECT data FROM scs_sessions WHERE token_hash = ? AND expiry > ? AND NOT ended`,
		sessionKey(token), ms(db.now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: find session: %w", err)
	}
	return data, true, nil
}

// CommitCtx saves a session's data and expiry, replacing any earlier
// version of the same session unless that session has been ended.
func (db *DB) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, values, err := scs.GobCodec{}.Decode(data)
	if err != nil {
		return fmt.Errorf("store: commit session: %w", err)
	}
	// NULL until sign-in: a session without a user is nobody's to end.
	var userID sql.NullInt64
	if id, ok := values[SessionUserKey].(int64); ok {
		userID = sql.NullInt64{Int64: id, Valid: true}
	}
	_, err = db.exec(ctx, `INSERT INTO scs_sessions (token_hash, data, expiry, user_id) VALUES (?, ?, ?, ?)
ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, user_id = excluded.user_id
WHERE NOT scs_sessions.ended`,
		sessionKey(token), data, ms(expiry), userID)
	if err != nil {
		return fmt.Errorf("store: commit session: %w", mapErr(err))
	}
	return nil
}

// DeleteCtx ends one session, leaving a tombstone. Ending a missing
// session is not an error: sign-out is idempotent.
func (db *DB) DeleteCtx(ctx context.Context, token string) error {
	if _, err := db.exec(ctx, `UPDATE scs_sessions SET ended = TRUE, data = ? WHERE token_hash = ?`,
		[]byte{}, sessionKey(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// Find, Commit and Delete complete scs.Store; the manager always calls the
// context variants, which these forward to.

// Find is FindCtx without a context.
func (db *DB) Find(token string) ([]byte, bool, error) {
	return db.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (db *DB) Commit(token string, data []byte, expiry time.Time) error {
	return db.CommitCtx(context.Background(), token, data, expiry)
}

// Delete is DeleteCtx without a context.
func (db *DB) Delete(token string) error {
	return db.DeleteCtx(context.Background(), token)
}

// DeleteUserSessions signs a user out everywhere, leaving tombstones (see
// DB), and reports how many live sessions were ended.
func (o ops) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	res, err := o.exec(ctx, `UPDATE scs_sessions SET ended = TRUE, data = ? WHERE user_id = ? AND NOT ended AND expiry > ?`,
		[]byte{}, userID, ms(o.now()))
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return n, nil
}
