-- Sessions move to github.com/alexedwards/scs: the session manager owns the
-- token, the timeouts and the encoded values; the store keeps the row.
-- Sessions are transient, so the old table is dropped, not migrated: everyone
-- signs in once more.

-- +goose Up
DROP TABLE sessions;

-- token_hash is SHA-256 of the bearer token; the raw token is never stored.
-- data is scs's gob encoding of the session. user_id is copied out of it at
-- commit (NULL before sign-in) so that one user's sessions can be ended.
-- An ended session stays as a tombstone (ended, data emptied) until it
-- expires, so that a request still in flight cannot save it back to life.
CREATE TABLE scs_sessions (
    token_hash BLOB   PRIMARY KEY,
    data       BLOB   NOT NULL,
    expiry     BIGINT NOT NULL,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    ended      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX scs_sessions_user_idx ON scs_sessions (user_id);
CREATE INDEX scs_sessions_expiry_idx ON scs_sessions (expiry);

-- +goose Down
DROP TABLE scs_sessions;

CREATE TABLE sessions (
    token_hash   BLOB   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
