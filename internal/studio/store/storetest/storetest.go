// Package storetest gives tests fresh Studio databases: SQLite files in a
// temporary folder, and PostgreSQL databases on the server named by
// $ISOMER_TEST_POSTGRES (which must allow CREATE DATABASE). Without that
// variable the PostgreSQL variants are skipped, except under CI=true, where
// silently testing only SQLite would hide breakage.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Engines names the databases every Studio test runs on.
var Engines = []string{"sqlite", "postgres"}

// ForEach runs fn as one subtest per engine with a fresh, empty database.
func ForEach(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e, func(t *testing.T) { fn(t, DSN(t, e)) })
	}
}

// DSN returns a DSN for a fresh, empty database of engine ("sqlite" or
// "postgres"), removed when the test ends.
func DSN(t testing.TB, engine string) string {
	t.Helper()
	if engine == "sqlite" {
		return filepath.Join(t.TempDir(), "studio.db")
	}
	admin := os.Getenv("ISOMER_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ISOMER_TEST_POSTGRES is not set; CI must run the PostgreSQL variants")
		}
		t.Skip("ISOMER_TEST_POSTGRES not set; skipping PostgreSQL variant")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("ISOMER_TEST_POSTGRES: %v", err)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	// Hex only, so the name is a safe unquoted identifier.
	name := "isomer_test_" + hex.EncodeToString(rnd[:])
	ctx := context.Background()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		adb.Close()
		t.Fatalf("create test database: %v", err)
	}
	// Registered before the test opens its database, so it runs after that
	// database's Close (cleanups are LIFO); FORCE covers connections a
	// failed test left.
	t.Cleanup(func() {
		defer adb.Close()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
