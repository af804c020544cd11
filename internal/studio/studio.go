// Package studio starts Isomer Studio: it opens the database (SQLite in the
// data folder by default, PostgreSQL when given a postgres:// URL), the
// server secret, the mailer, bootstraps the first administrator and site,
// and serves the web application until the context ends.
package studio

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"isomer.dev/isomer/internal/frontmatter"
	"isomer.dev/isomer/internal/studio/oidc"
	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/store"
	"isomer.dev/isomer/internal/studio/web"
)

// Options configure a Studio process.
type Options struct {
	// DataDir holds the SQLite database, the server secret, the site
	// repositories and the previews.
	DataDir string
	// DatabaseURL, when set (postgres://…), replaces the SQLite database.
	DatabaseURL string
	// Addr is the listen address, e.g. "127.0.0.1:8080".
	Addr string
	// PublicURL is the address people use, when Studio runs behind a proxy;
	// an https URL turns on Secure cookies.
	PublicURL string
	// Admin, when set, is made a platform administrator (created if new).
	Admin string
	// Import, when set, is a site folder or git URL imported at start unless
	// a site of that name exists already.
	Import string
	// AllowedDomains restrict who may sign in (suffixes like "gov.sg").
	AllowedDomains []string
	// Mailer sends sign-in codes; nil prints them to Out (a dev outbox).
	Mailer signin.Mailer
	// OIDC, when Issuer is set, adds single sign-on with an OpenID Connect
	// provider; register PublicURL + web.OIDCCallbackPath with it.
	OIDC OIDCOptions

	Log *slog.Logger
	// Out receives the short messages meant for the person who started
	// Studio (where to sign in, the first code).
	Out io.Writer
	// Ready, if set, is called with the base URL once Studio listens.
	Ready func(url string)
}

// OIDCOptions name an OpenID Connect client registration.
type OIDCOptions struct {
	Issuer, ClientID, ClientSecret string
	// Label names the provider on the sign-in button ("Agency SSO").
	Label string
}

// Run serves Studio until ctx ends.
func Run(ctx context.Context, o Options) error {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return fmt.Errorf("data folder %s: %w", o.DataDir, err)
	}
	lock, err := lockDataDir(o.DataDir)
	if err != nil {
		return err
	}
	if lock != nil {
		defer lock.Close()
	}
	dsn := o.DatabaseURL
	if dsn == "" {
		dsn = filepath.Join(o.DataDir, "studio.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := secret(o.DataDir)
	if err != nil {
		return err
	}
	mailer := o.Mailer
	devOutbox := mailer == nil
	if devOutbox {
		mailer = &terminalOutbox{out: o.Out}
	}
	svc := &signin.Service{Store: db, Mailer: mailer, Key: key, AllowedDomains: o.AllowedDomains, Logger: o.Log}
	secure := strings.HasPrefix(o.PublicURL, "https://")
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.Addr, err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	var trusted []string
	if o.PublicURL != "" {
		base = strings.TrimRight(o.PublicURL, "/")
		trusted = append(trusted, base)
	}
	cfg := web.Config{DataDir: o.DataDir, DB: db, SignIn: svc, Logger: o.Log, Secure: secure, TrustedOrigins: trusted,
		Sessions: signin.NewSessionManager(db, secure)}
	if o.OIDC.Issuer != "" {
		if cfg.OIDC, err = oidc.New(ctx, oidc.Config{
			Issuer: o.OIDC.Issuer, ClientID: o.OIDC.ClientID, ClientSecret: o.OIDC.ClientSecret,
			RedirectURL: base + web.OIDCCallbackPath, Key: subkey(key, "oidc flow cookie"), Secure: secure, Logger: o.Log,
		}); err != nil {
			return err
		}
		cfg.OIDCLabel = cmp.Or(o.OIDC.Label, "single sign-on")
	}
	srv, err := web.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()

	admin, err := bootstrapAdmin(ctx, db, o.Admin)
	if err != nil {
		return err
	}
	if o.Import != "" {
		if admin == nil {
			return errors.New("--import needs --admin: the imported site needs an administrator")
		}
		if err := importSite(ctx, db, srv, *admin, o.Import, o.Out); err != nil {
			return err
		}
	}

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(o.Out, "Isomer Studio is running at %s/ (Ctrl-C to stop)\n", base)
	if admin != nil {
		fmt.Fprintf(o.Out, "Sign in as %s at %s/signin/code?email=%s\n", admin.Email, base, admin.Email)
		if devOutbox {
			// First run on a laptop: put a fresh code in the terminal so
			// signing in needs no mail server.
			fmt.Fprintln(o.Out, "No mail server is configured, so sign-in emails are printed here instead.")
			if err := svc.RequestCode(ctx, admin.Email, "startup"); err != nil {
				fmt.Fprintf(o.Out, "Could not issue a sign-in code now (%v); request one on the sign-in page.\n", err)
			}
		}
	}
	if o.Ready != nil {
		o.Ready(base)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	return nil
}

// secret returns the server secret that keys sign-in code hashes, creating
// it on first run. ISOMER_STUDIO_SECRET overrides the file, for several
// Studio processes sharing one PostgreSQL database.
func secret(dataDir string) ([]byte, error) {
	if v := os.Getenv("ISOMER_STUDIO_SECRET"); v != "" {
		if len(v) < 16 {
			return nil, errors.New("ISOMER_STUDIO_SECRET must be at least 16 characters")
		}
		return []byte(v), nil
	}
	p := filepath.Join(dataDir, "secret.key")
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return b, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Another process created it first; use theirs.
		return os.ReadFile(p)
	} else if err != nil {
		return nil, fmt.Errorf("creating the server secret: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the server secret: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return b, f.Close()
}

// subkey derives a key for one purpose from the server secret, so the
// secret itself is never used for two things.
func subkey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// bootstrapAdmin makes email a platform administrator.
func bootstrapAdmin(ctx context.Context, db *store.DB, email string) (*store.User, error) {
	if email == "" {
		return nil, nil
	}
	addr, err := signin.NormalizeEmail(email)
	if err != nil {
		return nil, fmt.Errorf("--admin %q: %w", email, err)
	}
	u, err := db.UserByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		u, err = db.CreateUser(ctx, addr, "")
	}
	if err != nil {
		return nil, err
	}
	if !u.PlatformAdmin {
		if err := db.SetPlatformAdmin(ctx, u.ID, true); err != nil {
			return nil, err
		}
		u.PlatformAdmin = true
	}
	return &u, nil
}

// importSite imports source once: a site with its name already there means
// an earlier run imported it.
func importSite(ctx context.Context, db *store.DB, srv *web.Server, admin store.User, source string, out io.Writer) error {
	name := strings.TrimSuffix(filepath.Base(strings.TrimRight(source, "/")), ".git")
	slug := web.Slugify(name)
	if slug == "" {
		return fmt.Errorf("--import %s: cannot name a site after it", source)
	}
	if _, err := db.SiteBySlug(ctx, slug); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	title := siteTitle(source)
	if title == "" {
		title = name
	}
	st, err := srv.AddSite(ctx, admin, title, slug, source)
	if err != nil {
		return fmt.Errorf("--import %s: %w", source, err)
	}
	fmt.Fprintf(out, "Imported %s as site %q\n", source, st.Slug)
	return nil
}

// siteTitle reads the title from a site folder's _config.yml, if any.
func siteTitle(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "_config.yml"))
	if err != nil {
		return ""
	}
	cfg, err := frontmatter.Decode(data)
	if err != nil {
		return ""
	}
	t, _ := cfg["title"].(string)
	return strings.TrimSpace(t)
}

// terminalOutbox is the mailer when no SMTP server is configured: each
// message is printed for the person running Studio.
type terminalOutbox struct {
	mu  sync.Mutex
	out io.Writer
}

func (t *terminalOutbox) Send(_ context.Context, to, subject, body string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := fmt.Fprintf(t.out, "\n--- mail to %s: %s\n%s---\n\n", to, subject, body)
	return err
}
