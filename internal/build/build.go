// Package build turns a site repository into a static site, in named phases:
// load (read and resolve the site, package site), render (each page through
// Liquid, Markdown, components and the theme) and write (files in an Output).
// A Builder keeps what it loaded and wrote, so Rebuild redoes only what a
// change affects; serve and Studio use it that way.
package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/markup"
	"isomer.dev/isomer/internal/search"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/theme"
)

// Options say what to build.
type Options struct {
	// Source is the site repository folder. FS, when set, is read instead
	// (Studio builds from a git snapshot).
	Source string
	FS     fs.FS
	// Dest is the output folder, for Build.
	Dest string
	// Env is "production" (default) or "staging".
	Env string
	// URL, when set, is the absolute address the site is published at; it
	// replaces url and baseurl from _config.yml.
	URL string
	// Now is the build time; zero means the time each build starts.
	Now time.Time
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// Progress, when set, is called as pages are written.
	Progress func(done, total int)
}

// Result summarises a build.
type Result struct {
	// Pages and Files count what the site consists of.
	Pages int
	Files int
	// Rendered counts the pages rendered by this run (all of them for a
	// full build); Written counts files whose bytes changed; Removed counts
	// stale files deleted.
	Rendered    int
	Written     int
	Removed     int
	Full        bool
	Diagnostics []diag.Diagnostic
	Duration    time.Duration
}

// Errors counts the error diagnostics.
func (r *Result) Errors() int { return r.count(diag.Error) }

// Warnings counts the warning diagnostics.
func (r *Result) Warnings() int { return r.count(diag.Warning) }

func (r *Result) count(s diag.Severity) int {
	n := 0
	for _, d := range r.Diagnostics {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// Build loads the site at opts.Source and writes it to the folder opts.Dest.
// Problems in the site are diagnostics in the result, never a reason to
// stop: every page that can be built is built. The error is for failures of
// the build itself (an unreadable source, an unwritable output, cancellation).
func Build(ctx context.Context, opts Options) (*Result, error) {
	src, err := filepath.Abs(opts.Source)
	if err != nil {
		return nil, fmt.Errorf("site folder: %w", err)
	}
	dest, err := filepath.Abs(opts.Dest)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	if dest == src || strings.HasPrefix(src, dest+string(filepath.Separator)) {
		return nil, fmt.Errorf("output folder %s would contain the site itself; choose another", opts.Dest)
	}
	b, err := New(opts)
	if err != nil {
		return nil, err
	}
	b.oneShot = true
	out := &Dir{Root: dest}
	if _, err := os.Lstat(dest); errors.Is(err, fs.ErrNotExist) {
		// A new output folder is built under a temporary name beside it
		// and renamed into place when complete: it appears whole or not
		// at all, and its files need no temporary names of their own.
		if out.Root, err = makeStage(dest); err != nil {
			return nil, err
		}
		out.fresh = true
	}
	for _, dir := range []string{dest, out.Root} {
		if rel, err := filepath.Rel(src, dir); err == nil && !strings.HasPrefix(rel, "..") {
			b.exclude = append(b.exclude, filepath.ToSlash(rel))
		}
	}
	res, err := b.Build(ctx, out)
	if out.Root == dest {
		return res, err
	}
	if err == nil {
		if err = os.Rename(out.Root, dest); err != nil {
			err = fmt.Errorf("output folder: move the built site into place: %w", err)
		}
	}
	if err != nil {
		os.RemoveAll(out.Root)
		return nil, err
	}
	return res, nil
}

// makeStage makes an empty folder beside dest, named after it, to build in.
func makeStage(dest string) (string, error) {
	parent, base := filepath.Split(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("output folder: %w", err)
	}
	prefix := filepath.Join(parent, "."+base+".isomer-"+strconv.Itoa(os.Getpid()))
	for try := 0; ; try++ {
		name := prefix
		if try > 0 {
			name += "-" + strconv.Itoa(try)
		}
		err := os.Mkdir(name, 0o755)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 100 {
			return "", fmt.Errorf("output folder: %w", err)
		}
	}
}

// Builder builds one site, repeatedly. Its methods are safe for concurrent
// use; builds run one at a time.
type Builder struct {
	opts    Options
	fsys    fs.FS
	theme   *theme.Theme
	md      *markup.Converter
	logger  *slog.Logger
	exclude []string
	// oneShot says no rebuild follows (the build command), so the build
	// may drop what only a rebuild would need.
	oneShot bool

	mu   sync.Mutex
	site *site.Site
	// produced maps each output path of the last build to true, so the next
	// one can remove what it no longer produces.
	produced map[string]bool
	// renderDiags are the problems found rendering each page (by source
	// path), kept for pages a partial rebuild does not render again.
	renderDiags map[string][]diag.Diagnostic
	// facts and feedHTML remember, per page, what a rebuild would otherwise
	// recompute by scanning every body. A page that changes is a new
	// *site.Page, so entries never go stale.
	facts    map[*site.Page]pageFacts
	feedHTML map[*site.Page][]byte
	// lastFiles are the site-wide files of the last build.
	lastFiles []file
	// searchDocs are the search entries of every page, kept across builds;
	// searchStale says a partial rebuild changed pages since the index was
	// last written (Flush writes it).
	searchDocs  map[*site.Page]search.Doc
	searchStale bool
}

// New prepares a Builder; nothing is read until Build.
func New(opts Options) (*Builder, error) {
	if opts.Env == "" {
		opts.Env = "production"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	fsys := opts.FS
	if fsys == nil {
		info, err := os.Stat(opts.Source)
		if err != nil {
			return nil, fmt.Errorf("site folder: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("site folder %s is not a folder", opts.Source)
		}
		fsys = os.DirFS(opts.Source)
	}
	th, err := theme.New()
	if err != nil {
		return nil, err
	}
	return &Builder{opts: opts, fsys: fsys, theme: th, md: markup.New(markup.CurrentARIA()), logger: logger}, nil
}

// Headers returns the response headers every page of the last build must be
// served with (security headers and the Content-Security-Policy), as the
// _headers file lists them.
func (b *Builder) Headers() [][2]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.site == nil {
		return nil
	}
	instagram := false
	for _, f := range b.facts {
		instagram = instagram || f.instagram
	}
	return SecurityHeaders(b.site, instagram)
}

// Site returns the site as of the last build, or nil before the first.
func (b *Builder) Site() *site.Site {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.site
}

func (b *Builder) loadOptions() site.Options {
	return site.Options{Now: b.now(), Exclude: b.exclude, URL: b.opts.URL}
}

func (b *Builder) now() time.Time {
	if !b.opts.Now.IsZero() {
		return b.opts.Now
	}
	return time.Now()
}

// Build loads the whole site and writes every output file to out; files a
// previous build wrote that are no longer produced are removed.
func (b *Builder) Build(ctx context.Context, out Output) (*Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := time.Now()
	s, err := site.Load(ctx, b.fsys, b.loadOptions())
	if err != nil {
		return nil, err
	}
	b.logger.Info("loaded site", "pages", len(s.Pages), "collections", len(s.Collections), "posts", len(s.Posts), "static_files", len(s.Static), "took", time.Since(start).Round(time.Millisecond))
	if b.produced == nil {
		if m, ok := out.(manifestOutput); ok {
			b.produced = m.ReadManifest()
		}
	}
	return b.write(ctx, s, out, nil, start)
}
