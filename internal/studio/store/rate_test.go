package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHitWindows(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, clk := openTestDB(t, d)
		const window, limit = time.Minute, 3
		// t0 is minute-aligned, so windows are [t0, t0+1m), [t0+1m, ...).
		steps := []struct {
			advance time.Duration
			key     string
			want    bool
		}{
			{0, "ip:1", true},
			{time.Second, "ip:1", true},
			{time.Second, "ip:1", true},
			{time.Second, "ip:1", false},
			{0, "ip:2", true}, // keys are independent
			{0, "ip:1", false},
			{57*time.Second - time.Millisecond, "ip:1", false}, // still the first window
			{time.Millisecond, "ip:1", true},                   // new window
		}
		for i, s := range steps {
			clk.Advance(s.advance)
			got, err := db.Hit(ctx, s.key, window, limit)
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Errorf("step %d (%s at +%v): allowed = %v, want %v", i, s.key, clk.Now().Sub(t0), got, s.want)
			}
		}
		for _, bad := range []struct {
			key    string
			window time.Duration
			limit  int
		}{{"", time.Minute, 1}, {"k", 0, 1}, {"k", time.Microsecond, 1}, {"k", time.Minute, -1}} {
			if _, err := db.Hit(ctx, bad.key, bad.window, bad.limit); !errors.Is(err, ErrInvalid) {
				t.Errorf("Hit(%q, %v, %d) err = %v, want ErrInvalid", bad.key, bad.window, bad.limit, err)
			}
		}
		if ok, err := db.Hit(ctx, "zero", time.Minute, 0); err != nil || ok {
			t.Errorf("limit 0: allowed=%v err=%v; want denied", ok, err)
		}
	})
}

func TestHitConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		const n, limit = 1000, 100
		var allowed atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				ok, err := db.Hit(ctx, "otp-send:email:a@x.sg", time.Hour, limit)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := allowed.Load(); got != limit {
			t.Fatalf("allowed %d of %d, want exactly %d", got, n, limit)
		}
	})
}

// Two handles on one database stand in for two processes sharing it:
// atomicity must then come from the database (SQLite: immediate
// transactions, busy timeout; PostgreSQL: row locks and atomic upserts), not
// from the per-handle single connection.
func TestHitAndConsumeAcrossHandles(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		path := testDSN(t, d)
		var dbs [2]*DB
		for i := range dbs {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Now = func() time.Time { return t0 }
			dbs[i] = db
		}
		db1, db2 := dbs[0], dbs[1]

		const email, code = "two@x.sg", "55"
		if err := db1.CreateOTP(ctx, email, HashOTP(otpKey, email, code), time.Minute); err != nil {
			t.Fatal(err)
		}
		var allowed, consumed atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for i := range 400 {
			db := db1
			if i%2 == 1 {
				db = db2
			}
			wg.Go(func() {
				ok, err := db.Hit(ctx, "shared", time.Hour, 50)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					allowed.Add(1)
				}
			})
			if i < 20 {
				wg.Go(func() {
					err := db.ConsumeOTP(ctx, email, OTPMatcher(otpKey, email, code), 100)
					switch {
					case err == nil:
						consumed.Add(1)
					case errors.Is(err, ErrNotFound), errors.Is(err, ErrOTPLocked):
					default:
						errs <- err
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := allowed.Load(); got != 50 {
			t.Errorf("allowed %d, want 50", got)
		}
		if got := consumed.Load(); got != 1 {
			t.Errorf("consumed %d, want 1", got)
		}
	})
}
