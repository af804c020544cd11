// Package siterepo stores each Studio site in a local git repository that
// Studio owns. Edits land as commits on the "staging" branch and publishing
// moves "production". Commits are built with git plumbing against a private
// index file, never a shared working tree, and branches only move through a
// compare-and-swap update-ref, so a crash or a concurrent writer can leave
// unreferenced objects behind but never a half-written branch.
package siterepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Branch names used by Studio.
const (
	Staging    = "staging"
	Production = "production"
)

// Errors returned (wrapped) by this package; test with errors.Is.
var (
	// ErrConflict: the save overlaps with changes made since its base; the
	// error is a *ConflictError listing the files. Nothing was committed.
	ErrConflict = errors.New("siterepo: conflicting edit")
	// ErrNotFound: no such repository, branch, revision, file or folder.
	ErrNotFound = errors.New("siterepo: not found")
	// ErrInvalidPath: a path is unsafe, or cannot be a file where asked.
	ErrInvalidPath = errors.New("siterepo: invalid path")
	// ErrExists: the target of a create or rename is taken.
	ErrExists = errors.New("siterepo: already exists")
	// ErrInvalid: any other malformed request (author, revision, base).
	ErrInvalid = errors.New("siterepo: invalid request")
)

// Repo is one site's repository. It is safe for concurrent use; writes are
// serialized per Repo, and update-ref's compare-and-swap protects against
// writers using another Repo value for the same directory.
type Repo struct {
	gitDir string
	mu     sync.Mutex

	// beforeUpdateRef is a test seam: it runs after a save's objects are
	// written and before the branch moves, to simulate a crash there.
	beforeUpdateRef func() error
}

// Author identifies who made a change.
type Author struct {
	Name  string
	Email string
}

func (a Author) validate() error {
	if strings.TrimSpace(a.Name) == "" || strings.TrimSpace(a.Email) == "" {
		return fmt.Errorf("%w: author name and email are required", ErrInvalid)
	}
	bad := func(r rune) bool { return r < 0x20 || r == 0x7f || r == '<' || r == '>' }
	if strings.ContainsFunc(a.Name, bad) || strings.ContainsFunc(a.Email, bad) {
		return fmt.Errorf("%w: author contains forbidden characters", ErrInvalid)
	}
	return nil
}

func (a Author) env() []string {
	return []string{
		"GIT_AUTHOR_NAME=" + a.Name, "GIT_AUTHOR_EMAIL=" + a.Email,
		"GIT_COMMITTER_NAME=" + a.Name, "GIT_COMMITTER_EMAIL=" + a.Email,
	}
}

// Open opens an existing repository: a bare repository at dir, or a normal
// one whose metadata is in dir/.git.
func Open(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	if fi, err := os.Stat(filepath.Join(abs, ".git")); err == nil && fi.IsDir() {
		abs = filepath.Join(abs, ".git")
	}
	if _, err := runGit(ctx, abs, nil, nil, "rev-parse", "--git-dir"); err != nil {
		return nil, fmt.Errorf("open %s: %w: %w", dir, ErrNotFound, err)
	}
	return &Repo{gitDir: abs}, nil
}

// Dir is the repository's git directory.
func (r *Repo) Dir() string { return r.gitDir }

func (r *Repo) git(ctx context.Context, stdin []byte, env []string, args ...string) ([]byte, error) {
	return runGit(ctx, r.gitDir, stdin, env, args...)
}

// initBare creates an empty bare repository whose HEAD is staging.
func initBare(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(abs); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%w: %s is not empty", ErrExists, dir)
	}
	if _, err := runGit(ctx, "", nil, nil, "init", "-q", "--bare", "--template=", "--initial-branch="+Staging, "--", abs); err != nil {
		return nil, err
	}
	return &Repo{gitDir: abs}, nil
}

// Init creates a new site repository at dir from a starter tree; staging and
// production both point at the first commit.
func Init(ctx context.Context, dir string, starter fs.FS, author Author) (*Repo, error) {
	if err := author.validate(); err != nil {
		return nil, err
	}
	r, err := initBare(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	if err := r.commitFS(ctx, starter, "", author, "Create site"); err != nil {
		_ = os.RemoveAll(r.gitDir)
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	return r, nil
}

// Import creates a site repository at dir from source: a plain folder (its
// files become the first commit) or a git repository path or URL (cloned;
// existing staging/production branches are kept, missing ones start at the
// source's default branch).
func Import(ctx context.Context, dir, source string, author Author) (*Repo, error) {
	if err := author.validate(); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(source); err == nil && fi.IsDir() && !looksLikeGitRepo(source) {
		r, err := initBare(ctx, dir)
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", source, err)
		}
		if err := r.commitFS(ctx, os.DirFS(source), source, author, "Import site"); err != nil {
			_ = os.RemoveAll(r.gitDir)
			return nil, fmt.Errorf("import %s: %w", source, err)
		}
		return r, nil
	}
	r, err := cloneInto(ctx, dir, source)
	if err != nil {
		if r != nil {
			_ = os.RemoveAll(r.gitDir)
		}
		return nil, fmt.Errorf("import %s: %w", source, err)
	}
	return r, nil
}

func looksLikeGitRepo(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return true
	}
	_, e1 := os.Stat(filepath.Join(dir, "HEAD"))
	_, e2 := os.Stat(filepath.Join(dir, "objects"))
	_, e3 := os.Stat(filepath.Join(dir, "refs"))
	return e1 == nil && e2 == nil && e3 == nil
}

func cloneInto(ctx context.Context, dir, source string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if ents, err := os.ReadDir(abs); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%w: %s is not empty", ErrExists, dir)
	}
	if _, err := runGit(ctx, "", nil, nil, "clone", "-q", "--bare", "--template=", "--", source, abs); err != nil {
		return nil, err
	}
	r := &Repo{gitDir: abs}
	// Studio owns the copy: no remote to fetch from or push to by accident.
	if _, err := r.git(ctx, nil, nil, "remote", "remove", "origin"); err != nil {
		return r, err
	}
	def, err := r.git(ctx, nil, nil, "rev-parse", "--verify", "-q", "HEAD^{commit}")
	if err != nil {
		return r, fmt.Errorf("source has no commits on its default branch: %w", err)
	}
	tip := strings.TrimSpace(string(def))
	for _, b := range []string{Staging, Production} {
		if _, err := r.Head(ctx, b); errors.Is(err, ErrNotFound) {
			if _, err := r.git(ctx, nil, nil, "update-ref", "refs/heads/"+b, tip, ""); err != nil {
				return r, err
			}
		} else if err != nil {
			return r, err
		}
	}
	if _, err := r.git(ctx, nil, nil, "symbolic-ref", "HEAD", "refs/heads/"+Staging); err != nil {
		return r, err
	}
	return r, nil
}

// commitFS makes the root commit from fsys and points both branches at it.
// When fsys is a directory on disk (diskRoot), its files are hashed by one
// git process instead of one per file, which matters for media-heavy sites.
func (r *Repo) commitFS(ctx context.Context, fsys fs.FS, diskRoot string, author Author, msg string) error {
	var paths, modes []string
	var idx bytes.Buffer
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if d.IsDir() {
			if isGitName(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks and devices never enter a site
		}
		if err := ValidatePath(p); err != nil {
			return err
		}
		mode := "100644"
		if info, err := d.Info(); err == nil && info.Mode().Perm()&0o111 != 0 {
			mode = "100755"
		}
		paths = append(paths, p)
		modes = append(modes, mode)
		return nil
	})
	if err != nil {
		return err
	}
	var shas []string
	if diskRoot != "" && len(paths) > 0 {
		// ValidatePath refused newlines, so one path per line is unambiguous.
		var in bytes.Buffer
		for _, p := range paths {
			in.WriteString(filepath.Join(diskRoot, filepath.FromSlash(p)) + "\n")
		}
		out, err := r.git(ctx, in.Bytes(), nil, "hash-object", "-w", "--no-filters", "--stdin-paths")
		if err != nil {
			return err
		}
		shas = strings.Fields(string(out))
		if len(shas) != len(paths) {
			return fmt.Errorf("hash-object: %d ids for %d files", len(shas), len(paths))
		}
	} else {
		for _, p := range paths {
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			sha, err := r.hashObject(ctx, data)
			if err != nil {
				return err
			}
			shas = append(shas, sha)
		}
	}
	for i, p := range paths {
		fmt.Fprintf(&idx, "%s %s\t%s\x00", modes[i], shas[i], p)
	}
	tree, err := r.buildTree(ctx, "", idx.Bytes())
	if err != nil {
		return err
	}
	commit, err := r.commitTree(ctx, tree, nil, author, msg)
	if err != nil {
		return err
	}
	for _, b := range []string{Staging, Production} {
		if _, err := r.git(ctx, nil, nil, "update-ref", "refs/heads/"+b, commit, ""); err != nil {
			return err
		}
	}
	return nil
}

func (r *Repo) hashObject(ctx context.Context, data []byte) (string, error) {
	out, err := r.git(ctx, data, nil, "hash-object", "-w", "--no-filters", "--stdin")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// buildTree writes a tree: start from base (a commit, or empty) and apply
// index-info records, using a private index file so that concurrent builds
// and a crashed build leave nothing shared behind.
func (r *Repo) buildTree(ctx context.Context, base string, indexInfo []byte) (string, error) {
	tmp, err := r.scratch("index-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(tmp, "index")}
	if base != "" {
		if _, err := r.git(ctx, nil, env, "read-tree", base); err != nil {
			return "", err
		}
	} else if _, err := r.git(ctx, nil, env, "read-tree", "--empty"); err != nil {
		return "", err
	}
	if len(indexInfo) > 0 {
		if _, err := r.git(ctx, indexInfo, env, "update-index", "-z", "--index-info"); err != nil {
			return "", err
		}
	}
	out, err := r.git(ctx, nil, env, "write-tree")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (r *Repo) commitTree(ctx context.Context, tree string, parents []string, author Author, msg string) (string, error) {
	args := []string{"commit-tree", tree}
	for _, p := range parents {
		args = append(args, "-p", p)
	}
	out, err := r.git(ctx, []byte(msg), author.env(), args...)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

var branchRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// Head returns the commit a branch points at.
func (r *Repo) Head(ctx context.Context, branch string) (string, error) {
	if !branchRE.MatchString(branch) || strings.Contains(branch, "..") || strings.HasSuffix(branch, ".lock") {
		return "", fmt.Errorf("%w: branch %q", ErrInvalid, branch)
	}
	out, err := r.git(ctx, nil, nil, "rev-parse", "--verify", "-q", "refs/heads/"+branch+"^{commit}")
	if err != nil {
		if exitCode(err) == 1 {
			return "", fmt.Errorf("branch %s: %w", branch, ErrNotFound)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

var hexRE = regexp.MustCompile(`^[0-9a-f]{4,64}$`)

// resolve turns a branch name or (abbreviated) commit id into a full commit
// id. Other revision syntax is refused so request input can't be
// interpreted as options or expressions.
func (r *Repo) resolve(ctx context.Context, rev string) (string, error) {
	if rev == Staging || rev == Production {
		return r.Head(ctx, rev)
	}
	if !hexRE.MatchString(rev) {
		return "", fmt.Errorf("%w: revision %q", ErrInvalid, rev)
	}
	out, err := r.git(ctx, nil, nil, "rev-parse", "--verify", "-q", rev+"^{commit}")
	if err != nil {
		if exitCode(err) == 1 || exitCode(err) == 128 {
			return "", fmt.Errorf("revision %s: %w", rev, ErrNotFound)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// treeEntry is one non-tree object of a commit's tree.
type treeEntry struct {
	mode, sha string
	size      int64
}

func (e treeEntry) isFile() bool { return e.mode == "100644" || e.mode == "100755" }

// lsTree lists every blob, symlink and submodule under commit (recursively).
func (r *Repo) lsTree(ctx context.Context, commit string) (map[string]treeEntry, error) {
	out, err := r.git(ctx, nil, nil, "ls-tree", "-r", "-z", "--full-tree", "--long", commit)
	if err != nil {
		return nil, err
	}
	m := map[string]treeEntry{}
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 4 {
			return nil, fmt.Errorf("ls-tree: unexpected record %q", rec)
		}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		m[string(p)] = treeEntry{mode: f[0], sha: f[2], size: size}
	}
	return m, nil
}

func (r *Repo) readBlob(ctx context.Context, sha string) ([]byte, error) {
	return r.git(ctx, nil, nil, "cat-file", "blob", sha)
}

// ReadFile returns a file's content at rev (a branch name or commit id).
func (r *Repo) ReadFile(ctx context.Context, rev, p string) ([]byte, error) {
	if err := ValidatePath(p); err != nil {
		return nil, err
	}
	commit, err := r.resolve(ctx, rev)
	if err != nil {
		return nil, err
	}
	out, err := r.git(ctx, nil, nil, "ls-tree", "-z", "--full-tree", commit, "--", p)
	if err != nil {
		return nil, err
	}
	rec, _, _ := bytes.Cut(out, []byte{0})
	meta, got, _ := bytes.Cut(rec, []byte{'\t'})
	f := strings.Fields(string(meta))
	if len(f) != 3 || string(got) != p {
		return nil, fmt.Errorf("%s at %s: %w", p, rev, ErrNotFound)
	}
	if f[1] != "blob" || f[0] == "120000" {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrInvalidPath, p)
	}
	return r.readBlob(ctx, f[2])
}

// Entry is one file or folder of a revision.
type Entry struct {
	Path  string
	Size  int64
	IsDir bool
}

// List returns every file and folder of rev, in git's path order. Symlinks
// and submodules are left out: the site build never follows them.
func (r *Repo) List(ctx context.Context, rev string) ([]Entry, error) {
	commit, err := r.resolve(ctx, rev)
	if err != nil {
		return nil, err
	}
	out, err := r.git(ctx, nil, nil, "ls-tree", "-r", "-t", "-z", "--full-tree", "--long", commit)
	if err != nil {
		return nil, err
	}
	var ents []Entry
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, _ := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if len(f) != 4 {
			return nil, fmt.Errorf("ls-tree: unexpected record %q", rec)
		}
		switch {
		case f[1] == "tree":
			ents = append(ents, Entry{Path: string(p), IsDir: true})
		case f[1] == "blob" && f[0] != "120000":
			size, _ := strconv.ParseInt(f[3], 10, 64)
			ents = append(ents, Entry{Path: string(p), Size: size})
		}
	}
	return ents, nil
}

// Snapshot materialises rev into a private temporary directory and returns
// it as an fs.FS confined to that directory (for the site build). Blobs are
// copied byte for byte with cat-file, so .gitattributes in the site (eol,
// export-subst, export-ignore) cannot alter what is built. cleanup removes
// the directory.
func (r *Repo) Snapshot(ctx context.Context, rev string) (fs.FS, func(), error) {
	commit, err := r.resolve(ctx, rev)
	if err != nil {
		return nil, nil, err
	}
	entries, err := r.lsTree(ctx, commit)
	if err != nil {
		return nil, nil, err
	}
	tmp, err := os.MkdirTemp("", "siterepo-snapshot-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	root, err := os.OpenRoot(tmp)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	defer root.Close()

	var paths []string
	var input bytes.Buffer
	for p, e := range entries {
		if !e.isFile() || ValidatePath(p) != nil {
			continue
		}
		paths = append(paths, p)
		input.WriteString(e.sha + "\n")
	}
	if err := r.catFileBatch(ctx, input.Bytes(), func(i int, data io.Reader) error {
		p := paths[i]
		if dir := path.Dir(p); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		perm := os.FileMode(0o644)
		if entries[p].mode == "100755" {
			perm = 0o755
		}
		f, err := root.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_EXCL, perm)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, data); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("snapshot %s: %w", rev, err)
	}
	snap, err := os.OpenRoot(tmp)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return snap.FS(), func() { snap.Close(); cleanup() }, nil
}

// catFileBatch streams the objects named in input (one id per line) through
// fn, in order, with a single git process.
func (r *Repo) catFileBatch(ctx context.Context, input []byte, fn func(i int, data io.Reader) error) error {
	args := append(baseArgs(), "--git-dir="+r.gitDir, "cat-file", "--batch")
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = gitEnv(nil)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	br := bufio.NewReader(stdout)
	n := bytes.Count(input, []byte{'\n'})
	var ferr error
	for i := 0; i < n && ferr == nil; i++ {
		hdr, err := br.ReadString('\n')
		if err != nil {
			ferr = fmt.Errorf("cat-file: %w", err)
			break
		}
		f := strings.Fields(hdr)
		if len(f) != 3 {
			ferr = fmt.Errorf("cat-file: %q", strings.TrimSpace(hdr))
			break
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			ferr = fmt.Errorf("cat-file: %q", hdr)
			break
		}
		lr := io.LimitReader(br, size)
		if err := fn(i, lr); err != nil {
			ferr = err
			break
		}
		if _, err := io.Copy(io.Discard, lr); err != nil {
			ferr = err
			break
		}
		if _, err := br.Discard(1); err != nil { // the newline after each object
			ferr = err
		}
	}
	if ferr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return ferr
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("cat-file: %w: %s", err, stderr.String())
	}
	return nil
}

// Commit is one entry of a branch's history.
type Commit struct {
	Rev     string
	Author  Author
	Time    time.Time
	Subject string
	Message string
}

// Log returns up to n commits of branch, newest first, touching p if p is set.
func (r *Repo) Log(ctx context.Context, branch, p string, n int) ([]Commit, error) {
	head, err := r.Head(ctx, branch)
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		n = 50
	}
	args := []string{"log", "-z", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%B", "-n", strconv.Itoa(n), head}
	if p != "" {
		if err := ValidatePath(p); err != nil {
			return nil, err
		}
		args = append(args, "--", p)
	}
	out, err := r.git(ctx, nil, nil, args...)
	if err != nil {
		return nil, err
	}
	var log []Commit
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		f := strings.SplitN(string(rec), "\x1f", 6)
		if len(f) != 6 {
			return nil, fmt.Errorf("log: unexpected record %q", rec)
		}
		t, _ := time.Parse(time.RFC3339, f[3])
		log = append(log, Commit{Rev: f[0], Author: Author{Name: f[1], Email: f[2]}, Time: t, Subject: f[4], Message: strings.TrimRight(f[5], "\n")})
	}
	return log, nil
}

// DiffEntry is one changed path between two revisions.
type DiffEntry struct {
	Status string // "A", "M", "D" or "T"
	Path   string
}

// Diff lists the files that differ between two revisions.
func (r *Repo) Diff(ctx context.Context, from, to string) ([]DiffEntry, error) {
	a, err := r.resolve(ctx, from)
	if err != nil {
		return nil, err
	}
	b, err := r.resolve(ctx, to)
	if err != nil {
		return nil, err
	}
	return r.diffTree(ctx, a, b)
}

func (r *Repo) diffTree(ctx context.Context, a, b string) ([]DiffEntry, error) {
	args := []string{"diff-tree", "-r", "-z", "--no-renames", "--name-status"}
	if a == "" {
		args = append(args, "--root", b)
	} else {
		args = append(args, a, b)
	}
	out, err := r.git(ctx, nil, nil, args...)
	if err != nil {
		return nil, err
	}
	f := bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0})
	if a == "" && len(f) > 0 && hexRE.Match(f[0]) {
		f = f[1:] // --root prints the commit id first
	}
	var d []DiffEntry
	for i := 0; i+1 < len(f); i += 2 {
		d = append(d, DiffEntry{Status: string(f[i]), Path: string(f[i+1])})
	}
	return d, nil
}

// scratchDir holds a save's temporary files inside the repository, so the
// leftovers of a killed save are found and removed by RemoveStaleLocks.
const scratchDir = "studio-tmp"

// scratch makes a private temporary folder for one operation.
func (r *Repo) scratch(prefix string) (string, error) {
	dir := filepath.Join(r.gitDir, scratchDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(dir, prefix)
}

// RemoveStaleLocks deletes what a killed save leaves in the repository: git
// lock files (a SIGKILL during update-ref leaves refs/heads/x.lock and
// HEAD.lock, and git then refuses every later update of that ref) and the
// save's scratch folders. It is only safe while no other process uses the
// repository: Studio guarantees that by holding an exclusive lock on its
// data folder for as long as it runs. It returns the paths it removed,
// relative to the repository.
func (r *Repo) RemoveStaleLocks() ([]string, error) {
	var removed []string
	scratch := filepath.Join(r.gitDir, scratchDir)
	if ents, err := os.ReadDir(scratch); err == nil && len(ents) > 0 {
		if err := os.RemoveAll(scratch); err != nil {
			return nil, fmt.Errorf("removing %s: %w", scratch, err)
		}
		removed = append(removed, scratchDir)
	}
	err := filepath.WalkDir(r.gitDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != r.gitDir && d.Name() == "objects" && filepath.Dir(p) == r.gitDir {
				return filepath.SkipDir // object files are never locked this way
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".lock") {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		rel, _ := filepath.Rel(r.gitDir, p)
		removed = append(removed, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("removing stale git locks in %s: %w", r.gitDir, err)
	}
	return removed, nil
}
