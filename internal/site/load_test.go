package site_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"isomer.dev/isomer/internal/site"
)

var update = flag.Bool("update", false, "rewrite golden files")

// buildTime is a fixed "now" so future-dated posts are stable.
var buildTime = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// TestLoadGolden loads each testdata/*.txtar site and compares a readable
// dump of the resolved model with testdata/<name>.golden.
func TestLoadGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata sites: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			s := loadTxtar(t, file)
			got := dump(s)
			golden := strings.TrimSuffix(file, ".txtar") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("site dump mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func loadTxtar(t *testing.T, file string) *site.Site {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		// txtar cannot hold some bytes literally; these escapes keep fixtures readable.
		data := strings.NewReplacer(`\r`, "\r", `\BOM`, "\xEF\xBB\xBF").Replace(string(f.Data))
		fsys[f.Name] = &fstest.MapFile{Data: []byte(data), ModTime: buildTime}
	}
	s, err := site.Load(context.Background(), fsys, site.Options{Now: buildTime})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dump(s *site.Site) string {
	var b strings.Builder
	c := s.Config
	fmt.Fprintf(&b, "config: title=%q url=%q resources_name=%q is_government=%v default_layout=%q\n", c.Title, c.URL, c.ResourcesName, c.IsGovernment, c.DefaultLayout)
	keys := make([]string, 0, len(c.Raw))
	for k := range c.Raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(&b, "config keys: %s\n", strings.Join(keys, " "))
	for _, col := range s.Collections {
		fmt.Fprintf(&b, "collection %s output=%v declared in %s\n", col.Name, col.Output, col.ConfigPath)
		for _, d := range col.Docs {
			tnt := "-"
			if d.ThirdNavTitle != nil {
				tnt = fmt.Sprintf("%q", *d.ThirdNavTitle)
			}
			fmt.Fprintf(&b, "  %d %s third_nav=%s url=%s\n", d.Index, d.Path, tnt, d.URL)
		}
		for _, e := range col.SideNav() {
			if e.IsGroup() {
				fmt.Fprintf(&b, "  side group %q -> %s (%d pages)\n", e.Group, e.URL(), len(e.Pages))
			} else {
				fmt.Fprintf(&b, "  side page %q -> %s\n", e.Title(), e.URL())
			}
		}
		for _, e := range col.MenuNav() {
			fmt.Fprintf(&b, "  menu %q -> %s\n", e.Title(), e.URL())
		}
	}
	for _, p := range s.Pages {
		fmt.Fprintf(&b, "page %s kind=%s layout=%s url=%s written=%v\n", p.Path, p.Kind, p.Layout, p.URL, p.Written)
	}
	for _, p := range s.Posts {
		fmt.Fprintf(&b, "post %s type=%s date=%s categories=%s url=%s written=%v link=%s\n", p.Path, p.ResourceType, p.Date.Format("2006-01-02"), strings.Join(p.Categories, ","), p.URL, p.Written, p.Link())
	}
	for _, cat := range s.Categories {
		fmt.Fprintf(&b, "category %s (%d posts)\n", cat.Name, len(cat.Posts))
	}
	for _, f := range s.Static {
		fmt.Fprintf(&b, "static %q -> %q url=%s\n", f.Path, f.OutputPath, f.URL)
	}
	routes := make([]string, 0, len(s.Routes))
	for r := range s.Routes {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		o := s.Routes[r]
		src := ""
		if o.Page != nil {
			src = o.Page.Path
		} else {
			src = o.Static.Path
		}
		fmt.Fprintf(&b, "route %q <- %s\n", r, src)
	}
	for _, d := range s.Diagnostics.Items() {
		fmt.Fprintf(&b, "diag %s\n", d)
	}
	return b.String()
}
