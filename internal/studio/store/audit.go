package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Audit actions used by Studio. Action is free text in the schema so new
// ones need no migration; these constants keep spelling consistent.
const (
	ActionSignIn        = "auth.sign_in"
	ActionSignInFailed  = "auth.sign_in_failed"
	ActionSignOutAll    = "auth.sign_out_everywhere"
	ActionMemberAdded   = "member.added"
	ActionMemberRemoved = "member.removed"
	ActionMemberRole    = "member.role_changed"
	ActionContentChange = "content.changed"
)

// AuditEntry is one audit-log row. The log is append-only: this package has
// no update or delete method for it, and the database rejects UPDATE and
// DELETE on the table (triggers in the initial migration of each dialect;
// mapErr reports the rejection as ErrAppendOnly).
type AuditEntry struct {
	ID          int64
	At          time.Time
	ActorUserID *int64          // nil for system actions and unknown users
	ActorEmail  string          // filled on read from users, for display
	SiteID      *int64          // nil for platform-level events (e.g. sign-in)
	Action      string          // e.g. ActionContentChange
	Detail      json.RawMessage // JSON object; "{}" when empty
	Commit      string          // git commit of a content change, or ""
}

// Append writes an entry, stamping ID and At, and returns it. Detail must be
// valid JSON (empty means {}). Use it on a Tx to commit an entry together
// with the change it records.
func (o ops) Append(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if e.Action == "" {
		return AuditEntry{}, fmt.Errorf("store: audit append: %w: empty action", ErrInvalid)
	}
	if len(e.Detail) == 0 {
		e.Detail = json.RawMessage("{}")
	}
	if !json.Valid(e.Detail) {
		return AuditEntry{}, fmt.Errorf("store: audit append: %w: detail is not JSON", ErrInvalid)
	}
	e.At = fromMS(ms(o.now()))
	var commit sql.NullString
	if e.Commit != "" {
		commit = sql.NullString{String: e.Commit, Valid: true}
	}
	err := o.queryRow(ctx, `INSERT INTO audit_log (at, actor_user_id, site_id, action, detail, commit_sha)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		ms(e.At), nullInt(e.ActorUserID), nullInt(e.SiteID), e.Action, string(e.Detail), commit).Scan(&e.ID)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("store: audit append %s: %w", e.Action, mapErr(err))
	}
	return e, nil
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

const auditSelect = `SELECT a.id, a.at, a.actor_user_id, COALESCE(u.email, ''), a.site_id, a.action, a.detail, a.commit_sha
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id `

func scanAudit(rows *sql.Rows) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	var actor, site sql.NullInt64
	var detail string
	var commit sql.NullString
	if err := rows.Scan(&e.ID, &at, &actor, &e.ActorEmail, &site, &e.Action, &detail, &commit); err != nil {
		return AuditEntry{}, err
	}
	e.At, e.Detail, e.Commit = fromMS(at), json.RawMessage(detail), commit.String
	if actor.Valid {
		e.ActorUserID = &actor.Int64
	}
	if site.Valid {
		e.SiteID = &site.Int64
	}
	return e, nil
}

func (o ops) auditQuery(ctx context.Context, q string, args ...any) ([]AuditEntry, error) {
	rows, err := o.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditForSite returns up to limit entries for a site (siteID 0: all
// entries, platform-level ones included), newest first, with id < before
// (before <= 0 means from the newest). Pass the last returned ID as the
// next before to page backwards.
func (o ops) AuditForSite(ctx context.Context, siteID int64, limit int, before int64) ([]AuditEntry, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: audit for site: %w: limit %d", ErrInvalid, limit)
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	es, err := o.auditQuery(ctx, auditSelect+`WHERE (? = 0 OR a.site_id = ?) AND a.id < ? ORDER BY a.id DESC LIMIT ?`, siteID, siteID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit for site %d: %w", siteID, err)
	}
	return es, nil
}

// auditCSVHeader is the stable column order of WriteAuditCSV (a function,
// not a var, so nothing can mutate it).
func auditCSVHeader() []string {
	return []string{"id", "at", "actor_user_id", "actor_email", "site_id", "action", "detail", "commit"}
}

// exportPage bounds how many rows are read per query while exporting: the
// SQLite pool has one connection, so holding a cursor open while writing to
// a slow client would stall every other request.
const exportPage = 500

// WriteAuditCSV writes a site's whole audit log (siteID 0: every entry,
// platform-level ones such as sign-ins included) to w as RFC 4180 CSV (CRLF
// line ends, header row, oldest first, columns as auditCSVHeader). Cells
// that a spreadsheet would run as a formula (leading = + - @, tab or CR) are
// prefixed with a single quote.
func (o ops) WriteAuditCSV(ctx context.Context, w io.Writer, siteID int64) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(auditCSVHeader()); err != nil {
		return fmt.Errorf("store: audit csv: %w", err)
	}
	var after int64
	for {
		es, err := o.auditQuery(ctx, auditSelect+`WHERE (? = 0 OR a.site_id = ?) AND a.id > ? ORDER BY a.id ASC LIMIT ?`, siteID, siteID, after, exportPage)
		if err != nil {
			return fmt.Errorf("store: audit csv site %d: %w", siteID, err)
		}
		for _, e := range es {
			rec := []string{
				strconv.FormatInt(e.ID, 10),
				e.At.Format(time.RFC3339Nano),
				optInt(e.ActorUserID),
				e.ActorEmail,
				optInt(e.SiteID),
				e.Action,
				string(e.Detail),
				e.Commit,
			}
			for i := range rec {
				rec[i] = csvSafe(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("store: audit csv: %w", err)
			}
			after = e.ID
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("store: audit csv: %w", err)
		}
		if len(es) < exportPage {
			return nil
		}
	}
}

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// csvSafe neutralises spreadsheet formula injection (CWE-1236).
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// AuditedCommits returns the set of commits of a site that have an audit
// entry, so Studio can find content changes whose entry a crash lost (the
// commit lands first, its entry right after).
func (o ops) AuditedCommits(ctx context.Context, siteID int64) (map[string]bool, error) {
	rows, err := o.query(ctx, `SELECT commit_sha FROM audit_log WHERE site_id = ? AND commit_sha <> ''`, siteID)
	if err != nil {
		return nil, fmt.Errorf("store: audited commits of site %d: %w", siteID, err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("store: audited commits of site %d: %w", siteID, err)
		}
		seen[c] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audited commits of site %d: %w", siteID, err)
	}
	return seen, nil
}
