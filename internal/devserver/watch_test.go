package devserver

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func nextChange(t *testing.T, ch <-chan change, within time.Duration) change {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(within):
		t.Fatalf("no change reported within %s", within)
		return change{}
	}
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pages/a.md", "a")
	writeFile(t, dir, ".git/HEAD", "ref")
	writeFile(t, dir, "_site/index.html", "old")
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := watch(ctx, dir, 20*time.Millisecond, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}

	writeFile(t, dir, "pages/a.md", "a2")
	if c := nextChange(t, ch, 5*time.Second); !cmp.Equal(c.paths, []string{"pages/a.md"}) || c.full {
		t.Errorf("edit: got %+v", c)
	}

	// Editor scratch files, version control and the build output are ignored.
	for _, name := range []string{"pages/.a.md.swp", "pages/4913", "pages/a.md~", "pages/.#a.md", "pages/#a.md#", "_site/index.html", ".git/HEAD", ".git/objects/ab/cd"} {
		writeFile(t, dir, name, "x")
	}
	writeFile(t, dir, "pages/b.md", "b")
	if c := nextChange(t, ch, 5*time.Second); !cmp.Equal(c.paths, []string{"pages/b.md"}) {
		t.Errorf("ignored files were reported: %+v", c)
	}

	// A new folder is watched, with what is created inside it later.
	if err := os.MkdirAll(filepath.Join(dir, "_new", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	if c := nextChange(t, ch, 5*time.Second); !slices.Contains(c.paths, "_new") {
		t.Errorf("new folder: got %+v", c)
	}
	writeFile(t, dir, "_new/deeper/c.md", "c")
	if c := nextChange(t, ch, 5*time.Second); !cmp.Equal(c.paths, []string{"_new/deeper/c.md"}) {
		t.Errorf("file in new folder: got %+v", c)
	}

	// A burst is one batch.
	var want []string
	for _, n := range []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"} {
		writeFile(t, dir, "pages/"+n+".md", n)
		want = append(want, "pages/"+n+".md")
	}
	if c := nextChange(t, ch, 5*time.Second); !cmp.Equal(c.paths, want) {
		t.Errorf("burst: got %+v", c)
	}

	// A folder that goes away asks for a full build.
	if err := os.RemoveAll(filepath.Join(dir, "_new")); err != nil {
		t.Fatal(err)
	}
	if c := nextChange(t, ch, 5*time.Second); !c.full {
		t.Errorf("removed folder: got %+v, want full", c)
	}

	cancel()
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not stop with its context")
	}
}

func TestIgnored(t *testing.T) {
	for p, want := range map[string]bool{
		"pages/a.md": false, "_site/index.html": true, "pages/_site/x": false, ".git/HEAD": true,
		"sub/.git/x": true, "pages/.a.md.swp": true, "pages/4913": true, "pages/a.md~": true,
		"pages/.#a.md": true, "pages/#a.md#": true, "_about/.keep": false, "images/Graphics /x.png": false,
		"node_modules/x/y.js": true, "pages/x.md___jb_tmp___": true,
	} {
		if got := ignored(p); got != want {
			t.Errorf("ignored(%q) = %v, want %v", p, got, want)
		}
	}
}
