-- Studio identity, membership, auth and audit schema (SQLite flavour).
--
-- Portability notes (a PostgreSQL twin lives/will live in migrations/postgres):
--   * timestamps are BIGINT Unix milliseconds (UTC), compared numerically, so
--     both engines and the Go fake clock agree without driver time parsing;
--   * booleans are BOOLEAN with TRUE/FALSE literals (SQLite >= 3.23 and PG);
--   * ids are INTEGER PRIMARY KEY here, BIGINT GENERATED ... AS IDENTITY on PG;
--     inserts use RETURNING (SQLite >= 3.35 and PG), never LastInsertId.

-- +goose Up
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
    name           TEXT    NOT NULL DEFAULT '',
    platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT  NOT NULL
);

CREATE TABLE sites (
    id         INTEGER PRIMARY KEY,
    slug       TEXT   NOT NULL UNIQUE CHECK (slug <> ''),
    title      TEXT   NOT NULL DEFAULT '',
    repo_path  TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE members (
    site_id    BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT   NOT NULL CHECK (role IN ('admin', 'contributor')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX members_user_idx ON members (user_id);

-- token_hash is SHA-256 of the bearer token; the raw token is never stored.
CREATE TABLE sessions (
    token_hash   BLOB   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- code_hash is HMAC-SHA256(server key, code); the code itself is never stored.
CREATE TABLE otp_codes (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL CHECK (email = lower(email)),
    code_hash  BLOB    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX otp_codes_email_idx ON otp_codes (email, id);

-- Fixed-window counters shared by all nodes (send limits per email / per IP).
CREATE TABLE rate_counters (
    bucket       TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_counters_expires_idx ON rate_counters (expires_at);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id),
    site_id       BIGINT REFERENCES sites (id),
    action        TEXT   NOT NULL CHECK (action <> ''),
    detail        TEXT   NOT NULL DEFAULT '{}',
    commit_sha    TEXT
);
CREATE INDEX audit_log_site_idx ON audit_log (site_id, id);

-- Append-only at the database level too, so a bug or a hand-written query
-- cannot rewrite history. (PostgreSQL: a trigger function raising an
-- exception, plus REVOKE UPDATE, DELETE from the application role.)
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
DROP TABLE rate_counters;
DROP TABLE otp_codes;
DROP TABLE sessions;
DROP TABLE members;
DROP TABLE sites;
DROP TABLE users;
