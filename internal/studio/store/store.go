// Package store is Studio's relational persistence: users, sites, site
// members, sessions, email one-time passwords, shared rate counters and the
// append-only audit log.
//
// It uses plain database/sql. The embedded default is SQLite
// (modernc.org/sqlite, pure Go) in a data directory; a postgres:// DSN
// selects PostgreSQL (pgx's database/sql driver). The same queries run on
// both:
//
//   - every query is written with '?' placeholders and passes through
//     [rebind], the single place that knows the dialect ('?' -> '$n' on
//     PostgreSQL);
//   - inserts use RETURNING, upserts use ON CONFLICT ... DO UPDATE, both
//     supported by SQLite >= 3.35 and PostgreSQL;
//   - timestamps are BIGINT Unix milliseconds, booleans are BOOLEAN;
//   - driver-specific error codes are mapped to sentinel errors in one place
//     ([mapErr]);
//   - schema migrations are per-dialect .sql files embedded in the binary and
//     applied at Open by a goose Provider (instance-based, no goose globals).
//
// Methods are defined once and available both on [DB] and on [Tx] (see
// [DB.WithTx]), so a content change and its audit entry can commit together.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrationsFS embed.FS

// Sentinel errors. Callers test with errors.Is; the wrapped message carries
// the detail.
var (
	// ErrNotFound: the row does not exist (or a referenced row does not).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique constraint was violated (duplicate email, slug,
	// membership, ...).
	ErrConflict = errors.New("store: already exists")
	// ErrInvalid: the caller passed an argument the store refuses.
	ErrInvalid = errors.New("store: invalid argument")
	// ErrAppendOnly: the database rejected an UPDATE, DELETE or TRUNCATE of
	// the audit log.
	ErrAppendOnly = errors.New("store: audit log is append-only")
)

// dialect names the SQL flavour, chosen by Open from the DSN.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	switch d {
	case dialectSQLite:
		return "sqlite"
	case dialectPostgres:
		return "postgres"
	}
	return "dialect(" + strconv.Itoa(int(d)) + ")"
}

// DB is a Studio database handle. It is safe for concurrent use.
type DB struct {
	ops
	// Now is the clock used for every timestamp and expiry check. Tests
	// replace it; it defaults to time.Now. Set it before concurrent use.
	Now func() time.Time

	sql *sql.DB
	d   dialect
}

// Tx is a transaction opened by [DB.WithTx]. It offers the same methods as
// DB. It must not be used after the callback returns, and the callback must
// not call methods on the DB itself: on SQLite the single connection is held
// by the transaction, so such a call would block until ctx is done; on
// PostgreSQL it would run outside the transaction (and could wait on the
// transaction's own row locks).
type Tx struct {
	ops
}

// runner is what *sql.DB and *sql.Tx have in common.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ops carries the shared method set. db is always set (for the clock and to
// begin transactions); tx is set only inside WithTx.
type ops struct {
	db *DB
	tx *sql.Tx
}

func (o ops) r() runner {
	if o.tx != nil {
		return o.tx
	}
	return o.db.sql
}

func (o ops) now() time.Time {
	if o.db.Now == nil {
		return time.Now()
	}
	return o.db.Now()
}

func (o ops) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return o.r().ExecContext(ctx, o.db.rebind(q), args...)
}

func (o ops) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return o.r().QueryContext(ctx, o.db.rebind(q), args...)
}

func (o ops) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return o.r().QueryRowContext(ctx, o.db.rebind(q), args...)
}

// atomic runs fn in a transaction: the caller's one if already inside
// WithTx, otherwise a new one. Methods whose correctness needs several
// statements to commit together (ConsumeOTP, CreateOTP) use it.
func (o ops) atomic(ctx context.Context, fn func(o ops) error) error {
	if o.tx != nil {
		return fn(o)
	}
	return o.db.WithTx(ctx, func(tx *Tx) error { return fn(tx.ops) })
}

// Open opens a Studio database and applies pending migrations. A DSN
// starting with postgres:// or postgresql:// opens PostgreSQL (the database
// must exist; the schema is created). Anything else is the SQLite database
// file in Studio's data directory, created if needed; a "file:" URI with
// extra query parameters is also accepted.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, fmt.Errorf("store: open: %w: empty path", ErrInvalid)
	}
	var (
		db  *DB
		err error
	)
	if isPostgresDSN(dsn) {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("store: open %s: %w", db.name(dsn), err)
	}
	if err := db.migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// name is how errors refer to the database: the SQLite path, but never a
// PostgreSQL DSN, which may carry a password.
func (db *DB) name(dsn string) string {
	if db.d == dialectPostgres {
		return "postgres"
	}
	return dsn
}

func openSQLite(path string) (*DB, error) {
	dsn := path
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	// WAL lets readers proceed during a write and survives crashes well;
	// busy_timeout absorbs lock waits from other processes (e.g. a backup
	// tool); foreign keys are off by default in SQLite; _txlock=immediate
	// takes the write lock at BEGIN so read-then-write transactions cannot
	// deadlock on lock upgrade.
	dsn += sep + "_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_txlock=immediate"

	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// SQLite has a single writer. One connection serialises all access in
	// this process, which makes every statement and transaction trivially
	// atomic and avoids SQLITE_BUSY storms; Studio's load is small. The cost:
	// a method on DB called from inside a WithTx callback would wait for the
	// connection held by the transaction forever, so inside WithTx use only
	// the Tx.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	return newDB(sqldb, dialectSQLite), nil
}

// openPostgres uses the default READ COMMITTED isolation. Correctness under
// concurrency comes from single atomic statements (Hit's upsert) and guarded
// UPDATEs whose row locks make a concurrent writer re-check the guard
// (ConsumeOTP), plus an advisory lock where there is no row to lock
// (CreateOTP); see those methods.
func openPostgres(dsn string) (*DB, error) {
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	// A real pool: PostgreSQL handles concurrent writers itself. Bounded so
	// several Studio nodes stay well under the server's max_connections
	// (default 100); recycled so failovers and server-side limits heal.
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(10)
	sqldb.SetConnMaxLifetime(30 * time.Minute)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return newDB(sqldb, dialectPostgres), nil
}

func newDB(sqldb *sql.DB, d dialect) *DB {
	db := &DB{Now: time.Now, sql: sqldb, d: d}
	db.ops = ops{db: db}
	return db
}

func (db *DB) migrate(ctx context.Context) error {
	dir, gd := "migrations/sqlite", goose.DialectSQLite3
	if db.d == dialectPostgres {
		dir, gd = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrationsFS, dir)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	// WithDisableGlobalRegistry: no Go migrations registered by other
	// packages may leak in; the provider sees only our embedded files.
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if db.d == dialectPostgres {
		// Several Studio nodes may start at once against one server; a
		// session advisory lock makes them apply migrations one at a time.
		// (SQLite: the database write lock already serialises them.)
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("store: migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	p, err := goose.NewProvider(gd, db.sql, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// WithTx runs fn in a transaction, committing if fn returns nil and rolling
// back otherwise (including on panic, which is re-raised). Inside fn use only
// tx; see the note on Tx.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqltx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{ops: ops{db: db, tx: sqltx}}
	defer func() {
		if p := recover(); p != nil {
			_ = sqltx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqltx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqltx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}
	return nil
}

// Prune deletes rows that can never matter again: expired sessions (and
// the tombstones of ended ones), expired or used OTP codes and finished
// rate-counter windows. Run it periodically;
// correctness never depends on it.
func (o ops) Prune(ctx context.Context) error {
	now := o.now().UnixMilli()
	for _, q := range []string{
		`DELETE FROM scs_sessions WHERE expiry <= ?`,
		`DELETE FROM otp_codes WHERE expires_at <= ? OR used = TRUE`,
		`DELETE FROM rate_counters WHERE expires_at <= ?`,
	} {
		if _, err := o.exec(ctx, q, now); err != nil {
			return fmt.Errorf("store: prune: %w", err)
		}
	}
	return nil
}

// rebind rewrites '?' placeholders into the dialect's form: on PostgreSQL
// '?' becomes $1, $2...
// Question marks inside single-quoted literals are left alone; our queries
// never use '?' as an operator (so the PostgreSQL JSON '?' operator is off
// limits in this package).
func (db *DB) rebind(q string) string { return rebind(db.dialect(), q) }

func (db *DB) dialect() dialect { return db.d }

func rebind(d dialect, q string) string {
	if d != dialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n, inQuote := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote // '' escapes toggle twice: still correct
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mapErr translates driver constraint errors into sentinels, keeping the
// original error in the chain.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: referenced row: %w", ErrNotFound, err)
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			if strings.Contains(se.Error(), "audit_log is append-only") {
				return fmt.Errorf("%w: %w", ErrAppendOnly, err)
			}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: referenced row: %w", ErrNotFound, err)
		case "23001": // restrict_violation, raised by audit_log_append_only()
			if pe.TableName == "audit_log" {
				return fmt.Errorf("%w: %w", ErrAppendOnly, err)
			}
		}
	}
	return err
}

func ms(t time.Time) int64      { return t.UnixMilli() }
func fromMS(v int64) time.Time  { return time.UnixMilli(v).UTC() }
func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }
