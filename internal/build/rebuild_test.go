package build_test

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/site"
)

var fixedNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func mapFS(t testing.TB, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(os.DirFS(dir), p)
		m[p] = &fstest.MapFile{Data: data, ModTime: fixedNow}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// generatedSite makes a synthetic Isomer site with the benchmark generator.
func generatedSite(t testing.TB, pages int) string {
	t.Helper()
	gen := filepath.Join("..", "..", "..", "shared", "bench", "gen-site.py")
	if _, err := os.Stat(gen); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the site generator is missing: %v", err)
		}
		t.Skipf("the site generator is not here: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	cmd := exec.Command("python3", gen, "--pages", fmt.Sprint(pages), "--seed", "1", "--format", "jekyll", "--layouts", "none", "--out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen-site.py: %v\n%s", err, out)
	}
	return dir
}

func fullBuild(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	b, err := build.New(build.Options{FS: fsys, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	mem := build.NewMemory()
	if _, err := b.Build(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	return mem.Snapshot()
}

func pickFile(r *rand.Rand, m fstest.MapFS, suffix string) string {
	var keys []string
	for k := range m {
		if strings.HasSuffix(k, suffix) && !site.IsGlobal(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys[r.IntN(len(keys))]
}

func setKey(data []byte, key, value string) []byte {
	lines := strings.Split(string(data), "\n")
	for i := 1; i < len(lines) && lines[i] != "---"; i++ {
		if strings.HasPrefix(lines[i], key+":") {
			lines[i] = key + ": " + value
			return []byte(strings.Join(lines, "\n"))
		}
	}
	return []byte(strings.Replace(string(data), "---\n", "---\n"+key+": "+value+"\n", 1))
}

// randomEdit changes the site the way editors do and returns what it touched.
func randomEdit(r *rand.Rand, m fstest.MapFS) (string, []string) {
	switch r.IntN(9) {
	case 0, 1, 2: // body edits are the common case
		p := pickFile(r, m, ".md")
		m[p].Data = append(m[p].Data, []byte(fmt.Sprintf("\n\nEdited paragraph %d.\n", r.IntN(1000)))...)
		return "edit body " + p, []string{p}
	case 3:
		p := pickFile(r, m, ".md")
		m[p].Data = setKey(m[p].Data, "title", fmt.Sprintf("Retitled %d", r.IntN(1000)))
		return "retitle " + p, []string{p}
	case 4:
		p := pickFile(r, m, ".md")
		m[p].Data = setKey(m[p].Data, "description", fmt.Sprintf("New description %d", r.IntN(1000)))
		return "describe " + p, []string{p}
	case 5:
		p := pickFile(r, m, ".md")
		m[p].Data = setKey(m[p].Data, "third_nav_title", fmt.Sprintf("Group %d", r.IntN(3)))
		return "regroup " + p, []string{p}
	case 6:
		p := fmt.Sprintf("pages/added %d.md", r.IntN(50))
		m[p] = &fstest.MapFile{Data: []byte(fmt.Sprintf("---\ntitle: Added %d\npermalink: /added-%d/\n---\nNew page\n", r.IntN(50), r.IntN(50)))}
		return "add " + p, []string{p}
	case 7:
		p := pickFile(r, m, ".md")
		delete(m, p)
		return "delete " + p, []string{p}
	default:
		p := pickFile(r, m, ".md")
		m[p].Data = setKey(m[p].Data, "permalink", fmt.Sprintf("/moved-%d/", r.IntN(3)))
		return "move " + p, []string{p}
	}
}

// TestRebuildMatchesFullBuild is the property that makes incremental builds
// trustworthy: after any sequence of edits, Rebuild leaves exactly the
// files a full build of the edited site writes.
func TestRebuildMatchesFullBuild(t *testing.T) {
	sites := map[string]func(t *testing.T) string{
		"example":   func(t *testing.T) string { return exampleSite },
		"generated": func(t *testing.T) string { return generatedSite(t, 150) },
	}
	for name, dir := range sites {
		t.Run(name, func(t *testing.T) {
			src := dir(t)
			for seed := range 3 {
				r := rand.New(rand.NewPCG(uint64(seed), 7))
				m := mapFS(t, src)
				b, err := build.New(build.Options{FS: m, Now: fixedNow})
				if err != nil {
					t.Fatal(err)
				}
				mem := build.NewMemory()
				if _, err := b.Build(context.Background(), mem); err != nil {
					t.Fatal(err)
				}
				var history []string
				for step := range 12 {
					what, paths := randomEdit(r, m)
					history = append(history, what)
					if _, err := b.Rebuild(context.Background(), mem, paths); err != nil {
						t.Fatal(err)
					}
					if err := b.Flush(context.Background(), mem); err != nil {
						t.Fatal(err)
					}
					got, want := mem.Snapshot(), fullBuild(t, m)
					if msg := compareOutputs(want, got); msg != "" {
						t.Fatalf("seed %d step %d: %s\nedits: %q", seed, step, msg, history)
					}
				}
			}
		})
	}
}

func compareOutputs(want, got map[string][]byte) string {
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			return "missing " + p
		}
		if string(g) != string(w) {
			return "differs: " + p
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			return "stale " + p
		}
	}
	return ""
}
