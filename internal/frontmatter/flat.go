package frontmatter

// decodeFlat decodes the front matter most pages have, one line per key
// with a string value (title: "A", permalink: /a/b/), without the YAML
// parser, which costs tens of microseconds a page to set up. ok is false
// for anything else (nesting, lists, comments, escapes, numbers, booleans,
// non-ASCII text, a repeated key); Decode then parses it in full.
// FuzzDecodeFlat checks that both always agree.
func decodeFlat(src []byte) (m map[string]any, ok bool) {
	lines := 0
	for _, c := range src {
		if c == '\n' {
			lines++
		}
	}
	m = make(map[string]any, lines+1)
	for len(src) > 0 {
		var line []byte
		line, src = cutLineLF(src)
		if len(line) == 0 {
			continue
		}
		key, value, plain, ok := flatLine(line)
		if !ok {
			return nil, false
		}
		// A long plain value goes on over indented lines (the CMS folds
		// descriptions at 80 columns); YAML joins them with spaces.
		for plain && len(src) > 0 && src[0] == ' ' {
			var more []byte
			more, src = cutLineLF(src)
			more = trimSpaces(more)
			if len(more) == 0 || !printableASCII(more) || more[0] == '#' || plainStops(more) {
				return nil, false
			}
			value += " " + string(more)
		}
		if _, dup := m[key]; dup {
			return nil, false
		}
		m[key] = value
	}
	return m, true
}

func cutLineLF(src []byte) (line, rest []byte) {
	if i := indexNewline(src); i >= 0 {
		return src[:i], src[i+1:]
	}
	return src, nil
}

func trimSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func indexNewline(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

// flatLine splits `key: value` with a plain key and a quoted or plain
// string value; plain says the value was unquoted.
func flatLine(line []byte) (key, value string, plain, ok bool) {
	k := 0
	for k < len(line) && isKeyByte(line[k], k == 0) {
		k++
	}
	// YAML caps a key on its own line at 1024 characters.
	if k == 0 || k > 200 || k+1 >= len(line) || line[k] != ':' || line[k+1] != ' ' {
		return "", "", false, false
	}
	rest := trimSpaces(line[k+2:])
	if len(rest) == 0 || !printableASCII(rest) {
		return "", "", false, false // null, or text the shortcut does not check
	}
	switch q := rest[0]; {
	case q == '"' || q == '\'':
		if len(rest) < 2 || rest[len(rest)-1] != q || indexAny(rest[1:len(rest)-1], q, '\\') {
			return "", "", false, false
		}
		return string(line[:k]), string(rest[1 : len(rest)-1]), false, true
	case isDate(rest):
		// YAML reads it as a timestamp, which Decode keeps as its text.
		return string(line[:k]), string(rest), false, true
	}
	if !isPlainStart(rest[0]) || plainStops(rest) || resolvesOtherwise(rest) {
		return "", "", false, false
	}
	return string(line[:k]), string(rest), true, true
}

// isDate reports a YYYY-MM-DD value.
func isDate(v []byte) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	for i, c := range v {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func isKeyByte(c byte, first bool) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		return true
	case '0' <= c && c <= '9', c == '-':
		return !first
	}
	return false
}

func indexAny(b []byte, x, y byte) bool {
	for _, c := range b {
		if c == x || c == y {
			return true
		}
	}
	return false
}

// isPlainStart admits values starting with a letter or a slash: a YAML
// indicator, a digit, a sign or a dot could make them something else.
func isPlainStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/'
}

// plainStops reports whether a plain value holds a comment (" #"), a
// mapping indicator (": " or a final ':') or a tab.
func plainStops(v []byte) bool {
	for i, c := range v {
		switch c {
		case '#':
			if v[i-1] == ' ' {
				return true
			}
		case ':':
			if i+1 == len(v) || v[i+1] == ' ' {
				return true
			}
		}
	}
	return false
}

// resolvesOtherwise reports the letter-initial plain values YAML reads as a
// boolean or null.
func resolvesOtherwise(v []byte) bool {
	switch string(v) {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return true
	}
	return false
}
