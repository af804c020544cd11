package liquid

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	yaml "gopkg.in/yaml.v2"
)

// DecodeYAML decodes YAML (front matter, _config.yml, _data files) into the
// values Render expects: mappings become yaml.MapSlice so hashes keep their
// order in loops and jsonify (Ruby hashes are ordered, Go maps are not),
// sequences become []any, and dates stay strings.
func DecodeYAML(src []byte) (any, error) {
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("decode yaml: %w", err)
	}
	if doc.Kind == 0 {
		return nil, nil
	}
	return fromNode(&doc, 0)
}

func fromNode(n *yamlv3.Node, depth int) (any, error) {
	if depth > 200 {
		return nil, fmt.Errorf("yaml nesting too deep at line %d", n.Line)
	}
	switch n.Kind {
	case yamlv3.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromNode(n.Content[0], depth+1)
	case yamlv3.AliasNode:
		return fromNode(n.Alias, depth+1)
	case yamlv3.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromNode(c, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yamlv3.MappingNode:
		out := make(yaml.MapSlice, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := fromNode(n.Content[i], depth+1)
			if err != nil {
				return nil, err
			}
			v, err := fromNode(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			if ks, ok := k.(string); ok && ks == "<<" && n.Content[i].Tag == "!!merge" {
				// Merge keys: copy entries not already present.
				if m, ok := v.(yaml.MapSlice); ok {
					for _, item := range m {
						if index(out, item.Key) == nil {
							out = append(out, item)
						}
					}
				}
				continue
			}
			out = setKey(out, k, v)
		}
		return out, nil
	case yamlv3.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

func setKey(m yaml.MapSlice, k, v any) yaml.MapSlice {
	for i := range m {
		if m[i].Key == k {
			m[i].Value = v
			return m
		}
	}
	return append(m, yaml.MapItem{Key: k, Value: v})
}

func scalar(n *yamlv3.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		return strings.ToLower(n.Value) == "true"
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if v, err := strconv.ParseInt(s, 0, 64); err == nil {
			return int(v)
		}
		return n.Value
	case "!!float":
		switch strings.ToLower(n.Value) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return v
		}
		return n.Value
	}
	return n.Value
}
