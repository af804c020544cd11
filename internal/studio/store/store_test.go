package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"isomer.dev/isomer/internal/studio/store/storetest"
)

// fakeClock is a settable clock safe for concurrent reads.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testDialects are the databases every store test runs on, as subtests
// named by dialect.
func testDialects() []dialect { return []dialect{dialectSQLite, dialectPostgres} }

func forEachDialect(t *testing.T, fn func(t *testing.T, d dialect)) {
	t.Helper()
	for _, d := range testDialects() {
		t.Run(d.String(), func(t *testing.T) { fn(t, d) })
	}
}

// testDSN returns a DSN for a fresh, empty database of dialect d.
func testDSN(t *testing.T, d dialect) string {
	t.Helper()
	return storetest.DSN(t, d.String())
}

// openTestDB opens a fresh database of dialect d with a fake clock at t0.
func openTestDB(t *testing.T, d dialect) (*DB, *fakeClock) {
	t.Helper()
	db, err := Open(context.Background(), testDSN(t, d))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if db.dialect() != d {
		t.Fatalf("Open chose dialect %v, want %v", db.dialect(), d)
	}
	t.Cleanup(func() { db.Close() })
	clk := &fakeClock{t: t0}
	db.Now = clk.Now
	return db, clk
}

func mustUser(t *testing.T, db *DB, email string) User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), email, "")
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

func mustSite(t *testing.T, db *DB, slug string) Site {
	t.Helper()
	s, err := db.CreateSite(context.Background(), slug, slug+" title", "repos/"+slug)
	if err != nil {
		t.Fatalf("CreateSite(%q): %v", slug, err)
	}
	return s
}

func TestOpenTwiceIsIdempotent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		path := testDSN(t, d)
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, "a@example.gov.sg", "A"); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = Open(ctx, path)
		if err != nil {
			t.Fatalf("second Open: %v", err)
		}
		defer db.Close()
		if _, err := db.UserByEmail(ctx, "a@example.gov.sg"); err != nil {
			t.Fatalf("data lost across reopen: %v", err)
		}
		if d != dialectSQLite {
			return
		}
		var mode string
		if err := db.sql.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		var fk int
		if err := db.sql.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
		}
	})
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := Open(context.Background(), ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open(\"\") err = %v, want ErrInvalid", err)
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		d    dialect
		in   string
		want string
	}{
		{dialectSQLite, "SELECT ? , ?", "SELECT ? , ?"},
		{dialectPostgres, "SELECT a FROM t WHERE x = ? AND y = ?", "SELECT a FROM t WHERE x = $1 AND y = $2"},
		{dialectPostgres, "SELECT '?', ? FROM t", "SELECT '?', $1 FROM t"},
		{dialectPostgres, "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{dialectPostgres, "SELECT 1", "SELECT 1"},
	}
	for _, tt := range tests {
		if got := rebind(tt.d, tt.in); got != tt.want {
			t.Errorf("rebind(%d, %q) = %q, want %q", tt.d, tt.in, got, tt.want)
		}
	}
}

func TestWithTx(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		boom := errors.New("boom")
		err := db.WithTx(ctx, func(tx *Tx) error {
			if _, err := tx.CreateUser(ctx, "rolled@back.sg", ""); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithTx err = %v, want boom", err)
		}
		if _, err := db.UserByEmail(ctx, "rolled@back.sg"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("rolled-back user visible: err = %v", err)
		}

		err = db.WithTx(ctx, func(tx *Tx) error {
			u, err := tx.CreateUser(ctx, "kept@x.sg", "")
			if err != nil {
				return err
			}
			s, err := tx.CreateSite(ctx, "kept", "", "")
			if err != nil {
				return err
			}
			if err := tx.AddMember(ctx, s.ID, u.ID, RoleAdmin); err != nil {
				return err
			}
			_, err = tx.Append(ctx, AuditEntry{ActorUserID: &u.ID, SiteID: &s.ID, Action: ActionMemberAdded})
			return err
		})
		if err != nil {
			t.Fatalf("WithTx: %v", err)
		}
		s, err := db.SiteBySlug(ctx, "kept")
		if err != nil {
			t.Fatal(err)
		}
		if es, err := db.AuditForSite(ctx, s.ID, 10, 0); err != nil || len(es) != 1 {
			t.Fatalf("AuditForSite = %d entries, %v; want 1", len(es), err)
		}

		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic not re-raised")
				}
			}()
			_ = db.WithTx(ctx, func(tx *Tx) error {
				if _, err := tx.CreateUser(ctx, "panic@x.sg", ""); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if _, err := db.UserByEmail(ctx, "panic@x.sg"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("user from panicking tx visible: err = %v", err)
		}
	})
}

func TestIsPostgresDSN(t *testing.T) {
	for dsn, want := range map[string]bool{
		"postgres://u@h/db":            true,
		"postgresql://u@h:5432/db?x=1": true,
		"/var/lib/studio/studio.db":    false,
		"file:studio.db?mode=rwc":      false,
		"data/postgres://not-a-url.db": false,
	} {
		if got := isPostgresDSN(dsn); got != want {
			t.Errorf("isPostgresDSN(%q) = %v, want %v", dsn, got, want)
		}
	}
}

// Studio nodes starting together must not race on migrations (PostgreSQL
// only: SQLite is one node's local file).
func TestOpenConcurrentMigrations(t *testing.T) {
	dsn := testDSN(t, dialectPostgres)
	ctx := context.Background()
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			db, err := Open(ctx, dsn)
			if err == nil {
				_, err = db.CreateSite(ctx, "s"+string(rune('a'+i)), "", "")
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
}
