package liquid

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	olvalues "github.com/osteele/liquid/values"
	yaml "gopkg.in/yaml.v2"
)

// Expressions are parsed and evaluated here rather than by osteele/liquid's
// expression package because Jekyll's behaviour differs from it in ways that
// show up on pages: Liquid strings have no backslash escapes, "empty" and
// "blank" are literals, unknown filters must be detected before rendering,
// and Jekyll (in its default "warn" error mode) falls back to a lenient
// parse where the strict grammar fails. The grammar is Liquid 5's, which is
// tiny; the template structure is still parsed by osteele/liquid.

// Regular expressions from Liquid's grammar (lib/liquid.rb), transcribed to RE2.
const (
	quotedString   = `"[^"]*"|'[^']*'`
	quotedFragment = `(?:` + quotedString + `|(?:[^\s,|'"]|` + quotedString + `)+)`
)

var (
	reQuotedFragment = regexp.MustCompile(quotedFragment)
	reMarkupWithQF   = regexp.MustCompile(`(?s)(` + quotedFragment + `)(.*)`)
	reFilterMarkup   = regexp.MustCompile(`(?s)\|\s*(.*)`)
	reFilterParser   = regexp.MustCompile(`(?:\s+|` + quotedFragment + `|,)+`)
	reFilterArgs     = regexp.MustCompile(`(?:[:,])\s*((?:\w+\s*:\s*)?` + quotedFragment + `)`)
	reTagAttribute   = regexp.MustCompile(`^(\w[\w-]*)\s*:\s*(` + quotedFragment + `)$`)
	reTagAttributes  = regexp.MustCompile(`(\w[\w-]*)\s*:\s*(` + quotedFragment + `)`)
	reWord           = regexp.MustCompile(`\w+`)
	reInteger        = regexp.MustCompile(`^(-?\d+)$`)
	reFloat          = regexp.MustCompile(`^(-?\d[\d.]+)$`)
	reRange          = regexp.MustCompile(`^\(\s*(\S+)\s*\.\.\s*(\S+)\s*\)$`)
	reVariableParser = regexp.MustCompile(`\[[^\]]+\]|[\w-]+\??`)
	reIfSyntax       = regexp.MustCompile(`(` + quotedFragment + `)\s*([=!<>a-z_]+)?\s*(` + quotedFragment + `)?`)
	decimalRE        = regexp.MustCompile(`^-?\d+\.\d+$`)
)

// ---- lexer ----

type tokKind uint8

const (
	kEnd tokKind = iota
	kComparison
	kString
	kNumber
	kID
	kDotDot
	kPipe
	kDot
	kColon
	kComma
	kOpenSquare
	kCloseSquare
	kOpenRound
	kCloseRound
	kQuestion
	kDash
)

var kindNames = [...]string{"end_of_string", "comparison", "string", "number", "id", "dotdot",
	"pipe", "dot", "colon", "comma", "open_square", "close_square", "open_round", "close_round",
	"question", "dash"}

func (k tokKind) String() string { return kindNames[k] }

type ltok struct {
	kind tokKind
	s    string
}

// lex is Liquid's Lexer: it fails on characters outside the grammar.
func lex(s string) ([]ltok, error) {
	var out []ltok
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], "=="), strings.HasPrefix(s[i:], "!="), strings.HasPrefix(s[i:], "<>"),
			strings.HasPrefix(s[i:], "<="), strings.HasPrefix(s[i:], ">="):
			out = append(out, ltok{kComparison, s[i : i+2]})
			i += 2
		case c == '<' || c == '>':
			out = append(out, ltok{kComparison, s[i : i+1]})
			i++
		case strings.HasPrefix(s[i:], "contains") && i+8 < len(s) && isSpace(s[i+8]):
			out = append(out, ltok{kComparison, "contains"})
			i += 8
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unexpected character %c", c)
			}
			out = append(out, ltok{kString, s[i : i+j+2]})
			i += j + 2
		case isDigit(c) || c == '-' && i+1 < len(s) && isDigit(s[i+1]):
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
				j += 2
				for j < len(s) && isDigit(s[j]) {
					j++
				}
			}
			out = append(out, ltok{kNumber, s[i:j]})
			i = j
		case isAlpha(c) || c == '_':
			j := i + 1
			for j < len(s) && (isWord(s[j]) || s[j] == '-') {
				j++
			}
			if j < len(s) && s[j] == '?' {
				j++
			}
			out = append(out, ltok{kID, s[i:j]})
			i = j
		case strings.HasPrefix(s[i:], ".."):
			out = append(out, ltok{kDotDot, ".."})
			i += 2
		default:
			k, ok := specials[c]
			if !ok {
				r := []rune(s[i:])[0]
				return nil, fmt.Errorf("unexpected character %c", r)
			}
			out = append(out, ltok{k, s[i : i+1]})
			i++
		}
	}
	return append(out, ltok{kind: kEnd}), nil
}

var specials = map[byte]tokKind{'|': kPipe, '.': kDot, ':': kColon, ',': kComma, '[': kOpenSquare,
	']': kCloseSquare, '(': kOpenRound, ')': kCloseRound, '?': kQuestion, '-': kDash}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWord(c byte) bool  { return isAlpha(c) || isDigit(c) || c == '_' }

// ---- strict parser (Liquid::Parser) ----

type parser struct {
	toks []ltok
	p    int
}

func newParser(s string) (*parser, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	return &parser{toks: toks}, nil
}

func (p *parser) look(k tokKind, ahead int) bool {
	i := p.p + ahead
	return i < len(p.toks) && p.toks[i].kind == k
}

func (p *parser) consume(k tokKind) (string, error) {
	t := p.toks[p.p]
	if t.kind != k {
		return "", fmt.Errorf("expected %s but found %s", k, t.kind)
	}
	p.p++
	return t.s, nil
}

func (p *parser) consumeIf(k tokKind) (string, bool) {
	if p.look(k, 0) {
		s := p.toks[p.p].s
		p.p++
		return s, true
	}
	return "", false
}

func (p *parser) idIs(word string) bool {
	if p.look(kID, 0) && p.toks[p.p].s == word {
		p.p++
		return true
	}
	return false
}

// expression returns the markup of one expression, as Liquid's parser does;
// the markup is then interpreted by parseValue.
func (p *parser) expression() (string, error) {
	t := p.toks[p.p]
	switch t.kind {
	case kID:
		p.p++
		rest, err := p.lookups()
		return t.s + rest, err
	case kOpenSquare:
		p.p++
		inner, err := p.expression()
		if err != nil {
			return "", err
		}
		if _, err := p.consume(kCloseSquare); err != nil {
			return "", err
		}
		rest, err := p.lookups()
		return "[" + inner + "]" + rest, err
	case kString, kNumber:
		p.p++
		return t.s, nil
	case kOpenRound:
		p.p++
		first, err := p.expression()
		if err != nil {
			return "", err
		}
		if _, err := p.consume(kDotDot); err != nil {
			return "", err
		}
		last, err := p.expression()
		if err != nil {
			return "", err
		}
		if _, err := p.consume(kCloseRound); err != nil {
			return "", err
		}
		return "(" + first + ".." + last + ")", nil
	}
	return "", fmt.Errorf("%s is not a valid expression", t.kind)
}

func (p *parser) lookups() (string, error) {
	var b strings.Builder
	for {
		switch {
		case p.look(kOpenSquare, 0):
			p.p++
			inner, err := p.expression()
			if err != nil {
				return "", err
			}
			if _, err := p.consume(kCloseSquare); err != nil {
				return "", err
			}
			b.WriteString("[" + inner + "]")
		case p.look(kDot, 0):
			p.p++
			id, err := p.consume(kID)
			if err != nil {
				return "", err
			}
			b.WriteString("." + id)
		default:
			return b.String(), nil
		}
	}
}

// argument is a positional or keyword ("key: value") filter argument.
func (p *parser) argument() (kw, val string, err error) {
	if p.look(kID, 0) && p.look(kColon, 1) {
		kw = p.toks[p.p].s
		p.p += 2
	}
	val, err = p.expression()
	return kw, val, err
}

// ---- expressions ----

// expr is an evaluable Liquid expression.
type expr interface {
	eval(c *evalCtx) (any, error)
}

type literal struct{ v any }

func (l literal) eval(*evalCtx) (any, error) { return l.v, nil }

type rangeExpr struct{ from, to expr }

func (r rangeExpr) eval(c *evalCtx) (any, error) {
	a, err := r.from.eval(c)
	if err != nil {
		return nil, err
	}
	b, err := r.to.eval(c)
	if err != nil {
		return nil, err
	}
	ai, err := rangeBound(a)
	if err != nil {
		return nil, err
	}
	bi, err := rangeBound(b)
	if err != nil {
		return nil, err
	}
	return olvalues.NewRange(ai, bi), nil
}

func rangeBound(v any) (int, error) {
	switch x := resolve(v).(type) {
	case nil:
		return 0, nil
	case float64:
		return int(x), nil
	}
	return toInteger(v)
}

// lookup is Liquid's VariableLookup.
type lookup struct {
	name    expr // usually a string literal
	keys    []expr
	command []bool // key i is size/first/last given with dot syntax
}

func (l *lookup) eval(c *evalCtx) (any, error) {
	nv, err := l.name.eval(c)
	if err != nil {
		return nil, err
	}
	name, ok := nv.(string)
	if !ok {
		return nil, nil
	}
	obj := c.get(name)
	for i, k := range l.keys {
		key, err := k.eval(c)
		if err != nil {
			return nil, err
		}
		if v, ok := hasKey(obj, key); ok {
			obj = v
			continue
		}
		if l.command[i] {
			if v, ok := commandMethod(obj, key.(string)); ok {
				obj = v
				continue
			}
		}
		return nil, nil
	}
	return obj, nil
}

// parseValue is Liquid's Expression.parse: it interprets one markup string.
func parseValue(markup string) expr {
	m := strings.TrimSpace(markup)
	if l := simpleLookup(m); l != nil {
		return l
	}
	if len(m) >= 2 && (m[0] == '"' && m[len(m)-1] == '"' || m[0] == '\'' && m[len(m)-1] == '\'') {
		return literal{m[1 : len(m)-1]}
	}
	if reInteger.MatchString(m) {
		n, err := strconv.Atoi(m)
		if err != nil {
			f, _ := strconv.ParseFloat(m, 64)
			return literal{f}
		}
		return literal{n}
	}
	if sm := reRange.FindStringSubmatch(m); sm != nil {
		from, to := parseValue(sm[1]), parseValue(sm[2])
		if a, ok := from.(literal); ok {
			if b, ok := to.(literal); ok {
				// Literal bounds use Ruby's to_i, never an error.
				return literal{olvalues.NewRange(rubyToIAny(a.v), rubyToIAny(b.v))}
			}
		}
		return rangeExpr{from, to}
	}
	if reFloat.MatchString(m) {
		return literal{rubyToF(m)}
	}
	switch m {
	case "", "nil", "null":
		return literal{nil}
	case "true":
		return literal{true}
	case "false":
		return literal{false}
	case "blank", "empty":
		// Jekyll patches Liquid so these are "method literals" that print
		// as "" (see filters_jekyll.go).
		return literal{methodLit(m)}
	}
	return parseLookup(m)
}

func rubyToIAny(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		return int(x)
	case string:
		return rubyToI(x)
	}
	return 0
}

// rubyToF is String#to_f for strings matching reFloat ("1.2.3" is 1.2).
func rubyToF(s string) float64 {
	end := 0
	if end < len(s) && s[end] == '-' {
		end++
	}
	dot := false
	for end < len(s) {
		if isDigit(s[end]) {
			end++
			continue
		}
		if s[end] == '.' && !dot && end+1 < len(s) && isDigit(s[end+1]) {
			dot = true
			end++
			continue
		}
		break
	}
	f, _ := strconv.ParseFloat(s[:end], 64)
	return f
}

// simpleLookup is a fast path for the common "a.b-c.d" form (no brackets,
// quotes or digits first); it returns nil for anything else.
func simpleLookup(m string) *lookup {
	if m == "" || !isAlpha(m[0]) && m[0] != '_' {
		return nil
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !isWord(c) && c != '-' && c != '.' {
			return nil
		}
		if c == '.' && (i+1 == len(m) || m[i+1] == '.') {
			return nil
		}
	}
	switch m {
	case "nil", "null", "true", "false", "blank", "empty":
		return nil
	}
	parts := strings.Split(m, ".")
	l := &lookup{name: literal{parts[0]}}
	for _, p := range parts[1:] {
		l.keys = append(l.keys, literal{p})
		l.command = append(l.command, p == "size" || p == "first" || p == "last")
	}
	return l
}

func parseLookup(m string) expr {
	parts := reVariableParser.FindAllString(m, -1)
	if len(parts) == 0 {
		return literal{nil}
	}
	l := &lookup{}
	first := parts[0]
	if strings.HasPrefix(first, "[") && strings.HasSuffix(first, "]") {
		l.name = parseValue(first[1 : len(first)-1])
	} else {
		l.name = literal{first}
	}
	for _, p := range parts[1:] {
		if strings.HasPrefix(p, "[") && strings.HasSuffix(p, "]") {
			l.keys = append(l.keys, parseValue(p[1:len(p)-1]))
			l.command = append(l.command, false)
			continue
		}
		l.keys = append(l.keys, literal{p})
		l.command = append(l.command, p == "size" || p == "first" || p == "last")
	}
	return l
}

// ---- filtered expressions (the content of {{ }} and assign) ----

type filterCall struct {
	name   string
	args   []expr
	kwKeys []string
	kwVals []expr
}

// variable is Liquid's Variable: a value followed by filters.
type variable struct {
	value   expr
	filters []filterCall
}

func (v *variable) eval(c *evalCtx) (any, error) {
	if v.value == nil {
		return nil, nil
	}
	out, err := v.value.eval(c)
	if err != nil {
		return nil, err
	}
	for i := range v.filters {
		f := &v.filters[i]
		args := make([]any, 0, len(f.args)+1)
		for _, a := range f.args {
			x, err := a.eval(c)
			if err != nil {
				return nil, err
			}
			args = append(args, x)
		}
		if len(f.kwKeys) > 0 {
			kw := make(kwargs, 0, len(f.kwKeys))
			for j, k := range f.kwKeys {
				x, err := f.kwVals[j].eval(c)
				if err != nil {
					return nil, err
				}
				kw = append(kw, kwarg{k, x})
			}
			args = append(args, kw)
		}
		out, err = c.applyFilter(f.name, out, args)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// kwargs are keyword filter arguments; Liquid passes them as a trailing hash.
type kwargs []kwarg

type kwarg struct {
	key string
	val any
}

func (k kwargs) get(key string) (any, bool) {
	for _, kv := range k {
		if kv.key == key {
			return kv.val, true
		}
	}
	return nil, false
}

// parseVariableStrict is Liquid's Variable#strict_parse.
func parseVariableStrict(markup string) (*variable, error) {
	p, err := newParser(markup)
	if err != nil {
		return nil, err
	}
	v := &variable{}
	if p.look(kEnd, 0) {
		return v, nil
	}
	m, err := p.expression()
	if err != nil {
		return nil, err
	}
	v.value = parseValue(m)
	for {
		if _, ok := p.consumeIf(kPipe); !ok {
			break
		}
		name, err := p.consume(kID)
		if err != nil {
			return nil, err
		}
		f := filterCall{name: name}
		if _, ok := p.consumeIf(kColon); ok {
			for {
				kw, val, err := p.argument()
				if err != nil {
					return nil, err
				}
				if kw != "" {
					f.kwKeys = append(f.kwKeys, kw)
					f.kwVals = append(f.kwVals, parseValue(val))
				} else {
					f.args = append(f.args, parseValue(val))
				}
				if _, ok := p.consumeIf(kComma); !ok {
					break
				}
			}
		}
		v.filters = append(v.filters, f)
	}
	if _, err := p.consume(kEnd); err != nil {
		return nil, err
	}
	return v, nil
}

// parseVariableLax is Liquid's Variable#lax_parse: it never fails, it just
// takes what it can recognise.
func parseVariableLax(markup string) *variable {
	v := &variable{}
	sm := reMarkupWithQF.FindStringSubmatch(markup)
	if sm == nil {
		return v
	}
	v.value = parseValue(sm[1])
	fm := reFilterMarkup.FindStringSubmatch(sm[2])
	if fm == nil {
		return v
	}
	for _, f := range reFilterParser.FindAllString(fm[1], -1) {
		name := reWord.FindString(f)
		if name == "" {
			continue
		}
		fc := filterCall{name: name}
		for _, am := range reFilterArgs.FindAllStringSubmatch(f, -1) {
			a := am[1]
			if kv := reTagAttribute.FindStringSubmatch(a); kv != nil {
				fc.kwKeys = append(fc.kwKeys, kv[1])
				fc.kwVals = append(fc.kwVals, parseValue(kv[2]))
				continue
			}
			fc.args = append(fc.args, parseValue(a))
		}
		v.filters = append(v.filters, fc)
	}
	return v
}

// parseVariable tries the strict grammar and falls back to the lax one, as
// Jekyll's default error_mode "warn" does; warning is set on fallback.
func parseVariable(markup string) (v *variable, warning error) {
	v, err := parseVariableStrict(markup)
	if err == nil {
		return v, nil
	}
	return parseVariableLax(markup), err
}

// ---- conditions ({% if %}, where_exp, find_exp) ----

// methodLiteral is "empty" or "blank" used as a comparison operand.
type methodLiteral string

func (m methodLiteral) eval(*evalCtx) (any, error) { return "", nil }

type condition struct {
	left, right expr
	op          string // "" when the condition is a single value
	rel         string // "and"/"or" to child
	child       *condition
}

func condOperand(markup string) expr {
	m := strings.TrimSpace(markup)
	if m == "empty" || m == "blank" {
		return methodLiteral(m)
	}
	return parseValue(m)
}

func parseConditionStrict(markup string) (*condition, error) {
	p, err := newParser(markup)
	if err != nil {
		return nil, err
	}
	comparison := func() (*condition, error) {
		a, err := p.expression()
		if err != nil {
			return nil, err
		}
		c := &condition{left: condOperand(a)}
		if op, ok := p.consumeIf(kComparison); ok {
			b, err := p.expression()
			if err != nil {
				return nil, err
			}
			c.op, c.right = op, condOperand(b)
		}
		return c, nil
	}
	first, err := comparison()
	if err != nil {
		return nil, err
	}
	cur := first
	for {
		var rel string
		switch {
		case p.idIs("and"):
			rel = "and"
		case p.idIs("or"):
			rel = "or"
		}
		if rel == "" {
			break
		}
		next, err := comparison()
		if err != nil {
			return nil, err
		}
		cur.rel, cur.child = rel, next
		cur = next
	}
	if _, err := p.consume(kEnd); err != nil {
		return nil, err
	}
	return first, nil
}

// parseConditionLax approximates Liquid's If#lax_parse: split on and/or,
// then take "left [operator right]" from each part.
func parseConditionLax(markup string) (*condition, error) {
	words := reQuotedFragment.FindAllStringIndex(markup, -1)
	var parts []string
	var rels []string
	start := 0
	for _, w := range words {
		word := markup[w[0]:w[1]]
		if word == "and" || word == "or" {
			parts = append(parts, markup[start:w[0]])
			rels = append(rels, word)
			start = w[1]
		}
	}
	parts = append(parts, markup[start:])
	var first, cur *condition
	for i, part := range parts {
		sm := reIfSyntax.FindStringSubmatch(part)
		if sm == nil {
			return nil, errors.New("syntax error in tag 'if' - valid syntax: if [expression]")
		}
		c := &condition{left: condOperand(sm[1])}
		if sm[2] != "" {
			c.op = sm[2]
			c.right = condOperand(sm[3])
			if sm[3] == "" {
				c.right = literal{nil}
			}
		}
		if first == nil {
			first = c
		} else {
			cur.rel, cur.child = rels[i-1], c
		}
		cur = c
	}
	return first, nil
}

// parseCondition mirrors error_mode "warn": strict, else lax with a warning.
func parseCondition(markup string) (c *condition, warning, err error) {
	c, warning = parseConditionStrict(markup)
	if warning == nil {
		return c, nil, nil
	}
	c, err = parseConditionLax(markup)
	return c, warning, err
}

// evalCondition follows Liquid's Condition#evaluate: the chain is read left
// to right but binds to the right ("a or b and c" is "a or (b and c)").
func (c *condition) evalCond(ctx *evalCtx) (bool, error) {
	for cond := c; cond != nil; cond = cond.child {
		v, err := cond.interpret(ctx)
		if err != nil {
			return false, err
		}
		result := truthy(v)
		switch cond.rel {
		case "or":
			if result {
				return true, nil
			}
		case "and":
			if !result {
				return false, nil
			}
		default:
			return result, nil
		}
	}
	return false, nil
}

func (c *condition) interpret(ctx *evalCtx) (any, error) {
	if c.op == "" {
		return c.left.eval(ctx)
	}
	lm, lIsM := c.left.(methodLiteral)
	rm, rIsM := c.right.(methodLiteral)
	if lIsM || rIsM {
		// Only ==, != and <> know about empty/blank; other operators see an
		// object without the method and yield nil.
		if c.op != "==" && c.op != "!=" && c.op != "<>" {
			return nil, nil
		}
		method, other := string(lm), c.right
		if !lIsM {
			method, other = string(rm), c.left
		}
		v, err := other.eval(ctx)
		if err != nil {
			return nil, err
		}
		res := methodTest(method, v)
		if c.op != "==" {
			return !truthy(res), nil
		}
		return res, nil
	}
	l, err := c.left.eval(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.right.eval(ctx)
	if err != nil {
		return nil, err
	}
	return compareOp(c.op, l, r)
}

// methodTest is "x == empty" / "x == blank". Ruby has empty? on strings,
// arrays and hashes; blank? does not exist without ActiveSupport, which
// Jekyll does not load, so "x == blank" is never true there.
func methodTest(method string, v any) any {
	if method == "blank" {
		return nil
	}
	if e, ok := isEmpty(v); ok {
		return e
	}
	return nil
}

func compareOp(op string, l, r any) (any, error) {
	l, r = resolve(l), resolve(r)
	switch op {
	case "==":
		return equal(l, r), nil
	case "!=", "<>":
		return !equal(l, r), nil
	case "contains":
		return contains(l, r), nil
	case "<", ">", "<=", ">=":
		if !comparable(l) || !comparable(r) {
			return nil, nil
		}
		c, ok := compare(l, r)
		if !ok {
			return nil, fmt.Errorf("comparison of %s with %s failed", rubyClass(l), inspectShort(r))
		}
		switch op {
		case "<":
			return c < 0, nil
		case ">":
			return c > 0, nil
		case "<=":
			return c <= 0, nil
		}
		return c >= 0, nil
	}
	return nil, fmt.Errorf("unknown operator %s", op)
}

// comparable: Ruby values that respond to < (not nil, arrays, hashes, booleans).
func comparable(v any) bool {
	switch v.(type) {
	case nil, bool:
		return false
	}
	return !isList(v) && !isHash(v)
}

func inspectShort(v any) string {
	switch v.(type) {
	case int, float64:
		return toS(v)
	}
	return rubyClass(v)
}

func contains(l, r any) bool {
	if l == nil || r == nil {
		return false
	}
	switch x := l.(type) {
	case string:
		return strings.Contains(x, toS(r))
	}
	if list, ok, _ := listOf(l); ok {
		for _, it := range list {
			if equal(it, r) {
				return true
			}
		}
		return false
	}
	if _, ok := hashPairs(l); ok {
		_, found := hasKey(l, r)
		return found
	}
	return false
}

// hasKey reads obj[key] when Ruby's "respond_to?(:[]) && key?(key)" (or an
// integer index into an array) holds.
func hasKey(obj, key any) (any, bool) {
	obj, key = resolve(obj), resolve(key)
	switch x := obj.(type) {
	case nil, string:
		return nil, false
	case map[string]any:
		s, ok := key.(string)
		if !ok {
			return nil, false
		}
		v, ok := x[s]
		return v, ok
	case yaml.MapSlice:
		for _, it := range x {
			if keyEqual(it.Key, key) {
				return it.Value, true
			}
		}
		return nil, false
	}
	if pairs, ok := hashPairs(obj); ok {
		for _, p := range pairs {
			if keyEqual(p[0], key) {
				return p[1], true
			}
		}
		return nil, false
	}
	if isList(obj) {
		n, ok := key.(int)
		if !ok {
			return nil, false
		}
		l, _, err := listOf(obj)
		if err != nil {
			return nil, false
		}
		if n < 0 {
			n += len(l)
		}
		if n >= 0 && n < len(l) {
			return l[n], true
		}
		return nil, true
	}
	// Structs and other Go values: let osteele/liquid's reflection decide.
	v := olvalues.ValueOf(obj).PropertyValue(olvalues.ValueOf(key))
	if olvalues.IsUndefined(v) {
		return nil, false
	}
	return v.Interface(), true
}

func keyEqual(a, b any) bool {
	if a == b {
		return true
	}
	if an, ok := numeric(a); ok {
		if bn, ok := numeric(b); ok {
			return an.isInt && bn.isInt && an.i == bn.i
		}
	}
	return false
}

// commandMethod implements .size, .first and .last where Ruby has them.
func commandMethod(obj any, name string) (any, bool) {
	obj = resolve(obj)
	switch name {
	case "size":
		switch obj.(type) {
		case string:
			return sizeOf(obj), true
		case int, int64:
			return 8, true // Integer#size is its byte width
		}
		if isList(obj) || isHash(obj) {
			return sizeOf(obj), true
		}
	case "first", "last":
		if l, ok, _ := listOf(obj); ok {
			if len(l) == 0 {
				return nil, true
			}
			if name == "first" {
				return l[0], true
			}
			return l[len(l)-1], true
		}
		if pairs, ok := hashPairs(obj); ok && name == "first" {
			if len(pairs) == 0 {
				return nil, true
			}
			return []any{pairs[0][0], pairs[0][1]}, true
		}
	}
	return nil, false
}
