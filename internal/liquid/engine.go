package liquid

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime/debug"
	"sync"
	"time"

	olparser "github.com/osteele/liquid/parser"
	olrender "github.com/osteele/liquid/render"

	"isomer.dev/isomer/internal/diag"
)

// Config configures an Engine. The zero value works: no includes, no
// markdown conversion, UTC dates and default limits.
type Config struct {
	// Includes are searched in order for {% include %}: the site's
	// _includes/ first, then partials built into the theme.
	Includes []fs.FS
	// IncludePaths names each Includes entry in diagnostics, as a
	// site-relative directory. A missing entry means "_includes".
	IncludePaths []string
	// Site is the site source, used by {% include_relative %}; nil
	// disables that tag.
	Site fs.FS

	// SiteURL and BaseURL are site.url and site.baseurl, used by
	// absolute_url and relative_url.
	SiteURL, BaseURL string

	// Markdownify converts Markdown to HTML for the markdownify filter and
	// the accordion tag (the build injects a kramdown-compatible
	// converter). Nil leaves the text unchanged.
	Markdownify func(src []byte) ([]byte, error)
	// Now is the current time for the "now"/"today" date inputs; nil means
	// time.Now.
	Now func() time.Time
	// Location is the site's time zone (Jekyll's "timezone" setting, else
	// the build machine's zone): dates without an offset are read in it and
	// the date_to_* filters convert to it. Nil means UTC.
	Location *time.Location

	// PostURL and Link resolve {% post_url name %} and {% link path %} to
	// URLs. Nil makes those tags report an error.
	PostURL func(name string) (string, error)
	Link    func(path string) (string, error)

	// Limits bound the work one Render call may do. Zero values take the
	// defaults listed on Limits.
	Limits Limits
}

// Limits bound rendering so hostile or broken templates cannot hang or
// exhaust a build. Exceeding one stops the render with an error diagnostic
// and returns the output produced so far.
type Limits struct {
	MaxIncludeDepth int           // nested includes; default 20
	MaxIterations   int           // loop iterations per render; default 1,000,000
	MaxOutputBytes  int           // output and captured text; default 64 MiB
	Timeout         time.Duration // wall-clock time per render; default 10s
}

func (l Limits) withDefaults() Limits {
	if l.MaxIncludeDepth <= 0 {
		l.MaxIncludeDepth = 20
	}
	if l.MaxIterations <= 0 {
		l.MaxIterations = 1_000_000
	}
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = 64 << 20
	}
	if l.Timeout <= 0 {
		l.Timeout = 10 * time.Second
	}
	return l
}

// Engine renders Jekyll-flavoured Liquid. It is safe for concurrent use.
type Engine struct {
	cfg     Config
	limits  Limits
	loc     *time.Location
	rcfg    olrender.Config
	tags    map[string]tagInfo
	filters map[string]filterDef

	mu       sync.Mutex
	includes map[string]*includeEntry // by file name; filled lazily
	exprs    sync.Map                 // parsed where_exp/group_by_exp expressions
}

type includeEntry struct {
	once  sync.Once
	tpl   *template
	path  string // site-relative, for diagnostics
	found bool
	err   error
}

// template is a compiled template plus the diagnostics its parse produced.
type template struct {
	root  olrender.Node
	diags []diag.Diagnostic
}

// New returns an Engine for cfg.
func New(cfg Config) *Engine {
	e := &Engine{
		cfg:      cfg,
		limits:   cfg.Limits.withDefaults(),
		loc:      cfg.Location,
		rcfg:     olrender.NewConfig(),
		includes: map[string]*includeEntry{},
	}
	if e.loc == nil {
		e.loc = time.UTC
	}
	e.filters = e.filterTable()
	e.tags = e.tagTable()
	e.registerTags()
	return e
}

// stateKey holds the per-render state in the bindings. It is not a valid
// Liquid identifier, so templates cannot reach it.
const stateKey = "\x00state"

// renderState is shared by everything one Render call evaluates, including
// included files.
type renderState struct {
	e          *Engine
	path       string // page path, for include_relative and messages
	diags      []diag.Diagnostic
	iterations int
	deadline   time.Time
	written    int
	depth      int                // include nesting
	stack      []olrender.Context // include call sites, innermost last
	assigned   []assignment
	cycles     map[string]int
	forOffsets map[string]int
	counters   map[string]int
	ifchanged  string
	seed       uint64
}

type assignment struct {
	name  string
	value any
}

// errLimit stops the whole render when a limit is exceeded.
type errLimit struct{ msg string }

func (e *errLimit) Error() string { return e.msg }

// tick counts one loop iteration against the budget.
func (s *renderState) tick() error {
	s.iterations++
	if s.iterations > s.e.limits.MaxIterations {
		return &errLimit{fmt.Sprintf("stopped after %d loop iterations (limit reached; is a loop runaway?)", s.e.limits.MaxIterations)}
	}
	if s.iterations%1024 == 0 && time.Now().After(s.deadline) {
		return &errLimit{fmt.Sprintf("stopped after %v of rendering (time limit reached)", s.e.limits.Timeout)}
	}
	return nil
}

// checkSize rejects a single captured or assigned value over the budget
// (this is what stops "double the string in a loop" templates).
func (s *renderState) checkSize(n int) error {
	if n > s.e.limits.MaxOutputBytes {
		return &errLimit{fmt.Sprintf("stopped at a value of %d bytes (output limit reached)", n)}
	}
	return nil
}

// grow counts produced text against the output budget.
func (s *renderState) grow(n int) error {
	s.written += n
	if s.written > s.e.limits.MaxOutputBytes {
		return &errLimit{fmt.Sprintf("stopped after producing %d bytes (output limit reached)", s.e.limits.MaxOutputBytes)}
	}
	return nil
}

func (s *renderState) report(sev diag.Severity, path string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if len(s.stack) > 0 {
		p, l := lineOf(s.stack[len(s.stack)-1])
		msg += fmt.Sprintf(" (included from %s:%d)", p, l)
	}
	s.diags = append(s.diags, diag.Diagnostic{Path: path, Line: line, Severity: sev, Message: msg})
}

// limitWriter enforces the output budget on the top-level output.
type limitWriter struct {
	buf *bytes.Buffer
	st  *renderState
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if err := w.st.grow(len(p)); err != nil {
		return 0, err
	}
	return w.buf.Write(p)
}

// Render evaluates src, a template body whose first line is line `line` of
// the file `path` (site-relative, used in diagnostics), with vars as the
// top-level variables ("site", "page", "layout", "jekyll", …).
//
// Render always returns output. Problems are returned as diagnostics at
// path:line; see the package documentation for what the output contains
// when something is wrong.
func (e *Engine) Render(src []byte, path string, line int, vars map[string]any) (out []byte, diags []diag.Diagnostic) {
	// Fast path: most bodies contain no Liquid at all.
	if !bytes.Contains(src, []byte("{{")) && !bytes.Contains(src, []byte("{%")) {
		return src, nil
	}
	if line < 1 {
		line = 1
	}
	defer func() {
		if r := recover(); r != nil {
			out = src
			diags = append(diags, diag.Diagnostic{Path: path, Line: line, Severity: diag.Error,
				Message: fmt.Sprintf("internal error in the Liquid engine (%v); the text is shown unrendered\n%s", r, debug.Stack())})
		}
	}()
	tpl := e.compile(string(src), path, line)
	diags = append(diags, tpl.diags...)
	if tpl.root == nil {
		return src, diags
	}
	st := &renderState{e: e, path: path, deadline: time.Now().Add(e.limits.Timeout), seed: seedOf(path, src)}
	bindings := make(map[string]any, len(vars)+1)
	for k, v := range vars {
		bindings[k] = v
	}
	bindings[stateKey] = st
	var buf bytes.Buffer
	err := olrender.Render(tpl.root, &limitWriter{&buf, st}, bindings, e.rcfg)
	diags = append(diags, st.diags...)
	if err != nil {
		diags = append(diags, e.errorDiag(err, path, line))
	}
	return buf.Bytes(), diags
}

// errorDiag turns an error that escaped rendering into a diagnostic.
func (e *Engine) errorDiag(err error, path string, line int) diag.Diagnostic {
	var le *errLimit
	msg := err.Error()
	sev := diag.Error
	if errors.As(err, &le) {
		msg = le.msg
	} else if errors.Is(err, errBreak) || errors.Is(err, errContinue) {
		// Liquid stops rendering the page there too, without complaint.
		msg, sev = "{% break %} or {% continue %} outside a loop", diag.Warning
	}
	var se olparser.Error
	if errors.As(err, &se) && se.LineNumber() > 0 {
		line = se.LineNumber()
		if se.Path() != "" {
			path = se.Path()
		}
	}
	return diag.Diagnostic{Path: path, Line: line, Severity: sev, Message: msg + "; the output stops there"}
}

// compile runs the pre-pass and osteele/liquid's parser.
func (e *Engine) compile(src, path string, line int) *template {
	canon, diags := e.canonicalize(src, path, line)
	root, err := e.rcfg.Compile(canon, olparser.SourceLoc{Pathname: path, LineNo: line})
	if err != nil {
		// The pre-pass should have caught everything the parser rejects.
		diags = append(diags, diag.Diagnostic{Path: path, Line: line, Severity: diag.Error,
			Message: fmt.Sprintf("internal error: the Liquid parser rejected the checked template (%v); the text is shown unrendered", err)})
		return &template{diags: diags}
	}
	return &template{root: root, diags: diags}
}

// stateOf returns the render state from a tag's context.
func stateOf(ctx olrender.Context) *renderState {
	st, _ := ctx.Get(stateKey).(*renderState)
	return st
}

// evalCtx evaluates expressions against the current variables.
type evalCtx struct {
	vars map[string]any
	st   *renderState
}

func newEvalCtx(ctx olrender.Context) *evalCtx {
	return &evalCtx{vars: ctx.Bindings(), st: stateOf(ctx)}
}

func (c *evalCtx) get(name string) any {
	if name == stateKey {
		return nil
	}
	return c.vars[name]
}

// with returns a context where name is bound to v (for where_exp and co).
func (c *evalCtx) with(name string, v any) *evalCtx {
	vars := make(map[string]any, len(c.vars)+1)
	for k, x := range c.vars {
		vars[k] = x
	}
	vars[name] = v
	return &evalCtx{vars: vars, st: c.st}
}

func (c *evalCtx) applyFilter(name string, in any, args []any) (any, error) {
	f, ok := c.st.e.filters[name]
	if !ok {
		return in, nil // unknown filters pass the value through, as in Jekyll
	}
	return f.call(c, in, args)
}

// lineOf finds the source line of the tag being rendered.
func lineOf(ctx olrender.Context) (string, int) {
	err := ctx.Errorf("x")
	return err.Path(), err.LineNumber()
}

// fail records a render-time error at the current tag.
func fail(ctx olrender.Context, err error) {
	st := stateOf(ctx)
	if st == nil {
		return
	}
	path, line := lineOf(ctx)
	st.report(diag.Error, path, line, "%v", err)
}

// fatal reports whether err must stop the render (limits, break/continue).
func fatal(err error) bool {
	var le *errLimit
	return errors.As(err, &le) || errors.Is(err, errBreak) || errors.Is(err, errContinue)
}

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

// writeString writes s to w.
func writeString(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}

// seedOf derives a per-page seed so "sample" is reproducible between builds.
func seedOf(path string, src []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range []byte(path) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	for _, b := range src {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}
