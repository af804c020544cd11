// Package preview shows a Studio site's staging branch as its visitors will
// see it once published: the branch is checked out into a folder Studio
// owns, built in memory by the same Builder that builds production, and
// brought up to date after each save by an incremental rebuild of what the
// save changed. Handler serves the build under a path prefix, rewriting the
// site's root-relative links to stay inside it.
package preview

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/studio/siterepo"
)

// ErrClosed is returned by Refresh after Close.
var ErrClosed = errors.New("preview: closed")

// Options configure a Preview.
type Options struct {
	// Logger receives what Refresh did; nil discards it.
	Logger *slog.Logger
	// Branch is the branch previewed; empty means siterepo.Staging.
	Branch string
	// Now is the build time; zero means the time each build starts. Tests
	// fix it to compare builds made at different times.
	Now time.Time
}

// Preview is the live preview of one branch of one site. Its methods are
// safe for concurrent use.
type Preview struct {
	repo   *siterepo.Repo
	branch string
	tree   *tree
	logger *slog.Logger
	opts   Options

	// sem serialises refreshes: they share the working tree and the
	// Builder. A channel rather than a mutex so that waiting for it
	// respects the caller's context.
	sem chan struct{}
	// started numbers refreshes as they start, so a caller that waited can
	// tell whether the refresh that just ended began after it asked (and
	// so already answers it).
	started atomic.Uint64

	// Guarded by sem.
	builder *build.Builder
	last    outcome // the last refresh to end
	// rebuildAll says the Builder's memory of the last build is in doubt
	// (a refresh failed part way): the next refresh builds everything.
	rebuildAll bool

	cur atomic.Pointer[state] // what Handler serves; nil before the first build

	mu     sync.Mutex
	closed bool
	cancel context.CancelFunc // of the running refresh, for Close
}

// outcome is how a refresh ended.
type outcome struct {
	seq uint64
	res *build.Result
	err error
}

// state is one successful build. It is never modified after it is
// published, so a request can use it without locks while the next build
// is written into a clone of its files.
type state struct {
	rev     string
	mem     *build.Memory
	site    *site.Site
	headers [][2]string
	result  *build.Result
	// rewritten caches served bodies whose links were rewritten, by
	// prefix and output path: the rewriting is the same for every request.
	rewritten sync.Map
}

// New prepares the preview of repo's branch. workDir is a folder the caller
// owns, kept across restarts: it holds the checked-out branch, which New
// verifies and reuses (or replaces if it is in doubt). Nothing is built
// until the first Refresh.
func New(ctx context.Context, repo *siterepo.Repo, workDir string, opts Options) (*Preview, error) {
	if opts.Branch == "" {
		opts.Branch = siterepo.Staging
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("branch", opts.Branch)
	if _, err := repo.Head(ctx, opts.Branch); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	abs, err := filepath.Abs(workDir)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	t, err := openTree(ctx, repo, abs, logger)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	p := &Preview{repo: repo, branch: opts.Branch, tree: t, logger: logger, opts: opts, sem: make(chan struct{}, 1)}
	if p.builder, err = p.newBuilder(); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return p, nil
}

func (p *Preview) newBuilder() (*build.Builder, error) {
	return build.New(build.Options{Source: p.tree.dir, Now: p.opts.Now, Logger: p.logger})
}

// Refresh brings the preview up to the branch head: the first call builds
// the whole site; later ones apply the commits since the last refresh to the
// working tree and rebuild only what they affect. It returns the result of
// the build now served, which is the previous one when the head has not
// moved. Refreshes run one at a time; callers that arrive during one wait
// and share the next. When a refresh fails, the last good build keeps being
// served and the error is returned; problems in the site itself are not
// errors but the result's diagnostics.
func (p *Preview) Refresh(ctx context.Context) (*build.Result, error) {
	asked := p.started.Load()
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.sem }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	p.cancel = cancel // Close ends the refresh through it
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.cancel = nil
		p.mu.Unlock()
	}()
	// A refresh that started after this call looked at a head at least as
	// new as the one this caller saw; its outcome answers this call too,
	// unless it ended because its own caller gave up.
	if l := p.last; l.seq > asked && !isCancel(l.err) {
		return l.res, l.err
	}
	seq := p.started.Add(1)
	res, err := p.refresh(ctx)
	if err != nil {
		err = fmt.Errorf("preview %s: %w", p.branch, err)
	}
	p.last = outcome{seq: seq, res: res, err: err}
	return res, err
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// refresh runs holding sem.
func (p *Preview) refresh(ctx context.Context) (*build.Result, error) {
	head, err := p.repo.Head(ctx, p.branch)
	if err != nil {
		return nil, err
	}
	cur := p.cur.Load()
	if cur != nil && cur.rev == head && !p.rebuildAll {
		return cur.result, nil
	}
	changed, replaced, err := p.tree.update(ctx, head)
	if err != nil {
		// The tree is checked out afresh next time, and everything
		// rebuilt from it.
		p.rebuildAll = true
		return nil, err
	}
	full := cur == nil || replaced || p.rebuildAll
	var (
		mem *build.Memory
		res *build.Result
	)
	if full {
		// A fresh Builder and output: nothing of a build in doubt is kept.
		if p.rebuildAll {
			if p.builder, err = p.newBuilder(); err != nil {
				return nil, err
			}
		}
		mem = build.NewMemory()
		res, err = p.builder.Build(ctx, mem)
	} else {
		// The served build stays untouched until this one is complete.
		mem = cur.mem.Clone()
		res, err = p.builder.Rebuild(ctx, mem, changed)
		if err == nil {
			err = p.builder.Flush(ctx, mem)
		}
	}
	if err != nil {
		p.rebuildAll = true
		return nil, fmt.Errorf("build %s: %w", short(head), err)
	}
	p.rebuildAll = false
	p.cur.Store(&state{rev: head, mem: mem, site: p.builder.Site(), headers: p.builder.Headers(), result: res})
	p.logger.Info("preview built", "rev", short(head), "full", res.Full, "rendered", res.Rendered,
		"written", res.Written, "errors", res.Errors(), "took", res.Duration.Round(time.Millisecond))
	return res, nil
}

func short(rev string) string {
	if len(rev) > 10 {
		return rev[:10]
	}
	return rev
}

// Rev is the revision the preview shows, or "" before the first build.
func (p *Preview) Rev() string {
	if st := p.cur.Load(); st != nil {
		return st.rev
	}
	return ""
}

// Site is the site as loaded by the build the preview shows, or nil before
// the first. Its FS reads the working tree, which later refreshes change:
// read file contents from the repository instead.
func (p *Preview) Site() *site.Site {
	if st := p.cur.Load(); st != nil {
		return st.site
	}
	return nil
}

// Diagnostics are the problems in the site as of the build the preview shows.
func (p *Preview) Diagnostics() []diag.Diagnostic {
	if st := p.cur.Load(); st != nil {
		return st.result.Diagnostics
	}
	return nil
}

// Close cancels a running refresh and waits for it to end. The working
// tree stays for the next New; Handler answers 503 from now on.
func (p *Preview) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	if p.cancel != nil {
		p.cancel()
	}
	p.mu.Unlock()
	p.sem <- struct{}{} // wait for the refresh to let go
	<-p.sem
	p.cur.Store(nil)
	return nil
}
