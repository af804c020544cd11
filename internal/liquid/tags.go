package liquid

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	olrender "github.com/osteele/liquid/render"
	yaml "gopkg.in/yaml.v2"
)

// Tags are implemented here instead of using osteele/liquid's standard set
// so that they follow Liquid 5 as Jekyll runs it: assignments inside
// includes are visible afterwards, cycle state is per page, "for" honours
// offset:continue and iterates hashes in order, "case" renders every
// matching "when", and every loop iteration counts against the render
// budget.

const variableSignature = `(?:\(?[\w\-\.\[\]]\)?)`

var (
	reAssign      = regexp.MustCompile(`(?s)(` + variableSignature + `+)\s*=\s*(.*)\s*`)
	reCapture     = regexp.MustCompile(`(` + variableSignature + `+)`)
	reForLax      = regexp.MustCompile(`(?s)^([\w-]+)\s+in\s+(` + quotedFragment + `+)\s*(reversed)?`)
	reTablerow    = regexp.MustCompile(`(\w+)\s+in\s+(` + quotedFragment + `+)`)
	reCaseSyntax  = regexp.MustCompile(`(` + quotedFragment + `)`)
	reWhenSyntax  = regexp.MustCompile(`(?s)(` + quotedFragment + `)(?:(?:\s+or\s+|\s*,\s*)(` + quotedFragment + `.*))?`)
	reCycleNamed  = regexp.MustCompile(`(?s)^(` + quotedFragment + `)\s*:\s*(.*)`)
	reCycleSimple = regexp.MustCompile(`^` + quotedFragment + `+`)
	reCycleValue  = regexp.MustCompile(`\s*(` + quotedFragment + `)\s*`)
	reInlineNL    = regexp.MustCompile(`\n\s*[^#\s]`)
	reHighlight   = regexp.MustCompile(`^([a-zA-Z0-9.+#_-]+)((\s+\w+(=(\w+|"([0-9]+\s)*[0-9]+"))?)*)$`)
)

func (e *Engine) tagTable() map[string]tagInfo {
	condCheck := func(m string) (error, error) { _, w, err := parseCondition(m); return w, err }
	varCheck := func(m string) (error, error) { _, w := parseVariable(m); return w, nil }
	return map[string]tagInfo{
		"if":      {kind: tagBlock, strips: true, check: condCheck},
		"unless":  {kind: tagBlock, strips: true, check: condCheck},
		"elsif":   {kind: tagClause, parents: []string{"if", "unless"}, check: condCheck},
		"else":    {kind: tagClause, parents: []string{"if", "unless", "for", "case"}},
		"for":     {kind: tagBlock, strips: true, check: func(m string) (error, error) { _, w, err := parseFor(m); return w, err }},
		"case":    {kind: tagBlock, strips: true, check: func(m string) (error, error) { _, err := parseCase(m); return nil, err }},
		"when":    {kind: tagClause, parents: []string{"case"}, check: func(m string) (error, error) { _, err := parseWhen(m); return nil, err }},
		"capture": {kind: tagBlock, check: func(m string) (error, error) { _, err := parseCapture(m); return nil, err }},
		"tablerow": {kind: tagBlock, check: func(m string) (error, error) {
			_, err := parseTablerow(m)
			return nil, err
		}},
		"ifchanged": {kind: tagBlock},
		"accordion": {kind: tagBlock},
		"highlight": {kind: tagBlock, check: func(m string) (error, error) { _, err := parseHighlight(m); return nil, err }},
		"assign": {kind: tagInline, blank: true, check: func(m string) (error, error) {
			a, err := parseAssign(m)
			if err != nil {
				return nil, err
			}
			return a.warn, nil
		}},
		"echo":      {kind: tagInline, check: varCheck},
		"increment": {kind: tagInline},
		"decrement": {kind: tagInline},
		"cycle":     {kind: tagInline, check: func(m string) (error, error) { _, err := parseCycle(m); return nil, err }},
		"break":     {kind: tagInline},
		"continue":  {kind: tagInline},
		"include": {kind: tagInline, check: func(m string) (error, error) {
			_, err := parseInclude(m, "include")
			return nil, err
		}},
		"include_relative": {kind: tagInline, check: func(m string) (error, error) {
			_, err := parseInclude(m, "include_relative")
			return nil, err
		}},
		"link":     {kind: tagInline},
		"post_url": {kind: tagInline},
		"#": {kind: tagInline, blank: true, check: func(m string) (error, error) {
			if reInlineNL.MatchString(m) {
				return nil, errors.New("each line of an inline comment must start with '#'")
			}
			return nil, nil
		}},
	}
}

type tagFn = func(io.Writer, olrender.Context) error

func (e *Engine) registerTags() {
	c := &e.rcfg
	c.AddTag("__nop", func(string) (tagFn, error) { return func(io.Writer, olrender.Context) error { return nil }, nil })
	c.AddTag("__lit", func(args string) (tagFn, error) {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(args))
		if err != nil {
			return nil, fmt.Errorf("bad literal: %w", err)
		}
		s := string(b)
		return func(w io.Writer, _ olrender.Context) error { return writeString(w, s) }, nil
	})
	c.AddTag("__o", func(args string) (tagFn, error) { return objectTag(args), nil })
	c.AddTag("__o64", func(args string) (tagFn, error) {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(args))
		if err != nil {
			return nil, fmt.Errorf("bad expression: %w", err)
		}
		return objectTag(string(b)), nil
	})
	c.AddTag("echo", func(args string) (tagFn, error) { return objectTag(args), nil })
	c.AddTag("assign", assignTag)
	c.AddTag("increment", counterTag(1))
	c.AddTag("decrement", counterTag(-1))
	c.AddTag("cycle", cycleTag)
	c.AddTag("break", func(string) (tagFn, error) {
		return func(io.Writer, olrender.Context) error { return errBreak }, nil
	})
	c.AddTag("continue", func(string) (tagFn, error) {
		return func(io.Writer, olrender.Context) error { return errContinue }, nil
	})
	c.AddTag("include", e.includeTag("include"))
	c.AddTag("include_relative", e.includeTag("include_relative"))
	c.AddTag("link", e.hookTag("link", func() func(string) (string, error) { return e.cfg.Link }))
	c.AddTag("post_url", e.hookTag("post_url", func() func(string) (string, error) { return e.cfg.PostURL }))

	c.AddBlock("__doc").Compiler(e.docCompiler)
	c.AddBlock("if").Clause("elsif").Clause("else").Compiler(ifCompiler(false))
	c.AddBlock("unless").Clause("elsif").Clause("else").Compiler(ifCompiler(true))
	c.AddBlock("case").Clause("when").Clause("else").Compiler(caseCompiler)
	c.AddBlock("for").Clause("else").Compiler(forCompiler)
	c.AddBlock("tablerow").Compiler(tablerowCompiler)
	c.AddBlock("capture").Compiler(captureCompiler)
	c.AddBlock("ifchanged").Compiler(ifchangedCompiler)
	c.AddBlock("accordion").Compiler(e.accordionCompiler)
	c.AddBlock("highlight").Compiler(highlightCompiler)
}

// docCompiler wraps a whole template. At the top level it turns a stop
// (limit reached, break outside a loop) into a diagnostic so the output
// produced so far is kept; inside an include the stop travels up.
func (e *Engine) docCompiler(olrender.BlockNode) (tagFn, error) {
	return func(w io.Writer, ctx olrender.Context) error {
		err := ctx.RenderChildren(w)
		st := stateOf(ctx)
		if err == nil || st == nil || st.depth > 0 {
			return err
		}
		path, line := lineOf(ctx)
		st.diags = append(st.diags, e.errorDiag(err, path, line))
		return nil
	}, nil
}

// evaluate runs an expression, recording a non-fatal error as a diagnostic.
// ok is false when evaluation failed.
func evaluate(ctx olrender.Context, x interface{ eval(*evalCtx) (any, error) }) (any, bool, error) {
	v, err := x.eval(newEvalCtx(ctx))
	if err != nil {
		if fatal(err) {
			return nil, false, err
		}
		fail(ctx, err)
		return nil, false, nil
	}
	return v, true, nil
}

func objectTag(markup string) tagFn {
	v, _ := parseVariable(markup)
	return func(w io.Writer, ctx olrender.Context) error {
		val, ok, err := evaluate(ctx, v)
		if err != nil || !ok {
			return err
		}
		return writeString(w, toS(val))
	}
}

type assignSpec struct {
	name string
	v    *variable
	warn error
}

func parseAssign(markup string) (*assignSpec, error) {
	sm := reAssign.FindStringSubmatch(markup)
	if sm == nil {
		return nil, errors.New("valid syntax is: assign [var] = [source]")
	}
	v, warn := parseVariable(sm[2])
	return &assignSpec{name: sm[1], v: v, warn: warn}, nil
}

func assignTag(markup string) (tagFn, error) {
	a, err := parseAssign(markup)
	if err != nil {
		return nil, err
	}
	return func(_ io.Writer, ctx olrender.Context) error {
		val, ok, err := evaluate(ctx, a.v)
		if err != nil {
			return err
		}
		if !ok {
			val = nil
		}
		if s, isStr := val.(string); isStr {
			if err := stateOf(ctx).checkSize(len(s)); err != nil {
				return err
			}
		}
		setVar(ctx, a.name, val)
		return nil
	}, nil
}

// setVar assigns a variable and remembers it, so that an include's
// assignments can be copied back to the including template (Liquid keeps
// all assignments in one page-wide scope).
func setVar(ctx olrender.Context, name string, v any) {
	ctx.Set(name, v)
	if st := stateOf(ctx); st != nil && st.depth > 0 {
		st.assigned = append(st.assigned, assignment{name, v})
	}
}

func parseCapture(markup string) (string, error) {
	sm := reCapture.FindStringSubmatch(markup)
	if sm == nil {
		return "", errors.New("valid syntax is: capture [var]")
	}
	return sm[1], nil
}

func captureCompiler(node olrender.BlockNode) (tagFn, error) {
	name, err := parseCapture(node.Args)
	if err != nil {
		return nil, err
	}
	return func(_ io.Writer, ctx olrender.Context) error {
		s, err := ctx.InnerString()
		if err != nil && fatal(err) {
			return err
		}
		if err := stateOf(ctx).checkSize(len(s)); err != nil {
			return err
		}
		setVar(ctx, name, s)
		return nil
	}, nil
}

func counterTag(delta int) func(string) (tagFn, error) {
	return func(markup string) (tagFn, error) {
		name := strings.TrimSpace(markup)
		return func(w io.Writer, ctx olrender.Context) error {
			st := stateOf(ctx)
			if st.counters == nil {
				st.counters = map[string]int{}
			}
			prev, had := st.counters[name]
			val := prev
			if delta > 0 {
				st.counters[name] = prev + 1
			} else {
				val = prev - 1
				st.counters[name] = val
			}
			// The counter is also readable as a variable unless a variable
			// of that name was assigned.
			if cur, ok := ctx.Bindings()[name]; !ok || had && cur == any(prev) {
				ctx.Set(name, st.counters[name])
			}
			return writeString(w, toS(val))
		}, nil
	}
}

type cycleSpec struct {
	group  expr // nil for an unnamed cycle
	key    string
	values []expr
}

func parseCycle(markup string) (*cycleSpec, error) {
	c := &cycleSpec{}
	list := markup
	if sm := reCycleNamed.FindStringSubmatch(markup); sm != nil {
		c.group = parseValue(sm[1])
		list = sm[2]
	} else if !reCycleSimple.MatchString(markup) {
		return nil, errors.New(`valid syntax is: cycle [name :] var [, var2, var3 ...]`)
	} else {
		c.key = markup
	}
	for _, part := range strings.Split(list, ",") {
		if sm := reCycleValue.FindStringSubmatch(part); sm != nil {
			c.values = append(c.values, parseValue(sm[1]))
		}
	}
	if len(c.values) == 0 {
		return nil, errors.New("cycle needs at least one value")
	}
	return c, nil
}

func cycleTag(markup string) (tagFn, error) {
	c, err := parseCycle(markup)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer, ctx olrender.Context) error {
		st := stateOf(ctx)
		key := c.key
		if c.group != nil {
			g, _, err := evaluate(ctx, c.group)
			if err != nil {
				return err
			}
			key = "\x00" + toS(g)
		}
		if st.cycles == nil {
			st.cycles = map[string]int{}
		}
		i := st.cycles[key] % len(c.values)
		st.cycles[key] = (i + 1) % len(c.values)
		v, _, err := evaluate(ctx, c.values[i])
		if err != nil {
			return err
		}
		return writeString(w, toS(v))
	}, nil
}

func ifCompiler(negate bool) func(olrender.BlockNode) (tagFn, error) {
	return func(node olrender.BlockNode) (tagFn, error) {
		type branch struct {
			cond *condition // nil: else
			body *olrender.BlockNode
			neg  bool
		}
		first, _, err := parseCondition(node.Args)
		if err != nil {
			return nil, err
		}
		self := node
		branches := []branch{{first, &self, negate}}
		for _, cl := range node.Clauses {
			b := branch{body: cl}
			if cl.Name == "elsif" {
				b.cond, _, err = parseCondition(cl.Args)
				if err != nil {
					return nil, err
				}
			}
			branches = append(branches, b)
		}
		return func(w io.Writer, ctx olrender.Context) error {
			for _, b := range branches {
				ok := true
				if b.cond != nil {
					v, err := b.cond.evalCond(newEvalCtx(ctx))
					if err != nil {
						if fatal(err) {
							return err
						}
						fail(ctx, err)
						v = false
					}
					ok = v != b.neg
				}
				if ok {
					return ctx.RenderBlock(w, b.body)
				}
			}
			return nil
		}, nil
	}
}

func parseCase(markup string) (expr, error) {
	sm := reCaseSyntax.FindStringSubmatch(markup)
	if sm == nil {
		return nil, errors.New("valid syntax is: case [condition]")
	}
	return parseValue(sm[1]), nil
}

func parseWhen(markup string) ([]expr, error) {
	var out []expr
	rest := markup
	for {
		sm := reWhenSyntax.FindStringSubmatch(rest)
		if sm == nil {
			return nil, errors.New(`valid syntax is: {% when [condition] [or condition2...] %}`)
		}
		out = append(out, condOperand(sm[1]))
		if sm[2] == "" {
			return out, nil
		}
		rest = sm[2]
	}
}

func caseCompiler(node olrender.BlockNode) (tagFn, error) {
	left, err := parseCase(node.Args)
	if err != nil {
		return nil, err
	}
	type when struct {
		conds []*condition // nil: else
		body  *olrender.BlockNode
	}
	var whens []when
	for _, cl := range node.Clauses {
		w := when{body: cl}
		if cl.Name == "when" {
			vals, err := parseWhen(cl.Args)
			if err != nil {
				return nil, err
			}
			for _, v := range vals {
				w.conds = append(w.conds, &condition{left: left, op: "==", right: v})
			}
		}
		whens = append(whens, w)
	}
	// Liquid renders every matching "when" (once per matching value), and
	// an "else" only while nothing has matched yet.
	return func(w io.Writer, ctx olrender.Context) error {
		runElse := true
		for _, wh := range whens {
			if wh.conds == nil {
				if runElse {
					if err := ctx.RenderBlock(w, wh.body); err != nil {
						return err
					}
				}
				continue
			}
			for _, c := range wh.conds {
				ok, err := c.evalCond(newEvalCtx(ctx))
				if err != nil {
					if fatal(err) {
						return err
					}
					fail(ctx, err)
					continue
				}
				if ok {
					runElse = false
					if err := ctx.RenderBlock(w, wh.body); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}, nil
}

type forSpec struct {
	variable, name string
	coll           expr
	reversed       bool
	limit, offset  expr
	offsetContinue bool
}

func parseFor(markup string) (*forSpec, error, error) {
	f, err := parseForStrict(markup)
	if err == nil {
		return f, nil, nil
	}
	lax, lerr := parseForLax(markup)
	if lerr != nil {
		return nil, nil, err
	}
	return lax, err, nil
}

func parseForStrict(markup string) (*forSpec, error) {
	p, err := newParser(markup)
	if err != nil {
		return nil, err
	}
	f := &forSpec{}
	if f.variable, err = p.consume(kID); err != nil {
		return nil, err
	}
	if !p.idIs("in") {
		return nil, errors.New("for loops require an 'in' clause")
	}
	collMarkup, err := p.expression()
	if err != nil {
		return nil, err
	}
	f.coll = parseValue(collMarkup)
	f.name = f.variable + "-" + collMarkup
	f.reversed = p.idIs("reversed")
	for p.look(kID, 0) && p.look(kColon, 1) {
		attr := p.toks[p.p].s
		if attr != "limit" && attr != "offset" {
			return nil, errors.New("invalid attribute in for loop; valid attributes are limit and offset")
		}
		p.p += 2
		v, err := p.expression()
		if err != nil {
			return nil, err
		}
		f.setAttr(attr, v)
	}
	if _, err := p.consume(kEnd); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *forSpec) setAttr(attr, markup string) {
	switch attr {
	case "offset":
		if markup == "continue" {
			f.offsetContinue = true
		} else {
			f.offset = parseValue(markup)
		}
	case "limit":
		f.limit = parseValue(markup)
	}
}

func parseForLax(markup string) (*forSpec, error) {
	sm := reForLax.FindStringSubmatch(markup)
	if sm == nil {
		return nil, errors.New("syntax error in 'for loop' - valid syntax: for [item] in [collection]")
	}
	f := &forSpec{variable: sm[1], coll: parseValue(sm[2]), name: sm[1] + "-" + sm[2], reversed: sm[3] != ""}
	for _, a := range reTagAttributes.FindAllStringSubmatch(markup, -1) {
		f.setAttr(a[1], a[2])
	}
	return f, nil
}

// segment evaluates the collection with offset/limit, as Liquid's
// Utils.slice_collection does.
func (f *forSpec) segment(ctx olrender.Context, st *renderState) ([]any, bool, error) {
	from := 0
	if f.offsetContinue {
		from = st.forOffsets[f.name]
	} else if f.offset != nil {
		v, ok, err := evaluate(ctx, f.offset)
		if err != nil || !ok {
			return nil, false, err
		}
		if v != nil {
			if from, err = toInteger(v); err != nil {
				fail(ctx, err)
				return nil, false, nil
			}
		}
	}
	coll, ok, err := evaluate(ctx, f.coll)
	if err != nil || !ok {
		return nil, false, err
	}
	to := -1
	if f.limit != nil {
		v, ok, err := evaluate(ctx, f.limit)
		if err != nil || !ok {
			return nil, false, err
		}
		if v != nil {
			n, err := toInteger(v)
			if err != nil {
				fail(ctx, err)
				return nil, false, nil
			}
			to = n + from
		}
	}
	items, err := iterItems(coll)
	if err != nil {
		fail(ctx, err)
		return nil, false, nil
	}
	var seg []any
	for i, it := range items {
		if to >= 0 && i >= to {
			break
		}
		if i >= from {
			seg = append(seg, it)
		}
	}
	if f.reversed {
		for i, j := 0, len(seg)-1; i < j; i, j = i+1, j-1 {
			seg[i], seg[j] = seg[j], seg[i]
		}
	}
	if st.forOffsets == nil {
		st.forOffsets = map[string]int{}
	}
	st.forOffsets[f.name] = from + len(seg)
	return seg, true, nil
}

// iterItems is what "for" iterates: arrays, ranges, hashes as [key, value]
// pairs, and a non-empty string as itself.
func iterItems(coll any) ([]any, error) {
	coll = resolve(coll)
	switch x := coll.(type) {
	case nil:
		return nil, nil
	case string:
		if x == "" {
			return nil, nil
		}
		return []any{x}, nil
	}
	if l, ok, err := listOf(coll); ok || err != nil {
		return l, err
	}
	if pairs, ok := hashPairs(coll); ok {
		out := make([]any, len(pairs))
		for i, p := range pairs {
			out[i] = []any{p[0], p[1]}
		}
		return out, nil
	}
	return nil, nil
}

// restoreVars puts variables back after a loop (Liquid's scope pop).
func restoreVars(ctx olrender.Context, names ...string) func() {
	saved := make([]any, len(names))
	had := make([]bool, len(names))
	for i, n := range names {
		saved[i], had[i] = ctx.Bindings()[n]
	}
	return func() {
		for i, n := range names {
			if had[i] {
				ctx.Set(n, saved[i])
			} else {
				delete(ctx.Bindings(), n)
			}
		}
	}
}

func forCompiler(node olrender.BlockNode) (tagFn, error) {
	f, _, err := parseFor(node.Args)
	if err != nil {
		return nil, err
	}
	var elseBody *olrender.BlockNode
	for _, cl := range node.Clauses {
		if cl.Name == "else" && elseBody == nil {
			elseBody = cl
		}
	}
	return func(w io.Writer, ctx olrender.Context) error {
		st := stateOf(ctx)
		seg, ok, err := f.segment(ctx, st)
		if err != nil {
			return err
		}
		if !ok || len(seg) == 0 {
			if elseBody != nil {
				return ctx.RenderBlock(w, elseBody)
			}
			return nil
		}
		defer restoreVars(ctx, f.variable, "forloop")()
		parent, _ := ctx.Bindings()["forloop"].(map[string]any)
		n := len(seg)
		for i, item := range seg {
			if err := st.tick(); err != nil {
				return err
			}
			ctx.Set("forloop", map[string]any{
				"name": f.name, "length": n, "index": i + 1, "index0": i,
				"rindex": n - i, "rindex0": n - i - 1, "first": i == 0, "last": i == n-1,
				"parentloop": parent,
			})
			ctx.Set(f.variable, item)
			err := ctx.RenderChildren(w)
			switch {
			case err == nil:
			case errors.Is(err, errBreak):
				return nil
			case errors.Is(err, errContinue):
			default:
				return err
			}
		}
		return nil
	}, nil
}

type tablerowSpec struct {
	variable            string
	coll                expr
	cols, limit, offset expr
}

func parseTablerow(markup string) (*tablerowSpec, error) {
	sm := reTablerow.FindStringSubmatch(markup)
	if sm == nil {
		return nil, errors.New("valid syntax is: tablerow [item] in [collection] cols=3")
	}
	t := &tablerowSpec{variable: sm[1], coll: parseValue(sm[2])}
	for _, a := range reTagAttributes.FindAllStringSubmatch(markup, -1) {
		switch a[1] {
		case "cols":
			t.cols = parseValue(a[2])
		case "limit":
			t.limit = parseValue(a[2])
		case "offset":
			t.offset = parseValue(a[2])
		}
	}
	return t, nil
}

func tablerowCompiler(node olrender.BlockNode) (tagFn, error) {
	t, err := parseTablerow(node.Args)
	if err != nil {
		return nil, err
	}
	intOf := func(ctx olrender.Context, x expr) (int, error) {
		if x == nil {
			return 0, nil
		}
		v, _, err := evaluate(ctx, x)
		return rubyToIAny(resolve(v)), err
	}
	return func(w io.Writer, ctx olrender.Context) error {
		st := stateOf(ctx)
		coll, ok, err := evaluate(ctx, t.coll)
		if err != nil || !ok || coll == nil {
			return err
		}
		from, err := intOf(ctx, t.offset)
		if err != nil {
			return err
		}
		to := -1
		if t.limit != nil {
			n, err := intOf(ctx, t.limit)
			if err != nil {
				return err
			}
			to = from + n
		}
		cols, err := intOf(ctx, t.cols)
		if err != nil {
			return err
		}
		items, err := iterItems(coll)
		if err != nil {
			fail(ctx, err)
			return nil
		}
		var seg []any
		for i, it := range items {
			if to >= 0 && i >= to {
				break
			}
			if i >= from {
				seg = append(seg, it)
			}
		}
		defer restoreVars(ctx, t.variable, "tablerowloop")()
		if err := writeString(w, "<tr class=\"row1\">\n"); err != nil {
			return err
		}
		n := len(seg)
		for i, item := range seg {
			if err := st.tick(); err != nil {
				return err
			}
			col, row := i, 0
			if cols > 0 {
				col, row = i%cols, i/cols
			}
			colLast := cols > 0 && col == cols-1 || cols <= 0 && i == n-1
			ctx.Set("tablerowloop", map[string]any{
				"length": n, "index": i + 1, "index0": i, "rindex": n - i, "rindex0": n - i - 1,
				"first": i == 0, "last": i == n-1, "col": col + 1, "col0": col, "row": row + 1,
				"col_first": col == 0, "col_last": colLast,
			})
			ctx.Set(t.variable, item)
			if err := writeString(w, fmt.Sprintf("<td class=\"col%d\">", col+1)); err != nil {
				return err
			}
			if err := ctx.RenderChildren(w); err != nil && fatal(err) && !errors.Is(err, errContinue) {
				if errors.Is(err, errBreak) {
					break
				}
				return err
			}
			if err := writeString(w, "</td>"); err != nil {
				return err
			}
			if colLast && i != n-1 {
				if err := writeString(w, fmt.Sprintf("</tr>\n<tr class=\"row%d\">", row+2)); err != nil {
					return err
				}
			}
		}
		return writeString(w, "</tr>\n")
	}, nil
}

func ifchangedCompiler(olrender.BlockNode) (tagFn, error) {
	return func(w io.Writer, ctx olrender.Context) error {
		s, err := ctx.InnerString()
		if err != nil && fatal(err) {
			return err
		}
		st := stateOf(ctx)
		if s == st.ifchanged {
			return nil
		}
		st.ifchanged = s
		return writeString(w, s)
	}, nil
}

// accordionCompiler implements the theme plugin's {% accordion Title %}:
// the legacy accordion markup, with the body converted from Markdown.
func (e *Engine) accordionCompiler(node olrender.BlockNode) (tagFn, error) {
	title := strings.TrimSpace(node.Args)
	return func(w io.Writer, ctx olrender.Context) error {
		body, err := ctx.InnerString()
		if err != nil && fatal(err) {
			return err
		}
		html, err := e.markdownify(body)
		if err != nil {
			fail(ctx, err)
			html = body
		}
		return writeString(w, `<div class="accordion"><div class="col is-large bp-accordion-header padding has-icons-right field has-addons is-marginless pointer">`+
			`<div class="col is-expanded is-fullwidth is-paddingless"><h5 class="has-text-grey-dark is-marginless"><b>`+title+`</b></h5></div>`+
			`<span class="sgds-icon sgds-icon-plus is-size-4 bp-accordion-button"></span></div>`+
			`<div class="col padding bp-accordion-body">`+html+`</div></div>`)
	}, nil
}

type highlightSpec struct{ lang string }

func parseHighlight(markup string) (*highlightSpec, error) {
	m := strings.TrimSpace(markup)
	sm := reHighlight.FindStringSubmatch(m)
	if sm == nil {
		return nil, errors.New("valid syntax is: highlight <lang> [linenos]")
	}
	return &highlightSpec{lang: strings.ToLower(sm[1])}, nil
}

// highlightCompiler writes Jekyll's {% highlight %} wrapper without Rouge's
// colouring spans.
func highlightCompiler(node olrender.BlockNode) (tagFn, error) {
	h, err := parseHighlight(node.Args)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer, ctx olrender.Context) error {
		code, err := ctx.InnerString()
		if err != nil && fatal(err) {
			return err
		}
		code = strings.Trim(code, "\r\n")
		lang := strings.ReplaceAll(h.lang, "+", "-")
		return writeString(w, `<figure class="highlight"><pre><code class="language-`+lang+`" data-lang="`+h.lang+`">`+
			html.EscapeString(code)+"</code></pre></figure>")
	}, nil
}

func (e *Engine) hookTag(name string, hook func() func(string) (string, error)) func(string) (tagFn, error) {
	return func(markup string) (tagFn, error) {
		arg := strings.TrimSpace(markup)
		return func(w io.Writer, ctx olrender.Context) error {
			if strings.Contains(arg, "{{") {
				s, err := expandTemplate(ctx, arg)
				if err != nil {
					fail(ctx, err)
					return nil
				}
				arg = strings.TrimSpace(s)
			}
			fn := hook()
			if fn == nil {
				fail(ctx, fmt.Errorf("{%% %s %%} is not available in this build", name))
				return nil
			}
			url, err := fn(arg)
			if err != nil {
				fail(ctx, fmt.Errorf("{%% %s %s %%}: %w", name, arg, err))
				return nil
			}
			return writeString(w, url)
		}, nil
	}
}

// expandTemplate renders the {{ }} objects in a tag argument (Jekyll allows
// "{% include {{ page.file }} %}").
func expandTemplate(ctx olrender.Context, s string) (string, error) {
	var b strings.Builder
	pos := 0
	for _, m := range reToken.FindAllStringIndex(s, -1) {
		b.WriteString(s[pos:m[0]])
		pos = m[1]
		sm := reFullVar.FindStringSubmatch(s[m[0]:m[1]])
		if sm == nil {
			b.WriteString(s[m[0]:m[1]])
			continue
		}
		v, _ := parseVariable(sm[1])
		val, err := v.eval(newEvalCtx(ctx))
		if err != nil {
			return "", err
		}
		b.WriteString(toS(val))
	}
	b.WriteString(s[pos:])
	return b.String(), nil
}

// orderedMap builds a hash that keeps insertion order (Ruby's Hash).
func orderedMap(kv ...any) yaml.MapSlice {
	out := make(yaml.MapSlice, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, yaml.MapItem{Key: kv[i], Value: kv[i+1]})
	}
	return out
}
