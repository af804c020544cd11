package liquid

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Filters are Liquid 5.4's standard filters plus Jekyll 4.3's, written
// against Ruby's behaviour (to_s, to_i, BigDecimal arithmetic, flattening
// of arrays) because that is what decides what a page shows.

type filterFunc func(c *evalCtx, in any, args []any) (any, error)

type filterDef struct {
	name     string
	min, max int // argument counts, not counting the input; max -1: any
	fn       filterFunc
}

// call checks arity like Ruby and turns a panic in a filter into an error,
// so one bad value cannot take the page down.
func (f filterDef) call(c *evalCtx, in any, args []any) (out any, err error) {
	if len(args) < f.min || f.max >= 0 && len(args) > f.max {
		want := fmt.Sprint(f.min + 1)
		if f.max != f.min {
			want = fmt.Sprintf("%d..%d", f.min+1, f.max+1)
		}
		return nil, fmt.Errorf("filter %q: wrong number of arguments (given %d, expected %s)", f.name, len(args)+1, want)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("filter %q failed: %v", f.name, r)
		}
	}()
	out, err = f.fn(c, in, args)
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", f.name, err)
	}
	if s, ok := out.(string); ok && c.st != nil && len(s) > c.st.e.limits.MaxOutputBytes {
		return nil, &errLimit{fmt.Sprintf("filter %q produced more than %d bytes (output limit reached)", f.name, c.st.e.limits.MaxOutputBytes)}
	}
	return out, nil
}

func arg(args []any, i int, def any) any {
	if i < len(args) {
		if _, kw := args[i].(kwargs); !kw {
			return args[i]
		}
	}
	return def
}

func (e *Engine) filterTable() map[string]filterDef {
	t := map[string]filterDef{}
	add := func(name string, min, max int, fn filterFunc) {
		t[name] = filterDef{name: name, min: min, max: max, fn: fn}
	}
	str := func(name string, fn func(string) string) {
		add(name, 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return fn(toS(in)), nil })
	}

	// ---- strings ----
	add("append", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) { return toS(in) + toS(a[0]), nil })
	add("prepend", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) { return toS(a[0]) + toS(in), nil })
	str("downcase", strings.ToLower)
	str("upcase", strings.ToUpper)
	str("capitalize", func(s string) string {
		r := []rune(strings.ToLower(s))
		if len(r) > 0 {
			r[0] = unicode.ToUpper(r[0])
		}
		return string(r)
	})
	escape := func(_ *evalCtx, in any, _ []any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return escapeHTML(toS(in)), nil
	}
	add("escape", 0, 0, escape)
	add("h", 0, 0, escape)
	str("escape_once", escapeOnce)
	add("url_encode", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return url.QueryEscape(toS(in)), nil
	})
	add("url_decode", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		if in == nil {
			return nil, nil
		}
		s := cgiUnescape(toS(in))
		if !utf8.ValidString(s) {
			return nil, errors.New("invalid byte sequence in UTF-8")
		}
		return s, nil
	})
	str("base64_encode", func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) })
	str("base64_url_safe_encode", func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) })
	add("base64_decode", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		b, err := base64.StdEncoding.DecodeString(toS(in))
		if err != nil {
			return nil, errors.New("invalid base64 provided to base64_decode")
		}
		return string(b), nil
	})
	add("base64_url_safe_decode", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		s := toS(in)
		if m := len(s) % 4; m != 0 {
			s += strings.Repeat("=", 4-m)
		}
		b, err := base64.URLEncoding.DecodeString(s)
		if err != nil {
			return nil, errors.New("invalid base64 provided to base64_url_safe_decode")
		}
		return string(b), nil
	})
	add("slice", 1, 2, sliceFilter)
	add("truncate", 0, 2, truncateFilter)
	add("truncatewords", 0, 2, truncatewordsFilter)
	add("split", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) { return rubySplit(toS(in), toS(a[0])), nil })
	str("strip", rubyStrip)
	str("lstrip", func(s string) string { return strings.TrimLeft(s, rubySpace) })
	str("rstrip", func(s string) string { return strings.TrimRight(s, rubySpace+"\x00") })
	str("strip_html", stripHTML)
	str("strip_newlines", func(s string) string { return reNewline.ReplaceAllString(s, "") })
	str("newline_to_br", func(s string) string { return reNewline.ReplaceAllString(s, "<br />\n") })
	add("replace", 1, 2, func(_ *evalCtx, in any, a []any) (any, error) {
		return strings.ReplaceAll(toS(in), toS(a[0]), toS(arg(a, 1, ""))), nil
	})
	add("replace_first", 1, 2, func(_ *evalCtx, in any, a []any) (any, error) {
		return strings.Replace(toS(in), toS(a[0]), toS(arg(a, 1, "")), 1), nil
	})
	add("replace_last", 2, 2, func(_ *evalCtx, in any, a []any) (any, error) { return replaceLast(toS(in), toS(a[0]), toS(a[1])), nil })
	add("remove", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) { return strings.ReplaceAll(toS(in), toS(a[0]), ""), nil })
	add("remove_first", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		return strings.Replace(toS(in), toS(a[0]), "", 1), nil
	})
	add("remove_last", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) { return replaceLast(toS(in), toS(a[0]), ""), nil })
	add("size", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		if v, ok := commandMethod(in, "size"); ok {
			return v, nil
		}
		return 0, nil
	})
	add("default", 0, 2, defaultFilter)
	add("date", 1, 1, e.dateFilter)

	// ---- arrays ----
	add("join", 0, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		l, err := flatten(in)
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(l))
		for i, x := range l {
			parts[i] = toS(x)
		}
		return strings.Join(parts, toS(arg(a, 0, " "))), nil
	})
	add("first", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { v, _ := commandMethod(in, "first"); return v, nil })
	add("last", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { v, _ := commandMethod(in, "last"); return v, nil })
	add("reverse", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		l, err := flatten(in)
		out := make([]any, len(l))
		for i, x := range l {
			out[len(l)-1-i] = x
		}
		return out, err
	})
	add("map", 1, 1, mapFilter)
	add("uniq", 0, 1, uniqFilter)
	add("compact", 0, 1, compactFilter)
	add("concat", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		other, ok, err := listOf(a[0])
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errors.New("concat filter requires an array argument")
		}
		l, err := flatten(in)
		if err != nil {
			return nil, err
		}
		if len(l)+len(other) > maxRange {
			return nil, fmt.Errorf("array of %d elements is too large", len(l)+len(other))
		}
		return append(append(make([]any, 0, len(l)+len(other)), l...), other...), nil
	})
	add("sort_natural", 0, 1, sortNaturalFilter)

	// ---- numbers ----
	add("plus", 1, 1, arith(func(a, b *big.Rat) (*big.Rat, error) { return new(big.Rat).Add(a, b), nil }, func(a, b int) (int, error) { return a + b, nil }))
	add("minus", 1, 1, arith(func(a, b *big.Rat) (*big.Rat, error) { return new(big.Rat).Sub(a, b), nil }, func(a, b int) (int, error) { return a - b, nil }))
	add("times", 1, 1, arith(func(a, b *big.Rat) (*big.Rat, error) { return new(big.Rat).Mul(a, b), nil }, func(a, b int) (int, error) { return a * b, nil }))
	add("divided_by", 1, 1, arith(func(a, b *big.Rat) (*big.Rat, error) {
		if b.Sign() == 0 {
			return nil, errors.New("divided by 0")
		}
		return new(big.Rat).Quo(a, b), nil
	}, func(a, b int) (int, error) {
		if b == 0 {
			return 0, errors.New("divided by 0")
		}
		return floorDiv(a, b), nil
	}))
	add("modulo", 1, 1, arith(func(a, b *big.Rat) (*big.Rat, error) {
		if b.Sign() == 0 {
			return nil, errors.New("divided by 0")
		}
		// Ruby's modulo takes the sign of the divisor.
		q := new(big.Rat).Quo(a, b)
		fl := new(big.Int).Div(q.Num(), q.Denom())
		return new(big.Rat).Sub(a, new(big.Rat).Mul(b, new(big.Rat).SetInt(fl))), nil
	}, func(a, b int) (int, error) {
		if b == 0 {
			return 0, errors.New("divided by 0")
		}
		return a - b*floorDiv(a, b), nil
	}))
	add("abs", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) {
		n := toNumber(in)
		if n.isInt {
			return abs(n.i), nil
		}
		return number{r: new(big.Rat).Abs(n.rat())}.value(), nil
	})
	add("ceil", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return roundRat(toNumber(in).rat(), ceilMode), nil })
	add("floor", 0, 0, func(_ *evalCtx, in any, _ []any) (any, error) { return roundRat(toNumber(in).rat(), floorMode), nil })
	add("round", 0, 1, roundFilter)
	add("at_least", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		x, lo := toNumber(in), toNumber(a[0])
		if lo.rat().Cmp(x.rat()) > 0 {
			x = lo
		}
		return x.value(), nil
	})
	add("at_most", 1, 1, func(_ *evalCtx, in any, a []any) (any, error) {
		x, hi := toNumber(in), toNumber(a[0])
		if hi.rat().Cmp(x.rat()) < 0 {
			x = hi
		}
		return x.value(), nil
	})

	e.addJekyllFilters(add)
	return t
}

const rubySpace = " \t\n\v\f\r"

func rubyStrip(s string) string {
	return strings.TrimRight(strings.TrimLeft(s, rubySpace), rubySpace+"\x00")
}

var (
	reNewline      = regexp.MustCompile(`\r?\n`)
	reStripBlocks  = regexp.MustCompile(`(?s)<script.*?</script>|<!--.*?-->|<style.*?</style>`)
	reStripTags    = regexp.MustCompile(`(?s)<.*?>`)
	reEntityPrefix = regexp.MustCompile(`^&(?:[a-zA-Z]+|#\d+);`)
)

func stripHTML(s string) string {
	return reStripTags.ReplaceAllString(reStripBlocks.ReplaceAllString(s, ""), "")
}

// cgiHTMLEscaper is Ruby's CGI.escapeHTML table.
var cgiHTMLEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// escapeHTML is Ruby's CGI.escapeHTML.
func escapeHTML(s string) string { return cgiHTMLEscaper.Replace(s) }

// escapeOnce escapes like escape but leaves existing entities alone.
func escapeOnce(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '&':
			if reEntityPrefix.MatchString(s[i:]) {
				b.WriteByte('&')
			} else {
				b.WriteString("&amp;")
			}
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cgiUnescape is CGI.unescape: "+" is a space, bad % sequences stay.
func cgiUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '+':
			b.WriteByte(' ')
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func replaceLast(s, old, repl string) string {
	i := strings.LastIndex(s, old)
	if i < 0 {
		return s
	}
	return s[:i] + repl + s[i+len(old):]
}

// rubySplit is String#split with a string pattern: " " splits on runs of
// whitespace ignoring leading space, "" splits into characters, and
// trailing empty fields are dropped.
func rubySplit(s, sep string) []any {
	var parts []string
	switch sep {
	case " ":
		parts = strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(rubySpace+"\x00", r) })
	case "":
		for _, r := range s {
			parts = append(parts, string(r))
		}
	default:
		parts = strings.Split(s, sep)
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

func sliceFilter(_ *evalCtx, in any, a []any) (any, error) {
	off, err := toInteger(a[0])
	if err != nil {
		return nil, err
	}
	n := 1
	if x := arg(a, 1, nil); x != nil {
		if n, err = toInteger(x); err != nil {
			return nil, err
		}
	}
	if l, ok, err := listOf(in); ok || err != nil {
		if err != nil {
			return nil, err
		}
		start, end, ok := rubySliceBounds(len(l), off, n)
		if !ok {
			return []any{}, nil
		}
		return append([]any(nil), l[start:end]...), nil
	}
	r := []rune(toS(in))
	start, end, ok := rubySliceBounds(len(r), off, n)
	if !ok {
		return "", nil
	}
	return string(r[start:end]), nil
}

// rubySliceBounds mirrors slice(offset, length) on arrays and strings.
func rubySliceBounds(size, off, n int) (int, int, bool) {
	if off < 0 {
		off += size
	}
	if off < 0 || off > size || n < 0 {
		return 0, 0, false
	}
	end := off + n
	if end > size || end < off {
		end = size
	}
	return off, end, true
}

func truncateFilter(_ *evalCtx, in any, a []any) (any, error) {
	if in == nil {
		return nil, nil
	}
	s := []rune(toS(in))
	n, err := toInteger(arg(a, 0, 50))
	if err != nil {
		return nil, err
	}
	ellipsis := toS(arg(a, 1, "..."))
	l := max(n-utf8.RuneCountInString(ellipsis), 0)
	if len(s) > n {
		if l > len(s) {
			l = len(s)
		}
		return string(s[:l]) + ellipsis, nil
	}
	return string(s), nil
}

func truncatewordsFilter(_ *evalCtx, in any, a []any) (any, error) {
	if in == nil {
		return nil, nil
	}
	s := toS(in)
	n, err := toInteger(arg(a, 0, 15))
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		n = 1
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(rubySpace, r) })
	if len(words) <= n {
		return s, nil
	}
	return strings.Join(words[:n], " ") + toS(arg(a, 1, "...")), nil
}

func defaultFilter(_ *evalCtx, in any, a []any) (any, error) {
	def := arg(a, 0, "")
	allowFalse := false
	if len(a) > 0 {
		if kw, ok := a[len(a)-1].(kwargs); ok {
			v, _ := kw.get("allow_false")
			allowFalse = truthy(v)
		}
	}
	in = resolve(in)
	useDefault := !truthy(in)
	if allowFalse {
		useDefault = in == nil
	}
	if e, ok := isEmpty(in); ok && e {
		useDefault = true
	}
	if useDefault {
		return def, nil
	}
	return in, nil
}

func (e *Engine) dateFilter(_ *evalCtx, in any, a []any) (any, error) {
	format := toS(a[0])
	if format == "" {
		return in, nil
	}
	t, ok := e.toTime(in)
	if !ok {
		return in, nil
	}
	return strftime(format, t), nil
}

func mapFilter(_ *evalCtx, in any, a []any) (any, error) {
	l, err := flatten(in)
	if err != nil {
		return nil, err
	}
	key := toS(a[0])
	out := make([]any, len(l))
	for i, x := range l {
		if key == "to_liquid" {
			out[i] = x
			continue
		}
		if s, ok := x.(string); ok {
			// String#[] with a string returns the substring if present.
			if strings.Contains(s, key) {
				out[i] = key
			}
			continue
		}
		out[i], _ = hasKey(x, a[0])
	}
	return out, nil
}

func uniqFilter(_ *evalCtx, in any, a []any) (any, error) {
	l, err := flatten(in)
	if err != nil {
		return nil, err
	}
	prop := arg(a, 0, nil)
	var out, keys []any
	for _, x := range l {
		k := x
		if prop != nil {
			k, _ = hasKey(x, prop)
		}
		dup := false
		for _, seen := range keys {
			if equal(seen, k) && rubyClass(seen) == rubyClass(k) {
				dup = true
				break
			}
		}
		if !dup {
			keys = append(keys, k)
			out = append(out, x)
		}
	}
	return out, nil
}

func compactFilter(_ *evalCtx, in any, a []any) (any, error) {
	l, err := flatten(in)
	if err != nil {
		return nil, err
	}
	prop := arg(a, 0, nil)
	out := []any{}
	for _, x := range l {
		v := x
		if prop != nil {
			v, _ = hasKey(x, prop)
		}
		if v != nil {
			out = append(out, x)
		}
	}
	return out, nil
}

func sortNaturalFilter(_ *evalCtx, in any, a []any) (any, error) {
	l, err := flatten(in)
	if err != nil {
		return nil, err
	}
	out := append([]any(nil), l...)
	prop := arg(a, 0, nil)
	key := func(x any) any {
		if prop == nil {
			return x
		}
		v, _ := hasKey(x, prop)
		return v
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := key(out[i]), key(out[j])
		switch {
		case x == nil:
			return false
		case y == nil:
			return true
		}
		return caseCmp(toS(x), toS(y)) < 0
	})
	return out, nil
}

// caseCmp is Ruby's String#casecmp (ASCII case folding only).
func caseCmp(a, b string) int {
	fold := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + 32
			}
			return r
		}, s)
	}
	return strings.Compare(fold(a), fold(b))
}

func arith(dec func(a, b *big.Rat) (*big.Rat, error), ints func(a, b int) (int, error)) filterFunc {
	return func(_ *evalCtx, in any, a []any) (any, error) {
		x, y := toNumber(in), toNumber(a[0])
		if x.isInt && y.isInt {
			n, err := ints(x.i, y.i)
			return n, err
		}
		r, err := dec(x.rat(), y.rat())
		if err != nil {
			return nil, err
		}
		return number{r: r}.value(), nil
	}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

type roundMode int

const (
	floorMode roundMode = iota
	ceilMode
	halfUpMode
)

// roundRat rounds to an integer.
func roundRat(r *big.Rat, mode roundMode) int {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).DivMod(num, den, new(big.Int)) // floor for positive den
	switch mode {
	case ceilMode:
		if m.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
	case halfUpMode:
		// Round half away from zero.
		twice := new(big.Int).Mul(m, big.NewInt(2))
		c := twice.Cmp(den)
		if c > 0 || c == 0 && r.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
	}
	return int(q.Int64())
}

func roundFilter(_ *evalCtx, in any, a []any) (any, error) {
	x := toNumber(in)
	digits := 0
	if d := arg(a, 0, nil); d != nil {
		dn := toNumber(d)
		digits = dn.i
		if !dn.isInt {
			f, _ := dn.rat().Float64()
			digits = int(f)
		}
	}
	if x.isInt && digits >= 0 {
		return x.i, nil
	}
	if digits > 100 {
		digits = 100
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(digits))), nil))
	r := x.rat()
	if digits < 0 {
		r = new(big.Rat).Quo(r, scale)
	} else {
		r = new(big.Rat).Mul(r, scale)
	}
	n := new(big.Rat).SetInt64(int64(roundRat(r, halfUpMode)))
	if digits < 0 {
		n.Mul(n, scale)
		return int(n.Num().Int64()), nil
	}
	if digits == 0 {
		return int(n.Num().Int64()), nil
	}
	n.Quo(n, scale)
	return number{r: n}.value(), nil
}
