package web

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// yamlString encodes s as a YAML scalar that reads back as the string s.
func yamlString(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// collectionYML is a new folder's collection.yml, as the CMS writes it.
func collectionYML(name string, order []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "collections:\n  %s:\n    output: true\n    order:", name)
	if len(order) == 0 {
		b.WriteString(" []\n")
		return b.String()
	}
	b.WriteString("\n")
	for _, o := range order {
		fmt.Fprintf(&b, "      - %s\n", yamlString(o))
	}
	return b.String()
}

// appendOrder adds name at the end of the order list in a collection.yml,
// inserting one line so concurrent additions merge line by line (a flow
// list, "order: []", is rewritten as a block list). The result is read back
// and checked; a layout the line edit gets wrong is re-encoded whole
// instead, which loses comments and formatting but never an entry.
func appendOrder(data []byte, name string) ([]byte, error) {
	want, coll, err := orderAfter(data, name)
	if err != nil {
		return nil, err
	}
	if out, err := appendOrderLine(data, name); err == nil && orderIs(out, coll, want) {
		return out, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	cmap := mapValue(mapValue(doc.Content[0], "collections"), coll)
	order := mapValue(cmap, "order")
	item := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}
	if order == nil {
		cmap.Content = append(cmap.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "order"},
			&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{item}})
	} else {
		order.Style = 0
		order.Content = append(order.Content, item)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, err
	}
	if !orderIs(out, coll, want) {
		return nil, errors.New("cannot add to this order list safely; edit collection.yml as text")
	}
	return out, nil
}

// orderAfter is what the order list must read after appending name, and
// the collection's name.
func orderAfter(data []byte, name string) ([]string, string, error) {
	var c collectionFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, "", err
	}
	if len(c.Collections) != 1 {
		return nil, "", errors.New("expected exactly one collection")
	}
	for k, v := range c.Collections {
		return append(slices.Clone(v.Order), name), k, nil
	}
	return nil, "", nil
}

// orderIs reports whether data's order list for coll is want.
func orderIs(data []byte, coll string, want []string) bool {
	var c collectionFile
	if yaml.Unmarshal(data, &c) != nil || len(c.Collections) != 1 {
		return false
	}
	got, ok := c.Collections[coll]
	return ok && slices.Equal(got.Order, want)
}

// collectionFile is the shape of a collection.yml.
type collectionFile struct {
	Collections map[string]struct {
		Output bool     `yaml:"output"`
		Order  []string `yaml:"order"`
	} `yaml:"collections"`
}

// appendOrderLine is appendOrder's minimal edit: one inserted line.
func appendOrderLine(data []byte, name string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a mapping")
	}
	cols := mapValue(doc.Content[0], "collections")
	if cols == nil || cols.Kind != yaml.MappingNode || len(cols.Content) < 2 {
		return nil, errors.New("no collections: entry")
	}
	coll := cols.Content[1]
	if coll.Kind != yaml.MappingNode || coll.Style&yaml.FlowStyle != 0 || len(coll.Content) == 0 {
		return nil, errors.New("the collection's settings are not a block mapping")
	}
	if !utf8.ValidString(name) {
		return nil, errors.New("name is not valid UTF-8")
	}
	order := mapValue(coll, "order")
	lines := bytes.SplitAfter(data, []byte("\n"))
	item := yamlString(name)
	switch {
	case order == nil:
		// Add "order:" after the collection's last key.
		indent := strings.Repeat(" ", coll.Content[0].Column-1)
		at := lastLine(coll)
		ins := indent + "order:\n" + indent + "  - " + item + "\n"
		return insertAfter(lines, at, ins), nil
	case order.Kind != yaml.SequenceNode:
		return nil, errors.New("order is not a list")
	case len(order.Content) == 0 || order.Style&yaml.FlowStyle != 0:
		keyLine := order.Line - 1
		key := string(lines[keyLine])
		colon := strings.Index(key, "order:")
		if colon < 0 || order.Line != orderKeyLine(coll) {
			return nil, errors.New("order list layout not understood")
		}
		indent := strings.Repeat(" ", colon)
		var b strings.Builder
		b.WriteString(key[:colon] + "order:\n")
		for _, it := range order.Content {
			b.WriteString(indent + "  - " + yamlString(it.Value) + "\n")
		}
		b.WriteString(indent + "  - " + item + "\n")
		lines[keyLine] = []byte(b.String())
		return bytes.Join(lines, nil), nil
	default:
		last := order.Content[len(order.Content)-1]
		indent := strings.Repeat(" ", max(last.Column-3, 0))
		return insertAfter(lines, lastLine(last), indent+"- "+item+"\n"), nil
	}
}

func orderKeyLine(coll *yaml.Node) int {
	for i := 0; i+1 < len(coll.Content); i += 2 {
		if coll.Content[i].Value == "order" {
			return coll.Content[i].Line
		}
	}
	return -1
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// lastLine is the 1-based line of the last scalar inside n.
func lastLine(n *yaml.Node) int {
	line := n.Line
	for _, c := range n.Content {
		line = max(line, lastLine(c))
	}
	return line
}

// insertAfter inserts text after the 1-based line at (0 inserts first).
func insertAfter(lines [][]byte, at int, text string) []byte {
	at = min(at, len(lines))
	if at > 0 && !bytes.HasSuffix(lines[at-1], []byte("\n")) {
		lines[at-1] = append(bytes.Clone(lines[at-1]), '\n')
	}
	out := append([][]byte{}, lines[:at]...)
	out = append(out, []byte(text))
	out = append(out, lines[at:]...)
	return bytes.Join(out, nil)
}

// renameCollection updates a collection.yml for its folder's new name: the
// key under "collections" is the folder name without its underscore.
func renameCollection(data []byte, from, to string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("empty collection.yml")
	}
	cols := mapValue(doc.Content[0], "collections")
	if cols == nil || cols.Kind != yaml.MappingNode {
		return nil, errors.New("no collections: entry")
	}
	for i := 0; i+1 < len(cols.Content); i += 2 {
		if k := cols.Content[i]; k.Value == from {
			return replaceScalar(data, k, to)
		}
	}
	return data, nil
}

// renameNavCollection points navigation.yml entries for collection from at
// collection to.
func renameNavCollection(data []byte, from, to string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return data, nil
	}
	links := mapValue(doc.Content[0], "links")
	if links == nil || links.Kind != yaml.SequenceNode {
		return data, nil
	}
	// Replace from the bottom up so earlier lines keep their positions.
	var hits []*yaml.Node
	for _, l := range links.Content {
		if v := mapValue(l, "collection"); v != nil && v.Kind == yaml.ScalarNode && v.Value == from {
			hits = append(hits, v)
		}
	}
	var err error
	for i := len(hits) - 1; i >= 0; i-- {
		if data, err = replaceScalar(data, hits[i], to); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// replaceScalar replaces the single-line scalar n in data with value,
// leaving every other byte alone.
func replaceScalar(data []byte, n *yaml.Node, value string) ([]byte, error) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n.Kind != yaml.ScalarNode || n.Line < 1 || n.Line > len(lines) || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return nil, errors.New("scalar layout not understood")
	}
	line := string(lines[n.Line-1])
	start := n.Column - 1
	if start < 0 || start >= len(line) {
		return nil, errors.New("scalar position out of range")
	}
	old := n.Value
	if q := line[start]; n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		end := strings.IndexByte(line[start+1:], q)
		if end < 0 {
			return nil, errors.New("quoted scalar spans lines")
		}
		old = line[start : start+end+2]
	}
	if start+len(old) > len(line) || line[start:start+len(old)] != old {
		return nil, errors.New("scalar layout not understood")
	}
	// Whatever follows must end the new value too ("'x'#" is legal after a
	// quoted scalar but would join a plain one).
	if rest := line[start+len(old):]; rest != "" && !strings.ContainsAny(rest[:1], " \t\r\n:") {
		return nil, errors.New("scalar layout not understood")
	}
	lines[n.Line-1] = []byte(line[:start] + yamlString(value) + line[start+len(old):])
	return bytes.Join(lines, nil), nil
}
