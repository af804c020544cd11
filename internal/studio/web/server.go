// Package web is Studio's HTTP server: server-rendered pages (html/template,
// with htmx for small live updates) for signing in, the sites dashboard,
// each site's content tree, the text editor, members, history, the audit
// log and the live preview.
//
// Every route is declared once in routes() together with the access it
// requires; the same table drives the mux and the authorisation tests, so a
// route cannot be added without deciding who may use it.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/alexedwards/scs/v2"

	"isomer.dev/isomer/internal/studio/oidc"
	"isomer.dev/isomer/internal/studio/preview"
	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/store"
)

// Config holds the server's dependencies.
type Config struct {
	// DataDir holds the site repositories (sites/) and preview trees
	// (preview/).
	DataDir string
	DB      *store.DB
	SignIn  *signin.Service
	Logger  *slog.Logger
	// Secure says Studio is reached over https: cookies get Secure and the
	// __Host- prefix.
	Secure bool
	// Sessions is the session manager; nil means
	// signin.NewSessionManager(DB, Secure). New points its ErrorFunc at
	// Studio's error page, so a session store failure is logged like any
	// other.
	Sessions *scs.SessionManager
	// OIDC, when set, offers single sign-on with the agency's identity
	// provider next to emailed codes; OIDCLabel names it on the button.
	OIDC      *oidc.Provider
	OIDCLabel string
	// TrustedOrigins are extra origins allowed to send state-changing
	// requests (e.g. a reverse proxy's public address); same-origin
	// requests are always allowed.
	TrustedOrigins []string
}

// Server serves Studio.
type Server struct {
	cfg   Config
	log   *slog.Logger
	pages *pages

	mu     sync.Mutex
	sites  map[int64]*siteState
	closed bool
	// background counts preview refreshes still running, so Close can
	// wait for them.
	background sync.WaitGroup
}

// siteState is what the server keeps open per site.
type siteState struct {
	repo *siterepo.Repo

	previewMu sync.Mutex
	preview   *preview.Preview
}

// New prepares a server and recovers from an earlier crash (see
// reconcile). The caller must be the only process using cfg.DataDir.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DB == nil || cfg.SignIn == nil {
		return nil, errors.New("studio: database and sign-in service are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "sites"), 0o755); err != nil {
		return nil, fmt.Errorf("studio: data folder: %w", err)
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	if cfg.Sessions == nil {
		cfg.Sessions = signin.NewSessionManager(cfg.DB, cfg.Secure)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, pages: p, sites: map[int64]*siteState{}}
	cfg.Sessions.ErrorFunc = s.serverError
	if err := s.reconcileAll(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close waits for background preview builds and releases the previews.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.background.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, st := range s.sites {
		if st.preview != nil {
			errs = append(errs, st.preview.Close())
		}
	}
	s.sites = map[int64]*siteState{}
	return errors.Join(errs...)
}

// Handler returns the whole of Studio: routes with their access checks,
// behind cross-origin protection for every state-changing request.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.guard(rt))
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			s.log.Warn("ignoring trusted origin", "origin", o, "err", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "This request came from another website and was refused.")
	}))
	return s.withSession(cop.Handler(mux))
}

// site opens (once) the repository of a site.
func (s *Server) site(ctx context.Context, st store.Site) (*siteState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.sites[st.ID]; ok {
		return ss, nil
	}
	repo, err := siterepo.Open(ctx, st.RepoPath)
	if err != nil {
		return nil, fmt.Errorf("site %s: %w", st.Slug, err)
	}
	ss := &siteState{repo: repo}
	s.sites[st.ID] = ss
	return ss, nil
}

// previewOf starts the live preview of a site's staging branch on first
// use (and again after a failed start).
func (s *Server) previewOf(ctx context.Context, st store.Site, ss *siteState) (*preview.Preview, error) {
	ss.previewMu.Lock()
	defer ss.previewMu.Unlock()
	if ss.preview != nil {
		return ss.preview, nil
	}
	dir := filepath.Join(s.cfg.DataDir, "preview", st.Slug)
	// The preview outlives the request that started it.
	p, err := preview.New(context.WithoutCancel(ctx), ss.repo, dir, preview.Options{Logger: s.log.With("site", st.Slug)})
	if err != nil {
		return nil, fmt.Errorf("preview of %s: %w", st.Slug, err)
	}
	ss.preview = p
	return p, nil
}

// refreshPreview brings a site's preview up to date in the background, so a
// save's response does not wait for the build.
func (s *Server) refreshPreview(ctx context.Context, st store.Site, ss *siteState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		ctx := context.WithoutCancel(ctx)
		p, err := s.previewOf(ctx, st, ss)
		if err == nil {
			_, err = p.Refresh(ctx)
		}
		if err != nil {
			s.log.Warn("preview refresh failed", "site", st.Slug, "err", err)
		}
	}()
}
