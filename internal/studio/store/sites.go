package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Site is one agency site managed in Studio; RepoPath is its git working
// copy in the data directory.
type Site struct {
	ID        int64
	Slug      string
	Title     string
	RepoPath  string
	CreatedAt time.Time
}

// Role is a member's role on a site.
type Role string

const (
	RoleAdmin       Role = "admin"       // manages members, views the audit log
	RoleContributor Role = "contributor" // edits content
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleContributor }

// Member is a user's membership of a site, joined with the user's details.
type Member struct {
	SiteID  int64
	UserID  int64
	Email   string
	Name    string
	Role    Role
	AddedAt time.Time
}

const siteCols = `id, slug, title, repo_path, created_at`

func scanSite(sc interface{ Scan(...any) error }) (Site, error) {
	var s Site
	var created int64
	if err := sc.Scan(&s.ID, &s.Slug, &s.Title, &s.RepoPath, &created); err != nil {
		return Site{}, err
	}
	s.CreatedAt = fromMS(created)
	return s, nil
}

// CreateSite inserts a site; a duplicate slug yields ErrConflict.
func (o ops) CreateSite(ctx context.Context, slug, title, repoPath string) (Site, error) {
	slug = strings.TrimSpace(slug)
	if slug == "" {
		return Site{}, fmt.Errorf("store: create site: %w: empty slug", ErrInvalid)
	}
	row := o.queryRow(ctx,
		`INSERT INTO sites (slug, title, repo_path, created_at) VALUES (?, ?, ?, ?) RETURNING `+siteCols,
		slug, title, repoPath, ms(o.now()))
	s, err := scanSite(row)
	if err != nil {
		return Site{}, fmt.Errorf("store: create site %q: %w", slug, mapErr(err))
	}
	return s, nil
}

// SiteBySlug looks a site up by slug.
func (o ops) SiteBySlug(ctx context.Context, slug string) (Site, error) {
	s, err := scanSite(o.queryRow(ctx, `SELECT `+siteCols+` FROM sites WHERE slug = ?`, slug))
	if err != nil {
		return Site{}, fmt.Errorf("store: site %q: %w", slug, mapErr(err))
	}
	return s, nil
}

// SitesForUser lists the sites a user may open, ordered by slug: those they
// are a member of, or every site for a platform admin. An unknown user gets
// an empty list (not an error) so callers cannot probe ids.
func (o ops) SitesForUser(ctx context.Context, userID int64) ([]Site, error) {
	sites, err := o.sites(ctx, `SELECT `+siteCols+` FROM sites s
WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.platform_admin = TRUE)
   OR EXISTS (SELECT 1 FROM members m WHERE m.site_id = s.id AND m.user_id = ?)
ORDER BY s.slug`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: sites for user %d: %w", userID, err)
	}
	return sites, nil
}

// AllSites lists every site ordered by slug.
func (o ops) AllSites(ctx context.Context) ([]Site, error) {
	sites, err := o.sites(ctx, `SELECT `+siteCols+` FROM sites ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("store: all sites: %w", err)
	}
	return sites, nil
}

func (o ops) sites(ctx context.Context, q string, args ...any) ([]Site, error) {
	rows, err := o.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sites := []Site{}
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, err
		}
		sites = append(sites, s)
	}
	return sites, rows.Err()
}

// AddMember adds a user to a site. An existing membership yields
// ErrConflict (change roles explicitly with SetMemberRole); an unknown site
// or user yields ErrNotFound.
func (o ops) AddMember(ctx context.Context, siteID, userID int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("store: add member: %w: role %q", ErrInvalid, role)
	}
	_, err := o.exec(ctx, `INSERT INTO members (site_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
		siteID, userID, string(role), ms(o.now()))
	if err != nil {
		return fmt.Errorf("store: add member site %d user %d: %w", siteID, userID, mapErr(err))
	}
	return nil
}

// SetMemberRole changes an existing member's role.
func (o ops) SetMemberRole(ctx context.Context, siteID, userID int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("store: set member role: %w: role %q", ErrInvalid, role)
	}
	res, err := o.exec(ctx, `UPDATE members SET role = ? WHERE site_id = ? AND user_id = ?`, string(role), siteID, userID)
	if err != nil {
		return fmt.Errorf("store: set member role site %d user %d: %w", siteID, userID, mapErr(err))
	}
	return mustAffect(res, "store: set member role site %d user %d", siteID, userID)
}

// RemoveMember removes a membership; ErrNotFound if there was none.
func (o ops) RemoveMember(ctx context.Context, siteID, userID int64) error {
	res, err := o.exec(ctx, `DELETE FROM members WHERE site_id = ? AND user_id = ?`, siteID, userID)
	if err != nil {
		return fmt.Errorf("store: remove member site %d user %d: %w", siteID, userID, mapErr(err))
	}
	return mustAffect(res, "store: remove member site %d user %d", siteID, userID)
}

// Members lists a site's members ordered by email.
func (o ops) Members(ctx context.Context, siteID int64) ([]Member, error) {
	rows, err := o.query(ctx, `SELECT m.site_id, m.user_id, u.email, u.name, m.role, m.created_at
FROM members m JOIN users u ON u.id = m.user_id
WHERE m.site_id = ? ORDER BY u.email`, siteID)
	if err != nil {
		return nil, fmt.Errorf("store: members of site %d: %w", siteID, err)
	}
	defer rows.Close()
	ms := []Member{}
	for rows.Next() {
		var m Member
		var role string
		var added int64
		if err := rows.Scan(&m.SiteID, &m.UserID, &m.Email, &m.Name, &role, &added); err != nil {
			return nil, fmt.Errorf("store: members of site %d: %w", siteID, err)
		}
		m.Role, m.AddedAt = Role(role), fromMS(added)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: members of site %d: %w", siteID, err)
	}
	return ms, nil
}

// RoleOf returns the user's role on the site, or ErrNotFound if they are not
// a member. It deliberately ignores the platform-admin flag: combining the
// two is the authorisation layer's decision.
func (o ops) RoleOf(ctx context.Context, siteID, userID int64) (Role, error) {
	var role string
	err := o.queryRow(ctx, `SELECT role FROM members WHERE site_id = ? AND user_id = ?`, siteID, userID).Scan(&role)
	if err != nil {
		return "", fmt.Errorf("store: role of user %d on site %d: %w", userID, siteID, mapErr(err))
	}
	return Role(role), nil
}
