package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"isomer.dev/isomer/internal/devserver"
)

func (a *app) serveCommand() *cobra.Command {
	var (
		host string
		port int
		env  string
	)
	cmd := &cobra.Command{
		Use:   "serve [SITE_DIR]",
		Short: "Serve a site locally, rebuilding and reloading the browser on every save",
		Long: `Serve builds the site in SITE_DIR (default: the current folder) in memory and
serves it at http://127.0.0.1:4000/ exactly as "isomer build" would write it:
the same URLs, the site's 404 page, the security headers and the strict
Content-Security-Policy.

Saving a file rebuilds only what it affects and reloads the open browser tabs.
While the site has errors, every page shows a panel listing each one as
file, line and problem, and a page that no longer builds (broken front matter,
say) answers its old URL with an error page naming the file and line. The tab
recovers by itself on the next good save. Stop the server with Ctrl-C.`,
		Example: `  isomer serve examples/agency-site
  isomer serve --port 8080 --env staging`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := "."
			if len(args) == 1 {
				src = args[0]
			}
			if env != "production" && env != "staging" {
				return fmt.Errorf("--env must be production or staging, not %q", env)
			}
			if port < 0 || port > 65535 {
				return fmt.Errorf("--port must be between 0 and 65535, not %d", port)
			}
			addr := net.JoinHostPort(host, strconv.Itoa(port))
			srv := &devserver.Server{
				Source: src,
				Env:    env,
				Addr:   addr,
				Logger: a.serveLogger(),
				Ready: func(url string) {
					fmt.Fprintf(a.stdout, "Serving %s at %s (Ctrl-C to stop)\n", src, url)
				},
			}
			err := srv.Run(cmd.Context())
			if errors.Is(err, devserver.ErrAddrInUse) {
				return fmt.Errorf("port %d on %s is already in use (is another isomer serve running?); choose another with --port", port, host)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "address to listen on (0.0.0.0 shares the site with your network)")
	cmd.Flags().IntVar(&port, "port", 4000, "port to listen on")
	cmd.Flags().StringVar(&env, "env", "production", "build environment: production or staging (staging pages are marked noindex)")
	return cmd
}

// serveLogger prints rebuilds and problems as short lines for a terminal;
// --verbose adds the build's own details.
func (a *app) serveLogger() *slog.Logger {
	level := slog.LevelInfo
	if a.verbose {
		level = slog.LevelDebug
	}
	return slog.New(&lineHandler{w: a.stderr, level: level, mu: &sync.Mutex{}})
}

// lineHandler writes "15:04:05 message key=value" lines.
type lineHandler struct {
	w     io.Writer
	level slog.Level
	mu    *sync.Mutex
	attrs []slog.Attr
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	line := r.Time.Format(time.TimeOnly) + " " + r.Message
	add := func(a slog.Attr) bool {
		line += " " + a.Key + "=" + a.Value.String()
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintln(h.w, line)
	return err
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &lineHandler{w: h.w, level: h.level, mu: h.mu, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *lineHandler) WithGroup(string) slog.Handler { return h }
