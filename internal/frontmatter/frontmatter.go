// Package frontmatter separates a file's YAML front matter from its body the
// way Jekyll does, and decodes the YAML the way the Isomer CMS writes it.
package frontmatter

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

var utf8BOM = []byte("\xEF\xBB\xBF")

// ErrNone reports a file without front matter.
var ErrNone = errors.New("no front matter")

// ErrUnclosed reports a file that opens front matter with "---" but never closes it.
var ErrUnclosed = errors.New("front matter starts with --- but has no closing --- line")

// Document is a file split into front matter and body.
type Document struct {
	// YAML is the raw front matter, without the delimiter lines.
	YAML []byte
	// Body is everything after the closing delimiter line.
	Body []byte
	// BodyLine is the 1-based line of the file on which Body starts, so
	// problems found in the body can be reported at the file's own line.
	BodyLine int
}

// Has reports whether src opens with a front matter delimiter: a first line of
// "---" and optional trailing whitespace (real files have "---  "), after an
// optional UTF-8 byte order mark. Jekyll treats files without it as static.
func Has(src []byte) bool {
	src = bytes.TrimPrefix(src, utf8BOM)
	line, _, ok := cutLine(src)
	return ok && isDelimiter(line, false)
}

// Split separates front matter from the body. The closing delimiter is a line
// of "---" or "..." (Jekyll's rule), so "---" inside a value or a "---" rule
// later in the body is never mistaken for it. CRLF line endings are accepted.
// Split returns ErrUnclosed when the opening line has no matching close.
func Split(src []byte) (Document, error) {
	src = bytes.TrimPrefix(src, utf8BOM)
	first, rest, ok := cutLine(src)
	if !ok || !isDelimiter(first, false) {
		return Document{Body: src, BodyLine: 1}, ErrNone
	}
	start := len(src) - len(rest)
	line := 2
	for pos := start; pos <= len(src); {
		l, next, hasNewline := cutLine(src[pos:])
		if isDelimiter(l, true) {
			body := src[len(src)-len(next):]
			if !hasNewline {
				body = nil
			}
			return Document{YAML: src[start:pos], Body: body, BodyLine: line + 1}, nil
		}
		if !hasNewline {
			break
		}
		pos = len(src) - len(next)
		line++
	}
	return Document{Body: src, BodyLine: 1}, ErrUnclosed
}

// cutLine returns the first line of b without its line ending, the rest after
// it, and whether a newline ended the line.
func cutLine(b []byte) (line, rest []byte, newline bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	return b[:i], b[i+1:], true
}

func isDelimiter(line []byte, closing bool) bool {
	trimmed := bytes.TrimRight(line, " \t\r")
	if bytes.Equal(trimmed, []byte("---")) {
		return true
	}
	return closing && bytes.Equal(trimmed, []byte("..."))
}

// Error is a YAML problem at a line of the YAML text.
type Error struct {
	Line int // 1-based line within the YAML text; 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Decode parses YAML into a map. Empty YAML gives an empty map. Unquoted dates
// stay strings, as in the YAML 1.2 core schema the CMS writes with. A document
// that is not a mapping (a list, a bare string) is an error.
func Decode(src []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(src)) == 0 {
		return map[string]any{}, nil
	}
	if m, ok := decodeFlat(src); ok {
		return m, nil
	}
	var node yaml.Node
	if err := yaml.Unmarshal(src, &node); err != nil {
		return nil, yamlError(err)
	}
	if len(node.Content) == 0 {
		return map[string]any{}, nil
	}
	root := node.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return map[string]any{}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{Line: root.Line, Msg: "expected key: value pairs, found " + kindName(root)}
	}
	v, err := nodeValue(root)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// DecodeInto parses YAML into a typed value, reporting problems with lines.
func DecodeInto(src []byte, v any) error {
	if err := yaml.Unmarshal(src, v); err != nil {
		return yamlError(err)
	}
	return nil
}

// DecodeAny parses any YAML document (data files may be lists).
func DecodeAny(src []byte) (any, error) {
	var node yaml.Node
	if err := yaml.Unmarshal(src, &node); err != nil {
		return nil, yamlError(err)
	}
	if len(node.Content) == 0 {
		return nil, nil
	}
	return nodeValue(node.Content[0])
}

func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{Line: n, Msg: m[2]}
	}
	return &Error{Msg: msg}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	default:
		return "something else"
	}
}

// maxDepth bounds nesting so a hostile file cannot exhaust the stack.
const maxDepth = 200

// nodeValue converts a node to plain Go values with string map keys, which is
// what Liquid and templates index by. Timestamps stay strings.
func nodeValue(n *yaml.Node) (any, error) {
	return nodeValueDepth(n, 0)
}

func nodeValueDepth(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &Error{Line: n.Line, Msg: "nesting is too deep"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValueDepth(n.Content[0], depth+1)
	case yaml.AliasNode:
		return nodeValueDepth(n.Alias, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merged, err := nodeValueDepth(v, depth+1)
				if err != nil {
					return nil, err
				}
				if mm, ok := merged.(map[string]any); ok {
					for mk, mv := range mm {
						if _, exists := m[mk]; !exists {
							m[mk] = mv
						}
					}
				}
				continue
			}
			val, err := nodeValueDepth(v, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := nodeValueDepth(c, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!timestamp", "!!str", "!!binary":
			return n.Value, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value, nil
		}
		return v, nil
	}
	return nil, nil
}
