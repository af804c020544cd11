package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/go-cmp/cmp"
)

// sessionData encodes values the way the session manager does.
func sessionData(t *testing.T, values map[string]any) []byte {
	t.Helper()
	b, err := scs.GobCodec{}.Encode(t0.Add(time.Hour), values)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSessionStoreFindCommitDelete(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		u := mustUser(t, db, "u@x.sg")
		if _, found, err := db.FindCtx(ctx, "tok"); err != nil || found {
			t.Fatalf("Find before Commit = %v, %v; want not found", found, err)
		}
		anon := sessionData(t, map[string]any{"note": "before sign-in"})
		if err := db.CommitCtx(ctx, "tok", anon, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, found, err := db.FindCtx(ctx, "tok")
		if err != nil || !found || !bytes.Equal(got, anon) {
			t.Fatalf("Find = %v, %v; want the committed data", found, err)
		}
		// A second Commit replaces data, expiry and user.
		signed := sessionData(t, map[string]any{SessionUserKey: u.ID})
		if err := db.CommitCtx(ctx, "tok", signed, t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := db.FindCtx(ctx, "tok"); !bytes.Equal(got, signed) {
			t.Error("Find after second Commit: old data")
		}
		// The context-free scs.Store methods are the same store.
		if got, found, err := db.Find("tok"); err != nil || !found || !bytes.Equal(got, signed) {
			t.Errorf("Find = %v, %v", found, err)
		}
		if err := db.Delete("tok"); err != nil {
			t.Fatal(err)
		}
		if _, found, err := db.FindCtx(ctx, "tok"); err != nil || found {
			t.Errorf("Find after Delete = %v, %v; want not found", found, err)
		}
		if err := db.DeleteCtx(ctx, "tok"); err != nil {
			t.Errorf("second Delete: %v", err)
		}
		if err := db.CommitCtx(ctx, "bad", []byte("not gob"), t0.Add(time.Hour)); err == nil {
			t.Error("Commit of undecodable data succeeded")
		}
	})
}

func TestSessionStoreExpiry(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, clk := openTestDB(t, d)
		if err := db.Commit("tok", sessionData(t, nil), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute - time.Millisecond)
		if _, found, _ := db.FindCtx(ctx, "tok"); !found {
			t.Error("session gone before its expiry")
		}
		clk.Advance(time.Millisecond)
		if _, found, err := db.FindCtx(ctx, "tok"); err != nil || found {
			t.Errorf("Find at expiry = %v, %v; want not found", found, err)
		}
	})
}

func TestSessionStoreOnlyHash(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		const tok = "raw-secret-token"
		if err := db.CommitCtx(ctx, tok, sessionData(t, nil), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var key []byte
		if err := db.sql.QueryRowContext(ctx, `SELECT token_hash FROM scs_sessions`).Scan(&key); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(key, []byte(tok)) || len(key) != 32 {
			t.Errorf("stored key %x: want a 32-byte SHA-256, not the token", key)
		}
	})
}

func TestDeleteUserSessions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		alice, bob := mustUser(t, db, "alice@x.sg"), mustUser(t, db, "bob@x.sg")
		commit := func(tok string, values map[string]any) {
			t.Helper()
			if err := db.CommitCtx(ctx, tok, sessionData(t, values), t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		commit("a1", map[string]any{SessionUserKey: alice.ID})
		commit("a2", map[string]any{SessionUserKey: alice.ID, "other": "x"})
		commit("b1", map[string]any{SessionUserKey: bob.ID})
		commit("anon", nil)
		n, err := db.DeleteUserSessions(ctx, alice.ID)
		if err != nil || n != 2 {
			t.Fatalf("DeleteUserSessions = %d, %v; want 2", n, err)
		}
		alive := map[string]bool{}
		for _, tok := range []string{"a1", "a2", "b1", "anon"} {
			_, alive[tok], _ = db.FindCtx(ctx, tok)
		}
		want := map[string]bool{"a1": false, "a2": false, "b1": true, "anon": true}
		if diff := cmp.Diff(want, alive); diff != "" {
			t.Errorf("sessions alive (-want +got):\n%s", diff)
		}
	})
}

func TestPrune(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, clk := openTestDB(t, d)
		if err := db.CommitCtx(ctx, "short", sessionData(t, nil), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.CommitCtx(ctx, "long", sessionData(t, nil), t0.Add(time.Hour)); err != nil {
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
		got := map[string]int{"scs_sessions": count("scs_sessions"), "otp_codes": count("otp_codes"), "rate_counters": count("rate_counters")}
		want := map[string]int{"scs_sessions": 1, "otp_codes": 0, "rate_counters": 0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows after Prune (-want +got):\n%s", diff)
		}
	})
}

// TestSessionStoreNoRevival: a request that loaded a session before it was
// ended, and saves it afterwards, does not bring it back.
func TestSessionStoreNoRevival(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		u := mustUser(t, db, "u@x.sg")
		data := sessionData(t, map[string]any{SessionUserKey: u.ID})
		for _, tok := range []string{"signed-out", "everywhere"} {
			if err := db.CommitCtx(ctx, tok, data, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.DeleteCtx(ctx, "signed-out"); err != nil {
			t.Fatal(err)
		}
		if n, err := db.DeleteUserSessions(ctx, u.ID); err != nil || n != 1 {
			t.Fatalf("DeleteUserSessions = %d, %v; want 1 (the signed-out one is already ended)", n, err)
		}
		for _, tok := range []string{"signed-out", "everywhere"} {
			if err := db.CommitCtx(ctx, tok, data, t0.Add(time.Hour)); err != nil {
				t.Fatalf("late Commit of %s: %v", tok, err)
			}
			if _, found, err := db.FindCtx(ctx, tok); err != nil || found {
				t.Errorf("%s: Find after a late Commit = %v, %v; want not found", tok, found, err)
			}
		}
		var data2 []byte
		if err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT data FROM scs_sessions WHERE token_hash = ?`), sessionKey("everywhere")).Scan(&data2); err != nil {
			t.Fatal(err)
		}
		if len(data2) != 0 {
			t.Error("an ended session kept its data")
		}
	})
}
