package markup

import "strings"

// attrList is one parsed kramdown attribute list: the body of an IAL
// ({: ...}) or of an ALD ({:name: ...}). Keys keep their order; "class"
// accumulates, every other key overwrites, as in kramdown.
type attrList struct {
	refs  []string
	attrs []htmlAttr
}

func (a *attrList) set(k, v string) {
	for i := range a.attrs {
		if at := &a.attrs[i]; at.key == k {
			if k == "class" {
				at.val = strings.TrimLeft(at.val+" "+v, " ")
			} else {
				at.val = v
			}
			return
		}
	}
	a.attrs = append(a.attrs, htmlAttr{k, v})
}

// merge adds b to a the way kramdown's update_ial_with_ial does.
func (a *attrList) merge(b *attrList) {
	a.refs = append(a.refs, b.refs...)
	for _, at := range b.attrs {
		a.set(at.key, at.val)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// parseAttrList parses the inside of an IAL/ALD. It follows kramdown's
// ALD_TYPE_ANY: tokens start at the beginning or after whitespace and must
// end before whitespace or the end; anything else is skipped.
func parseAttrList(s string) *attrList {
	a := &attrList{}
	if t := strings.TrimSpace(s); t == "" || t == ":" {
		return a
	}
	i := 0
	for i < len(s) {
		if i > 0 && !isSpace(s[i-1]) {
			i++
			continue
		}
		if isSpace(s[i]) {
			i++
			continue
		}
		if n := parseAttrToken(s[i:], a); n > 0 {
			i += n
			continue
		}
		i++
	}
	return a
}

// parseAttrToken parses one token at the start of s into a and returns its
// length, or 0 when no token matches there.
func parseAttrToken(s string, a *attrList) int {
	endsOK := func(n int) bool { return n == len(s) || isSpace(s[n]) }
	// name: \w[\w-]*
	n := 0
	if n < len(s) && isWordByte(s[n]) {
		n++
		for n < len(s) && (isWordByte(s[n]) || s[n] == '-') {
			n++
		}
	}
	if n > 0 {
		if n+1 < len(s) && s[n] == '=' && (s[n+1] == '"' || s[n+1] == '\'') {
			q := s[n+1]
			j := n + 2
			for j < len(s) {
				c := s[j]
				if c == '\\' && j+1 < len(s) && (s[j+1] == '}' || s[j+1] == q) {
					j += 2
					continue
				}
				if c == q || c == '}' {
					break
				}
				j++
			}
			if j < len(s) && s[j] == q && endsOK(j+1) {
				val := s[n+2 : j]
				if strings.IndexByte(val, '\\') >= 0 {
					val = strings.NewReplacer(`\}`, "}", `\`+string(q), string(q)).Replace(val)
				}
				a.set(s[:n], val)
				return j + 1
			}
		} else if endsOK(n) {
			a.refs = append(a.refs, s[:n])
			return n
		}
	}
	// ((?:#id|.class)+)
	var ids, classes []string
	j := 0
	for j < len(s) && (s[j] == '#' || s[j] == '.') {
		k := j + 1
		if s[j] == '#' {
			if k >= len(s) || !(s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z') {
				break
			}
			for k < len(s) && (isWordByte(s[k]) || s[k] == ':' || s[k] == '-') {
				k++
			}
			ids = append(ids, s[j+1:k])
		} else {
			for k < len(s) && !isSpace(s[k]) && s[k] != '.' && s[k] != '#' {
				k++
			}
			if k == j+1 {
				break
			}
			classes = append(classes, s[j+1:k])
		}
		j = k
	}
	if j > 0 && endsOK(j) && (len(ids) > 0 || len(classes) > 0) {
		// kramdown applies them in source order; id overwrites, class appends.
		ii, ci := 0, 0
		for p := 0; p < j; {
			if s[p] == '#' {
				a.set("id", ids[ii])
				p += 1 + len(ids[ii])
				ii++
			} else {
				a.set("class", classes[ci])
				p += 1 + len(classes[ci])
				ci++
			}
		}
		return j
	}
	return 0
}

// scanBraceBody returns the index of the '}' closing a kramdown attribute
// body that starts at s[0] (ALD_ANY_CHARS: \} or anything but '}'), or -1.
func scanBraceBody(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && s[i+1] == '}' {
				i++
			}
		case '}':
			return i
		}
	}
	return -1
}
