// Package check is the publish gate: it builds a site and reports what
// would embarrass it in production (broken links, images and anchors,
// unreachable pages, accessibility and safety problems, oversized media,
// unreadable colours), each at the source file and line an author edits.
//
// The checks read the built HTML, because that is what visitors get, and
// map every finding back to its source: content findings to the page body,
// front-matter-driven ones (homepage sections, resource cards) to the field,
// navigation and footer ones to _data files (locate.go).
package check

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/sync/errgroup"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/site"
)

// Rule ids: short, stable names for CI filters and the JSON report.
const (
	RuleBrokenLink         = "broken-link"         // an internal link to nothing
	RuleBrokenImage        = "broken-image"        // an internal image to nothing
	RuleBrokenAnchor       = "broken-anchor"       // #fragment missing on the target page
	RuleDuplicatePermalink = "duplicate-permalink" // two sources write the same output file
	RuleOrphan             = "orphan-page"         // no navigation, listing or link reaches the page
	RuleMissingAlt         = "missing-alt"         // image without a text alternative
	RuleEmptyLink          = "empty-link"          // link with no accessible name
	RuleVagueLink          = "vague-link-text"     // "click here", "here", "read more"…
	RuleHeadingSkip        = "heading-skip"        // h2 followed by h4 in page content
	RuleTableHeader        = "table-no-header"     // data table without <th>
	RuleUnsafeHTML         = "unsafe-html"         // what the CMS sanitiser removes for safety
	RuleFileSize           = "file-too-large"      // static file over the file budget
	RuleImageSize          = "image-too-large"     // image over the image budget
	RuleContrast           = "color-contrast"      // configured colour fails WCAG AA
	RuleMalformedURL       = "malformed-url"       // an external URL that cannot work
	RuleExternalLink       = "external-link"       // an external URL that failed (--external)
	RuleBuild              = "build"               // any other problem the build reported
)

// Finding is one problem at one source location.
type Finding struct {
	Rule     string
	Severity diag.Severity
	// Path is the source file, slash-separated, relative to the site root.
	Path string
	// Line is 1-based; 0 means the whole file.
	Line    int
	Message string
	// URL is the output page where the problem shows, when there is one.
	URL string
}

func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Path)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
	}
	fmt.Fprintf(&b, ": %s: %s [%s]", f.Severity, f.Message, f.Rule)
	return b.String()
}

// PageWeight is what a browser downloads for one page: its HTML and the
// site images it references (theme CSS and JS are the same for every page
// and left out).
type PageWeight struct {
	URL    string
	Path   string // source file
	HTML   int64
	Images int64
}

// Total is HTML plus images.
func (w PageWeight) Total() int64 { return w.HTML + w.Images }

// Report is the result of a check.
type Report struct {
	// Findings sorted by path, line, rule and message; duplicates removed.
	Findings []Finding
	// Heaviest are the heaviest pages, heaviest first.
	Heaviest []PageWeight
	// Pages and Files count what was checked.
	Pages, Files int
	// External counts the distinct external URLs checked over the network.
	External int
}

// Count returns how many findings have severity s.
func (r *Report) Count(s diag.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Failed reports whether any finding is at least as severe as threshold.
func (r *Report) Failed(threshold diag.Severity) bool {
	for _, f := range r.Findings {
		if f.Severity >= threshold {
			return true
		}
	}
	return false
}

// Defaults for Options.
const (
	// DefaultMaxFileSize is the CMS upload limit (MEDIA_FILE_MAX_SIZE).
	DefaultMaxFileSize = 5 << 20
	// DefaultMaxImageSize keeps pages light on mobile networks.
	DefaultMaxImageSize = 1 << 20
	// DefaultHeaviest is how many pages the weight list shows.
	DefaultHeaviest = 5
)

// Options say what to check and how.
type Options struct {
	// Source is the site repository folder.
	Source string
	// Output is where the site is built. Empty means a temporary folder
	// that is removed afterwards.
	Output string
	// Now is the build time; zero means time.Now().
	Now time.Time
	// MaxFileSize and MaxImageSize are the size budgets in bytes; 0 means
	// the defaults, negative turns the check off.
	MaxFileSize, MaxImageSize int64
	// Heaviest is how many of the heaviest pages to list; 0 means the default.
	Heaviest int
	// External checks external URLs over the network.
	External ExternalOptions
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
}

// ExternalOptions configure the network check of external links.
type ExternalOptions struct {
	// Enabled turns the network check on; malformed URLs are always reported.
	Enabled bool
	// Client is the HTTP client; nil means one with a 15-second timeout.
	Client *http.Client
	// Rate is the most requests per second; 0 means 2.
	Rate float64
	// Concurrency is the most requests in flight; 0 means 4.
	Concurrency int
	// CacheFile keeps results between runs; empty means no cache.
	CacheFile string
	// MaxAge is how long a cached result is trusted; 0 means 24 hours.
	MaxAge time.Duration
}

// Run builds the site at opts.Source and checks it. The error is for
// failures of the check itself (an unreadable site, an unwritable output
// folder, cancellation); problems in the site are findings.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.MaxFileSize == 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.MaxImageSize == 0 {
		opts.MaxImageSize = DefaultMaxImageSize
	}
	if opts.Heaviest <= 0 {
		opts.Heaviest = DefaultHeaviest
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	out := opts.Output
	if out == "" {
		tmp, err := os.MkdirTemp("", "isomer-check-*")
		if err != nil {
			return nil, fmt.Errorf("temporary output folder: %w", err)
		}
		defer os.RemoveAll(tmp)
		out = tmp
	}
	src, err := filepath.Abs(opts.Source)
	if err != nil {
		return nil, fmt.Errorf("site folder: %w", err)
	}
	dest, err := filepath.Abs(out)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	if dest == src || strings.HasPrefix(src, dest+string(filepath.Separator)) {
		return nil, fmt.Errorf("output folder %s would contain the site itself; choose another", out)
	}
	var fsys fs.FS = os.DirFS(src)
	if rel, err := filepath.Rel(src, dest); err == nil && !strings.HasPrefix(rel, "..") {
		// An output folder inside the site (-o _site) is not part of it.
		fsys = hidingFS{FS: fsys, hide: filepath.ToSlash(rel)}
	}
	b, err := build.New(build.Options{Source: src, FS: fsys, Now: opts.Now, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	rec := &recorder{Dir: &build.Dir{Root: dest}, files: map[string]bool{}}
	res, err := b.Build(ctx, rec)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	s := b.Site()
	c, err := newChecker(ctx, s, dest, rec.written(), opts)
	if err != nil {
		return nil, err
	}
	c.buildDiagnostics(res.Diagnostics)
	if err := c.links(ctx); err != nil {
		return nil, err
	}
	c.fieldURLs()
	c.orphans()
	if err := c.a11y(ctx); err != nil {
		return nil, err
	}
	if err := c.unsafeHTML(ctx); err != nil {
		return nil, err
	}
	c.sizes()
	c.contrast()
	if err := c.external(ctx); err != nil {
		return nil, err
	}
	return c.report(), nil
}

// checker holds one run: the site model, the parsed output and the findings.
type checker struct {
	site *site.Site
	opts Options
	out  string
	idx  *outputIndex
	// docs are the parsed HTML pages, sorted by output path.
	docs          []*pageDoc
	byOutput      map[string]*pageDoc
	loc           *locator
	findings      []Finding
	externalCount int
}

func newChecker(ctx context.Context, s *site.Site, out string, written []string, opts Options) (*checker, error) {
	idx, err := indexOutput(ctx, s, out, written)
	if err != nil {
		return nil, err
	}
	c := &checker{site: s, opts: opts, out: out, idx: idx, byOutput: map[string]*pageDoc{}, loc: newLocator(s)}
	var paths []string
	for p := range idx.files {
		if strings.HasSuffix(strings.ToLower(p), ".html") {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	docs := make([]*pageDoc, len(paths))
	// The same navigation and footer URLs are on every page: keep one copy.
	var internMu sync.Mutex
	interned := map[string]string{}
	intern := func(s string) string {
		internMu.Lock()
		defer internMu.Unlock()
		if v, ok := interned[s]; ok {
			return v
		}
		interned[s] = s
		return s
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			f, err := os.Open(filepath.Join(out, filepath.FromSlash(p)))
			if err != nil {
				return fmt.Errorf("read output: %w", err)
			}
			defer f.Close()
			root, err := html.Parse(f)
			if err != nil {
				return fmt.Errorf("parse %s: %w", p, err)
			}
			docs[i] = parsePage(p, s.Routes[p].Page, root, intern)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	c.docs = docs
	for _, d := range docs {
		c.byOutput[d.output] = d
	}
	return c, nil
}

// add records a finding.
func (c *checker) add(f Finding) { c.findings = append(c.findings, f) }

// report sorts and de-duplicates: a broken navigation link shows on every
// page but is one problem in _data/navigation.yml.
func (c *checker) report() *Report {
	list := slices.Clone(c.findings)
	slices.SortStableFunc(list, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line),
			strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message), strings.Compare(a.URL, b.URL))
	})
	list = slices.CompactFunc(list, func(a, b Finding) bool {
		return a.Path == b.Path && a.Line == b.Line && a.Rule == b.Rule && a.Message == b.Message
	})
	pages := 0
	for _, d := range c.docs {
		if d.page != nil {
			pages++
		}
	}
	return &Report{Findings: list, Heaviest: c.heaviest(), Pages: pages, Files: len(c.idx.files), External: c.externalCount}
}

// outputIndex is every file of the built site, for resolving references
// the way a static web server does.
type outputIndex struct {
	files map[string]int64 // output path (unescaped) → size
	// lower and folded map case-folded and accent-folded paths to the real
	// ones, to tell authors which link almost works.
	lower  map[string][]string
	folded map[string][]string
	// urls is the URL the site itself uses for an output file.
	urls    map[string]string
	baseURL string
	siteURL string
	// cache holds resolutions by reference (and page, for relative ones).
	cache map[string]resolution
	// near indexes paths for typo suggestions; built on first use.
	near map[string][]nearCand
}

// indexOutput lists what this build wrote, with sizes. Only those files,
// so that stale files in a reused output folder cannot make a broken link
// look fine.
func indexOutput(ctx context.Context, s *site.Site, out string, written []string) (*outputIndex, error) {
	idx := newOutputIndex(s.Config.BaseURL, s.Config.URL)
	for _, p := range written {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		info, err := os.Stat(filepath.Join(out, filepath.FromSlash(p)))
		if err != nil || info.IsDir() {
			continue
		}
		idx.add(p, info.Size())
	}
	for p, o := range s.Routes {
		switch {
		case o.Page != nil:
			idx.urls[p] = o.Page.URL
		case o.Static != nil:
			idx.urls[p] = o.Static.URL
		}
	}
	return idx, nil
}

// recorder is the build's output folder, noting every file the build
// writes. It passes the manifest through, so the build still removes what
// an earlier build into a reused folder left behind.
type recorder struct {
	*build.Dir
	mu    sync.Mutex
	files map[string]bool
}

func (r *recorder) note(rel string, keep bool) {
	r.mu.Lock()
	if keep {
		r.files[rel] = true
	} else {
		delete(r.files, rel)
	}
	r.mu.Unlock()
}

func (r *recorder) WriteFile(ctx context.Context, rel string, data []byte) (bool, error) {
	r.note(rel, true)
	return r.Dir.WriteFile(ctx, rel, data)
}

func (r *recorder) CopyFile(ctx context.Context, fsys fs.FS, src, rel string) (bool, error) {
	r.note(rel, true)
	return r.Dir.CopyFile(ctx, fsys, src, rel)
}

func (r *recorder) Remove(ctx context.Context, rel string) error {
	r.note(rel, false)
	return r.Dir.Remove(ctx, rel)
}

// written lists the recorded files, sorted.
func (r *recorder) written() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sortedKeys(r.files)
}

func newOutputIndex(baseURL, siteURL string) *outputIndex {
	return &outputIndex{
		files: map[string]int64{}, lower: map[string][]string{}, folded: map[string][]string{},
		urls: map[string]string{}, baseURL: baseURL, siteURL: siteURL, cache: map[string]resolution{},
	}
}

func (ix *outputIndex) add(p string, size int64) {
	ix.files[p] = size
	ix.lower[strings.ToLower(p)] = append(ix.lower[strings.ToLower(p)], p)
	ix.folded[fold(p)] = append(ix.folded[fold(p)], p)
}

// hidingFS is a file system without one folder.
type hidingFS struct {
	fs.FS
	hide string
}

func (h hidingFS) hidden(name string) bool {
	return name == h.hide || strings.HasPrefix(name, h.hide+"/")
}

func (h hidingFS) Open(name string) (fs.File, error) {
	if h.hidden(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return h.FS.Open(name)
}

func (h hidingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if h.hidden(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := fs.ReadDir(h.FS, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool {
		return h.hidden(path.Join(name, e.Name()))
	}), err
}
