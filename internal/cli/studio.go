package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"isomer.dev/isomer/internal/studio"
	"isomer.dev/isomer/internal/studio/signin"
)

func (a *app) studioCommand() *cobra.Command {
	var (
		o        studio.Options
		host     string
		port     int
		domains  string
		smtpHost string
		smtpPort int
		smtpUser string
		smtpFrom string
	)
	cmd := &cobra.Command{
		Use:   "studio",
		Short: "Run Isomer Studio, the web CMS for editing sites",
		Long: `Studio is the content management system: editors sign in with a code sent
by email, edit pages, and see them in a live preview built by the same engine
as "isomer build". Each site is a git repository Studio owns, with a staging
branch for edits.

Everything lives in the --data folder: an SQLite database, the server secret
and the site repositories. With --database-url postgres://… the database is
PostgreSQL instead (set ISOMER_STUDIO_SECRET to the same value on every
Studio process sharing it).

Without --smtp-host no mail is sent: sign-in codes are printed in this
terminal ("dev outbox"), which is what a first run on a laptop wants.`,
		Example: `  # First run: the example site, and you as administrator
  isomer studio --admin you@agency.gov.sg --import examples/agency-site

  # Production-like
  isomer studio --data /var/lib/isomer --public-url https://studio.agency.gov.sg \
    --allowed-domains gov.sg --smtp-host smtp.agency.gov.sg --smtp-from studio@agency.gov.sg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if port < 0 || port > 65535 {
				return fmt.Errorf("--port must be between 0 and 65535, not %d", port)
			}
			o.Addr = net.JoinHostPort(host, strconv.Itoa(port))
			for _, d := range strings.Split(domains, ",") {
				if d = strings.TrimSpace(d); d != "" {
					o.AllowedDomains = append(o.AllowedDomains, d)
				}
			}
			if o.DatabaseURL == "" {
				o.DatabaseURL = os.Getenv("ISOMER_DATABASE_URL")
			}
			if smtpHost != "" {
				if smtpFrom == "" {
					return errors.New("--smtp-from is required with --smtp-host")
				}
				o.Mailer = &signin.SMTP{Host: smtpHost, Port: smtpPort, Username: smtpUser,
					Password: os.Getenv("ISOMER_SMTP_PASSWORD"), From: smtpFrom}
			}
			if o.OIDC.Issuer != "" {
				if o.PublicURL == "" || o.OIDC.ClientID == "" {
					return errors.New("--oidc-issuer needs --oidc-client-id and --public-url (the provider redirects back to it)")
				}
				o.OIDC.ClientSecret = os.Getenv("ISOMER_OIDC_CLIENT_SECRET")
			}
			level := slog.LevelInfo
			if a.verbose {
				level = slog.LevelDebug
			}
			o.Log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
			o.Out = a.stdout
			return studio.Run(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DataDir, "data", "studio-data", "folder holding Studio's database, secret and site repositories")
	f.StringVar(&o.DatabaseURL, "database-url", "", "PostgreSQL URL (postgres://…) instead of SQLite; default $ISOMER_DATABASE_URL")
	f.StringVar(&host, "host", "127.0.0.1", "address to listen on")
	f.IntVar(&port, "port", 8080, "port to listen on")
	f.StringVar(&o.PublicURL, "public-url", "", "address people reach Studio at, behind a proxy (https turns on secure cookies)")
	f.StringVar(&o.Admin, "admin", "", "make this email address a platform administrator (created if new)")
	f.StringVar(&o.Import, "import", "", "import this site folder or git URL at start (skipped if already imported)")
	f.StringVar(&domains, "allowed-domains", "", "comma-separated email domain suffixes allowed to sign in (e.g. gov.sg); empty allows any")
	f.StringVar(&o.OIDC.Issuer, "oidc-issuer", "", "OpenID Connect issuer URL for single sign-on (client secret in $ISOMER_OIDC_CLIENT_SECRET; register PUBLIC_URL/signin/oidc/callback)")
	f.StringVar(&o.OIDC.ClientID, "oidc-client-id", "", "OpenID Connect client ID")
	f.StringVar(&o.OIDC.Label, "oidc-label", "", `name of the identity provider on the sign-in button (default "single sign-on")`)
	f.StringVar(&smtpHost, "smtp-host", "", "SMTP server for sign-in codes (password in $ISOMER_SMTP_PASSWORD)")
	f.IntVar(&smtpPort, "smtp-port", 0, "SMTP port (default 587)")
	f.StringVar(&smtpUser, "smtp-user", "", "SMTP user name")
	f.StringVar(&smtpFrom, "smtp-from", "", "sender address of sign-in emails")
	return cmd
}
