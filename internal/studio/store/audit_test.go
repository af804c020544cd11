package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuditAppendAndList(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, clk := openTestDB(t, d)
		u := mustUser(t, db, "admin@x.sg")
		s := mustSite(t, db, "moh")
		other := mustSite(t, db, "mof")

		var ids []int64
		for i := 0; i < 5; i++ {
			clk.Advance(time.Second)
			e, err := db.Append(ctx, AuditEntry{ActorUserID: &u.ID, SiteID: &s.ID, Action: ActionContentChange,
				Detail: json.RawMessage(`{"path":"pages/a.md"}`), Commit: "abc123"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		if _, err := db.Append(ctx, AuditEntry{SiteID: &other.ID, Action: ActionMemberAdded}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Append(ctx, AuditEntry{Action: ActionSignInFailed, Detail: json.RawMessage(`{"email":"x@y.sg"}`)}); err != nil {
			t.Fatal(err)
		}

		invalid := []AuditEntry{
			{Action: ""},
			{Action: "x", Detail: json.RawMessage(`{not json`)},
		}
		for _, e := range invalid {
			if _, err := db.Append(ctx, e); !errors.Is(err, ErrInvalid) {
				t.Errorf("Append(%+v) err = %v, want ErrInvalid", e, err)
			}
		}
		bad := int64(9999)
		if _, err := db.Append(ctx, AuditEntry{SiteID: &bad, Action: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("Append unknown site err = %v, want ErrNotFound", err)
		}

		page1, err := db.AuditForSite(ctx, s.ID, 3, 0)
		if err != nil {
			t.Fatal(err)
		}
		page2, err := db.AuditForSite(ctx, s.ID, 3, page1[len(page1)-1].ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, e := range append(page1, page2...) {
			got = append(got, e.ID)
		}
		want := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("paged ids (-want +got):\n%s", diff)
		}
		wantFirst := AuditEntry{ID: ids[4], At: t0.Add(5 * time.Second), ActorUserID: &u.ID, ActorEmail: "admin@x.sg",
			SiteID: &s.ID, Action: ActionContentChange, Detail: json.RawMessage(`{"path":"pages/a.md"}`), Commit: "abc123"}
		if diff := cmp.Diff(wantFirst, page1[0]); diff != "" {
			t.Errorf("entry (-want +got):\n%s", diff)
		}
		if _, err := db.AuditForSite(ctx, s.ID, 0, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("limit 0 err = %v", err)
		}
	})
}

func TestAuditAppendOnlyInDB(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		e, err := db.Append(ctx, AuditEntry{Action: ActionSignIn})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE audit_log SET action = 'forged' WHERE id = ?`,
			`DELETE FROM audit_log WHERE id = ?`,
		} {
			_, err := db.sql.ExecContext(ctx, db.rebind(q), e.ID)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only rejection", q, err)
			}
			if err := mapErr(err); !errors.Is(err, ErrAppendOnly) {
				t.Errorf("%s: mapErr = %v, want ErrAppendOnly", q, err)
			}
		}
		if d == dialectPostgres {
			// Row triggers do not fire on TRUNCATE; the statement trigger must.
			if _, err := db.sql.ExecContext(ctx, `TRUNCATE audit_log`); !errors.Is(mapErr(err), ErrAppendOnly) {
				t.Errorf("TRUNCATE: err = %v, want ErrAppendOnly", err)
			}
		}
		var action string
		if err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT action FROM audit_log WHERE id = ?`), e.ID).Scan(&action); err != nil || action != ActionSignIn {
			t.Errorf("row after rejected writes: %q, %v", action, err)
		}
	})
}

func TestWriteAuditCSV(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, clk := openTestDB(t, d)
		u := mustUser(t, db, "=cmd@x.sg")
		s := mustSite(t, db, "moh")
		entries := []AuditEntry{
			{ActorUserID: &u.ID, SiteID: &s.ID, Action: ActionMemberAdded, Detail: json.RawMessage(`{"role":"admin"}`)},
			{SiteID: &s.ID, Action: "+SUM(A1)", Commit: "-1"},
			{SiteID: &s.ID, Action: "@x", Detail: json.RawMessage(`"line1\nline2, \"q\""`), Commit: "deadbeef"},
			{SiteID: &s.ID, Action: "\tx"},
		}
		for _, e := range entries {
			clk.Advance(time.Second)
			if _, err := db.Append(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Append(ctx, AuditEntry{Action: "elsewhere"}); err != nil {
			t.Fatal(err)
		}

		var buf bytes.Buffer
		if err := db.WriteAuditCSV(ctx, &buf, s.ID); err != nil {
			t.Fatal(err)
		}
		want := "id,at,actor_user_id,actor_email,site_id,action,detail,commit\r\n" +
			"1,2026-03-01T09:00:01Z,1,'=cmd@x.sg,1,member.added,\"{\"\"role\"\":\"\"admin\"\"}\",\r\n" +
			"2,2026-03-01T09:00:02Z,,,1,'+SUM(A1),{},'-1\r\n" +
			"3,2026-03-01T09:00:03Z,,,1,'@x,\"\"\"line1\\nline2, \\\"\"q\\\"\"\"\"\",deadbeef\r\n" +
			"4,2026-03-01T09:00:04Z,,,1,'\tx,{},\r\n"
		if diff := cmp.Diff(want, buf.String()); diff != "" {
			t.Errorf("CSV (-want +got):\n%s", diff)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("output is not parseable CSV: %v", err)
		}
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("dangerous cell %q", cell)
				}
			}
		}
	})
}

func TestWriteAuditCSVPages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		s := mustSite(t, db, "big")
		const n = exportPage*2 + 7
		err := db.WithTx(ctx, func(tx *Tx) error {
			for i := 0; i < n; i++ {
				if _, err := tx.Append(ctx, AuditEntry{SiteID: &s.ID, Action: "content.changed"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := db.WriteAuditCSV(ctx, &buf, s.ID); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != n+1 {
			t.Fatalf("rows = %d, want %d (+ header)", len(recs), n+1)
		}
		if recs[1][0] != "1" || recs[n][0] != "1007" {
			t.Errorf("order: first %s last %s", recs[1][0], recs[n][0])
		}
	})
}
