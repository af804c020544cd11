package liquid

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	olvalues "github.com/osteele/liquid/values"
	yaml "gopkg.in/yaml.v2"
)

// This file holds value helpers with Ruby semantics. Jekyll is Ruby, so what
// a page shows for a number, a hash or a nil is decided by Ruby's to_s,
// inspect and to_json, not by Go's fmt.

// resolve unwraps drops (values with ToLiquid) so helpers see plain data.
func resolve(v any) any {
	return olvalues.ToLiquid(v)
}

// toS is Ruby's to_s as Liquid applies it when writing a value.
func toS(v any) string {
	var b strings.Builder
	writeS(&b, v, 0)
	return b.String()
}

func writeS(b *strings.Builder, v any, depth int) {
	v = resolve(v)
	switch x := v.(type) {
	case nil, methodLit:
		return
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(rubyFloat(x))
	case float32:
		b.WriteString(rubyFloat(float64(x)))
	case time.Time:
		b.WriteString(rubyTime(x))
	case []byte:
		b.Write(x)
	case yaml.MapSlice, map[string]any:
		writeInspect(b, x, depth)
	case olvalues.Range:
		// Ruby prints a range as "1..5".
		if x.Len() > 0 {
			fmt.Fprintf(b, "%v..%v", x.Index(0), x.Index(x.Len()-1))
		}
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			// Array#join flattens and joins without separator.
			if depth > maxDepth {
				return
			}
			for i := 0; i < rv.Len(); i++ {
				writeS(b, rv.Index(i).Interface(), depth+1)
			}
		case reflect.Map:
			writeInspect(b, v, depth)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b.WriteString(strconv.FormatInt(rv.Int(), 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			b.WriteString(strconv.FormatUint(rv.Uint(), 10))
		default:
			fmt.Fprint(b, v)
		}
	}
}

// maxDepth bounds recursion through self-referencing data.
const maxDepth = 64

// rubyFloat formats like Ruby's Float#to_s: always a decimal point, and
// exponent notation outside [1e-4, 1e16).
func rubyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	abs := math.Abs(f)
	if abs != 0 && (abs >= 1e16 || abs < 1e-4) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		if len(exp) < 2 {
			exp = strings.Repeat("0", 2-len(exp)) + exp
		}
		return mant + "e" + string(sign) + exp
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// rubyTime is Ruby's Time#to_s.
func rubyTime(t time.Time) string {
	return t.Format("2006-01-02 15:04:05 -0700")
}

// inspect is Ruby's Object#inspect (Ruby 3.1 syntax for hashes).
func inspect(v any) string {
	var b strings.Builder
	writeInspect(&b, v, 0)
	return b.String()
}

func writeInspect(b *strings.Builder, v any, depth int) {
	if depth > maxDepth {
		b.WriteString("...")
		return
	}
	v = resolve(v)
	switch x := v.(type) {
	case nil:
		b.WriteString("nil")
	case string:
		writeRubyString(b, x)
	case time.Time:
		b.WriteString(rubyTime(x))
	case yaml.MapSlice:
		b.WriteByte('{')
		for i, item := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeInspect(b, item.Key, depth+1)
			b.WriteString("=>")
			writeInspect(b, item.Value, depth+1)
		}
		b.WriteByte('}')
	case olvalues.Range:
		writeS(b, x, depth)
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			b.WriteByte('[')
			for i := 0; i < rv.Len(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				writeInspect(b, rv.Index(i).Interface(), depth+1)
			}
			b.WriteByte(']')
		case reflect.Map:
			b.WriteByte('{')
			for i, k := range sortedKeys(rv) {
				if i > 0 {
					b.WriteString(", ")
				}
				writeInspect(b, k.Interface(), depth+1)
				b.WriteString("=>")
				writeInspect(b, rv.MapIndex(k).Interface(), depth+1)
			}
			b.WriteByte('}')
		default:
			writeS(b, v, depth)
		}
	}
}

// writeRubyString writes a double-quoted string the way String#inspect does.
func writeRubyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\v':
			b.WriteString(`\v`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case 0x1b:
			b.WriteString(`\e`)
		case '#':
			// Ruby escapes "#" only where it would start an interpolation.
			b.WriteByte('#')
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(b, `\x%02X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// sortedKeys gives Go maps a stable order; Ruby hashes keep insertion order,
// which Go maps do not have, so sorted is the deterministic stand-in.
func sortedKeys(rv reflect.Value) []reflect.Value {
	keys := rv.MapKeys()
	sort.Slice(keys, func(i, j int) bool {
		return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface())
	})
	return keys
}

// jsonify encodes like Ruby's to_json: no HTML escaping, UTF-8 kept, floats
// with a decimal point, hash order preserved.
func jsonify(v any) string {
	var b strings.Builder
	writeJSON(&b, v, 0)
	return b.String()
}

func writeJSON(b *strings.Builder, v any, depth int) {
	if depth > maxDepth {
		b.WriteString("null")
		return
	}
	v = resolve(v)
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeJSONString(b, x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			// Ruby raises here; null keeps the output valid JSON.
			b.WriteString("null")
			return
		}
		b.WriteString(rubyFloat(x))
	case time.Time:
		writeJSONString(b, rubyTime(x))
	case yaml.MapSlice:
		b.WriteByte('{')
		for i, item := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, toS(item.Key))
			b.WriteByte(':')
			writeJSON(b, item.Value, depth+1)
		}
		b.WriteByte('}')
	case olvalues.Range:
		writeJSONString(b, toS(x))
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			b.WriteByte('[')
			for i := 0; i < rv.Len(); i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				writeJSON(b, rv.Index(i).Interface(), depth+1)
			}
			b.WriteByte(']')
		case reflect.Map:
			b.WriteByte('{')
			for i, k := range sortedKeys(rv) {
				if i > 0 {
					b.WriteByte(',')
				}
				writeJSONString(b, toS(k.Interface()))
				b.WriteByte(':')
				writeJSON(b, rv.MapIndex(k).Interface(), depth+1)
			}
			b.WriteByte('}')
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32:
			writeS(b, v, depth)
		default:
			writeJSONString(b, toS(v))
		}
	}
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// truthy is Liquid's truthiness: only nil and false are false.
func truthy(v any) bool {
	v = resolve(v)
	return v != nil && v != false
}

// isList reports whether v is an array-like value.
func isList(v any) bool {
	v = resolve(v)
	switch v.(type) {
	case nil, string, []byte, yaml.MapSlice:
		return false
	case olvalues.Range:
		return true
	}
	k := reflect.ValueOf(v).Kind()
	return k == reflect.Slice || k == reflect.Array
}

// isHash reports whether v is a hash-like value.
func isHash(v any) bool {
	v = resolve(v)
	if _, ok := v.(yaml.MapSlice); ok {
		return true
	}
	return v != nil && reflect.ValueOf(v).Kind() == reflect.Map
}

// maxRange bounds how many elements a range literal may expand to, so
// "(1..1000000000) | join" cannot exhaust memory.
const maxRange = 1 << 20

// listOf returns the elements of an array-like value; ok is false for
// anything else. Ranges are expanded (bounded by maxRange).
func listOf(v any) ([]any, bool, error) {
	v = resolve(v)
	switch x := v.(type) {
	case []any:
		return x, true, nil
	case olvalues.Range:
		if x.Len() > maxRange {
			return nil, false, fmt.Errorf("range of %d elements is too large", x.Len())
		}
		out := make([]any, 0, max(x.Len(), 0))
		for i := 0; i < x.Len(); i++ {
			out = append(out, x.Index(i))
		}
		return out, true, nil
	case nil, string, []byte, yaml.MapSlice:
		return nil, false, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false, nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true, nil
}

// hashPairs returns a hash's entries in Liquid's iteration order.
func hashPairs(v any) ([][2]any, bool) {
	v = resolve(v)
	if ms, ok := v.(yaml.MapSlice); ok {
		out := make([][2]any, len(ms))
		for i, item := range ms {
			out[i] = [2]any{item.Key, item.Value}
		}
		return out, true
	}
	if v == nil {
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map {
		return nil, false
	}
	keys := sortedKeys(rv)
	out := make([][2]any, len(keys))
	for i, k := range keys {
		out[i] = [2]any{k.Interface(), rv.MapIndex(k).Interface()}
	}
	return out, true
}

// flatten is Array#flatten as Liquid's InputIterator applies it: arrays are
// flattened, a hash becomes a one-element list, anything else Array(x).
func flatten(v any) ([]any, error) {
	v = resolve(v)
	if v == nil {
		return nil, nil
	}
	if l, ok, err := listOf(v); err != nil {
		return nil, err
	} else if ok {
		out := make([]any, 0, len(l))
		var walk func([]any, int) error
		walk = func(items []any, depth int) error {
			if depth > maxDepth {
				return fmt.Errorf("array nesting too deep")
			}
			for _, it := range items {
				if sub, ok, err := listOf(it); err != nil {
					return err
				} else if ok {
					if err := walk(sub, depth+1); err != nil {
						return err
					}
					continue
				}
				out = append(out, it)
			}
			return nil
		}
		return out, walk(l, 0)
	}
	return []any{v}, nil
}

// property reads item[key] the way Liquid's VariableLookup does for a
// hash, with Jekyll's dotted-path extension when dotted is set.
func property(item any, key string, dotted bool) any {
	if dotted && strings.Contains(key, ".") {
		cur := item
		for _, part := range strings.Split(key, ".") {
			cur = index(cur, part)
			if cur == nil {
				return nil
			}
		}
		return cur
	}
	return index(item, key)
}

// index looks up key in a hash (or an integer index in an array).
func index(item any, key any) any {
	item = resolve(item)
	switch x := item.(type) {
	case nil:
		return nil
	case yaml.MapSlice:
		for _, it := range x {
			if it.Key == key || toS(it.Key) == toS(key) {
				return it.Value
			}
		}
		return nil
	case map[string]any:
		if s, ok := key.(string); ok {
			return x[s]
		}
		return x[toS(key)]
	}
	if isList(item) {
		n, ok := key.(int)
		if !ok {
			return nil
		}
		l, _, _ := listOf(item)
		if n < 0 {
			n += len(l)
		}
		if n >= 0 && n < len(l) {
			return l[n]
		}
		return nil
	}
	v := olvalues.ValueOf(item).PropertyValue(olvalues.ValueOf(key))
	return v.Interface()
}

// sizeOf is Liquid's size filter and .size property.
func sizeOf(v any) int {
	v = resolve(v)
	switch x := v.(type) {
	case string:
		return len([]rune(x))
	case yaml.MapSlice:
		return len(x)
	case olvalues.Range:
		return max(x.Len(), 0)
	case nil:
		return 0
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return rv.Len()
	}
	return 0
}

// isEmpty is Ruby's empty? for the values that have it; ok is false where
// the method is missing (so "x == empty" is nil, i.e. false).
func isEmpty(v any) (empty, ok bool) {
	v = resolve(v)
	switch x := v.(type) {
	case string:
		return x == "", true
	case nil, bool, int, int64, float64, time.Time:
		return false, false
	case yaml.MapSlice:
		return len(x) == 0, true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return rv.Len() == 0, true
	}
	return false, false
}

// number is Liquid's Utils.to_number result: an int, or a decimal kept as
// an exact rational so arithmetic matches Ruby's BigDecimal.
type number struct {
	isInt bool
	i     int
	r     *big.Rat
}

func toNumber(v any) number {
	v = resolve(v)
	switch x := v.(type) {
	case int:
		return number{isInt: true, i: x}
	case int64:
		return number{isInt: true, i: int(x)}
	case float64:
		return floatNumber(x)
	case float32:
		return floatNumber(float64(x))
	case string:
		s := strings.TrimSpace(x)
		if decimalRE.MatchString(s) {
			r, ok := new(big.Rat).SetString(s)
			if ok {
				return number{r: r}
			}
		}
		return number{isInt: true, i: rubyToI(x)}
	case bool, nil:
		return number{isInt: true}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return number{isInt: true, i: int(rv.Int())}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return number{isInt: true, i: int(rv.Uint())}
	}
	return number{isInt: true}
}

func floatNumber(f float64) number {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return number{r: nil, i: 0, isInt: false}
	}
	// BigDecimal(obj.to_s): go through the shortest decimal form.
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		return number{isInt: true}
	}
	return number{r: r}
}

func (n number) rat() *big.Rat {
	if n.isInt {
		return new(big.Rat).SetInt64(int64(n.i))
	}
	if n.r == nil {
		return new(big.Rat)
	}
	return n.r
}

// value converts back to a Liquid value: int or float64 (BigDecimal#to_f).
func (n number) value() any {
	if n.isInt {
		return n.i
	}
	if n.r == nil {
		return math.NaN()
	}
	f, _ := n.r.Float64()
	return f
}

// rubyToI is String#to_i: leading integer, else 0.
func rubyToI(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	start := end
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '_' && end > start) {
		end++
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s[:end], "_", ""))
	if err != nil {
		return 0
	}
	return n
}

// toInteger is Liquid's Utils.to_integer: integers pass, strings must be
// integer literals.
func toInteger(v any) (int, error) {
	v = resolve(v)
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		return int(x), nil
	case nil:
		return 0, fmt.Errorf("invalid integer")
	}
	s := strings.TrimSpace(toS(v))
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil {
		return 0, fmt.Errorf("invalid integer")
	}
	return n, nil
}

// equal is Ruby's == between Liquid values.
func equal(a, b any) bool { return equalDepth(a, b, 0) }

func equalDepth(a, b any, depth int) bool {
	if depth > maxDepth {
		return false // cyclic or absurdly deep data
	}
	a, b = resolve(a), resolve(b)
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if an, ok := numeric(a); ok {
		if bn, ok := numeric(b); ok {
			return an.rat().Cmp(bn.rat()) == 0
		}
		return false
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	}
	if la, ok, _ := listOf(a); ok {
		lb, ok, _ := listOf(b)
		if !ok || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !equalDepth(la[i], lb[i], depth+1) {
				return false
			}
		}
		return true
	}
	if pa, ok := hashPairs(a); ok {
		pb, ok := hashPairs(b)
		if !ok || len(pa) != len(pb) {
			return false
		}
		for _, p := range pa {
			found := false
			for _, q := range pb {
				if equalDepth(p[0], q[0], depth+1) {
					found = equalDepth(p[1], q[1], depth+1)
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// numeric returns the number for Go numeric types only (not strings).
func numeric(v any) (number, bool) {
	switch v.(type) {
	case int, int64, float64, float32, int32, int16, int8, uint, uint8, uint16, uint32, uint64:
		return toNumber(v), true
	}
	return number{}, false
}

// compare is Ruby's <=>; ok is false where Ruby returns nil (incomparable).
func compare(a, b any) (int, bool) { return compareDepth(a, b, 0) }

func compareDepth(a, b any, depth int) (int, bool) {
	if depth > maxDepth {
		return 0, false
	}
	a, b = resolve(a), resolve(b)
	if an, ok := numeric(a); ok {
		if bn, ok := numeric(b); ok {
			return an.rat().Cmp(bn.rat()), true
		}
		return 0, false
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y), true
		}
	case bool:
		if y, ok := b.(bool); ok && x == y {
			return 0, true
		}
	case nil:
		if b == nil {
			return 0, true
		}
	}
	if la, ok, _ := listOf(a); ok {
		if lb, ok, _ := listOf(b); ok {
			for i := 0; i < len(la) && i < len(lb); i++ {
				c, ok := compareDepth(la[i], lb[i], depth+1)
				if !ok {
					return 0, false
				}
				if c != 0 {
					return c, true
				}
			}
			return cmpInt(len(la), len(lb)), true
		}
	}
	return 0, false
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rubyClass names a value's Ruby class for error messages.
func rubyClass(v any) string {
	v = resolve(v)
	switch v.(type) {
	case nil:
		return "NilClass"
	case string:
		return "String"
	case int, int64:
		return "Integer"
	case float64, float32:
		return "Float"
	case bool:
		if v == true {
			return "TrueClass"
		}
		return "FalseClass"
	case time.Time:
		return "Time"
	}
	if isList(v) {
		return "Array"
	}
	if isHash(v) {
		return "Hash"
	}
	return fmt.Sprintf("%T", v)
}
