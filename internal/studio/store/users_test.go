package store

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUsers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)

		u, err := db.CreateUser(ctx, "  Alice@Example.GOV.sg ", "Alice")
		if err != nil {
			t.Fatal(err)
		}
		want := User{ID: u.ID, Email: "alice@example.gov.sg", Name: "Alice", CreatedAt: t0}
		if diff := cmp.Diff(want, u); diff != "" {
			t.Errorf("CreateUser mismatch (-want +got):\n%s", diff)
		}

		tests := []struct {
			name    string
			create  string
			wantErr error
		}{
			{"duplicate exact", "alice@example.gov.sg", ErrConflict},
			{"duplicate other case", "ALICE@example.gov.sg", ErrConflict},
			{"empty", "   ", ErrInvalid},
			{"new", "bob@example.gov.sg", nil},
		}
		for _, tt := range tests {
			t.Run("create/"+tt.name, func(t *testing.T) {
				_, err := db.CreateUser(ctx, tt.create, "")
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("CreateUser(%q) err = %v, want %v", tt.create, err, tt.wantErr)
				}
			})
		}

		lookups := []struct {
			email   string
			wantID  int64
			wantErr error
		}{
			{"alice@example.gov.sg", u.ID, nil},
			{"ALICE@EXAMPLE.GOV.SG", u.ID, nil},
			{"nobody@example.gov.sg", 0, ErrNotFound},
		}
		for _, tt := range lookups {
			got, err := db.UserByEmail(ctx, tt.email)
			if !errors.Is(err, tt.wantErr) || got.ID != tt.wantID {
				t.Errorf("UserByEmail(%q) = %d, %v; want %d, %v", tt.email, got.ID, err, tt.wantID, tt.wantErr)
			}
		}

		if got, err := db.UserByID(ctx, u.ID); err != nil || got.Email != want.Email {
			t.Errorf("UserByID = %+v, %v", got, err)
		}
		if _, err := db.UserByID(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("UserByID(9999) err = %v, want ErrNotFound", err)
		}

		if err := db.SetPlatformAdmin(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.UserByID(ctx, u.ID); !got.PlatformAdmin {
			t.Error("PlatformAdmin not set")
		}
		if err := db.SetPlatformAdmin(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.UserByID(ctx, u.ID); got.PlatformAdmin {
			t.Error("PlatformAdmin not cleared")
		}
		if err := db.SetPlatformAdmin(ctx, 9999, true); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetPlatformAdmin(9999) err = %v, want ErrNotFound", err)
		}
	})
}

func TestSitesAndMembers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db, _ := openTestDB(t, d)
		admin := mustUser(t, db, "admin@x.sg")
		editor := mustUser(t, db, "editor@x.sg")
		outsider := mustUser(t, db, "out@x.sg")
		platform := mustUser(t, db, "platform@x.sg")
		if err := db.SetPlatformAdmin(ctx, platform.ID, true); err != nil {
			t.Fatal(err)
		}
		moh := mustSite(t, db, "moh")
		mof := mustSite(t, db, "mof")
		_ = mustSite(t, db, "mom")

		if _, err := db.CreateSite(ctx, "moh", "", ""); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate slug err = %v, want ErrConflict", err)
		}
		if _, err := db.CreateSite(ctx, " ", "", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty slug err = %v, want ErrInvalid", err)
		}
		if got, err := db.SiteBySlug(ctx, "moh"); err != nil || got != moh {
			t.Errorf("SiteBySlug = %+v, %v; want %+v", got, err, moh)
		}
		if _, err := db.SiteBySlug(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("SiteBySlug(nope) err = %v", err)
		}

		adds := []struct {
			name       string
			site, user int64
			role       Role
			wantErr    error
		}{
			{"admin", moh.ID, admin.ID, RoleAdmin, nil},
			{"contributor", moh.ID, editor.ID, RoleContributor, nil},
			{"other site", mof.ID, editor.ID, RoleAdmin, nil},
			{"duplicate", moh.ID, editor.ID, RoleAdmin, ErrConflict},
			{"bad role", moh.ID, outsider.ID, Role("owner"), ErrInvalid},
			{"unknown user", moh.ID, 9999, RoleContributor, ErrNotFound},
			{"unknown site", 9999, outsider.ID, RoleContributor, ErrNotFound},
		}
		for _, tt := range adds {
			t.Run("add/"+tt.name, func(t *testing.T) {
				if err := db.AddMember(ctx, tt.site, tt.user, tt.role); !errors.Is(err, tt.wantErr) {
					t.Fatalf("AddMember err = %v, want %v", err, tt.wantErr)
				}
			})
		}

		slugs := func(ss []Site) []string {
			out := []string{}
			for _, s := range ss {
				out = append(out, s.Slug)
			}
			return out
		}
		visible := []struct {
			user int64
			want []string
		}{
			{admin.ID, []string{"moh"}},
			{editor.ID, []string{"mof", "moh"}},
			{outsider.ID, []string{}},
			{platform.ID, []string{"mof", "moh", "mom"}},
			{9999, []string{}},
		}
		for _, tt := range visible {
			got, err := db.SitesForUser(ctx, tt.user)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, slugs(got)); diff != "" {
				t.Errorf("SitesForUser(%d) (-want +got):\n%s", tt.user, diff)
			}
		}

		members, err := db.Members(ctx, moh.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantMembers := []Member{
			{SiteID: moh.ID, UserID: admin.ID, Email: "admin@x.sg", Role: RoleAdmin, AddedAt: t0},
			{SiteID: moh.ID, UserID: editor.ID, Email: "editor@x.sg", Role: RoleContributor, AddedAt: t0},
		}
		if diff := cmp.Diff(wantMembers, members); diff != "" {
			t.Errorf("Members (-want +got):\n%s", diff)
		}

		roles := []struct {
			site, user int64
			want       Role
			wantErr    error
		}{
			{moh.ID, admin.ID, RoleAdmin, nil},
			{moh.ID, editor.ID, RoleContributor, nil},
			{mof.ID, editor.ID, RoleAdmin, nil},
			{moh.ID, outsider.ID, "", ErrNotFound},
			{moh.ID, platform.ID, "", ErrNotFound}, // platform admin is not a member
		}
		for _, tt := range roles {
			got, err := db.RoleOf(ctx, tt.site, tt.user)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("RoleOf(%d, %d) = %q, %v; want %q, %v", tt.site, tt.user, got, err, tt.want, tt.wantErr)
			}
		}

		if err := db.SetMemberRole(ctx, moh.ID, editor.ID, RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.RoleOf(ctx, moh.ID, editor.ID); got != RoleAdmin {
			t.Errorf("after SetMemberRole role = %q", got)
		}
		if err := db.SetMemberRole(ctx, moh.ID, outsider.ID, RoleAdmin); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetMemberRole non-member err = %v", err)
		}

		if err := db.RemoveMember(ctx, moh.ID, editor.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveMember(ctx, moh.ID, editor.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second RemoveMember err = %v, want ErrNotFound", err)
		}
		if _, err := db.RoleOf(ctx, moh.ID, editor.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("RoleOf removed member err = %v", err)
		}
		if got, _ := db.SitesForUser(ctx, editor.ID); len(got) != 1 {
			t.Errorf("SitesForUser after removal = %v", slugs(got))
		}
	})
}
