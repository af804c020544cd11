package build_test

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

// generatedSite makes a synthetic Isomer site of about n pages in memory:
// folders with third_nav_title groups and order lists, simple pages, a
// resource room with post, file and link items, Tiptap card grids, kramdown
// attribute lists and Liquid, in the proportions of the benchmark sites.
func generatedSite(n int) fstest.MapFS {
	r := rand.New(rand.NewPCG(uint64(n), 3))
	m := fstest.MapFS{}
	add := func(p, data string) { m[p] = &fstest.MapFile{Data: []byte(data), ModTime: fixedNow} }
	words := strings.Fields("digital service public grant housing transport health data policy support scheme agency residents business skills")
	text := func(k int) string {
		var b strings.Builder
		for i := range k {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	body := func(i int) string {
		switch i % 3 {
		case 0:
			return fmt.Sprintf("<p>%s</p>\n<div class=\"isomer-card-grid\"><a class=\"isomer-card\" href=\"/p%d/\"><div class=\"isomer-card-body\"><div class=\"isomer-card-title\">%s</div></div></a></div>\n<p></p>", text(40), i, text(3))
		case 1:
			return fmt.Sprintf("## %s\n\n%s [more](/p%d/){:target=\"_blank\"}\n\n| A | B |\n|--:|---|\n| 1 | 2 |\n", text(3), text(60), i)
		default:
			return fmt.Sprintf("%s {{ site.title }} {{ page.title | upcase }}\n", text(30))
		}
	}
	add("_config.yml", "title: Generated\nurl: https://gen.example.gov.sg\nresources_name: resources\n")
	cols := []string{"about", "services", "guides"}
	nav := "links:\n"
	for _, c := range cols {
		nav += fmt.Sprintf("  - title: %s\n    collection: %s\n", c, c)
	}
	add("_data/navigation.yml", nav+"  - title: Resources\n    resource_room: true\n")
	add("resources/index.html", "---\nlayout: resources\ntitle: Resources\n---\n")
	order := map[string][]string{}
	for i := range n {
		title := fmt.Sprintf("Page %d %s", i, text(2))
		switch {
		case i%10 < 3:
			add(fmt.Sprintf("pages/p%d.md", i), fmt.Sprintf("---\ntitle: %s\npermalink: /p%d/\n---\n%s", title, i, body(i)))
		case i%10 < 7:
			c := cols[i%len(cols)]
			rel := fmt.Sprintf("doc%d.md", i)
			tnt := ""
			if g := i % 4; g > 0 {
				rel = fmt.Sprintf("Group %d/%s", g, rel)
				tnt = fmt.Sprintf("third_nav_title: Group %d\n", g)
			}
			if r.IntN(5) > 0 {
				order[c] = append(order[c], rel)
			}
			add("_"+c+"/"+rel, fmt.Sprintf("---\ntitle: %s\npermalink: /%s/d%d/\n%s---\n%s", title, c, i, tnt, body(i)))
		default:
			cat := fmt.Sprintf("cat-%d", i%3)
			date := fmt.Sprintf("202%d-%02d-%02d", r.IntN(5), 1+r.IntN(12), 1+r.IntN(28))
			kind := []string{"post", "file", "link"}[r.IntN(3)]
			extra := fmt.Sprintf("permalink: /news/n%d/\n", i)
			if kind == "file" {
				extra = "file_url: /files/report.pdf\n"
			} else if kind == "link" {
				extra = "external: https://www.example.gov.sg/\n"
			}
			add(fmt.Sprintf("resources/%s/index.html", cat), fmt.Sprintf("---\nlayout: resources-alt\ntitle: %s\n---\n", cat))
			add(fmt.Sprintf("resources/%s/_posts/%s-%s-item %d.md", cat, date, kind, i), fmt.Sprintf("---\ntitle: %s\nlayout: %s\n%s---\n%s", title, kind, extra, body(i)))
		}
	}
	for _, c := range cols {
		var b strings.Builder
		fmt.Fprintf(&b, "collections:\n  %s:\n    output: true\n    order:\n", c)
		for _, e := range order[c] {
			fmt.Fprintf(&b, "      - %s\n", e)
		}
		add("_"+c+"/collection.yml", b.String())
	}
	add("files/report.pdf", "%PDF-1.4\n")
	return m
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
	sites := map[string]func(t *testing.T) fstest.MapFS{
		"example":   func(t *testing.T) fstest.MapFS { return mapFS(t, exampleSite) },
		"generated": func(t *testing.T) fstest.MapFS { return generatedSite(150) },
	}
	for name, source := range sites {
		t.Run(name, func(t *testing.T) {
			for seed := range 3 {
				r := rand.New(rand.NewPCG(uint64(seed), 7))
				m := source(t)
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
