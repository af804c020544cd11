package site_test

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"isomer.dev/isomer/internal/site"
)

// copyToMap loads a site folder into a MapFS that the test can edit.
func copyToMap(t *testing.T, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(os.DirFS(dir), p)
		m[p] = &fstest.MapFile{Data: data, ModTime: buildTime}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// edit is one random change to a site; it returns the paths it touched.
type edit func(r *rand.Rand, m fstest.MapFS) (string, []string)

func pick(r *rand.Rand, m fstest.MapFS, suffix string) string {
	var keys []string
	for k := range m {
		if strings.HasSuffix(k, suffix) && !site.IsGlobal(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	return keys[r.IntN(len(keys))]
}

func setFrontMatter(data, key, value string) string {
	lines := strings.Split(data, "\n")
	for i, l := range lines[1:] {
		if l == "---" {
			break
		}
		if strings.HasPrefix(l, key+":") {
			lines[i+1] = key + ": " + value
			return strings.Join(lines, "\n")
		}
	}
	return strings.Replace(data, "---\n", "---\n"+key+": "+value+"\n", 1)
}

var edits = []edit{
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // body text
		p := pick(r, m, ".md")
		m[p].Data = append(m[p].Data, []byte(fmt.Sprintf("\nEdited %d\n", r.IntN(1000)))...)
		return "edit body of " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // title
		p := pick(r, m, ".md")
		m[p].Data = []byte(setFrontMatter(string(m[p].Data), "title", fmt.Sprintf("Retitled %d", r.IntN(1000))))
		return "retitle " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // third nav group
		p := pick(r, m, ".md")
		m[p].Data = []byte(setFrontMatter(string(m[p].Data), "third_nav_title", "Group "+fmt.Sprint(r.IntN(3))))
		return "regroup " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // permalink, sometimes a duplicate
		p := pick(r, m, ".md")
		m[p].Data = []byte(setFrontMatter(string(m[p].Data), "permalink", fmt.Sprintf("/moved-%d/", r.IntN(4))))
		return "move " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // new page or post
		var p string
		switch r.IntN(3) {
		case 0:
			p = fmt.Sprintf("pages/New %d.md", r.IntN(100))
		case 1:
			p = fmt.Sprintf("_about-us/New %d.md", r.IntN(100))
		default:
			p = fmt.Sprintf("news-and-events/speeches/_posts/2025-0%d-01-post-New %d.md", 1+r.IntN(9), r.IntN(100))
		}
		m[p] = &fstest.MapFile{Data: []byte(fmt.Sprintf("---\ntitle: New %d\nlayout: post\n---\nhello\n", r.IntN(100)))}
		return "add " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // delete a page or a static file
		p := pick(r, m, []string{".md", ".png"}[r.IntN(2)])
		delete(m, p)
		return "delete " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // break, or fix, front matter
		p := pick(r, m, ".md")
		if r.IntN(2) == 0 {
			m[p].Data = []byte("---\ntitle: [broken\n---\n")
		} else {
			m[p].Data = []byte("---\ntitle: Fixed\npermalink: /fixed/\n---\nFixed body\n")
		}
		return "rewrite front matter of " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // new static file
		p := fmt.Sprintf("images/new folder/new %d.png", r.IntN(10))
		m[p] = &fstest.MapFile{Data: []byte("png")}
		return "add " + p, []string{p}
	},
	func(r *rand.Rand, m fstest.MapFS) (string, []string) { // global change
		m["_data/footer.yml"].Data = append(m["_data/footer.yml"].Data, []byte("\n# edited\n")...)
		return "edit footer", []string{"_data/footer.yml"}
	},
}

// TestReloadMatchesLoad applies random edit sequences and checks that the
// partially reloaded site is exactly the site a full load gives.
func TestReloadMatchesLoad(t *testing.T) {
	for seed := range 8 {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seed), 1))
			m := copyToMap(t, "../../examples/agency-site")
			ctx := context.Background()
			s, err := site.Load(ctx, m, site.Options{Now: buildTime})
			if err != nil {
				t.Fatal(err)
			}
			var history []string
			for step := range 25 {
				what, paths := edits[r.IntN(len(edits))](r, m)
				history = append(history, what)
				s, _, err = site.Reload(ctx, s, paths)
				if err != nil {
					t.Fatal(err)
				}
				full, err := site.Load(ctx, m, site.Options{Now: buildTime})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(dump(full), dump(s)); diff != "" {
					t.Fatalf("after step %d (%s):\n%s\nhistory: %q", step, what, diff, history)
				}
			}
		})
	}
}
