package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// OTP outcomes besides ErrNotFound (no live code for the address). Callers
// should show the user one generic message for all of them so responses do
// not reveal which case applied.
var (
	// ErrOTPMismatch: the code was wrong; the attempt was counted.
	ErrOTPMismatch = errors.New("store: one-time password mismatch")
	// ErrOTPLocked: the live code has used up its attempts.
	ErrOTPLocked = errors.New("store: one-time password locked after too many attempts")
)

// HashOTP is the hashing the store expects for one-time codes:
// HMAC-SHA256 keyed with a server secret (so a database leak does not let a
// six-digit code be brute-forced offline) over the lower-cased email and
// the code (so a hash cannot be replayed for another address). Callers may
// hash differently as long as CreateOTP and the ConsumeOTP matcher agree.
func HashOTP(key []byte, email, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(normEmail(email)))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// OTPMatcher returns a ConsumeOTP matcher comparing against HashOTP(key,
// email, code) with hmac.Equal, i.e. in constant time.
func OTPMatcher(key []byte, email, code string) func(hash []byte) bool {
	want := HashOTP(key, email, code)
	return func(hash []byte) bool { return hmac.Equal(hash, want) }
}

// CreateOTP stores a new code hash for email valid for ttl. Older unused
// codes for the address are marked used in the same transaction, so only
// the newest code is ever live. Send-rate limits are the caller's job (see
// Hit) and must be checked before calling this.
func (o ops) CreateOTP(ctx context.Context, email string, codeHash []byte, ttl time.Duration) error {
	email = normEmail(email)
	if email == "" || len(codeHash) == 0 || ttl <= 0 {
		return fmt.Errorf("store: create otp: %w", ErrInvalid)
	}
	now := o.now()
	err := o.atomic(ctx, func(o ops) error {
		if o.db.dialect() == dialectPostgres {
			// Under READ COMMITTED two concurrent CreateOTPs would not see
			// each other's uncommitted insert, leaving two live codes. There
			// is no row to lock yet, so serialise per address with a
			// transaction-scoped advisory lock. (SQLite: the immediate
			// transaction already holds the database write lock.)
			if _, err := o.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, "isomer.otp:"+email); err != nil {
				return err
			}
		}
		if _, err := o.exec(ctx, `UPDATE otp_codes SET used = TRUE WHERE email = ? AND used = FALSE`, email); err != nil {
			return err
		}
		_, err := o.exec(ctx, `INSERT INTO otp_codes (email, code_hash, created_at, expires_at, attempts, used) VALUES (?, ?, ?, ?, 0, FALSE)`,
			email, codeHash, ms(now), ms(now.Add(ttl)))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create otp: %w", mapErr(err))
	}
	return nil
}

// ConsumeOTP checks a submitted code against the newest unexpired, unused
// code for email, in one transaction:
//
//   - no such code: ErrNotFound;
//   - attempts already at maxAttempts: ErrOTPLocked (nothing changes);
//   - otherwise attempts is incremented, then hashMatches(storedHash) is
//     called; on false the increment commits and ErrOTPMismatch is
//     returned; on true the code is marked used and nil is returned.
//
// hashMatches must compare in constant time (hmac.Equal or
// crypto/subtle.ConstantTimeCompare; see OTPMatcher), because the stored
// hash is secret. The guarded UPDATEs (attempts < max, used = FALSE) are
// what make this safe under concurrency, not the SELECT: on SQLite the
// transaction holds the write lock; on PostgreSQL the row lock taken by the
// UPDATE makes a concurrent transaction re-check the guard, so exactly one
// of many concurrent correct submissions succeeds.
//
// Call it on DB, not inside WithTx: on a Tx the counted attempt of a wrong
// code would be lost if the caller's transaction rolled back.
func (o ops) ConsumeOTP(ctx context.Context, email string, hashMatches func(hash []byte) bool, maxAttempts int) error {
	email = normEmail(email)
	if maxAttempts <= 0 || hashMatches == nil {
		return fmt.Errorf("store: consume otp: %w", ErrInvalid)
	}
	now := ms(o.now())
	var outcome error
	err := o.atomic(ctx, func(o ops) error {
		var id int64
		var hash []byte
		var attempts int
		err := o.queryRow(ctx, `SELECT id, code_hash, attempts FROM otp_codes
WHERE email = ? AND used = FALSE AND expires_at > ?
ORDER BY id DESC LIMIT 1`, email, now).Scan(&id, &hash, &attempts)
		if err != nil {
			return mapErr(err)
		}
		if attempts >= maxAttempts {
			outcome = ErrOTPLocked
			return nil
		}
		res, err := o.exec(ctx, `UPDATE otp_codes SET attempts = attempts + 1 WHERE id = ? AND used = FALSE AND attempts < ?`, id, maxAttempts)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// Lost a race: another attempt used or exhausted the code.
			outcome = ErrOTPLocked
			return nil
		}
		if !hashMatches(hash) {
			outcome = ErrOTPMismatch
			return nil // commit the counted attempt
		}
		res, err = o.exec(ctx, `UPDATE otp_codes SET used = TRUE WHERE id = ? AND used = FALSE`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound // used concurrently
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: consume otp: %w", err)
	}
	if outcome != nil {
		return fmt.Errorf("store: consume otp: %w", outcome)
	}
	return nil
}
