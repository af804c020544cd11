package build

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/search"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/theme"
)

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
	dropSources := b.oneShot && only == nil && sourcesUnread(s, b.facts)
	var written, rendered, pages, files atomic.Int64
	total := len(s.Routes)
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	r.captureFeedBodies()
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
			if dropSources {
				o.Page.Body = nil
			}
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
	if err := g.Wait(); err != nil {
		return nil, err
	}
	b.logger.Info("rendered pages", "rendered", rendered.Load(), "since_start", time.Since(start).Round(time.Millisecond))
	if only == nil || b.searchDocs == nil {
		b.searchDocs = r.searchDocs
	} else {
		for p, d := range r.searchDocs {
			b.searchDocs[p] = d
		}
	}
	// The feeds carry post bodies and the search index covers every page,
	// so both are made once the pages are rendered, side by side. The
	// index is made in a full build only; after partial rebuilds Flush
	// makes it.
	var index []file
	var side sync.WaitGroup
	if only == nil {
		side.Go(func() { index = searchFiles(s, b.searchDocs) })
	}
	feeds := r.feedFiles()
	side.Wait()
	for _, f := range feeds {
		produced[f.Path] = true
	}
	extras = append(extras, feeds...)
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
	if err := writeFiles(ctx, out, toWrite, &written); err != nil {
		return nil, err
	}
	if only == nil {
		if err := writeFiles(ctx, out, index, &written); err != nil {
			return nil, err
		}
		for _, f := range index {
			produced[f.Path] = true
		}
		extras = append(extras, index...)
		b.searchStale = false
		b.logger.Info("wrote feeds and search index", "files", len(feeds)+len(index), "since_start", time.Since(start).Round(time.Millisecond))
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

// sourcesUnread reports whether rendering one page never reads another
// page's source: the site has no Liquid layouts of its own and no page's
// Liquid reads site.*. A one-shot build then lets each page's source go
// once the page is written, which keeps a large site's memory (and the
// kernel's work handing it out) down. Feeds keep the bodies of their posts
// as they are rendered (see captureFeedBodies).
func sourcesUnread(s *site.Site, facts map[*site.Page]pageFacts) bool {
	if len(s.Layouts) > 0 {
		return false
	}
	for _, f := range facts {
		if f.usesSiteLiquid {
			return false
		}
	}
	return true
}
