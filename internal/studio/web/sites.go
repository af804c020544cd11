package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/starter"
	"isomer.dev/isomer/internal/studio/store"
)

const actionSiteCreated = "site.created"

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	sites, err := s.cfg.DB.SitesForUser(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", s.newView(r, "Your sites", sites))
}

type newSiteData struct {
	Title, Slug, Source string
}

func (s *Server) newSiteForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "newsite", s.newView(r, "Add a site", newSiteData{}))
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Slugify turns a site title into a site name for URLs and folders.
func Slugify(title string) string {
	s := slug(title)
	return strings.TrimRight(s[:min(len(s), 40)], "-")
}

// slug lowercases s and turns each run of other characters than ASCII
// letters and digits into one dash (the CMS's default permalink segment).
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

func (s *Server) createSite(w http.ResponseWriter, r *http.Request) {
	s.addSite(w, r, false)
}

func (s *Server) importSite(w http.ResponseWriter, r *http.Request) {
	s.addSite(w, r, true)
}

func (s *Server) addSite(w http.ResponseWriter, r *http.Request, imported bool) {
	u, _ := currentUser(r)
	d := newSiteData{
		Title:  strings.TrimSpace(r.PostFormValue("title")),
		Slug:   strings.TrimSpace(r.PostFormValue("slug")),
		Source: strings.TrimSpace(r.PostFormValue("source")),
	}
	if d.Slug == "" {
		d.Slug = Slugify(d.Title)
	}
	var err error
	var site store.Site
	switch {
	case d.Title == "" || len(d.Title) > 100:
		err = userError{"Give the site a title of up to 100 characters."}
	case !slugRE.MatchString(d.Slug) || len(d.Slug) > 40:
		err = userError{"The site name may use lowercase letters, digits and single dashes (up to 40 characters)."}
	case imported && d.Source == "":
		err = userError{"Enter the folder or git address of the site to import."}
	default:
		src := ""
		if imported {
			src = d.Source
		}
		site, err = s.AddSite(r.Context(), u, d.Title, d.Slug, src)
	}
	if err != nil {
		v := s.newView(r, "Add a site", d)
		v.Error = userMessage(err)
		s.render(w, r, http.StatusUnprocessableEntity, "newsite", v)
		return
	}
	redirect(w, r, "/sites/"+site.Slug+"/", "site-created")
}

// AddSite creates a site repository (from the starter when source is "",
// else imported from a folder or git URL), registers it and makes the user by its
// first admin. The repository is built in a temporary folder and renamed
// into place, so a failed or interrupted import leaves no half site.
func (s *Server) AddSite(ctx context.Context, by store.User, title, slug, source string) (store.Site, error) {
	if _, err := s.cfg.DB.SiteBySlug(ctx, slug); err == nil {
		return store.Site{}, userError{fmt.Sprintf("A site named %q already exists.", slug)}
	}
	final := filepath.Join(s.cfg.DataDir, "sites", slug+".git")
	if _, err := os.Stat(final); err == nil {
		// A repository without a database row: left by a crash between
		// the rename below and CreateSite. Keep it aside rather than delete.
		if err := os.Rename(final, final+".orphan-"+randomSuffix()); err != nil {
			return store.Site{}, fmt.Errorf("moving aside %s: %w", final, err)
		}
	}
	tmp := filepath.Join(s.cfg.DataDir, "sites", ".new-"+slug+"-"+randomSuffix())
	defer os.RemoveAll(tmp)
	author := siterepo.Author{Name: displayName(by), Email: by.Email}
	var err error
	if source == "" {
		fsys, ferr := starter.Files(title)
		if ferr != nil {
			return store.Site{}, ferr
		}
		_, err = siterepo.Init(ctx, tmp, fsys, author)
	} else {
		_, err = siterepo.Import(ctx, tmp, source, author)
	}
	if err != nil {
		return store.Site{}, userError{fmt.Sprintf("Could not import the site: %v", err)}
	}
	if err := os.Rename(tmp, final); err != nil {
		return store.Site{}, fmt.Errorf("placing the site repository: %w", err)
	}
	var site store.Site
	err = s.cfg.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		site, err = tx.CreateSite(ctx, slug, title, final)
		if err != nil {
			return err
		}
		if err := tx.AddMember(ctx, site.ID, by.ID, store.RoleAdmin); err != nil {
			return err
		}
		detail, _ := json.Marshal(map[string]string{"title": title, "source": source})
		_, err = tx.Append(ctx, store.AuditEntry{ActorUserID: userRef(by), SiteID: &site.ID, Action: actionSiteCreated, Detail: detail})
		return err
	})
	if err != nil {
		_ = os.Rename(final, final+".orphan-"+randomSuffix())
		if errors.Is(err, store.ErrConflict) {
			return store.Site{}, userError{fmt.Sprintf("A site named %q already exists.", slug)}
		}
		return store.Site{}, err
	}
	s.log.Info("site added", "site", slug, "by", by.Email, "source", source)
	return site, nil
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func displayName(u store.User) string {
	if strings.TrimSpace(u.Name) != "" {
		return u.Name
	}
	name, _, _ := strings.Cut(u.Email, "@")
	return name
}

// userError is an error whose text is written for the person using Studio.
type userError struct{ msg string }

func (e userError) Error() string { return e.msg }

// userMessage is what a form shows for err: its own words for a userError,
// a generic sentence otherwise (details go to the log).
func userMessage(err error) string {
	var ue userError
	if errors.As(err, &ue) {
		return ue.msg
	}
	return "Something went wrong; please try again."
}
