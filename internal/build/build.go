// Package build turns a site repository into a static site, in named phases:
// load (read and resolve the site, package site), render (each page through
// Liquid, Markdown, components and the theme), and write (atomic files in
// the output folder).
package build

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/theme"
)

// Options say what to build and where.
type Options struct {
	// Source is the site repository folder.
	Source string
	// Dest is the output folder.
	Dest string
	// Env is "production" (default) or "staging".
	Env string
	// Now is the build time; zero means time.Now().
	Now time.Time
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
}

// Result summarises a build.
type Result struct {
	Pages       int
	Files       int
	Written     int // files whose bytes changed
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

// Build loads the site at opts.Source and writes it to opts.Dest. Problems
// in the site are diagnostics in the result, never a reason to stop: every
// page that can be built is built. The error is for failures of the build
// itself (an unreadable source, an unwritable output, cancellation).
func Build(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Env == "" {
		opts.Env = "production"
	}
	src, err := filepath.Abs(opts.Source)
	if err != nil {
		return nil, fmt.Errorf("site folder: %w", err)
	}
	if info, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("site folder: %w", err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("site folder %s is not a folder", opts.Source)
	}
	dest, err := filepath.Abs(opts.Dest)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	if dest == src || strings.HasPrefix(src, dest+string(filepath.Separator)) {
		return nil, fmt.Errorf("output folder %s would contain the site itself; choose another", opts.Dest)
	}
	var exclude []string
	if rel, err := filepath.Rel(src, dest); err == nil && !strings.HasPrefix(rel, "..") {
		exclude = append(exclude, filepath.ToSlash(rel))
	}

	// Phase 1: load and resolve.
	s, err := site.Load(ctx, os.DirFS(src), site.Options{Now: opts.Now, Exclude: exclude})
	if err != nil {
		return nil, err
	}
	logger.Info("loaded site", "pages", len(s.Pages), "collections", len(s.Collections), "posts", len(s.Posts), "static_files", len(s.Static), "took", time.Since(start).Round(time.Millisecond))

	th, err := theme.New()
	if err != nil {
		return nil, err
	}
	r := &renderer{site: s, theme: th, md: newMarkdown(), env: opts.Env, diags: s.Diagnostics}
	out := Dir{Root: dest}

	// Phases 2 and 3: render and write, page by page, on every core.
	res := &Result{}
	var written, pages, files atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	for rel, o := range s.Routes {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if o.Static != nil {
				changed, err := out.CopyFile(gctx, s.FS, o.Static.Path, rel)
				if err != nil {
					return fmt.Errorf("copy %s: %w", o.Static.Path, err)
				}
				files.Add(1)
				if changed {
					written.Add(1)
				}
				return nil
			}
			buf := bufs.Get().(*bytes.Buffer)
			defer bufs.Put(buf)
			buf.Reset()
			if err := r.page(buf, o.Page); err != nil {
				s.Diagnostics.Errorf(o.Page.Path, 0, "%v", err)
				return nil
			}
			changed, err := out.WriteFile(gctx, rel, buf.Bytes())
			if err != nil {
				return fmt.Errorf("write %s: %w", rel, err)
			}
			pages.Add(1)
			if changed {
				written.Add(1)
			}
			return nil
		})
	}
	for _, a := range th.Assets(s) {
		g.Go(func() error {
			changed, err := out.WriteFile(gctx, a.Path, a.Data)
			if err != nil {
				return fmt.Errorf("write theme asset %s: %w", a.Path, err)
			}
			files.Add(1)
			if changed {
				written.Add(1)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res.Pages, res.Files, res.Written = int(pages.Load()), int(files.Load()), int(written.Load())
	res.Diagnostics = s.Diagnostics.Items()
	res.Duration = time.Since(start)
	return res, nil
}
