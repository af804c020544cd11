package site

import "go.yaml.in/yaml/v3"

// AddressLines is a location's address: a list of lines as the CMS writes
// it, or a single legacy string (possibly with <br>).
type AddressLines []string

// UnmarshalYAML accepts both the list and the legacy single-string form.
func (a *AddressLines) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Tag != "!!null" && n.Value != "" {
			*a = AddressLines{n.Value}
		}
		return nil
	}
	var lines []string
	if err := n.Decode(&lines); err != nil {
		return err
	}
	*a = lines
	return nil
}
