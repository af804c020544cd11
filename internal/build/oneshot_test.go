package build_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"isomer.dev/isomer/internal/build"
)

// TestOneShotBuildMatchesBuilder checks that the build command's one-shot
// build, which drops each page's source once the page is written, writes
// what a Builder that keeps them writes. The example site's Liquid page
// reads site.*, which keeps every source, so it is left out.
func TestOneShotBuildMatchesBuilder(t *testing.T) {
	src := t.TempDir()
	if err := os.CopyFS(src, os.DirFS(exampleSite)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(src, "pages", "Our Offices.md")); err != nil {
		t.Fatal(err)
	}
	oneShot := t.TempDir()
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
		t.Fatalf("the Builder kept the source of %d pages; it must keep them all for rebuilds", withBody)
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
}
