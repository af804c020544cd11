// Package build turns a site repository into a static site, in named phases:
// load (read and resolve the site, package site), render (each page through
// Liquid, Markdown, components and the theme) and write (files in an Output).
// A Builder keeps what it loaded and wrote, so Rebuild redoes only what a
// change affects; serve and Studio use it that way.
package build

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

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
	if rel, err := filepath.Rel(src, dest); err == nil && !strings.HasPrefix(rel, "..") {
		b.exclude = append(b.exclude, filepath.ToSlash(rel))
	}
	return b.Build(ctx, &Dir{Root: dest})
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

// pageFacts are what the build needs to know about a page's body.
type pageFacts struct {
	usesSiteLiquid bool // its Liquid can read other pages through site.*
	instagram      bool // it embeds Instagram, whose script the CSP must allow
}

func factsOf(p *site.Page) pageFacts {
	return pageFacts{
		usesSiteLiquid: bytes.Contains(p.Body, []byte("site.")) && (bytes.Contains(p.Body, []byte("{{")) || bytes.Contains(p.Body, []byte("{%"))),
		instagram:      bytes.Contains(p.Body, []byte("instagram-wrapper")),
	}
}

// learnFacts adds the facts of one new page.
func (b *Builder) learnFacts(p *site.Page) {
	if _, ok := b.facts[p]; !ok {
		b.facts[p] = factsOf(p)
	}
}

// updateFacts learns the facts of every page of s, keeping what it knew.
func (b *Builder) updateFacts(s *site.Site) {
	next := make(map[*site.Page]pageFacts, len(s.Routes))
	for _, o := range s.Routes {
		if o.Page == nil {
			continue
		}
		f, ok := b.facts[o.Page]
		if !ok {
			f = factsOf(o.Page)
		}
		next[o.Page] = f
	}
	b.facts = next
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

// Rebuild brings out up to date after the files at the changed paths
// (relative to the site root) changed: it re-reads only those files and
// re-renders only the pages whose output can depend on them. The result is
// byte-for-byte what Build would write.
func (b *Builder) Rebuild(ctx context.Context, out Output, changed []string) (*Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := time.Now()
	if b.site == nil {
		s, err := site.Load(ctx, b.fsys, b.loadOptions())
		if err != nil {
			return nil, err
		}
		return b.write(ctx, s, out, nil, start)
	}
	before := map[string]string{}
	for _, p := range changed {
		if pg := pageAt(b.site, p); pg != nil {
			before[p] = sharedState(pg)
		}
	}
	s, full, err := site.Reload(ctx, b.site, changed)
	if err != nil {
		return nil, err
	}
	if full {
		return b.write(ctx, s, out, nil, start)
	}
	var only []*site.Page
	for _, p := range changed {
		pg := pageAt(s, p)
		old, had := before[p]
		if pg == nil && !had {
			continue // a static file, or a file that is not part of the site
		}
		if pg == nil || !had || old != sharedState(pg) {
			// Added, removed, or changed in a way other pages show (title,
			// URL, navigation group, date…): navigation on every page may differ.
			return b.write(ctx, s, out, nil, start)
		}
		b.learnFacts(pg)
		only = append(only, b.dependents(s, pg)...)
	}
	if only == nil {
		only = []*site.Page{}
	}
	return b.write(ctx, s, out, only, start)
}

// pageAt finds the page read from source path p.
func pageAt(s *site.Site, p string) *site.Page {
	for _, o := range s.Routes {
		if o.Page != nil && o.Page.Path == p {
			return o.Page
		}
	}
	for _, q := range s.Posts {
		if q.Path == p {
			return q
		}
	}
	return nil
}

// sharedState is what other pages can show of p: if it is unchanged, an
// edit to p affects only p and the pages that list it.
func sharedState(p *site.Page) string {
	tnt := "\x00"
	if p.ThirdNavTitle != nil {
		tnt = *p.ThirdNavTitle
	}
	return strings.Join([]string{
		p.Kind.String(), p.Title, p.URL, p.OutputPath, p.Layout, tnt, p.Breadcrumb,
		p.Date.String(), strings.Join(p.Categories, "/"), p.ResourceType, p.FileURL, p.External,
		fmt.Sprint(p.FrontMatter["redirect_from"], p.FrontMatter["sitemap"], p.FrontMatter["noindex"]),
		fmt.Sprint(p.Written, p.Index),
	}, "\x00")
}

// dependents are the pages whose output can change when p's body or
// page-only front matter changes: p itself, the listings that show it, and
// every page whose own Liquid may read other pages.
func (b *Builder) dependents(s *site.Site, p *site.Page) []*site.Page {
	out := []*site.Page{p}
	for _, o := range s.Routes {
		q := o.Page
		if q == nil || q == p {
			continue
		}
		switch {
		case p.Kind == site.KindPost && (q.Kind == site.KindHomepage || q.Kind == site.KindResourceRoom || q.Kind == site.KindResourceCategory):
			out = append(out, q)
		case b.facts[q].usesSiteLiquid:
			out = append(out, q)
		}
	}
	return out
}

// write renders pages (all of them when only is nil) and the site-wide
// files, writes them to out, and removes what the last build produced but
// this one does not.
func (b *Builder) write(ctx context.Context, s *site.Site, out Output, only []*site.Page, start time.Time) (*Result, error) {
	if only == nil {
		b.updateFacts(s)
	}
	if b.feedHTML == nil {
		b.feedHTML = map[*site.Page][]byte{}
	}
	r := newRenderer(s, b.theme, b.md, b.opts.Env)
	r.instagram = false
	for _, f := range b.facts {
		r.instagram = r.instagram || f.instagram
	}
	r.feedHTML = b.feedHTML
	r.previous = b.lastFiles
	r.partial = only != nil
	for _, p := range only {
		r.changedPost = r.changedPost || p.Kind == site.KindPost
	}
	res := &Result{Full: only == nil}
	produced := make(map[string]bool, len(s.Routes)+64)
	for rel := range s.Routes {
		produced[rel] = true
	}
	extras := r.siteFiles()
	generated := map[string]bool{}
	for _, f := range extras {
		produced[f.Path] = true
		generated[f.Path] = true
	}

	renderSet := map[*site.Page]bool{}
	for _, p := range only {
		renderSet[p] = true
	}
	var written, rendered, pages, files atomic.Int64
	total := len(s.Routes)
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	for rel, o := range s.Routes {
		if generated[rel] {
			continue // generated from the site's file, e.g. _redirects merged with redirect_from
		}
		if o.Static != nil {
			files.Add(1)
		} else {
			pages.Add(1)
		}
		if only != nil && (o.Page == nil || !renderSet[o.Page]) {
			continue
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			defer func() {
				if n := done.Add(1); b.opts.Progress != nil {
					b.opts.Progress(int(n), total)
				}
			}()
			if o.Static != nil {
				changed, err := out.CopyFile(gctx, s.FS, o.Static.Path, rel)
				if err != nil {
					return fmt.Errorf("copy %s: %w", o.Static.Path, err)
				}
				if changed {
					written.Add(1)
				}
				return nil
			}
			buf := bufs.Get().(*bytes.Buffer)
			defer bufs.Put(buf)
			buf.Reset()
			r.page(buf, o.Page)
			rendered.Add(1)
			changed, err := out.WriteFile(gctx, rel, buf.Bytes())
			if err != nil {
				return fmt.Errorf("write %s: %w", rel, err)
			}
			if changed {
				written.Add(1)
			}
			return nil
		})
	}
	previous := map[string][]byte{}
	if only != nil {
		for _, f := range b.lastFiles {
			previous[f.Path] = f.Data
		}
	}
	var toWrite []file
	for _, f := range extras {
		if old, ok := previous[f.Path]; !ok || !bytes.Equal(old, f.Data) {
			toWrite = append(toWrite, f) // new, or changed since the last build
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := writeFiles(ctx, out, toWrite, &written); err != nil {
		return nil, err
	}
	if only == nil || b.searchDocs == nil {
		b.searchDocs = r.searchDocs
	} else {
		for p, d := range r.searchDocs {
			b.searchDocs[p] = d
		}
	}
	if only == nil {
		// The search index covers every page, so only a full build writes
		// it; after partial rebuilds Flush does.
		sf := searchFiles(s, b.searchDocs)
		if err := writeFiles(ctx, out, sf, &written); err != nil {
			return nil, err
		}
		for _, f := range sf {
			produced[f.Path] = true
		}
		extras = append(extras, sf...)
		b.searchStale = false
	} else {
		// The previous index stays (siteFiles reuses it) until Flush.
		b.searchStale = b.searchStale || len(r.searchDocs) > 0
	}
	if only != nil {
		// A partial rebuild still copies every static file whose bytes may
		// have changed: the cheap size-and-content check skips the rest.
		for rel, o := range s.Routes {
			if o.Static == nil || generated[rel] {
				continue
			}
			if b.produced[rel] && !staticChanged(o.Static, b.site) {
				continue
			}
			changed, err := out.CopyFile(ctx, s.FS, o.Static.Path, rel)
			if err != nil {
				return nil, fmt.Errorf("copy %s: %w", o.Static.Path, err)
			}
			if changed {
				written.Add(1)
			}
		}
	}
	var stale []string
	for rel := range b.produced {
		if !produced[rel] {
			stale = append(stale, rel)
		}
	}
	slices.Sort(stale)
	for _, rel := range stale {
		if err := out.Remove(ctx, rel); err != nil {
			return nil, fmt.Errorf("remove stale %s: %w", rel, err)
		}
	}
	if m, ok := out.(manifestOutput); ok {
		if err := m.WriteManifest(produced); err != nil {
			return nil, err
		}
	}
	if only == nil || b.renderDiags == nil {
		b.renderDiags = r.diags
	} else {
		for _, p := range only {
			delete(b.renderDiags, p.Path)
			if d := r.diags[p.Path]; d != nil {
				b.renderDiags[p.Path] = d
			}
		}
	}
	all := &diag.List{}
	for _, d := range s.Diagnostics.Items() {
		all.Add(d)
	}
	for _, msg := range theme.ContrastProblems(s.Config.Colors) {
		all.Warnf("_config.yml", 0, "%s", msg)
	}
	for path, ds := range b.renderDiags {
		if pageAt(s, path) == nil {
			continue // the page is gone
		}
		for _, d := range ds {
			all.Add(d)
		}
	}
	for p := range b.feedHTML {
		if f, ok := b.facts[p]; !ok || f.usesSiteLiquid {
			delete(b.feedHTML, p) // gone, or its body can change with other pages
		}
	}
	b.lastFiles = extras
	b.site = s
	b.produced = produced
	res.Pages, res.Files = int(pages.Load()), int(files.Load())+len(extras)
	res.Rendered, res.Written, res.Removed = int(rendered.Load()), int(written.Load()), len(stale)
	res.Diagnostics = all.Items()
	res.Duration = time.Since(start)
	return res, nil
}

// Flush brings what partial rebuilds leave for later up to date in out:
// the search index, which covers every page and takes longer to write than
// the pages themselves. After Flush, out holds exactly what Build writes.
func (b *Builder) Flush(ctx context.Context, out Output) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.searchStale || b.site == nil {
		return nil
	}
	live := map[*site.Page]bool{}
	for _, o := range b.site.Routes {
		if o.Page != nil {
			live[o.Page] = true
		}
	}
	for p := range b.searchDocs {
		if !live[p] {
			delete(b.searchDocs, p)
		}
	}
	sf := searchFiles(b.site, b.searchDocs)
	var written atomic.Int64
	if err := writeFiles(ctx, out, sf, &written); err != nil {
		return err
	}
	fresh := map[string]bool{}
	for _, f := range sf {
		fresh[f.Path] = true
	}
	var kept []file
	for _, f := range b.lastFiles {
		if !strings.HasPrefix(f.Path, search.Dir) {
			kept = append(kept, f)
			continue
		}
		if !fresh[f.Path] {
			if err := out.Remove(ctx, f.Path); err != nil {
				return fmt.Errorf("remove stale %s: %w", f.Path, err)
			}
			delete(b.produced, f.Path)
		}
	}
	for _, f := range sf {
		b.produced[f.Path] = true
	}
	b.lastFiles = append(kept, sf...)
	if m, ok := out.(manifestOutput); ok {
		if err := m.WriteManifest(b.produced); err != nil {
			return err
		}
	}
	b.searchStale = false
	return nil
}

// writeFiles writes files to out, counting those whose bytes changed.
func writeFiles(ctx context.Context, out Output, files []file, written *atomic.Int64) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	for _, f := range files {
		g.Go(func() error {
			changed, err := out.WriteFile(gctx, f.Path, f.Data)
			if err != nil {
				return fmt.Errorf("write %s: %w", f.Path, err)
			}
			if changed {
				written.Add(1)
			}
			return nil
		})
	}
	return g.Wait()
}

// staticChanged reports whether a static file is new or differs in size or
// time from the one the previous site had at the same path.
func staticChanged(f *site.StaticFile, prev *site.Site) bool {
	if prev == nil {
		return true
	}
	o, ok := prev.Routes[f.OutputPath]
	if !ok || o.Static == nil {
		return true
	}
	return o.Static != f
}
