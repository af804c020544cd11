package siterepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	alice = Author{Name: "Alice Tan", Email: "alice@example.gov.sg"}
	bob   = Author{Name: "Bob Lim", Email: "bob@example.gov.sg"}
)

func starter() fstest.MapFS {
	return fstest.MapFS{
		"_config.yml":                     {Data: []byte("title: Test Site\n")},
		"index.md":                        {Data: []byte("---\nlayout: homepage\n---\n")},
		"pages/contact-us.md":             {Data: []byte("---\ntitle: Contact Us\n---\nCall us.\n")},
		"_about/collection.yml":           {Data: []byte("collections:\n  about:\n    order: []\n")},
		"_about/Who We Are.md":            {Data: []byte("Who\n")},
		"_about/Sub Folder/.keep":         {Data: nil},
		"_about/Sub Folder/Deep Page?.md": {Data: []byte("Deep\n")},
		"images/Graphics /x.png":          {Data: []byte("\x89PNG\x00binary")},
	}
}

func newRepo(t *testing.T) *Repo {
	t.Helper()
	r, err := Init(t.Context(), filepath.Join(t.TempDir(), "site.git"), starter(), alice)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func head(t *testing.T, r *Repo, branch string) string {
	t.Helper()
	h, err := r.Head(t.Context(), branch)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func read(t *testing.T, r *Repo, rev, p string) string {
	t.Helper()
	b, err := r.ReadFile(t.Context(), rev, p)
	if err != nil {
		t.Fatalf("ReadFile(%s, %s): %v", rev, p, err)
	}
	return string(b)
}

func save(t *testing.T, r *Repo, c Change) Result {
	t.Helper()
	if c.Author == (Author{}) {
		c.Author = alice
	}
	res, err := r.Save(t.Context(), c)
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	return res
}

func fsck(t *testing.T, r *Repo) {
	t.Helper()
	out, err := runGit(context.Background(), r.gitDir, nil, nil, "fsck", "--strict", "--no-dangling", "--no-progress")
	if err != nil || len(strings.TrimSpace(string(out))) != 0 {
		t.Fatalf("git fsck: %v\n%s", err, out)
	}
}

// hostGit runs git for test fixtures, isolated like the package's own calls.
func hostGit(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(append([]string{
		"GIT_AUTHOR_NAME=Fixture", "GIT_AUTHOR_EMAIL=f@example.com",
		"GIT_COMMITTER_NAME=Fixture", "GIT_COMMITTER_EMAIL=f@example.com",
	}, env...))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func files(t *testing.T, r *Repo, rev string) map[string]string {
	t.Helper()
	ents, err := r.List(t.Context(), rev)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range ents {
		if !e.IsDir {
			m[e.Path] = read(t, r, rev, e.Path)
		}
	}
	return m
}

func TestInit(t *testing.T) {
	r := newRepo(t)
	ctx := t.Context()
	if s, p := head(t, r, Staging), head(t, r, Production); s != p {
		t.Errorf("staging %s != production %s", s, p)
	}
	want := map[string]string{}
	for p, f := range starter() {
		want[p] = string(f.Data)
	}
	if diff := cmp.Diff(want, files(t, r, Staging)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	ents, err := r.List(ctx, Staging)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir {
			dirs = append(dirs, e.Path)
		}
		if e.Path == "_config.yml" && e.Size != int64(len("title: Test Site\n")) {
			t.Errorf("size of _config.yml = %d", e.Size)
		}
	}
	if diff := cmp.Diff([]string{"_about", "_about/Sub Folder", "images", "images/Graphics ", "pages"}, dirs); diff != "" {
		t.Errorf("dirs (-want +got):\n%s", diff)
	}
	if _, err := r.ReadFile(ctx, Staging, "missing.md"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReadFile(missing) = %v, want ErrNotFound", err)
	}
	if _, err := r.ReadFile(ctx, Staging, "pages"); !errors.Is(err, ErrInvalidPath) {
		t.Errorf("ReadFile(folder) = %v, want ErrInvalidPath", err)
	}
	if _, err := r.ReadFile(ctx, "HEAD~1", "index.md"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ReadFile(HEAD~1) = %v, want ErrInvalid", err)
	}
	if _, err := r.ReadFile(ctx, "--output=/tmp/x", "index.md"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ReadFile(option-like rev) = %v, want ErrInvalid", err)
	}
	if _, err := r.Head(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Head(nope) = %v, want ErrNotFound", err)
	}
	r2, err := Open(ctx, r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if got := head(t, r2, Staging); got != head(t, r, Staging) {
		t.Errorf("Open: staging %s", got)
	}
	if _, err := Open(ctx, t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(empty dir) = %v, want ErrNotFound", err)
	}
	if _, err := Init(ctx, r.Dir(), starter(), alice); !errors.Is(err, ErrExists) {
		t.Errorf("Init over existing = %v, want ErrExists", err)
	}
	fsck(t, r)
}

func TestImportPlainFolder(t *testing.T) {
	src := t.TempDir()
	for p, f := range starter() {
		full := filepath.Join(src, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A symlink pointing outside must not be imported.
	if err := os.Symlink("/etc/passwd", filepath.Join(src, "pages", "leak.md")); err != nil {
		t.Fatal(err)
	}
	r, err := Import(t.Context(), filepath.Join(t.TempDir(), "site.git"), src, alice)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for p, f := range starter() {
		want[p] = string(f.Data)
	}
	if diff := cmp.Diff(want, files(t, r, Production)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	fsck(t, r)
}

func TestImportGitRepo(t *testing.T) {
	src := t.TempDir()
	hostGit(t, src, nil, "init", "-q", "--initial-branch=main")
	if err := os.WriteFile(filepath.Join(src, "index.md"), []byte("v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hostGit(t, src, nil, "add", "-A")
	hostGit(t, src, nil, "commit", "-q", "-m", "first")
	if err := os.WriteFile(filepath.Join(src, "index.md"), []byte("v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hostGit(t, src, nil, "commit", "-q", "-am", "second")
	hostGit(t, src, nil, "branch", "other")
	tip := hostGit(t, src, nil, "rev-parse", "HEAD")

	for _, source := range []string{src, "file://" + src} {
		r, err := Import(t.Context(), filepath.Join(t.TempDir(), "site.git"), source, alice)
		if err != nil {
			t.Fatalf("Import(%s): %v", source, err)
		}
		if s, p := head(t, r, Staging), head(t, r, Production); s != tip || p != tip {
			t.Errorf("staging %s production %s, want %s", s, p, tip)
		}
		log, err := r.Log(t.Context(), Staging, "index.md", 10)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, c := range log {
			subjects = append(subjects, c.Subject)
		}
		if diff := cmp.Diff([]string{"second", "first"}, subjects); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if remotes, _ := r.git(t.Context(), nil, nil, "remote"); len(remotes) != 0 {
			t.Errorf("remotes left: %q", remotes)
		}
		fsck(t, r)
	}

	// A source that already has Isomer's branches keeps them.
	hostGit(t, src, nil, "checkout", "-q", "-b", "staging")
	hostGit(t, src, nil, "commit", "-q", "--allow-empty", "-m", "staging only")
	stagingTip := hostGit(t, src, nil, "rev-parse", "HEAD")
	hostGit(t, src, nil, "checkout", "-q", "main")
	r, err := Import(t.Context(), filepath.Join(t.TempDir(), "site.git"), src, alice)
	if err != nil {
		t.Fatal(err)
	}
	if s, p := head(t, r, Staging), head(t, r, Production); s != stagingTip || p != tip {
		t.Errorf("staging %s production %s, want %s %s", s, p, stagingTip, tip)
	}
}

func TestSaveDirect(t *testing.T) {
	r := newRepo(t)
	base := head(t, r, Staging)
	res := save(t, r, Change{Base: base, Message: "Fix phone number", Ops: []Op{Write("pages/contact-us.md", []byte("Call 6123 4567.\n"))}})
	if res.Parent != base || res.Rev != head(t, r, Staging) || len(res.Merged) != 0 || res.NoChange {
		t.Errorf("result %+v", res)
	}
	if got := read(t, r, Staging, "pages/contact-us.md"); got != "Call 6123 4567.\n" {
		t.Errorf("content %q", got)
	}
	if head(t, r, Production) != base {
		t.Error("production moved")
	}
	log, err := r.Log(t.Context(), Staging, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "Edit pages/contact-us.md\n\nFix phone number\n\nStudio-User: Alice Tan <alice@example.gov.sg>\nStudio-Base: " + base
	if diff := cmp.Diff(want, log[0].Message); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	if log[0].Author != alice {
		t.Errorf("author %+v", log[0].Author)
	}

	// Writing identical content is not a commit.
	res = save(t, r, Change{Ops: []Op{Write("pages/contact-us.md", []byte("Call 6123 4567.\n"))}})
	if !res.NoChange || res.Rev != head(t, r, Staging) {
		t.Errorf("no-op save: %+v", res)
	}
	// Saving to production directly is possible when asked for.
	save(t, r, Change{Branch: Production, Ops: []Op{Write("hotfix.md", []byte("x"))}})
	if read(t, r, Production, "hotfix.md") != "x" {
		t.Error("production write missing")
	}
	fsck(t, r)
}

const page = "Para one.\n\nPara two.\n\nPara three.\n"

func TestSaveMergesNonOverlapping(t *testing.T) {
	r := newRepo(t)
	save(t, r, Change{Ops: []Op{Write("pages/p.md", []byte(page))}})
	base := head(t, r, Staging)
	save(t, r, Change{Base: base, Author: bob, Ops: []Op{Write("pages/p.md", []byte("Para ONE.\n\nPara two.\n\nPara three.\n"))}})
	res := save(t, r, Change{Base: base, Ops: []Op{Write("pages/p.md", []byte("Para one.\n\nPara two.\n\nPara THREE.\n"))}})
	if diff := cmp.Diff([]string{"pages/p.md"}, res.Merged); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	if got, want := read(t, r, Staging, "pages/p.md"), "Para ONE.\n\nPara two.\n\nPara THREE.\n"; got != want {
		t.Errorf("merged content %q, want %q", got, want)
	}
	fsck(t, r)
}

func TestSaveConflict(t *testing.T) {
	r := newRepo(t)
	save(t, r, Change{Ops: []Op{Write("pages/p.md", []byte(page))}})
	base := head(t, r, Staging)
	bobs := []byte("Para one.\n\nPara 2 by Bob.\n\nPara three.\n")
	save(t, r, Change{Base: base, Author: bob, Ops: []Op{Write("pages/p.md", bobs)}})
	before := head(t, r, Staging)

	mine := []byte("Para one.\n\nPara 2 by Alice.\n\nPara three.\n")
	_, err := r.Save(t.Context(), Change{Base: base, Author: alice, Ops: []Op{
		Write("pages/other.md", []byte("would be fine")),
		Write("pages/p.md", mine),
	}})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("Save = %v, want ErrConflict", err)
	}
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("%T is not *ConflictError", err)
	}
	if len(ce.Conflicts) != 1 {
		t.Fatalf("conflicts %+v", ce.Conflicts)
	}
	c := ce.Conflicts[0]
	if diff := cmp.Diff(Conflict{Path: "pages/p.md", Base: []byte(page), Head: bobs, Mine: mine}, c,
		cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Merged" }, cmp.Ignore())); diff != "" {
		t.Errorf("conflict (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(c.Merged), "<<<<<<< current") || !strings.Contains(string(c.Merged), ">>>>>>> yours") {
		t.Errorf("merged view lacks markers: %q", c.Merged)
	}
	if got := head(t, r, Staging); got != before {
		t.Errorf("staging moved on conflict: %s", got)
	}
	if _, err := r.ReadFile(t.Context(), Staging, "pages/other.md"); !errors.Is(err, ErrNotFound) {
		t.Errorf("partial save: %v", err)
	}

	// Concurrent create of the same new file, and delete vs edit, are conflicts too.
	save(t, r, Change{Base: base, Author: bob, Ops: []Op{Write("pages/new.md", []byte("bob"))}})
	if _, err := r.Save(t.Context(), Change{Base: base, Author: alice, Ops: []Op{Write("pages/new.md", []byte("alice"))}}); !errors.Is(err, ErrConflict) {
		t.Errorf("create/create = %v, want ErrConflict", err)
	}
	if _, err := r.Save(t.Context(), Change{Base: base, Author: alice, Ops: []Op{Delete("pages/p.md")}}); !errors.Is(err, ErrConflict) {
		t.Errorf("delete/edit = %v, want ErrConflict", err)
	}
	if _, err := r.Save(t.Context(), Change{Base: base, Author: alice, Ops: []Op{Delete("pages")}}); !errors.Is(err, ErrConflict) {
		t.Errorf("delete folder with new file = %v, want ErrConflict", err)
	}
	save(t, r, Change{Author: bob, Ops: []Op{Delete("pages/p.md")}})
	if _, err := r.Save(t.Context(), Change{Base: base, Author: alice, Ops: []Op{Write("pages/p.md", mine)}}); !errors.Is(err, ErrConflict) {
		t.Errorf("edit/delete = %v, want ErrConflict", err)
	}
	fsck(t, r)
}

func TestSaveBinaryConflict(t *testing.T) {
	r := newRepo(t)
	base := head(t, r, Staging)
	save(t, r, Change{Base: base, Author: bob, Ops: []Op{Write("images/Graphics /x.png", []byte("\x89PNG\x00bob"))}})
	_, err := r.Save(t.Context(), Change{Base: base, Author: alice, Ops: []Op{Write("images/Graphics /x.png", []byte("\x89PNG\x00alice"))}})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("binary edit/edit = %v, want ErrConflict", err)
	}
}

func TestRenameMoveDelete(t *testing.T) {
	r := newRepo(t)
	ctx := t.Context()
	base := head(t, r, Staging)
	save(t, r, Change{Base: base, Ops: []Op{Rename("_about/Sub Folder", "_about/Renamed Folder")}})
	save(t, r, Change{Ops: []Op{Rename("_about/Who We Are.md", "_about/Renamed Folder/Who We Are.md")}})
	save(t, r, Change{Ops: []Op{Rename("_about", "_company")}})
	save(t, r, Change{Ops: []Op{Delete("images")}})
	want := map[string]string{
		"_config.yml":                           "title: Test Site\n",
		"index.md":                              "---\nlayout: homepage\n---\n",
		"pages/contact-us.md":                   "---\ntitle: Contact Us\n---\nCall us.\n",
		"_company/collection.yml":               "collections:\n  about:\n    order: []\n",
		"_company/Renamed Folder/.keep":         "",
		"_company/Renamed Folder/Deep Page?.md": "Deep\n",
		"_company/Renamed Folder/Who We Are.md": "Who\n",
	}
	if diff := cmp.Diff(want, files(t, r, Staging)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	diff, err := r.Diff(ctx, base, Staging)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff) != 9 {
		t.Errorf("diff has %d entries: %+v", len(diff), diff)
	}

	// One save may combine ops; a later op sees earlier ones.
	save(t, r, Change{Ops: []Op{
		Write("pages/draft.md", []byte("draft")),
		Rename("pages/draft.md", "pages/Final.md"),
		Write("pages/Final.md", []byte("final")),
	}})
	if got := read(t, r, Staging, "pages/Final.md"); got != "final" {
		t.Errorf("Final.md = %q", got)
	}
	// A file may replace a folder, and a folder a file, within one save.
	save(t, r, Change{Ops: []Op{
		Delete("_company/Renamed Folder"), Write("_company/Renamed Folder", []byte("now a file")),
		Delete("index.md"), Write("index.md/inner.md", []byte("now a folder")),
	}})
	if got := read(t, r, Staging, "_company/Renamed Folder"); got != "now a file" {
		t.Errorf("folder→file = %q", got)
	}
	if got := read(t, r, Staging, "index.md/inner.md"); got != "now a folder" {
		t.Errorf("file→folder = %q", got)
	}
	save(t, r, Change{Ops: []Op{Delete("index.md"), Write("index.md", []byte("home"))}})

	bad := []struct {
		name string
		ops  []Op
		want error
	}{
		{"rename missing", []Op{Rename("nope", "x")}, ErrNotFound},
		{"delete missing", []Op{Delete("nope")}, ErrNotFound},
		{"rename onto file", []Op{Rename("index.md", "pages/Final.md")}, ErrExists},
		{"rename onto folder", []Op{Rename("index.md", "pages")}, ErrExists},
		{"move folder into itself", []Op{Rename("pages", "pages/sub")}, ErrInvalidPath},
		{"write under a file", []Op{Write("index.md/x.md", nil)}, ErrInvalidPath},
		{"write over a folder", []Op{Write("pages", nil)}, ErrInvalidPath},
		{"write .git", []Op{Write(".git/config", nil)}, ErrInvalidPath},
		{"traversal", []Op{Write("../x", nil)}, ErrInvalidPath},
		{"absolute", []Op{Write("/tmp/x", nil)}, ErrInvalidPath},
		{"rename to traversal", []Op{Rename("index.md", "../index.md")}, ErrInvalidPath},
		{"no ops", nil, ErrInvalid},
	}
	before := head(t, r, Staging)
	for _, tt := range bad {
		if _, err := r.Save(ctx, Change{Author: alice, Ops: tt.ops}); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := r.Save(ctx, Change{Author: Author{Name: "x"}, Ops: []Op{Write("a.md", nil)}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing email: %v", err)
	}
	if head(t, r, Staging) != before {
		t.Error("a refused save moved staging")
	}
	fsck(t, r)
}

func TestSymlinkInTreeIsNotFollowed(t *testing.T) {
	r := newRepo(t)
	ctx := t.Context()
	// Plant a symlink "link" -> "/etc" the way a hostile import could.
	sha, err := r.git(ctx, []byte("/etc"), nil, "hash-object", "-w", "--stdin")
	if err != nil {
		t.Fatal(err)
	}
	h := head(t, r, Staging)
	tree, err := r.buildTree(ctx, h, []byte(fmt.Sprintf("120000 %s\tlink\x00", strings.TrimSpace(string(sha)))))
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.commitTree(ctx, tree, []string{h}, alice, "plant link")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.moveBranch(ctx, Staging, c, h); err != nil {
		t.Fatal(err)
	}
	for _, op := range []Op{Write("link/passwd", []byte("x")), Write("link", []byte("x"))} {
		if _, err := r.Save(ctx, Change{Author: alice, Ops: []Op{op}}); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("%+v: %v, want ErrInvalidPath", op, err)
		}
	}
	if _, err := r.ReadFile(ctx, Staging, "link"); !errors.Is(err, ErrInvalidPath) {
		t.Errorf("ReadFile(link) = %v, want ErrInvalidPath", err)
	}
	fsys, cleanup, err := r.Snapshot(ctx, Staging)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, err := fs.Stat(fsys, "link"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("snapshot contains link: %v", err)
	}
}

func TestPublish(t *testing.T) {
	r := newRepo(t)
	ctx := t.Context()
	save(t, r, Change{Ops: []Op{Write("pages/news.md", []byte("news"))}})
	rev, err := r.Publish(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if rev != head(t, r, Staging) || head(t, r, Production) != rev {
		t.Errorf("fast-forward: production %s staging %s", head(t, r, Production), head(t, r, Staging))
	}
	if again, err := r.Publish(ctx, alice); err != nil || again != rev {
		t.Errorf("republish = %s, %v", again, err)
	}

	// A hotfix made on production is kept when staging is published.
	save(t, r, Change{Branch: Production, Ops: []Op{Write("hotfix.md", []byte("fix"))}})
	save(t, r, Change{Ops: []Op{Write("pages/more.md", []byte("more"))}})
	rev, err = r.Publish(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	got := files(t, r, rev)
	if got["hotfix.md"] != "fix" || got["pages/more.md"] != "more" || got["pages/news.md"] != "news" {
		t.Errorf("merged publish lost files: %v", got)
	}

	// Production ahead of staging (hotfix only): nothing to publish.
	hot := save(t, r, Change{Branch: Production, Ops: []Op{Write("hotfix2.md", []byte("fix"))}})
	if got, err := r.Publish(ctx, alice); err != nil || got != hot.Rev {
		t.Errorf("Publish with nothing staged = %s, %v; want %s", got, err, hot.Rev)
	}
	// (Re-sync staging so the next case starts from a shared history.)
	if _, err := r.git(ctx, nil, nil, "update-ref", "refs/heads/staging", hot.Rev); err != nil {
		t.Fatal(err)
	}

	// Overlapping production and staging edits refuse to publish.
	save(t, r, Change{Branch: Production, Ops: []Op{Write("index.md", []byte("prod")), Write("pages/é ü.md", []byte("prod"))}})
	save(t, r, Change{Ops: []Op{Write("index.md", []byte("staging")), Write("pages/é ü.md", []byte("staging"))}})
	prod := head(t, r, Production)
	_, err = r.Publish(ctx, alice)
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Fatalf("Publish = %v, want a conflict", err)
	}
	var paths []string
	for _, c := range ce.Conflicts {
		paths = append(paths, c.Path)
	}
	if diff := cmp.Diff([]string{"index.md", "pages/é ü.md"}, paths); diff != "" {
		t.Errorf("conflicted paths (-want +got):\n%s", diff)
	}
	if head(t, r, Production) != prod {
		t.Error("production moved on conflict")
	}
	fsck(t, r)
}

func TestRevert(t *testing.T) {
	r := newRepo(t)
	ctx := t.Context()
	bad := save(t, r, Change{Ops: []Op{
		Write("pages/p.md", []byte(page)),
		Write("pages/contact-us.md", []byte("wrong\n")),
		Delete("_about/Who We Are.md"),
	}})
	before := files(t, r, bad.Parent)
	// A later edit to a file the reverted commit did not touch survives.
	save(t, r, Change{Ops: []Op{Write("index.md", []byte("later\n"))}})
	res, err := r.Revert(ctx, bad.Rev, bob)
	if err != nil {
		t.Fatal(err)
	}
	want := before
	want["index.md"] = "later\n"
	if diff := cmp.Diff(want, files(t, r, res.Rev)); diff != "" {
		t.Errorf("after revert (-want +got):\n%s", diff)
	}
	log, err := r.Log(ctx, Staging, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(log[0].Subject, `Revert "Update 3 items"`) || log[0].Author != bob {
		t.Errorf("revert commit %+v", log[0])
	}

	// Reverting an edit that was edited again since conflicts.
	e1 := save(t, r, Change{Ops: []Op{Write("index.md", []byte("one\n"))}})
	save(t, r, Change{Ops: []Op{Write("index.md", []byte("two\n"))}})
	if _, err := r.Revert(ctx, e1.Rev, bob); !errors.Is(err, ErrConflict) {
		t.Errorf("Revert of overwritten edit = %v, want ErrConflict", err)
	}
	fsck(t, r)
}

func TestSnapshot(t *testing.T) {
	r := newRepo(t)
	ctx := t.Context()
	// Attributes in the site must not alter snapshot bytes.
	save(t, r, Change{Ops: []Op{
		Write(".gitattributes", []byte("*.md export-subst text eol=crlf\n*.png export-ignore\n")),
		Write("pages/sub.md", []byte("$Format:%H$\nline\n")),
	}})
	rev := head(t, r, Staging)
	fsys, cleanup, err := r.Snapshot(ctx, rev)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		got[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files(t, r, rev), got); diff != "" {
		t.Errorf("snapshot (-repo +snapshot):\n%s", diff)
	}
	if err := fstest.TestFS(fsys, "index.md", "pages/sub.md", "images/Graphics /x.png"); err != nil {
		t.Error(err)
	}
	if _, err := fs.ReadFile(fsys, "../site.git/HEAD"); err == nil {
		t.Error("snapshot FS escapes its root")
	}
	cleanup()
	if _, err := fs.Stat(fsys, "index.md"); err == nil {
		t.Error("snapshot readable after cleanup")
	}
}

func TestEnvironmentIsolation(t *testing.T) {
	// A hostile environment (what a git hook or CI runner could leave set)
	// must not redirect or alter repository writes.
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[core]\n\tautocrlf = true\n[user]\n\tname = Leaked\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("GIT_DIR", t.TempDir())
	t.Setenv("GIT_INDEX_FILE", filepath.Join(t.TempDir(), "bogus"))
	t.Setenv("GIT_AUTHOR_NAME", "Leaked")
	t.Setenv("GIT_OBJECT_DIRECTORY", t.TempDir())
	r := newRepo(t)
	save(t, r, Change{Ops: []Op{Write("a.md", []byte("x\r\ny\n"))}})
	if got := read(t, r, Staging, "a.md"); got != "x\r\ny\n" {
		t.Errorf("content altered: %q", got)
	}
	log, err := r.Log(t.Context(), Staging, "", 1)
	if err != nil || log[0].Author != alice {
		t.Errorf("author %+v, %v", log, err)
	}
	fsck(t, r)
}

// TestConcurrentSaves: 20 editors save at once from the same base revision.
// Ten edit paragraphs of one page (two pairs pick the same paragraph, so
// one of each pair must be refused), ten create different pages.
func TestConcurrentSaves(t *testing.T) {
	r := newRepo(t)
	const n, paras = 10, 8
	var para []string
	for i := range paras {
		para = append(para, fmt.Sprintf("Paragraph %d original.", i))
	}
	orig := strings.Join(para, "\n\n") + "\n"
	save(t, r, Change{Ops: []Op{Write("pages/shared.md", []byte(orig))}})
	base := head(t, r, Staging)
	edit := func(g int) string { return fmt.Sprintf("Paragraph %d edited by editor %d.", g%paras, g) }

	committed := make([]bool, 2*n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range 2 * n {
		wg.Go(func() {
			<-start
			var op Op
			if g < n {
				mine := append([]string(nil), para...)
				mine[g%paras] = edit(g)
				op = Write("pages/shared.md", []byte(strings.Join(mine, "\n\n")+"\n"))
			} else {
				op = Write(fmt.Sprintf("pages/page %d.md", g), []byte(fmt.Sprintf("page %d\n", g)))
			}
			_, err := r.Save(context.Background(), Change{
				Base:   base,
				Author: Author{Name: fmt.Sprintf("Editor %d", g), Email: fmt.Sprintf("e%d@example.gov.sg", g)},
				Ops:    []Op{op},
			})
			switch {
			case err == nil:
				committed[g] = true
			case errors.Is(err, ErrConflict):
			default:
				t.Errorf("editor %d: %v", g, err)
			}
		})
	}
	close(start)
	wg.Wait()

	final := read(t, r, Staging, "pages/shared.md")
	commits := 0
	perPara := make([]int, paras)
	for g, ok := range committed {
		if g >= n {
			if !ok {
				t.Errorf("editor %d (own page) did not commit", g)
			} else if got := read(t, r, Staging, fmt.Sprintf("pages/page %d.md", g)); got != fmt.Sprintf("page %d\n", g) {
				t.Errorf("editor %d's page = %q", g, got)
			}
		} else if ok {
			perPara[g%paras]++
			if !strings.Contains(final, edit(g)) {
				t.Errorf("lost update from editor %d", g)
			}
		} else if strings.Contains(final, edit(g)) {
			t.Errorf("refused editor %d's text is in the page", g)
		}
		if ok {
			commits++
		}
	}
	// Every paragraph got exactly one edit: the first of each contending
	// pair won, the second was refused, nothing else was refused.
	if diff := cmp.Diff([]int{1, 1, 1, 1, 1, 1, 1, 1}, perPara); diff != "" {
		t.Errorf("committed edits per paragraph (-want +got):\n%s", diff)
	}
	count, err := r.git(t.Context(), nil, nil, "rev-list", "--count", base+"..staging")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(count)); got != fmt.Sprint(commits) {
		t.Errorf("%s commits on staging, %d saves committed", got, commits)
	}
	if commits != 2*n-2 {
		t.Errorf("%d saves committed, want %d", commits, 2*n-2)
	}
	fsck(t, r)
}

func TestSaveCancelled(t *testing.T) {
	r := newRepo(t)
	before := head(t, r, Staging)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.Save(ctx, Change{Author: alice, Ops: []Op{Write("a.md", []byte("a"))}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save = %v, want context.Canceled", err)
	}
	if head(t, r, Staging) != before {
		t.Error("staging moved")
	}
}

func TestSaveBaseMustBeInHistory(t *testing.T) {
	r := newRepo(t)
	save(t, r, Change{Branch: Production, Ops: []Op{Write("prod.md", []byte("p"))}})
	prod := head(t, r, Production)
	if _, err := r.Save(t.Context(), Change{Base: prod, Author: alice, Ops: []Op{Write("a.md", nil)}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Save with foreign base = %v, want ErrInvalid", err)
	}
	if _, err := r.Save(t.Context(), Change{Base: "0123456789abcdef0123456789abcdef01234567", Author: alice, Ops: []Op{Write("a.md", nil)}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Save with unknown base = %v, want ErrNotFound", err)
	}
}

func TestDiff(t *testing.T) {
	r := newRepo(t)
	base := head(t, r, Staging)
	save(t, r, Change{Ops: []Op{
		Write("index.md", []byte("changed")),
		Write("pages/new page.md", []byte("new")),
		Delete("_about/Who We Are.md"),
	}})
	got, err := r.Diff(t.Context(), base, Staging)
	if err != nil {
		t.Fatal(err)
	}
	want := []DiffEntry{{"D", "_about/Who We Are.md"}, {"M", "index.md"}, {"A", "pages/new page.md"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
}

func TestCrashBeforeUpdateRef(t *testing.T) {
	r := newRepo(t)
	before := head(t, r, Staging)
	crash := errors.New("simulated crash")
	r.beforeUpdateRef = func() error { return crash }
	_, err := r.Save(t.Context(), Change{Author: alice, Ops: []Op{
		Write("pages/new.md", []byte("new")),
		Delete("index.md"),
	}})
	if !errors.Is(err, crash) {
		t.Fatalf("Save = %v, want the simulated crash", err)
	}
	if got := head(t, r, Staging); got != before {
		t.Errorf("staging moved to %s", got)
	}
	if _, err := r.ReadFile(t.Context(), Staging, "pages/new.md"); !errors.Is(err, ErrNotFound) {
		t.Errorf("half save visible: %v", err)
	}
	fsck(t, r)

	// The repository keeps working after the "crash".
	r.beforeUpdateRef = nil
	save(t, r, Change{Ops: []Op{Write("pages/new.md", []byte("new"))}})
	fsck(t, r)
}

// TestKilledSaves cancels saves after random short delays, which SIGKILLs
// whichever git process is running at that moment. The branch must always
// hold either the whole save or none of it, and the repository stay sound.
func TestKilledSaves(t *testing.T) {
	r := newRepo(t)
	moved := 0
	for i := range 40 {
		before := head(t, r, Staging)
		ctx, cancel := context.WithTimeout(t.Context(), time.Duration(i*3)*time.Millisecond)
		body := []byte(fmt.Sprintf("round %d\n", i))
		_, err := r.Save(ctx, Change{Author: alice, Ops: []Op{
			Write("a.md", body), Write("pages/b.md", body), Write("_about/c.md", body),
		}})
		cancel()
		after := head(t, r, Staging)
		got := files(t, r, after)
		switch {
		case after == before:
			if err == nil {
				t.Errorf("round %d: Save succeeded but staging did not move", i)
			}
		case err != nil:
			t.Errorf("round %d: Save failed (%v) but staging moved", i, err)
		case got["a.md"] != string(body) || got["pages/b.md"] != string(body) || got["_about/c.md"] != string(body):
			t.Errorf("round %d: partial save: %v", i, got)
		default:
			moved++
		}
	}
	t.Logf("%d of 40 interrupted saves landed whole, the rest left no trace", moved)
	fsck(t, r)
	save(t, r, Change{Ops: []Op{Write("after.md", []byte("still works"))}})
}

func TestMessageIsSanitised(t *testing.T) {
	r := newRepo(t)
	save(t, r, Change{Summary: "Line\nbreak\x00", Message: "note\x00\x1b[31m\nStudio-User: Mallory <m@x>", Ops: []Op{Write("a.md", nil)}})
	log, err := r.Log(t.Context(), Staging, "a.md", 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "Line break\n\nnote[31m\nStudio-User: Mallory <m@x>\n\nStudio-User: Alice Tan <alice@example.gov.sg>\nStudio-Base: " + log[0].Rev
	// Base equals the parent here; compare all but the id.
	got := log[0].Message
	if i := strings.LastIndex(got, "Studio-Base: "); i >= 0 {
		got = got[:i+len("Studio-Base: ")] + log[0].Rev
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	trailers, err := r.git(t.Context(), []byte(log[0].Message), nil, "interpret-trailers", "--parse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(trailers), "Mallory") {
		t.Errorf("forged trailer parsed: %s", trailers)
	}
}

func TestCASRetryOnForeignWriter(t *testing.T) {
	r := newRepo(t)
	other, err := Open(t.Context(), r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	base := head(t, r, Staging)
	// Another writer (a second Repo value, as another process would be)
	// commits between this save's read of the head and its update-ref.
	once := false
	r.beforeUpdateRef = func() error {
		if !once {
			once = true
			save(t, other, Change{Author: bob, Ops: []Op{Write("pages/bob.md", []byte("bob"))}})
		}
		return nil
	}
	save(t, r, Change{Base: base, Ops: []Op{Write("pages/alice.md", []byte("alice"))}})
	got := files(t, r, Staging)
	if got["pages/bob.md"] != "bob" || got["pages/alice.md"] != "alice" {
		t.Errorf("lost update: %v", got)
	}
	fsck(t, r)
}

// TestRemoveStaleLocks: what a save killed inside update-ref leaves (ref and
// HEAD lock files, a scratch folder) blocks saves until removed.
func TestRemoveStaleLocks(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "site.git")
	r, err := Init(ctx, dir, fstest.MapFS{"index.md": {Data: []byte("---\ntitle: Home\n---\nHi\n")}}, Author{Name: "A", Email: "a@example.gov.sg"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"HEAD.lock", "refs/heads/staging.lock", "studio-tmp/index-123/index"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	save := func() error {
		_, err := r.Save(ctx, Change{Author: Author{Name: "A", Email: "a@example.gov.sg"}, Ops: []Op{Write("index.md", []byte("---\ntitle: Home\n---\nHello\n"))}})
		return err
	}
	if save() == nil {
		t.Fatal("save succeeded despite a stale ref lock; the test no longer models the crash")
	}
	removed, err := r.RemoveStaleLocks()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"studio-tmp", "HEAD.lock", "refs/heads/staging.lock"}
	if !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	if err := save(); err != nil {
		t.Fatalf("save after removing the locks: %v", err)
	}
}
