package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
)

type membersData struct {
	Members []store.Member
	Self    int64
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) {
	s.showMembers(w, r, http.StatusOK, "")
}

// showMembers renders the members page, with msg as its error when the
// page answers a form that was refused.
func (s *Server) showMembers(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := currentSite(r)
	ms, err := s.cfg.DB.Members(r.Context(), st.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, _ := currentUser(r)
	v := s.newView(r, "Members of "+st.Title, membersData{Members: ms, Self: u.ID})
	v.Error = msg
	s.render(w, r, status, "members", v)
}

// addMember gives a person access to the site, creating their account if
// they have none yet (they sign in with a code sent to that address).
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	st := currentSite(r)
	ctx := r.Context()
	email, err := signin.NormalizeEmail(r.PostFormValue("email"))
	role := store.Role(r.PostFormValue("role"))
	switch {
	case err != nil:
		s.failMembers(w, r, "Enter a valid email address.")
		return
	case !s.cfg.SignIn.DomainAllowed(email):
		s.failMembers(w, r, "That email address is not in a domain allowed to use this Studio.")
		return
	case !role.Valid():
		s.failMembers(w, r, "Choose a role.")
		return
	}
	actor, _ := currentUser(r)
	err = s.cfg.DB.WithTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			u, err = tx.CreateUser(ctx, email, strings.TrimSpace(r.PostFormValue("name")))
		}
		if err != nil {
			return err
		}
		if err := tx.AddMember(ctx, st.ID, u.ID, role); err != nil {
			return err
		}
		return s.auditMember(ctx, tx, actor, st, store.ActionMemberAdded, u, role)
	})
	if errors.Is(err, store.ErrConflict) {
		s.failMembers(w, r, "That person is already a member; change their role in the list instead.")
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/sites/"+st.Slug+"/members", "member-added")
}

func (s *Server) setMemberRole(w http.ResponseWriter, r *http.Request) {
	s.changeMember(w, r, false)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	s.changeMember(w, r, true)
}

// changeMember changes a role or removes a member. The last admin of a site
// cannot be demoted or removed, so a site is never left unmanaged.
func (s *Server) changeMember(w http.ResponseWriter, r *http.Request, remove bool) {
	st := currentSite(r)
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "No member was chosen.")
		return
	}
	role := store.Role(r.PostFormValue("role"))
	if !remove && !role.Valid() {
		s.failMembers(w, r, "Choose a role.")
		return
	}
	actor, _ := currentUser(r)
	errLastAdmin := userError{"A site needs at least one administrator: make someone else an administrator first."}
	err = s.cfg.DB.WithTx(ctx, func(tx *store.Tx) error {
		ms, err := tx.Members(ctx, st.ID)
		if err != nil {
			return err
		}
		var target *store.Member
		admins := 0
		for i, m := range ms {
			if m.Role == store.RoleAdmin {
				admins++
			}
			if m.UserID == id {
				target = &ms[i]
			}
		}
		if target == nil {
			return store.ErrNotFound
		}
		if target.Role == store.RoleAdmin && admins == 1 && (remove || role != store.RoleAdmin) {
			return errLastAdmin
		}
		u := store.User{ID: target.UserID, Email: target.Email}
		if remove {
			if err := tx.RemoveMember(ctx, st.ID, id); err != nil {
				return err
			}
			return s.auditMember(ctx, tx, actor, st, store.ActionMemberRemoved, u, target.Role)
		}
		if err := tx.SetMemberRole(ctx, st.ID, id, role); err != nil {
			return err
		}
		return s.auditMember(ctx, tx, actor, st, store.ActionMemberRole, u, role)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.failMembers(w, r, "That person is not a member of this site.")
	case errors.As(err, new(userError)):
		s.failMembers(w, r, userMessage(err))
	case err != nil:
		s.serverError(w, r, err)
	case remove:
		redirect(w, r, "/sites/"+st.Slug+"/members", "member-removed")
	default:
		redirect(w, r, "/sites/"+st.Slug+"/members", "role-changed")
	}
}

func (s *Server) auditMember(ctx context.Context, tx *store.Tx, actor store.User, st store.Site, action string, u store.User, role store.Role) error {
	detail, _ := json.Marshal(map[string]any{"member": u.Email, "member_id": u.ID, "role": role})
	_, err := tx.Append(ctx, store.AuditEntry{ActorUserID: userRef(actor), SiteID: &st.ID, Action: action, Detail: detail})
	return err
}

func (s *Server) failMembers(w http.ResponseWriter, r *http.Request, msg string) {
	s.showMembers(w, r, http.StatusUnprocessableEntity, msg)
}

// auditRow is an audit entry as the audit page shows it.
type auditRow struct {
	store.AuditEntry
	What string
}

type auditData struct {
	Rows []auditRow
	Next int64
	CSV  string
}

const auditPageSize = 100

// auditLog shows a site's log, or on /audit (platform admins) everything,
// sign-ins included.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	st := currentSite(r)
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	es, err := s.cfg.DB.AuditForSite(r.Context(), st.ID, auditPageSize, before)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := auditData{}
	for _, e := range es {
		d.Rows = append(d.Rows, auditRow{AuditEntry: e, What: describe(e)})
	}
	if len(es) == auditPageSize {
		d.Next = es[len(es)-1].ID
	}
	title := "Audit log of " + st.Title
	if st.ID == 0 {
		title = "Audit log of all sites and sign-ins"
	}
	d.CSV = "/audit.csv"
	if st.ID != 0 {
		d.CSV = "/sites/" + st.Slug + "/audit.csv"
	}
	s.render(w, r, http.StatusOK, "audit", s.newView(r, title, d))
}

// describe turns an entry's detail into a sentence.
func describe(e store.AuditEntry) string {
	var d map[string]any
	_ = json.Unmarshal(e.Detail, &d)
	str := func(k string) string { v, _ := d[k].(string); return v }
	switch e.Action {
	case store.ActionContentChange:
		return str("summary")
	case store.ActionMemberAdded:
		return "Added " + str("member") + " as " + str("role")
	case store.ActionMemberRemoved:
		return "Removed " + str("member")
	case store.ActionMemberRole:
		return "Made " + str("member") + " " + str("role")
	case store.ActionSignIn:
		return "Signed in"
	case store.ActionSignInFailed:
		return "Sign-in refused"
	case store.ActionSignOutAll:
		return "Signed out everywhere"
	case actionSiteCreated:
		if src := str("source"); src != "" {
			return "Imported the site from " + src
		}
		return "Created the site from the starter"
	}
	return string(e.Detail)
}

func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) {
	st := currentSite(r)
	name := st.Slug
	if st.ID == 0 {
		name = "studio"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-audit.csv"`)
	if err := s.cfg.DB.WriteAuditCSV(r.Context(), w, st.ID); err != nil {
		// Headers are gone; the truncated file is the best signal left.
		s.log.Error("audit CSV", "site", st.Slug, "err", err)
	}
}
