package store

import (
	"context"
	"fmt"
	"time"
)

// User is a Studio account. Email is the identity (sign-in is by email OTP).
type User struct {
	ID            int64
	Email         string // always lower-cased
	Name          string
	PlatformAdmin bool
	CreatedAt     time.Time
}

const userCols = `id, email, name, platform_admin, created_at`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.PlatformAdmin, &created); err != nil {
		return User{}, err
	}
	u.CreatedAt = fromMS(created)
	return u, nil
}

// CreateUser inserts a user. The email is trimmed and lower-cased so that
// sign-in is case-insensitive; a duplicate yields ErrConflict.
func (o ops) CreateUser(ctx context.Context, email, name string) (User, error) {
	email = normEmail(email)
	if email == "" {
		return User{}, fmt.Errorf("store: create user: %w: empty email", ErrInvalid)
	}
	row := o.queryRow(ctx,
		`INSERT INTO users (email, name, platform_admin, created_at) VALUES (?, ?, FALSE, ?) RETURNING `+userCols,
		email, name, ms(o.now()))
	u, err := scanUser(row)
	if err != nil {
		return User{}, fmt.Errorf("store: create user %q: %w", email, mapErr(err))
	}
	return u, nil
}

// UserByEmail looks a user up case-insensitively.
func (o ops) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(o.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, normEmail(email)))
	if err != nil {
		return User{}, fmt.Errorf("store: user by email: %w", mapErr(err))
	}
	return u, nil
}

// UserByID looks a user up by id.
func (o ops) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(o.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("store: user %d: %w", id, mapErr(err))
	}
	return u, nil
}

// SetPlatformAdmin grants or revokes the platform-admin flag.
func (o ops) SetPlatformAdmin(ctx context.Context, id int64, admin bool) error {
	res, err := o.exec(ctx, `UPDATE users SET platform_admin = ? WHERE id = ?`, admin, id)
	if err != nil {
		return fmt.Errorf("store: set platform admin %d: %w", id, mapErr(err))
	}
	return mustAffect(res, "store: set platform admin %d", id)
}

// mustAffect turns "no row matched" into ErrNotFound.
func mustAffect(res interface{ RowsAffected() (int64, error) }, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf(format+": %w", append(args, err)...)
	}
	if n == 0 {
		return fmt.Errorf(format+": %w", append(args, ErrNotFound)...)
	}
	return nil
}
