package pagefile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// inline writes v as a single-line scalar, keeping a quoted style the value
// already had; a plain (or new) value stays plain when it safely can.
func inline(v string, style yaml.Style) string {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		return doubleQuoted(v)
	case style&yaml.SingleQuotedStyle != 0:
		if singleOK(v) {
			return singleQuoted(v)
		}
		return doubleQuoted(v)
	case plainOK(v):
		return v
	case strings.ContainsAny(v, `"\`) && !strings.Contains(v, "'") && singleOK(v):
		return singleQuoted(v) // 'say "hi"' reads better than "say \"hi\""
	}
	return doubleQuoted(v)
}

// plainOK reports whether v can be written unquoted and still read back as
// the same string, both to yaml.v3 (Studio, the build) and to the YAML 1.1
// rules of Jekyll's Psych, where yes/on/1:30 are not strings either.
func plainOK(v string) bool {
	if v == "" || strings.Trim(v, " \t") != v || !singleOK(v) || strings.ContainsRune(v, '\t') {
		return false
	}
	// YAML indicators, plus %, @ and ` which are reserved at the start.
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(v[0])) {
		return false
	}
	if strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.HasSuffix(v, ":") {
		return false
	}
	if implicitWord(v) || numberLike.MatchString(v) {
		return false
	}
	// The final word goes to the parser itself.
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+v), &doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	m := doc.Content[0]
	if len(m.Content) != 2 {
		return false
	}
	n := m.Content[1]
	return n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Style == 0 && n.Value == v
}

// numberLike matches, generously, what YAML 1.1 or 1.2 reads as a number or
// timestamp: 12, -1.5, 0x1F, 0o17, 1e3, 1_000, 1:30, 2024-01-01,
// 2024-01-01 10:00:00 +8. Quoting a few strings too many costs nothing.
var numberLike = regexp.MustCompile(`^[-+]?\.?[0-9][-+.0-9a-fA-FxXoOtTzZ_: ]*$`)

// implicitWord reports the words YAML 1.1 or 1.2 reads as booleans, nulls,
// infinities or not-a-number.
func implicitWord(v string) bool {
	switch strings.ToLower(v) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
		".inf", "+.inf", "-.inf", ".nan", "<<", "=":
		return true
	}
	return false
}

// literalOK reports whether r can appear unescaped in a scalar. YAML allows
// only printable characters, and treats U+0085, U+2028 and U+2029 as line
// breaks; libyaml also rejects a byte order mark inside the stream.
func literalOK(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return true
	case r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF:
		return false
	}
	return r >= 0x20 && r <= 0x7E || r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func singleOK(v string) bool {
	return !strings.ContainsRune(v, '\n') && !strings.ContainsFunc(v, func(r rune) bool { return !literalOK(r) })
}

func singleQuoted(v string) string {
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

func doubleQuoted(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case 0x85:
			b.WriteString(`\N`)
		case 0x2028:
			b.WriteString(`\L`)
		case 0x2029:
			b.WriteString(`\P`)
		default:
			switch {
			case literalOK(r):
				b.WriteRune(r)
			case r <= 0xFFFF:
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				fmt.Fprintf(&b, `\U%08X`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// blockOK reports whether v can be a literal block scalar, whose text is
// taken verbatim and so cannot carry escapes.
func blockOK(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return !literalOK(r) })
}

// block writes v as a literal block scalar for a key at keyIndent, with
// content lines indented by indent spaces. It returns the header ("|", "|-",
// "|+", with an indentation indicator when needed or asked for), the content
// lines each ending in nl, and whether the header keeps trailing empty lines.
func block(v string, keyIndent, indent int, nl string, indicate bool) (header, content string, keep bool) {
	trailing := len(v) - len(strings.TrimRight(v, "\n"))
	// The chomping indicator decides what happens to the final line breaks:
	// "-" drops them all, "" keeps exactly one after text, "+" keeps all.
	chomp := "-"
	switch {
	case trailing == 1 && len(v) > 1:
		chomp = ""
	case trailing > 0:
		chomp, keep = "+", true
	}
	var ls []string
	if v != "" {
		ls = strings.Split(v, "\n")
		if trailing > 0 {
			ls = ls[:len(ls)-1]
		}
	}
	// The parser guesses the indentation from the first non-empty line; if
	// that line starts with a space or tab, it must be told.
	indicator := ""
	if indicate {
		indicator = strconv.Itoa(indent - keyIndent)
	}
	for _, l := range ls {
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			indicator = strconv.Itoa(indent - keyIndent)
			break
		}
		if l != "" {
			break
		}
	}
	var b strings.Builder
	for _, l := range ls {
		if l != "" {
			b.WriteString(strings.Repeat(" ", indent))
			b.WriteString(l)
		}
		b.WriteString(nl)
	}
	return "|" + indicator + chomp, b.String(), keep
}
