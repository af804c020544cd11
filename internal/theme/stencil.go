package theme

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// A stencil is a template rendered once with stand-ins for the values it
// shows and cut where they landed, so that it is rendered again by pasting
// values between the pieces. Executing a template costs about a
// microsecond for every value it prints, spent in text/template's
// reflection; for the parts rendered for every page (its own values,
// pageValues) and for every entry of a left navigation or resource list,
// stenciling makes that a matter of copying strings.
//
// A stenciled template executes on a struct of strings, bools and pointers
// to such structs (its values), and may only print its values and test
// them for truth. The stand-in of a value is a marker naming it and a probe
// that html/template escapes differently in each kind of place, so the
// stencil records how each place escapes its value; a template that prints
// a value anywhere else fails to stencil. Which branches the template takes
// depends only on which values are true (non-empty, non-nil), their shape:
// there is a stencil per template and shape.
type stencil struct {
	// pieces are the literal text between the holes: len(holes)+1 of them.
	pieces []string
	holes  []hole
}

// hole is a place a value lands: the value's index among the struct's
// valueFields, and how html/template escapes it there.
type hole struct {
	field  int
	escape holeEscape
}

type holeEscape int

const (
	// escapeText is text, RCDATA or a quoted attribute value, where
	// html/template escapes a string as template.HTMLEscapeString does,
	// and '+' as well.
	escapeText holeEscape = iota
	// escapeURL is a quoted URL attribute value, where html/template
	// filters, normalises and escapes a string.
	escapeURL
	// escapeNone is trusted HTML (template.HTML) in text.
	escapeNone
)

// After its marker, a string stand-in carries stringProbe, which becomes
// textProbe in text and attributes and urlProbe in URL attributes (and
// something else in any other place, such as a URL's query); an HTML
// stand-in carries htmlProbe, which text leaves as it is.
const (
	stringProbe = " </"
	textProbe   = " &lt;/"
	urlProbe    = "%20%3c/"
	htmlProbe   = "<i>"
)

var standInRE = regexp.MustCompile(`isomerfield(\d+)z(` + regexp.QuoteMeta(textProbe) + `|` + regexp.QuoteMeta(urlProbe) + `|` + regexp.QuoteMeta(htmlProbe) + `)?`)

func marker(field int) string { return "isomerfield" + strconv.Itoa(field) + "z" }

// valueField is a field of a stenciled struct, or of a struct it points to,
// that a template can print or test: a string, template.HTML, bool or
// pointer.
type valueField struct {
	// parent is the index of the pointer field through which the field is
	// reached, or -1 for a field of the stenciled struct itself; index is
	// the field's index in its struct.
	parent, index int
	kind          reflect.Kind
	html          bool
}

// valueFields lists the fields of the struct type t, each pointer before
// the fields of what it points to.
func valueFields(t reflect.Type) ([]valueField, error) {
	var fields []valueField
	var walk func(t reflect.Type, parent int) error
	walk = func(t reflect.Type, parent int) error {
		for i := range t.NumField() {
			f := t.Field(i)
			fields = append(fields, valueField{parent: parent, index: i, kind: f.Type.Kind(), html: f.Type == reflect.TypeFor[template.HTML]()})
			switch {
			case f.Type.Kind() == reflect.String, f.Type.Kind() == reflect.Bool:
			case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
				if err := walk(f.Type.Elem(), len(fields)-1); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%s.%s is a %s: templates are stenciled on strings, bools and pointers to structs of those", t, f.Name, f.Type)
			}
		}
		return nil
	}
	if err := walk(t, -1); err != nil {
		return nil, err
	}
	if len(fields) > maxValueFields {
		return nil, fmt.Errorf("%s has more fields than a shape tells apart", t)
	}
	return fields, nil
}

// maxValueFields is the number of bits in a shape.
const maxValueFields = 64

// readValues returns the shape of data, a struct (bit i: field i is true),
// and the values of its string fields.
func readValues(fields []valueField, data reflect.Value) (shape uint64, values []string) {
	values = make([]string, len(fields))
	// at holds each field's value: invalid under a nil pointer.
	var at [maxValueFields]reflect.Value
	for i, f := range fields {
		switch {
		case f.parent < 0:
			at[i] = data.Field(f.index)
		case at[f.parent].IsValid() && !at[f.parent].IsNil():
			at[i] = at[f.parent].Elem().Field(f.index)
		default:
			continue
		}
		var truth bool
		switch f.kind {
		case reflect.String:
			values[i] = at[i].String()
			truth = values[i] != ""
		case reflect.Bool:
			truth = at[i].Bool()
		case reflect.Pointer:
			truth = !at[i].IsNil()
		}
		if truth {
			shape |= 1 << i
		}
	}
	return shape, values
}

// newStencil renders template name, which executes on a *t, with the
// stand-ins of shape and cuts it.
func newStencil(tmpl *template.Template, name string, t reflect.Type, fields []valueField, shape uint64) (*stencil, error) {
	standIns := reflect.New(t)
	var at [maxValueFields]reflect.Value
	for i, f := range fields {
		if shape&(1<<i) == 0 {
			continue
		}
		v := standIns.Elem()
		if f.parent >= 0 {
			v = at[f.parent].Elem()
		}
		v = v.Field(f.index)
		at[i] = v
		switch {
		case f.html:
			v.SetString(marker(i) + htmlProbe)
		case f.kind == reflect.String:
			v.SetString(marker(i) + stringProbe)
		case f.kind == reflect.Bool:
			v.SetBool(true)
		case f.kind == reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
		}
	}
	var out bytes.Buffer
	if err := tmpl.ExecuteTemplate(&out, name, standIns.Interface()); err != nil {
		return nil, err
	}
	rendered := out.String()
	if strings.Contains(rendered, "ZgotmplZ") {
		// html/template put its mark of a value it refused in place of a
		// stand-in: it decides on each value, so no stencil can.
		return nil, fmt.Errorf("stencil %s: a value lands where html/template filters it", name)
	}
	s := &stencil{}
	last := 0
	for _, m := range standInRE.FindAllStringSubmatchIndex(rendered, -1) {
		field, _ := strconv.Atoi(rendered[m[2]:m[3]])
		probe := ""
		if m[4] >= 0 {
			probe = rendered[m[4]:m[5]]
		}
		h := hole{field: field}
		switch {
		case field >= len(fields) || shape&(1<<field) == 0:
			return nil, fmt.Errorf("stencil %s: the template prints %q, which is none of its values", name, rendered[m[0]:m[1]])
		case !fields[field].html && probe == textProbe:
			h.escape = escapeText
		case !fields[field].html && probe == urlProbe:
			h.escape = escapeURL
		case fields[field].html && probe == htmlProbe:
			h.escape = escapeNone
		default:
			return nil, fmt.Errorf("stencil %s: a value lands where a stencil cannot escape it as html/template does: %q", name, rendered[max(m[0]-40, 0):min(m[1]+10, len(rendered))])
		}
		s.pieces = append(s.pieces, rendered[last:m[0]])
		s.holes = append(s.holes, h)
		last = m[1]
	}
	s.pieces = append(s.pieces, rendered[last:])
	return s, nil
}

// write writes the stencil filled with values and reports true, or writes
// nothing and reports false when some value is one the stencil cannot
// escape as html/template would (then the template must be executed).
func (s *stencil) write(w io.Writer, values []string) (bool, error) {
	for _, h := range s.holes {
		if !h.escape.handles(values[h.field]) {
			return false, nil
		}
	}
	for i, h := range s.holes {
		if _, err := io.WriteString(w, s.pieces[i]); err != nil {
			return true, err
		}
		v := values[h.field]
		if h.escape == escapeText {
			v = template.HTMLEscapeString(v)
		}
		if _, err := io.WriteString(w, v); err != nil {
			return true, err
		}
	}
	_, err := io.WriteString(w, s.pieces[len(s.holes)])
	return true, err
}

// handles reports whether a hole can take v: whether html/template's
// escaping of v there is template.HTMLEscapeString(v) (text) or v itself
// (URL, trusted HTML). FuzzStencilEscaping checks both claims.
func (e holeEscape) handles(v string) bool {
	switch e {
	case escapeText:
		// html/template also escapes '+' (as &#43;).
		return !strings.Contains(v, "+")
	case escapeURL:
		return inertURL(v)
	}
	return true
}

// inertURL reports whether u is an http(s) or scheme-less URL made only of
// characters that URL normalisation and attribute escaping leave as they are.
func inertURL(u string) bool {
	rest := u
	for _, scheme := range []string{"https://", "http://"} {
		if strings.HasPrefix(u, scheme) {
			rest = u[len(scheme):]
			break
		}
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0) {
			return false
		}
	}
	return true
}

// stencils holds a theme's stencils, by template and shape; they do not
// depend on the site, so they last as long as the theme.
type stencils struct {
	tmpl *template.Template
	// fields are the valueFields of each stenciled type.
	fields map[reflect.Type][]valueField
	mu     sync.Mutex
	cut    map[stencilKey]*stencil
}

type stencilKey struct {
	name  string
	shape uint64
}

func newStencils(tmpl *template.Template, types ...reflect.Type) (*stencils, error) {
	s := &stencils{tmpl: tmpl, fields: map[reflect.Type][]valueField{}, cut: map[stencilKey]*stencil{}}
	for _, t := range types {
		fields, err := valueFields(t)
		if err != nil {
			return nil, err
		}
		s.fields[t] = fields
	}
	return s, nil
}

// execute writes template name for data, a pointer to a stenciled struct:
// from the template's stencil when data's values allow, else by executing
// the template.
func (s *stencils) execute(w io.Writer, name string, data any) error {
	ptr := reflect.ValueOf(data)
	t := ptr.Type().Elem()
	fields, ok := s.fields[t]
	if !ok {
		return fmt.Errorf("template %s: %s is not a stenciled type", name, t)
	}
	shape, values := readValues(fields, ptr.Elem())
	key := stencilKey{name, shape}
	s.mu.Lock()
	st := s.cut[key]
	s.mu.Unlock()
	if st == nil {
		var err error
		if st, err = newStencil(s.tmpl, name, t, fields, shape); err != nil {
			return err
		}
		s.mu.Lock()
		s.cut[key] = st
		s.mu.Unlock()
	}
	if written, err := st.write(w, values); written {
		return err
	}
	return s.tmpl.ExecuteTemplate(w, name, data)
}
