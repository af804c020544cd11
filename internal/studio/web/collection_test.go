package web

import (
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

type collectionFile struct {
	Collections map[string]struct {
		Output bool     `yaml:"output"`
		Order  []string `yaml:"order"`
	} `yaml:"collections"`
}

func orderOf(t testing.TB, data []byte, name string) []string {
	t.Helper()
	var c collectionFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("result does not parse: %v\n%s", err, data)
	}
	return c.Collections[name].Order
}

func TestAppendOrder(t *testing.T) {
	tests := []struct {
		name, in, add, want string
	}{
		{"block list", "collections:\n  about-us:\n    output: true\n    order:\n      - a.md\n      - b/c.md\n", "New Page.md",
			"collections:\n  about-us:\n    output: true\n    order:\n      - a.md\n      - b/c.md\n      - New Page.md\n"},
		{"empty flow list", "collections:\n  about-us:\n    output: true\n    order: []\n", "x.md",
			"collections:\n  about-us:\n    output: true\n    order:\n      - x.md\n"},
		{"no order key", "collections:\n  about-us:\n    output: true\n", "x.md",
			"collections:\n  about-us:\n    output: true\n    order:\n      - x.md\n"},
		{"no trailing newline", "collections:\n  about-us:\n    order:\n      - a.md", "b.md",
			"collections:\n  about-us:\n    order:\n      - a.md\n      - b.md\n"},
		{"needs quoting", "collections:\n  about-us:\n    order:\n      - a.md\n", "Careers: Join Us.md",
			"collections:\n  about-us:\n    order:\n      - a.md\n      - 'Careers: Join Us.md'\n"},
		{"comment kept", "# ordered by the CMS\ncollections:\n  about-us:\n    order:\n      - a.md # first\n", "b.md",
			"# ordered by the CMS\ncollections:\n  about-us:\n    order:\n      - a.md # first\n      - b.md\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendOrder([]byte(tt.in), tt.add)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "- a\n", "collections: 3\n", "collections:\n  x:\n    order: 3\n"} {
		if _, err := appendOrder([]byte(bad), "a.md"); err == nil {
			t.Errorf("appendOrder(%q) succeeded", bad)
		}
	}
}

func TestRenameFolderFiles(t *testing.T) {
	coll, err := renameCollection([]byte("collections:\n  services:\n    output: true\n"), "services", "our-services")
	if err != nil || string(coll) != "collections:\n  our-services:\n    output: true\n" {
		t.Errorf("renameCollection: %v\n%s", err, coll)
	}
	nav := "logo: x\nlinks:\n  - title: Services\n    collection: services\n  - title: Other\n    collection: \"services\"\n  - title: Keep\n    collection: servicesx\n"
	got, err := renameNavCollection([]byte(nav), "services", "our-services")
	want := "logo: x\nlinks:\n  - title: Services\n    collection: our-services\n  - title: Other\n    collection: our-services\n  - title: Keep\n    collection: servicesx\n"
	if err != nil || string(got) != want {
		t.Errorf("renameNavCollection: %v\n%s", err, got)
	}
}

// FuzzAppendOrder: appending never panics, and when it succeeds the order
// list is the old one plus the new name, and the rest still parses.
func FuzzAppendOrder(f *testing.F) {
	f.Add("collections:\n  about-us:\n    output: true\n    order:\n      - a.md\n", "b.md")
	f.Add("collections:\n  about-us:\n    order: []\n", "x: y.md")
	f.Add("collections:\n  about-us:\n    output: true\n", "#x.md")
	f.Add("collections:\n  about-us:\n    order: [a.md, b.md]\n", "c.md")
	f.Fuzz(func(t *testing.T, in, name string) {
		var before collectionFile
		if yaml.Unmarshal([]byte(in), &before) != nil || len(before.Collections) != 1 {
			return
		}
		var coll string
		for k := range before.Collections {
			coll = k
		}
		out, err := appendOrder([]byte(in), name)
		if err != nil {
			return
		}
		got := orderOf(t, out, coll)
		want := append(slices.Clone(before.Collections[coll].Order), name)
		if !slices.Equal(got, want) {
			t.Fatalf("order %q, want %q\nin:\n%s\nout:\n%s", got, want, in, out)
		}
	})
}
