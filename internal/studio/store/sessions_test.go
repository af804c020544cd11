package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSessionToken(t *testing.T) {
	a, err := NewSessionToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSessionToken()
	if len(a) != 43 || a == b {
		t.Errorf("tokens %q, %q: want distinct 43-char base64url", a, b)
	}
}

func TestSessionsStoreOnlyHash(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		u := mustUser(t, db, "u@x.sg")
		tok := "raw-secret-token"
		if _, err := db.CreateSession(ctx, tok, u.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM sessions WHERE token_hash = ? OR CAST(token_hash AS TEXT) = ?`), []byte(tok), tok).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Error("raw token stored in sessions table")
		}
		if _, err := db.CreateSession(ctx, tok, u.ID, time.Hour); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate token err = %v, want ErrConflict", err)
		}
		if _, err := db.CreateSession(ctx, "t2", 9999, time.Hour); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user err = %v, want ErrNotFound", err)
		}
		if _, err := db.CreateSession(ctx, "", u.ID, time.Hour); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty token err = %v, want ErrInvalid", err)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		const (
			idle     = 30 * time.Minute
			absolute = 8 * time.Hour
		)
		// Each step advances the clock, optionally touches, then checks.
		type step struct {
			advance time.Duration
			touch   bool
			alive   bool
		}
		tests := []struct {
			name  string
			steps []step
		}{
			{"fresh", []step{{0, false, true}}},
			{"just inside idle", []step{{idle - time.Millisecond, false, true}}},
			{"idle expired", []step{{idle, false, false}}},
			{"touch keeps alive", []step{{20 * time.Minute, true, true}, {20 * time.Minute, false, true}, {20 * time.Minute, false, false}}},
			{"absolute wins over touches", func() []step {
				var s []step
				for i := 0; i < 31; i++ { // 31 * 15m = 7h45m
					s = append(s, step{15 * time.Minute, true, true})
				}
				return append(s, step{15 * time.Minute, false, false}) // 8h
			}()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				db, clk := openTestDB(t, d)
				u := mustUser(t, db, "u@x.sg")
				created, err := db.CreateSession(ctx, "tok", u.ID, absolute)
				if err != nil {
					t.Fatal(err)
				}
				want := Session{UserID: u.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(absolute)}
				if diff := cmp.Diff(want, created); diff != "" {
					t.Fatalf("CreateSession (-want +got):\n%s", diff)
				}
				for i, st := range tt.steps {
					clk.Advance(st.advance)
					if st.touch {
						if err := db.TouchSession(ctx, "tok"); err != nil {
							t.Fatalf("step %d: TouchSession: %v", i, err)
						}
					}
					s, err := db.SessionByToken(ctx, "tok", idle, absolute)
					if st.alive {
						if err != nil {
							t.Fatalf("step %d (t+%v): SessionByToken: %v", i, clk.Now().Sub(t0), err)
						}
						if s.UserID != u.ID {
							t.Fatalf("step %d: user %d", i, s.UserID)
						}
					} else if !errors.Is(err, ErrNotFound) {
						t.Fatalf("step %d (t+%v): err = %v, want ErrNotFound", i, clk.Now().Sub(t0), err)
					}
				}
			})
		}
	})
}

func TestSessionShortenedAbsoluteApplies(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, clk := openTestDB(t, d)
		u := mustUser(t, db, "u@x.sg")
		if _, err := db.CreateSession(ctx, "tok", u.ID, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Hour)
		if err := db.TouchSession(ctx, "tok"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionByToken(ctx, "tok", time.Hour, time.Hour); !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound under a shortened absolute timeout", err)
		}
	})
}

func TestSignOut(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		u := mustUser(t, db, "u@x.sg")
		other := mustUser(t, db, "o@x.sg")
		for _, tok := range []string{"a", "b", "c"} {
			if _, err := db.CreateSession(ctx, tok, u.ID, time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.CreateSession(ctx, "other", other.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		alive := func(tok string) bool {
			_, err := db.SessionByToken(ctx, tok, time.Hour, time.Hour)
			if err != nil && !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}

		if err := db.DeleteSession(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSession(ctx, "a"); err != nil {
			t.Errorf("second DeleteSession: %v (want idempotent)", err)
		}
		if alive("a") || !alive("b") {
			t.Error("DeleteSession removed the wrong session")
		}
		if err := db.TouchSession(ctx, "a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("TouchSession deleted err = %v", err)
		}

		n, err := db.DeleteUserSessions(ctx, u.ID)
		if err != nil || n != 2 {
			t.Fatalf("DeleteUserSessions = %d, %v; want 2", n, err)
		}
		if alive("b") || alive("c") {
			t.Error("sessions survived sign-out everywhere")
		}
		if !alive("other") {
			t.Error("another user's session was signed out")
		}
	})
}

func TestPrune(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, clk := openTestDB(t, d)
		u := mustUser(t, db, "u@x.sg")
		if _, err := db.CreateSession(ctx, "short", u.ID, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSession(ctx, "long", u.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateOTP(ctx, "u@x.sg", []byte("h"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Hit(ctx, "k", time.Minute, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Minute)
		if err := db.Prune(ctx); err != nil {
			t.Fatal(err)
		}
		count := func(table string) int {
			var n int
			if err := db.sql.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		got := map[string]int{"sessions": count("sessions"), "otp_codes": count("otp_codes"), "rate_counters": count("rate_counters")}
		want := map[string]int{"sessions": 1, "otp_codes": 0, "rate_counters": 0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows after Prune (-want +got):\n%s", diff)
		}
	})
}
