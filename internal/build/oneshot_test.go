package build_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"isomer.dev/isomer/internal/build"
)

// TestOneShotBuildMatchesBuilder checks that the build command's one-shot
// build, which drops each page's body once the page is written (unless
// pages have Liquid reading site.*) and builds a new folder without
// temporary files, writes what a Builder that keeps every body writes into
// an existing folder. The example site's "Our Offices" page has Liquid
// reading site.*.
func TestOneShotBuildMatchesBuilder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remove string
	}{
		{name: "no Liquid", remove: "pages/Our Offices.md"},
		{name: "Liquid reads other pages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			if err := os.CopyFS(src, os.DirFS(exampleSite)); err != nil {
				t.Fatal(err)
			}
			if tc.remove != "" {
				if err := os.Remove(filepath.Join(src, tc.remove)); err != nil {
					t.Fatal(err)
				}
			}
			oneShot := filepath.Join(t.TempDir(), "new", "site")
			if _, err := build.Build(context.Background(), build.Options{Source: src, Dest: oneShot, Now: fixedNow}); err != nil {
				t.Fatal(err)
			}
			kept := t.TempDir()
			b, err := build.New(build.Options{Source: src, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			res, err := b.Build(context.Background(), &build.Dir{Root: kept})
			if err != nil {
				t.Fatal(err)
			}
			withBody := 0
			for _, o := range b.Site().Routes {
				if o.Page != nil && len(o.Page.Body) > 0 {
					withBody++
				}
			}
			if withBody < 20 {
				t.Fatalf("the Builder kept the body of %d pages; it must keep them all for rebuilds", withBody)
			}
			compared := 0
			err = filepath.WalkDir(kept, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(kept, path)
				want, _ := os.ReadFile(path)
				got, err := os.ReadFile(filepath.Join(oneShot, rel))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s differs between the one-shot build and the Builder (%v)", rel, err)
				}
				compared++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if compared < res.Pages {
				t.Fatalf("compared %d files, want at least %d", compared, res.Pages)
			}
		})
	}
}

// TestBuildIntoNewFolder checks that a build into a folder that does not
// exist leaves exactly that folder behind, and a failed one leaves nothing.
func TestBuildIntoNewFolder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cancel  bool
		wantOut bool
	}{
		{name: "complete", wantOut: true},
		{name: "cancelled", cancel: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dest := filepath.Join(parent, "site")
			ctx, cancel := context.WithCancel(context.Background())
			if tc.cancel {
				cancel()
			}
			defer cancel()
			res, err := build.Build(ctx, build.Options{Source: exampleSite, Dest: dest, Now: fixedNow})
			if (err == nil) != tc.wantOut {
				t.Fatalf("Build error = %v", err)
			}
			entries, _ := os.ReadDir(parent)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := map[bool]string{true: "[site]", false: "[]"}[tc.wantOut]
			if got := fmt.Sprint(names); got != want {
				t.Fatalf("the output's parent holds %s, want %s", got, want)
			}
			if !tc.wantOut {
				return
			}
			index, err := os.ReadFile(filepath.Join(dest, "index.html"))
			if err != nil || !bytes.Contains(index, []byte("</html>")) {
				t.Fatalf("index.html: %v", err)
			}
			files := 0
			filepath.WalkDir(dest, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && d.Name() != ".isomer-manifest" {
					files++
				}
				return err
			})
			if int64(files) != int64(res.Written) {
				t.Fatalf("the folder holds %d files; the build wrote %d", files, res.Written)
			}
		})
	}
}
