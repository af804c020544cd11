package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

var otpKey = []byte("test-hmac-key")

func otpAttempts(t *testing.T, db *DB, email string) (attempts int, used bool) {
	t.Helper()
	err := db.sql.QueryRowContext(context.Background(),
		db.rebind(`SELECT attempts, used FROM otp_codes WHERE email = ? ORDER BY id DESC LIMIT 1`), email).Scan(&attempts, &used)
	if err != nil {
		t.Fatal(err)
	}
	return attempts, used
}

func TestHashOTP(t *testing.T) {
	a := HashOTP(otpKey, "A@x.sg", "123456")
	if len(a) != 32 {
		t.Fatalf("len = %d, want 32", len(a))
	}
	if !OTPMatcher(otpKey, "a@x.sg", "123456")(a) {
		t.Error("matcher rejects same email (different case) and code")
	}
	for _, m := range []func([]byte) bool{
		OTPMatcher(otpKey, "b@x.sg", "123456"),
		OTPMatcher(otpKey, "a@x.sg", "123457"),
		OTPMatcher([]byte("other"), "a@x.sg", "123456"),
	} {
		if m(a) {
			t.Error("matcher accepts a different email, code or key")
		}
	}
}

func TestConsumeOTP(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		const (
			email = "ed@x.sg"
			code  = "424242"
			ttl   = 5 * time.Minute
			max   = 3
		)
		type try struct {
			advance time.Duration
			code    string
			wantErr error // nil means success
		}
		tests := []struct {
			name  string
			tries []try
		}{
			{"right code", []try{{0, code, nil}}},
			{"single use", []try{{0, code, nil}, {0, code, ErrNotFound}}},
			{"wrong then right", []try{{0, "000000", ErrOTPMismatch}, {0, code, nil}}},
			{"lockout", []try{
				{0, "1", ErrOTPMismatch}, {0, "2", ErrOTPMismatch}, {0, "3", ErrOTPMismatch},
				{0, code, ErrOTPLocked}, {0, code, ErrOTPLocked},
			}},
			{"last attempt can succeed", []try{{0, "1", ErrOTPMismatch}, {0, "2", ErrOTPMismatch}, {0, code, nil}}},
			{"expired", []try{{ttl, code, ErrNotFound}}},
			{"just before expiry", []try{{ttl - time.Millisecond, code, nil}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				db, clk := openTestDB(t, d)
				if err := db.CreateOTP(ctx, "ED@x.sg", HashOTP(otpKey, email, code), ttl); err != nil {
					t.Fatal(err)
				}
				for i, tr := range tt.tries {
					clk.Advance(tr.advance)
					err := db.ConsumeOTP(ctx, email, OTPMatcher(otpKey, email, tr.code), max)
					if (tr.wantErr == nil) != (err == nil) || (tr.wantErr != nil && !errors.Is(err, tr.wantErr)) {
						t.Fatalf("try %d (%q): err = %v, want %v", i, tr.code, err, tr.wantErr)
					}
				}
			})
		}
	})
}

func TestConsumeOTPAttemptsCounted(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		if err := db.CreateOTP(ctx, "a@x.sg", HashOTP(otpKey, "a@x.sg", "111111"), time.Minute); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 2; i++ {
			if err := db.ConsumeOTP(ctx, "a@x.sg", OTPMatcher(otpKey, "a@x.sg", "999999"), 5); !errors.Is(err, ErrOTPMismatch) {
				t.Fatalf("err = %v", err)
			}
			if n, used := otpAttempts(t, db, "a@x.sg"); n != i || used {
				t.Fatalf("after %d wrong tries: attempts=%d used=%v", i, n, used)
			}
		}
		if err := db.ConsumeOTP(ctx, "a@x.sg", OTPMatcher(otpKey, "a@x.sg", "111111"), 5); err != nil {
			t.Fatal(err)
		}
		if n, used := otpAttempts(t, db, "a@x.sg"); n != 3 || !used {
			t.Fatalf("after success: attempts=%d used=%v; want 3 true", n, used)
		}
		// A locked-out check changes nothing.
		if err := db.CreateOTP(ctx, "b@x.sg", HashOTP(otpKey, "b@x.sg", "1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		_ = db.ConsumeOTP(ctx, "b@x.sg", OTPMatcher(otpKey, "b@x.sg", "2"), 1)
		_ = db.ConsumeOTP(ctx, "b@x.sg", OTPMatcher(otpKey, "b@x.sg", "2"), 1)
		if n, _ := otpAttempts(t, db, "b@x.sg"); n != 1 {
			t.Errorf("attempts after lockout = %d, want 1", n)
		}
	})
}

func TestCreateOTPSupersedesOlder(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		if err := db.CreateOTP(ctx, "a@x.sg", HashOTP(otpKey, "a@x.sg", "old"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateOTP(ctx, "a@x.sg", HashOTP(otpKey, "a@x.sg", "new"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.ConsumeOTP(ctx, "a@x.sg", OTPMatcher(otpKey, "a@x.sg", "old"), 5); !errors.Is(err, ErrOTPMismatch) {
			t.Errorf("old code err = %v, want ErrOTPMismatch", err)
		}
		if err := db.ConsumeOTP(ctx, "a@x.sg", OTPMatcher(otpKey, "a@x.sg", "new"), 5); err != nil {
			t.Errorf("new code: %v", err)
		}
		for _, bad := range []struct {
			email string
			hash  []byte
			ttl   time.Duration
		}{{"", []byte("h"), time.Minute}, {"a@x.sg", nil, time.Minute}, {"a@x.sg", []byte("h"), 0}} {
			if err := db.CreateOTP(ctx, bad.email, bad.hash, bad.ttl); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateOTP(%q, %q, %v) err = %v, want ErrInvalid", bad.email, bad.hash, bad.ttl, err)
			}
		}
		if err := db.CreateOTP(ctx, "c@x.sg", HashOTP(otpKey, "c@x.sg", "123"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.ConsumeOTP(ctx, "d@x.sg", OTPMatcher(otpKey, "d@x.sg", "123"), 5); !errors.Is(err, ErrNotFound) {
			t.Errorf("code for another address err = %v, want ErrNotFound", err)
		}
		if err := db.ConsumeOTP(ctx, "a@x.sg", nil, 5); !errors.Is(err, ErrInvalid) {
			t.Errorf("nil matcher err = %v", err)
		}
	})
}

func TestConsumeOTPConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		const email, code = "race@x.sg", "777777"
		if err := db.CreateOTP(ctx, email, HashOTP(otpKey, email, code), time.Minute); err != nil {
			t.Fatal(err)
		}
		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = db.ConsumeOTP(ctx, email, OTPMatcher(otpKey, email, code), 100)
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrNotFound), errors.Is(err, ErrOTPLocked):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d concurrent ConsumeOTP succeeded, want exactly 1", ok, n)
		}
	})
}

// Concurrent CreateOTPs for one address must leave exactly one live code
// (on PostgreSQL this relies on the advisory lock in CreateOTP).
func TestCreateOTPConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = db.CreateOTP(ctx, "many@x.sg", HashOTP(otpKey, "many@x.sg", "c"), time.Minute)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var live int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM otp_codes WHERE email = ? AND used = FALSE`, "many@x.sg").Scan(&live); err != nil {
			t.Fatal(err)
		}
		if live != 1 {
			t.Fatalf("%d live codes after %d concurrent CreateOTP, want 1", live, n)
		}
	})
}
