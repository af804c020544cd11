package liquid

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"

	olrender "github.com/osteele/liquid/render"
	yaml "gopkg.in/yaml.v2"
)

// Jekyll's include syntax (lib/jekyll/tags/include.rb), transcribed to RE2.
const includeParamRE = `([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))`

var (
	reIncludeParam     = regexp.MustCompile(includeParamRE)
	reIncludeParams    = regexp.MustCompile(`^\s*(?:` + includeParamRE + `(?:\s+|$)\s*)*$`)
	reIncludeVariable  = regexp.MustCompile(`(?s)^([^{]*(?:\{\{\s*[\w\-.]+\s*(?:\|.*)?\}\}[^\s{}]*)+)(.*)$`)
	reIncludeFileChars = regexp.MustCompile(`^[\w/.\-()+~#@]+$`)
	reIncludeBadSeq    = regexp.MustCompile(`[./]{2,}`)
)

type includeSpec struct {
	tag    string
	file   string // may contain {{ }} to expand at render time
	params string
	dyn    bool
	values []includeArg // parsed params, evaluated at render time
}

type includeArg struct {
	key string
	val expr
}

func parseInclude(markup, tag string) (*includeSpec, error) {
	m := strings.TrimSpace(markup)
	s := &includeSpec{tag: tag}
	var sm []string
	if strings.Contains(m, "{{") {
		sm = reIncludeVariable.FindStringSubmatch(m)
	}
	if sm != nil {
		s.file, s.params, s.dyn = strings.TrimSpace(sm[1]), strings.TrimSpace(sm[2]), true
	} else {
		s.file = m
		if i := strings.IndexAny(m, " \t\n\r\f\v"); i >= 0 {
			s.file, s.params = m[:i], strings.TrimSpace(m[i:])
		}
	}
	if s.file == "" {
		return nil, fmt.Errorf("a file name is required: {%% %s file.html param=\"value\" %%}", tag)
	}
	if s.params != "" && !reIncludeParams.MatchString(s.params) {
		return nil, fmt.Errorf("invalid parameters %q; valid syntax is {%% %s file.html param=\"value\" param2=variable %%}", s.params, tag)
	}
	if !s.dyn {
		if err := checkIncludeName(s.file, tag); err != nil {
			return nil, err
		}
	}
	for _, m := range reIncludeParam.FindAllStringSubmatchIndex(s.params, -1) {
		p := includeArg{key: s.params[m[2]:m[3]]}
		switch {
		case m[4] >= 0:
			p.val = literal{strings.ReplaceAll(s.params[m[4]:m[5]], `\"`, `"`)}
		case m[6] >= 0:
			p.val = literal{strings.ReplaceAll(s.params[m[6]:m[7]], `\'`, `'`)}
		default:
			p.val = parseValue(s.params[m[8]:m[9]])
		}
		s.values = append(s.values, p)
	}
	return s, nil
}

func checkIncludeName(file, tag string) error {
	if reIncludeBadSeq.MatchString(file) || !reIncludeFileChars.MatchString(file) {
		return fmt.Errorf("file name %q contains invalid characters or sequences for {%% %s %%}", file, tag)
	}
	return nil
}

// paramValues evaluates "k=v" pairs into Jekyll's ordered include hash.
func (s *includeSpec) paramValues(ctx olrender.Context) (yaml.MapSlice, error) {
	var out yaml.MapSlice
	ec := newEvalCtx(ctx)
	for _, p := range s.values {
		v, err := p.val.eval(ec)
		if err != nil {
			return nil, err
		}
		out = setOrdered(out, p.key, v)
	}
	return out, nil
}

func setOrdered(m yaml.MapSlice, k string, v any) yaml.MapSlice {
	for i := range m {
		if m[i].Key == k {
			m[i].Value = v
			return m
		}
	}
	return append(m, yaml.MapItem{Key: k, Value: v})
}

func (e *Engine) includeTag(tag string) func(string) (tagFn, error) {
	return func(markup string) (tagFn, error) {
		spec, err := parseInclude(markup, tag)
		if err != nil {
			return nil, err
		}
		return func(w io.Writer, ctx olrender.Context) error {
			return e.renderInclude(w, ctx, spec)
		}, nil
	}
}

func (e *Engine) renderInclude(w io.Writer, ctx olrender.Context, spec *includeSpec) error {
	st := stateOf(ctx)
	file := spec.file
	if spec.dyn {
		s, err := expandTemplate(ctx, file)
		if err != nil {
			if fatal(err) {
				return err
			}
			fail(ctx, err)
			return nil
		}
		file = strings.TrimSpace(s)
		if err := checkIncludeName(file, spec.tag); err != nil {
			fail(ctx, err)
			return nil
		}
	}
	var entry *includeEntry
	if spec.tag == "include_relative" {
		entry = e.relativeInclude(st.path, file)
	} else {
		entry = e.lookupInclude(file)
	}
	if !entry.found {
		fail(ctx, entry.err)
		return nil
	}
	if st.depth >= e.limits.MaxIncludeDepth {
		fail(ctx, fmt.Errorf("includes are nested more than %d deep (does %q include itself?); %q is skipped", e.limits.MaxIncludeDepth, file, file))
		return nil
	}
	st.diags = append(st.diags, entry.tpl.diags...)
	if entry.tpl.root == nil {
		return nil
	}
	bindings := make(map[string]any, len(ctx.Bindings())+1)
	for k, v := range ctx.Bindings() {
		bindings[k] = v
	}
	if spec.params != "" {
		params, err := spec.paramValues(ctx)
		if err != nil {
			if fatal(err) {
				return err
			}
			fail(ctx, err)
		}
		bindings["include"] = params
	}
	st.depth++
	st.stack = append(st.stack, ctx)
	mark := len(st.assigned)
	err := olrender.Render(entry.tpl.root, w, bindings, e.rcfg)
	st.depth--
	st.stack = st.stack[:len(st.stack)-1]
	// Liquid has one scope for assignments: copy the include's back.
	for _, a := range st.assigned[mark:] {
		ctx.Set(a.name, a.value)
	}
	if st.depth == 0 {
		st.assigned = st.assigned[:0]
	}
	if err != nil {
		if fatal(err) {
			return unwrapSignal(err)
		}
		fail(ctx, err)
	}
	return nil
}

// unwrapSignal strips osteele/liquid's location wrapper from a control
// signal so the enclosing loop recognises it.
func unwrapSignal(err error) error {
	switch {
	case errors.Is(err, errBreak):
		return errBreak
	case errors.Is(err, errContinue):
		return errContinue
	}
	return err
}

// lookupInclude finds and compiles an include once per engine.
func (e *Engine) lookupInclude(name string) *includeEntry {
	e.mu.Lock()
	entry, ok := e.includes[name]
	if !ok {
		entry = &includeEntry{}
		e.includes[name] = entry
	}
	e.mu.Unlock()
	entry.once.Do(func() {
		var tried []string
		for i, fsys := range e.cfg.Includes {
			dir := "_includes"
			if i < len(e.cfg.IncludePaths) && e.cfg.IncludePaths[i] != "" {
				dir = e.cfg.IncludePaths[i]
			}
			tried = append(tried, dir)
			if fsys == nil || !fs.ValidPath(name) {
				continue
			}
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				continue
			}
			entry.path = path.Join(dir, name)
			entry.tpl = e.compile(string(src), entry.path, 1)
			entry.found = true
			return
		}
		if len(tried) == 0 {
			tried = []string{"_includes"}
		}
		entry.err = fmt.Errorf("could not find include file %q in %s", name, strings.Join(tried, ", "))
	})
	return entry
}

// relativeInclude resolves {% include_relative %} against the page's folder.
func (e *Engine) relativeInclude(pagePath, name string) *includeEntry {
	full := path.Join(path.Dir(pagePath), name)
	key := "\x00rel:" + full
	e.mu.Lock()
	entry, ok := e.includes[key]
	if !ok {
		entry = &includeEntry{}
		e.includes[key] = entry
	}
	e.mu.Unlock()
	entry.once.Do(func() {
		if e.cfg.Site == nil {
			entry.err = errors.New("{% include_relative %} is not available in this build")
			return
		}
		src, err := fs.ReadFile(e.cfg.Site, full)
		if err != nil {
			entry.err = fmt.Errorf("could not find %q for {%% include_relative %%}: %w", full, err)
			return
		}
		entry.path = full
		entry.tpl = e.compile(string(src), full, 1)
		entry.found = true
	})
	return entry
}
