package web

import (
	"fmt"
	"slices"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

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

// FuzzRenameNavCollection: renaming never panics, and when it succeeds
// every menu entry for the old folder names the new one, nothing else.
func FuzzRenameNavCollection(f *testing.F) {
	f.Add("links:\n  - title: A\n    collection: services\n", "services", "our-services")
	f.Add("links:\n  - {title: A, collection: services}\n", "services", "x")
	f.Add("links:\n  - title: A\n    collection: 'services' # c\n", "services", "a: b")
	f.Fuzz(func(t *testing.T, in, from, to string) {
		type nav struct {
			Links []map[string]any `yaml:"links"`
		}
		var before nav
		if yaml.Unmarshal([]byte(in), &before) != nil || !utf8.ValidString(to) {
			return
		}
		out, err := renameNavCollection([]byte(in), from, to)
		if err != nil {
			return
		}
		var after nav
		if err := yaml.Unmarshal(out, &after); err != nil {
			t.Fatalf("result does not parse: %v\n%s", err, out)
		}
		if len(after.Links) != len(before.Links) {
			t.Fatalf("%d links became %d", len(before.Links), len(after.Links))
		}
		for i := range before.Links {
			want := before.Links[i]["collection"]
			if s, ok := want.(string); ok && s == from {
				want = to
			}
			if got := after.Links[i]["collection"]; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("link %d: collection %v, want %v\nin:\n%s\nout:\n%s", i, got, want, in, out)
			}
		}
	})
}
