package liquid

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Jekyll 4.3's filters (lib/jekyll/filters*.rb), reimplemented.

var (
	reIntegerLike = regexp.MustCompile(`^\s*-?\d+\s*$`)
	reFloatLike   = regexp.MustCompile(`^\s*-?(?:\d+\.?\d*|\.\d+)\s*$`)
	reWhitespace  = regexp.MustCompile(`[ \t\r\n\f\v]+`)
	reCJK         = regexp.MustCompile(`[\p{Han}\p{Katakana}\p{Hiragana}\p{Hangul}]`)
	reNonCJKWord  = regexp.MustCompile(`[^\p{Han}\p{Katakana}\p{Hiragana}\p{Hangul}\s]+`)
	reIndexHTML   = regexp.MustCompile(`/index\.html?$`)
)

func (e *Engine) addJekyllFilters(add func(string, int, int, filterFunc)) {
	add("relative_url", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return e.relativeURL(toS(in)), nil
	})
	add("absolute_url", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return e.absoluteURL(toS(in)), nil
	})
	add("strip_index", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		s := toS(in)
		if s == "" {
			return nil, nil
		}
		return reIndexHTML.ReplaceAllString(s, "/"), nil
	})
	add("markdownify", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return e.markdownify(toS(in)) })
	add("smartify", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return smartify(toS(in)), nil })
	add("slugify", 0, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		if in == nil {
			return nil, nil
		}
		mode := ""
		if m := arg(a, 0, nil); m != nil {
			mode = toS(m)
		}
		return slugify(toS(in), mode), nil
	})
	add("xml_escape", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return xmlEscape(toS(in)), nil })
	add("cgi_escape", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return url.QueryEscape(toS(in)), nil })
	add("uri_escape", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		return normalizeComponent(toS(in), func(c byte) bool { return isUnreserved(c) || strings.IndexByte(":/?#[]@!$&'()*+,;=", c) >= 0 }), nil
	})
	add("normalize_whitespace", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		return strings.Trim(reWhitespace.ReplaceAllString(toS(in), " "), rubySpace+"\x00"), nil
	})
	add("number_of_words", 0, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		s := toS(in)
		words := len(strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(rubySpace+"\x00", r) }))
		switch toS(arg(a, 0, nil)) {
		case "cjk":
			return len(reCJK.FindAllStringIndex(s, -1)) + len(reNonCJKWord.FindAllStringIndex(s, -1)), nil
		case "auto":
			cjk := len(reCJK.FindAllStringIndex(s, -1))
			if cjk == 0 {
				return words, nil
			}
			return cjk + len(reNonCJKWord.FindAllStringIndex(s, -1)), nil
		}
		return words, nil
	})
	add("array_to_sentence_string", 0, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		l, ok, err := listOf(in)
		if err != nil {
			return nil, err
		}
		if !ok {
			return toS(in), nil
		}
		conn := toS(arg(a, 0, "and"))
		parts := make([]string, len(l))
		for i, x := range l {
			parts[i] = toS(x)
		}
		switch len(parts) {
		case 0:
			return "", nil
		case 1:
			return parts[0], nil
		case 2:
			return parts[0] + " " + conn + " " + parts[1], nil
		}
		return strings.Join(parts[:len(parts)-1], ", ") + ", " + conn + " " + parts[len(parts)-1], nil
	})
	add("jsonify", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return jsonify(in), nil })
	add("inspect", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return xmlEscape(inspect(in)), nil })
	add("to_integer", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		switch resolve(in) {
		case true:
			return 1, nil
		case false:
			return 0, nil
		}
		n := toNumber(in)
		if n.isInt {
			return n.i, nil
		}
		return roundRat(n.rat(), truncMode(n)), nil
	})
	add("where", 2, 2, whereFilter)
	add("find", 2, 2, findFilter)
	add("where_exp", 2, 2, e.whereExp(false))
	add("find_exp", 2, 2, e.whereExp(true))
	add("group_by", 1, 1, groupByFilter)
	add("group_by_exp", 2, 2, e.groupByExp)
	add("sort", 0, 2, sortFilter)
	add("push", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		l, ok, err := listOf(in)
		if !ok || err != nil {
			return in, err
		}
		return append(append([]any(nil), l...), a[0]), nil
	})
	add("unshift", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		l, ok, err := listOf(in)
		if !ok || err != nil {
			return in, err
		}
		return append([]any{a[0]}, l...), nil
	})
	popShift := func(fromEnd bool) filterFunc {
		return func(_ *evalCtx, in any, a []any) (any, error) {
			l, ok, err := listOf(in)
			if !ok || err != nil {
				return in, err
			}
			n, err := toInteger(arg(a, 0, 1))
			if err != nil {
				return nil, err
			}
			if n < 0 {
				return nil, errors.New("negative array size")
			}
			n = min(n, len(l))
			if fromEnd {
				return append([]any(nil), l[:len(l)-n]...), nil
			}
			return append([]any(nil), l[n:]...), nil
		}
	}
	add("pop", 0, 1, popShift(true))
	add("shift", 0, 1, popShift(false))
	add("sample", 0, 1, func(c *evalCtx, in any, a []any) (any, error) {
		l, ok, err := listOf(in)
		if !ok || err != nil {
			return in, err
		}
		n := 1
		if x := arg(a, 0, nil); x != nil {
			if v, err := toInteger(x); err == nil {
				n = v
			}
		}
		// Seeded per page so rebuilding a site gives the same output.
		var seed uint64
		if c.st != nil {
			seed = c.st.seed
			c.st.seed++
		}
		rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
		perm := rng.Perm(len(l))
		if n == 1 {
			if len(l) == 0 {
				return nil, nil
			}
			return l[perm[0]], nil
		}
		n = max(0, min(n, len(l)))
		out := make([]any, n)
		for i := range out {
			out[i] = l[perm[i]]
		}
		return out, nil
	})
	dateStr := func(month string) filterFunc {
		return func(_ *evalCtx, in any, a []any) (any, error) {
			if toS(in) == "" {
				return in, nil
			}
			t, err := e.localTime(in)
			if err != nil {
				return nil, err
			}
			if toS(arg(a, 0, nil)) == "ordinal" {
				day := fmt.Sprintf("%d%s", t.Day(), ordinalSuffix(t.Day()))
				if toS(arg(a, 1, nil)) == "US" {
					return strftime(month+" "+day+", %Y", t), nil
				}
				return strftime(day+" "+month+" %Y", t), nil
			}
			return strftime("%d "+month+" %Y", t), nil
		}
	}
	add("date_to_string", 0, 2, dateStr("%b"))
	add("date_to_long_string", 0, 2, dateStr("%B"))
	add("date_to_xmlschema", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		if toS(in) == "" {
			return in, nil
		}
		t, err := e.localTime(in)
		if err != nil {
			return nil, err
		}
		s := t.Format("2006-01-02T15:04:05-07:00")
		if ns := t.Nanosecond(); ns != 0 {
			s = t.Format("2006-01-02T15:04:05.999999999-07:00")
		}
		return s, nil
	})
	add("date_to_rfc822", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		if toS(in) == "" {
			return in, nil
		}
		t, err := e.localTime(in)
		if err != nil {
			return nil, err
		}
		return t.Format("Mon, 02 Jan 2006 15:04:05 -0700"), nil
	})
}

func truncMode(n number) roundMode {
	if n.rat().Sign() < 0 {
		return ceilMode
	}
	return floorMode
}

// localTime is Jekyll's time(): to_date, then converted to the site zone.
func (e *Engine) localTime(v any) (time.Time, error) {
	t, ok := e.toTime(v)
	if !ok {
		return time.Time{}, fmt.Errorf("invalid date: %s is not a valid datetime", inspect(v))
	}
	return t.In(e.loc), nil
}

func (e *Engine) markdownify(s string) (string, error) {
	if e.cfg.Markdownify == nil {
		return s, nil
	}
	out, err := e.cfg.Markdownify([]byte(s))
	if err != nil {
		return "", fmt.Errorf("markdownify: %w", err)
	}
	return string(out), nil
}

// xmlEscaper is String#encode(xml: :attr)'s table.
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// xmlEscape is Jekyll's xml_escape (String#encode(xml: :attr) unquoted).
func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

// itemProperty is Jekyll's item_property: a (dotted) property, with
// integer- and float-looking strings turned into numbers for comparison.
func itemProperty(item any, prop string) any {
	v := property(item, prop, true)
	s := toS(v)
	if v != nil && reIntegerLike.MatchString(s) {
		return rubyToI(s)
	}
	if v != nil && reFloatLike.MatchString(s) {
		return rubyToF(strings.TrimSpace(s))
	}
	return v
}

// matchTarget is Jekyll's compare_property_vs_target.
func matchTarget(prop, target any) bool {
	switch t := target.(type) {
	case nil:
		return prop == nil
	case methodLit:
		if s, ok := prop.(string); ok && s == "" {
			return true
		}
		if prop == nil {
			return true
		}
		if l, ok, _ := listOf(prop); ok {
			var b strings.Builder
			for _, x := range l {
				b.WriteString(toS(x))
			}
			return b.String() == ""
		}
		_ = t
		return false
	}
	ts := toS(target)
	if s, ok := prop.(string); ok {
		return s == ts
	}
	for _, p := range rubyArray(prop) {
		if toS(p) == ts {
			return true
		}
	}
	return false
}

// rubyArray is Kernel#Array.
func rubyArray(v any) []any {
	v = resolve(v)
	if v == nil {
		return nil
	}
	if l, ok, _ := listOf(v); ok {
		return l
	}
	if pairs, ok := hashPairs(v); ok {
		out := make([]any, len(pairs))
		for i, p := range pairs {
			out[i] = []any{p[0], p[1]}
		}
		return out
	}
	return []any{v}
}

// selectable returns the items where/where_exp iterate: arrays, ranges
// and the values of a hash. ok is false for anything else.
func selectable(in any) ([]any, bool, error) {
	if l, ok, err := listOf(in); ok || err != nil {
		return l, ok, err
	}
	if pairs, ok := hashPairs(in); ok {
		out := make([]any, len(pairs))
		for i, p := range pairs {
			out[i] = p[1]
		}
		return out, true, nil
	}
	return nil, false, nil
}

func whereFilter(_ *evalCtx, in any, a []any) (any, error) {
	prop, target := a[0], a[1]
	if prop == nil || isList(target) || isHash(target) {
		return in, nil
	}
	items, ok, err := selectable(in)
	if !ok || err != nil {
		return in, err
	}
	out := []any{}
	for _, it := range items {
		if matchTarget(itemProperty(it, toS(prop)), target) {
			out = append(out, it)
		}
	}
	return out, nil
}

func findFilter(_ *evalCtx, in any, a []any) (any, error) {
	prop, target := a[0], a[1]
	if prop == nil || isList(target) || isHash(target) {
		return in, nil
	}
	items, ok, err := selectable(in)
	if !ok || err != nil {
		return in, err
	}
	for _, it := range items {
		if matchTarget(itemProperty(it, toS(prop)), target) {
			return it, nil
		}
	}
	return nil, nil
}

// jekyllCondition parses a where_exp expression as Jekyll does: the strict
// grammar only, with "empty"/"blank" as values that equal nothing.
func (e *Engine) jekyllCondition(src string) (*condition, error) {
	if c, ok := e.exprs.Load("c\x00" + src); ok {
		return c.(*condition), nil
	}
	c, err := parseConditionStrict(src)
	if err != nil {
		return nil, fmt.Errorf("bad expression %q: %w", src, err)
	}
	c.walk(func(x *condition) {
		if m, ok := x.left.(methodLiteral); ok {
			x.left = literal{methodLit(m)}
		}
		if m, ok := x.right.(methodLiteral); ok {
			x.right = literal{methodLit(m)}
		}
	})
	e.exprs.Store("c\x00"+src, c)
	return c, nil
}

func (c *condition) walk(fn func(*condition)) {
	for x := c; x != nil; x = x.child {
		fn(x)
	}
}

func (e *Engine) whereExp(first bool) filterFunc {
	return func(c *evalCtx, in any, a []any) (any, error) {
		items, ok, err := selectable(in)
		if !ok || err != nil {
			return in, err
		}
		cond, err := e.jekyllCondition(toS(a[1]))
		if err != nil {
			return nil, err
		}
		name := toS(a[0])
		out := []any{}
		for _, it := range items {
			if c.st != nil {
				if err := c.st.tick(); err != nil {
					return nil, err
				}
			}
			ok, err := cond.evalCond(c.with(name, it))
			if err != nil {
				return nil, err
			}
			if ok {
				if first {
					return it, nil
				}
				out = append(out, it)
			}
		}
		if first {
			return nil, nil
		}
		return out, nil
	}
}

func groupable(in any) ([]any, bool, error) {
	if l, ok, err := listOf(in); ok || err != nil {
		return l, ok, err
	}
	if pairs, ok := hashPairs(in); ok {
		out := make([]any, len(pairs))
		for i, p := range pairs {
			out[i] = []any{p[0], p[1]}
		}
		return out, true, nil
	}
	return nil, false, nil
}

func groups(items []any, key func(any) (any, error)) (any, error) {
	var names []any
	members := map[string][]any{}
	for _, it := range items {
		k, err := key(it)
		if err != nil {
			return nil, err
		}
		id := rubyClass(k) + "\x00" + inspect(k)
		if _, seen := members[id]; !seen {
			names = append(names, k)
		}
		members[id] = append(members[id], it)
	}
	out := make([]any, len(names))
	for i, n := range names {
		m := members[rubyClass(n)+"\x00"+inspect(n)]
		out[i] = orderedMap("name", n, "items", m, "size", len(m))
	}
	return out, nil
}

func groupByFilter(_ *evalCtx, in any, a []any) (any, error) {
	items, ok, err := groupable(in)
	if !ok || err != nil {
		return in, err
	}
	prop := toS(a[0])
	return groups(items, func(it any) (any, error) { return toS(itemProperty(it, prop)), nil })
}

func (e *Engine) groupByExp(c *evalCtx, in any, a []any) (any, error) {
	items, ok, err := groupable(in)
	if !ok || err != nil {
		return in, err
	}
	src := toS(a[1])
	var v *variable
	if x, ok := e.exprs.Load("v\x00" + src); ok {
		v = x.(*variable)
	} else {
		v, _ = parseVariable(src)
		e.exprs.Store("v\x00"+src, v)
	}
	name := toS(a[0])
	return groups(items, func(it any) (any, error) {
		if c.st != nil {
			if err := c.st.tick(); err != nil {
				return nil, err
			}
		}
		return v.eval(c.with(name, it))
	})
}

// sortFilter is Jekyll's sort: plain Ruby sort without a property, else by
// item_property with nils first or last.
func sortFilter(_ *evalCtx, in any, a []any) (any, error) {
	in = resolve(in)
	if in == nil {
		return nil, errors.New("cannot sort a null object")
	}
	prop := arg(a, 0, nil)
	if prop == nil {
		var items []any
		if l, ok, err := listOf(in); ok || err != nil {
			if err != nil {
				return nil, err
			}
			items = append([]any(nil), l...)
		} else if pairs, ok := hashPairs(in); ok {
			for _, p := range pairs {
				items = append(items, []any{p[0], p[1]})
			}
		} else {
			return nil, fmt.Errorf("undefined method 'sort' for %s", rubyClass(in))
		}
		var err error
		sort.SliceStable(items, func(i, j int) bool {
			c, ok := compare(items[i], items[j])
			if !ok && err == nil {
				err = fmt.Errorf("comparison of %s with %s failed", rubyClass(items[i]), inspect(items[j]))
			}
			return c < 0
		})
		return items, err
	}
	nils := toS(arg(a, 1, "first"))
	order := 0
	switch nils {
	case "first":
		order = -1
	case "last":
		order = 1
	default:
		return nil, fmt.Errorf("invalid nils order: '%s' is not a valid nils order; it must be 'first' or 'last'", nils)
	}
	items, ok, err := groupable(in)
	if !ok || err != nil {
		return in, err
	}
	keys := make([]any, len(items))
	for i, it := range items {
		keys[i] = itemProperty(it, toS(prop))
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		ka, kb := keys[idx[i]], keys[idx[j]]
		switch {
		case ka != nil && kb == nil:
			return -order < 0
		case ka == nil && kb != nil:
			return order < 0
		}
		c, ok := compare(ka, kb)
		if !ok {
			c = strings.Compare(toS(ka), toS(kb))
		}
		return c < 0
	})
	out := make([]any, len(items))
	for i, k := range idx {
		out[i] = items[k]
	}
	return out, nil
}

// methodLit is Jekyll's Expression::MethodLiteral: "empty"/"blank" used
// as a value. It prints as "" and equals nothing.
type methodLit string
