// Package devserver is the development server behind "isomer serve": it
// builds a site in memory, serves exactly what "isomer build" would write,
// rebuilds incrementally when files change and reloads open browser tabs.
//
// Problems are shown in the browser two ways. While the site has error
// diagnostics, every HTML page carries a panel listing each one as
// "file, line N: message" (inserted by the server as markup plus a
// same-origin stylesheet, so the strict Content-Security-Policy still
// holds). And a page that built before but fails to build now (its front
// matter broke, say) has no output and so no URL of its own: its old URL
// answers 500 with an error page naming the file and line, instead of the
// site's 404 page. Either way the tab reloads by itself after the next save.
package devserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/diag"
)

// DefaultAddr is where the server listens unless told otherwise: loopback
// only, since a development build is nobody else's business.
const DefaultAddr = "127.0.0.1:4000"

// ErrAddrInUse is returned (wrapped) by Run when the address is taken.
var ErrAddrInUse = errors.New("address already in use")

// Server is a development server for one site. Set the fields, then call
// Run; or call Build and use Handler directly (tests, embedding).
type Server struct {
	// Source is the site folder; it is built and watched.
	Source string
	// Env is the build environment: "production" (default) or "staging".
	Env string
	// Addr is the host:port to listen on; empty means DefaultAddr.
	Addr string
	// Listener, when set, is used instead of listening on Addr.
	Listener net.Listener
	// Logger receives rebuild times and the site's problems; nil discards.
	// The builder's own progress is passed on only at debug level.
	Logger *slog.Logger
	// Debounce is how long the watcher waits for a burst of file events to
	// end before rebuilding; zero means 50ms.
	Debounce time.Duration
	// Ready, when set, is called with the server's URL once it accepts
	// requests.
	Ready func(url string)

	initOnce sync.Once
	initErr  error
	builder  *build.Builder
	mem      *build.Memory
	instance string // distinguishes this process's builds from a restarted one's
	gen      uint64 // build generation; only the build loop writes it
	state    atomic.Pointer[state]
	events   broker
	// known maps each page's source path to its output path, across builds,
	// so a page that stops building can still be found by its old URL.
	known map[string]string
	// logged are the diagnostics already logged, so a rebuild logs only new ones.
	logged map[diag.Diagnostic]bool
}

// state is what the handler serves from, replaced as a whole after each build.
type state struct {
	version   string // instance-generation, sent to tabs to decide on reloading
	headers   [][2]string
	errors    []diag.Diagnostic // error diagnostics of the last build
	broken    map[string]string // output path of a page that no longer builds → its source path
	redirects map[string]redirect
	failure   string // the build itself failed (unreadable folder…)
}

func (s *Server) init() error {
	s.initOnce.Do(func() {
		logger := slog.New(slog.DiscardHandler)
		if s.Logger != nil && s.Logger.Enabled(context.Background(), slog.LevelDebug) {
			logger = s.Logger
		}
		s.builder, s.initErr = build.New(build.Options{Source: s.Source, Env: s.Env, Logger: logger})
		s.mem = build.NewMemory()
		var id [4]byte
		rand.Read(id[:])
		s.instance = hex.EncodeToString(id[:])
		s.known = map[string]string{}
		s.logged = map[diag.Diagnostic]bool{}
		s.events.init()
	})
	return s.initErr
}

func (s *Server) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Build builds the whole site into memory. Run calls it; call it yourself
// only to use Handler without Run.
func (s *Server) Build(ctx context.Context) error {
	if err := s.init(); err != nil {
		return err
	}
	res, err := s.builder.Build(ctx, s.mem)
	if err != nil {
		return fmt.Errorf("build %s: %w", s.Source, err)
	}
	s.update(res, nil)
	s.log().Info(fmt.Sprintf("built %s and %s in %s", plural(res.Pages, "page"), plural(res.Files, "file"), ms(res.Duration)))
	return nil
}

// Run listens, builds the site, serves it and rebuilds on every change
// until ctx ends, then shuts down gracefully and returns nil.
func (s *Server) Run(ctx context.Context) error {
	if err := s.init(); err != nil {
		return err
	}
	// Ends the watcher and every request however Run returns.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	ln := s.Listener
	if ln == nil {
		addr := s.Addr
		if addr == "" {
			addr = DefaultAddr
		}
		var err error
		ln, err = (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("%s: %w", addr, ErrAddrInUse)
			}
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
	defer ln.Close()

	// Watch before the first build so no edit made during it is lost.
	changes, err := watch(ctx, s.Source, s.debounce(), s.log())
	if err != nil {
		return err
	}
	if err := s.Build(ctx); err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// Requests, event streams included, end with ctx.
		BaseContext: func(net.Listener) context.Context { return ctx },
		ErrorLog:    slog.NewLogLogger(s.log().Handler(), slog.LevelDebug),
	}
	var wg sync.WaitGroup
	serveErr := make(chan error, 1)
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
	})
	if s.Ready != nil {
		s.Ready(siteURL(ln.Addr()))
	}

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-serveErr:
			runErr = fmt.Errorf("serve: %w", err)
			break loop
		case c, ok := <-changes:
			if !ok {
				break loop
			}
			s.rebuild(ctx, c)
		}
	}
	// Cancelling first ends the event streams, which never go idle and
	// would otherwise hold Shutdown up; other requests finish normally.
	stop()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
	}
	wg.Wait()
	for range changes {
		// The watcher closes the channel as it ends.
	}
	return runErr
}

func (s *Server) debounce() time.Duration {
	if s.Debounce > 0 {
		return s.Debounce
	}
	return 50 * time.Millisecond
}

// rebuild brings the in-memory site up to date after a batch of changes and
// tells open tabs to reload when anything they show changed.
func (s *Server) rebuild(ctx context.Context, c change) {
	var (
		res *build.Result
		err error
	)
	if c.full {
		res, err = s.builder.Build(ctx, s.mem)
	} else {
		res, err = s.builder.Rebuild(ctx, s.mem, c.paths)
		if err != nil && ctx.Err() == nil {
			// A failed incremental step leaves the builder's memory of the
			// last build in doubt; a full build starts from nothing.
			s.log().Warn("incremental rebuild failed; building everything", "err", err)
			res, err = s.builder.Build(ctx, s.mem)
		}
	}
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		s.log().Error("build failed", "err", err)
		s.fail(err)
		return
	}
	if s.update(res, c.paths) {
		if res.Full {
			s.log().Info(fmt.Sprintf("rebuilt the site (%s) in %s", plural(res.Rendered, "page"), ms(res.Duration)))
		} else {
			s.log().Info(fmt.Sprintf("rebuilt %s in %s", plural(res.Rendered, "page"), ms(res.Duration)))
		}
	} else {
		s.log().Debug("nothing changed", "paths", c.paths)
	}
	// The search index waits until the tabs have their pages: it covers
	// every page and takes longer than the pages themselves.
	if err := s.builder.Flush(ctx, s.mem); err != nil && ctx.Err() == nil {
		s.log().Warn("search index", "err", err)
	}
}

// update records the result of a build and, when what a tab shows may have
// changed, publishes a new version. It reports whether it did.
func (s *Server) update(res *build.Result, changed []string) bool {
	var errs []diag.Diagnostic
	seen := map[diag.Diagnostic]bool{}
	for _, d := range res.Diagnostics {
		seen[d] = true
		if !s.logged[d] {
			if d.Severity == diag.Error {
				s.log().Error(d.String())
			} else {
				s.log().Warn(d.String())
			}
		}
		if d.Severity == diag.Error {
			errs = append(errs, d)
		}
	}
	s.logged = seen

	st := &state{headers: s.builder.Headers(), errors: errs, broken: map[string]string{}}
	st.redirects = parseRedirects(s.mem)
	s.trackPages(st, errs)

	prev := s.state.Load()
	same := prev != nil && prev.failure == "" && res.Written == 0 && res.Removed == 0 &&
		slices.Equal(prev.errors, errs) && maps.Equal(prev.broken, st.broken)
	if same {
		st.version = prev.version
		s.state.Store(st)
		return false
	}
	s.gen++
	st.version = s.instance + "-" + strconv.FormatUint(s.gen, 10)
	s.state.Store(st)
	s.events.publish(st.version)
	return true
}

// trackPages maps pages to output paths and finds the pages that built
// before but are missing now because their source has errors.
func (s *Server) trackPages(st *state, errs []diag.Diagnostic) {
	site := s.builder.Site()
	if site == nil {
		return
	}
	bad := map[string]bool{}
	for _, d := range errs {
		bad[d.Path] = true
	}
	cur := map[string]string{}
	for rel, o := range site.Routes {
		if o.Page != nil {
			cur[o.Page.Path] = rel
		}
	}
	for src, rel := range s.known {
		if _, ok := cur[src]; ok || !bad[src] {
			continue
		}
		if _, taken := site.Routes[rel]; taken {
			continue
		}
		st.broken[rel] = src
		cur[src] = rel // remembered while it stays broken
	}
	s.known = cur
}

// fail records a build that could not run at all.
func (s *Server) fail(err error) {
	prev := s.state.Load()
	st := &state{failure: err.Error(), broken: map[string]string{}}
	if prev != nil {
		st.headers, st.errors, st.redirects = prev.headers, prev.errors, prev.redirects
	}
	s.gen++
	st.version = s.instance + "-" + strconv.FormatUint(s.gen, 10)
	s.state.Store(st)
	s.events.publish(st.version)
}

// siteURL is the address to open in a browser: a server listening on every
// interface is reachable on loopback too.
func siteURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func ms(d time.Duration) string {
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}
