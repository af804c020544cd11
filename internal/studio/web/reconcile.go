package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/store"
)

// reconcileDepth bounds how far back reconcile looks: a crash can only lose
// the entry of the save that was in flight.
const reconcileDepth = 50

// reconcileAll runs reconcile for every site.
func (s *Server) reconcileAll(ctx context.Context) error {
	sites, err := s.cfg.DB.AllSites(ctx)
	if err != nil {
		return err
	}
	for _, st := range sites {
		if err := s.reconcile(ctx, st); err != nil {
			s.log.Error("reconciling the audit log", "site", st.Slug, "err", err)
		}
	}
	return nil
}

// reconcile clears git lock files a killed save left behind (the caller
// guarantees no other process uses the data folder; studio.Run holds a lock
// on it) and adds the audit entries of Studio commits on staging that have
// none. A save commits to git first and writes its audit entry second, so a
// crash between the two leaves a commit without an entry; this restores the
// invariant "every content change is in the audit log" at the next start.
func (s *Server) reconcile(ctx context.Context, st store.Site) error {
	ss, err := s.site(ctx, st)
	if err != nil {
		return err
	}
	removed, err := ss.repo.RemoveStaleLocks()
	if err != nil {
		return err
	}
	if len(removed) > 0 {
		s.log.Warn("removed git lock files left by an interrupted save", "site", st.Slug, "files", removed)
	}
	commits, err := ss.repo.Log(ctx, siterepo.Staging, "", reconcileDepth)
	if err != nil {
		return err
	}
	audited, err := s.cfg.DB.AuditedCommits(ctx, st.ID)
	if err != nil {
		return err
	}
	slices.Reverse(commits) // oldest first, so entries keep commit order
	for _, c := range commits {
		email := studioUser(c.Message)
		if email == "" || audited[c.Rev] {
			continue
		}
		var actor *int64
		if u, err := s.cfg.DB.UserByEmail(ctx, email); err == nil {
			actor = userRef(u)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		detail, _ := json.Marshal(map[string]any{"summary": c.Subject, "recovered": true})
		if _, err := s.cfg.DB.Append(ctx, store.AuditEntry{
			ActorUserID: actor, SiteID: &st.ID, Action: store.ActionContentChange, Detail: detail, Commit: c.Rev,
		}); err != nil {
			return fmt.Errorf("recovering the audit entry of %s: %w", c.Rev, err)
		}
		s.log.Warn("recovered a missing audit entry", "site", st.Slug, "commit", c.Rev)
	}
	return nil
}

// studioUser returns the address in a commit's Studio-User trailer, or ""
// for commits not made through Studio (imports, the starter).
func studioUser(msg string) string {
	for line := range strings.SplitSeq(msg, "\n") {
		if v, ok := strings.CutPrefix(line, "Studio-User: "); ok {
			if a, err := mail.ParseAddress(v); err == nil {
				return strings.ToLower(a.Address)
			}
		}
	}
	return ""
}
