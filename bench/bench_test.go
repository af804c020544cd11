// Package bench measures the build on generated Isomer sites. Run with
//
//	go test ./bench -run '^$' -bench . -benchtime 5x
//
// Sites come from the benchmark generator beside this repository
// (../shared/bench/gen-site.py) and are cached under bench/out/.
package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/site"
)

// generated returns a generated site of n pages, making it once.
func generated(b *testing.B, n int) string {
	b.Helper()
	dir, err := filepath.Abs(filepath.Join("out", "sites", fmt.Sprintf("isomer-%d", n)))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "_config.yml")); err == nil {
		return dir
	}
	gen := filepath.Join("..", "..", "shared", "bench", "gen-site.py")
	if _, err := os.Stat(gen); err != nil {
		b.Skipf("site generator not found at %s", gen)
	}
	os.RemoveAll(dir)
	cmd := exec.Command("python3", gen, "--pages", fmt.Sprint(n), "--seed", "1", "--format", "jekyll", "--layouts", "none", "--out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("gen-site.py: %v\n%s", err, out)
	}
	return dir
}

func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{300, 3000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := generated(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := site.Load(context.Background(), os.DirFS(dir), site.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRender renders every page into memory: the pipeline without disk writes.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{300, 3000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := generated(b, n)
			b.ReportAllocs()
			for b.Loop() {
				bl, err := build.New(build.Options{Source: dir})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := bl.Build(context.Background(), build.NewMemory()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuild is a full build into a fresh folder, as the CLI does it.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{300, 3000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := generated(b, n)
			for b.Loop() {
				out := b.TempDir()
				if _, err := build.Build(context.Background(), build.Options{Source: dir, Dest: out}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRebuildOnePage edits one page's body and rebuilds through the
// library API, as serve does after a save.
func BenchmarkRebuildOnePage(b *testing.B) {
	for _, n := range []int{300, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := generated(b, n)
			work := filepath.Join(b.TempDir(), "site")
			if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
				b.Fatal(err)
			}
			bl, err := build.New(build.Options{Source: work})
			if err != nil {
				b.Fatal(err)
			}
			mem := build.NewMemory()
			if _, err := bl.Build(context.Background(), mem); err != nil {
				b.Fatal(err)
			}
			page := findPage(b, work)
			orig, err := os.ReadFile(filepath.Join(work, page))
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				edited := append(append([]byte{}, orig...), fmt.Sprintf("\n\nEdit number %d.\n", i)...)
				if err := os.WriteFile(filepath.Join(work, page), edited, 0o644); err != nil {
					b.Fatal(err)
				}
				res, err := bl.Rebuild(context.Background(), mem, []string{page})
				if err != nil {
					b.Fatal(err)
				}
				if res.Full || res.Rendered > 5 {
					b.Fatalf("one-page edit re-rendered %d pages (full=%v)", res.Rendered, res.Full)
				}
			}
		})
	}
}

func findPage(b *testing.B, dir string) string {
	entries, err := os.ReadDir(filepath.Join(dir, "pages"))
	if err != nil || len(entries) == 0 {
		b.Fatalf("no pages in %s: %v", dir, err)
	}
	return "pages/" + entries[len(entries)/2].Name()
}
