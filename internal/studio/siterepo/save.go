package siterepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// OpKind says what an Op does.
type OpKind int

const (
	OpWrite  OpKind = iota + 1 // create or replace the file Path with Data
	OpDelete                   // delete the file or folder Path
	OpRename                   // move the file or folder Path to To
)

// Op is one change of a save.
type Op struct {
	Kind OpKind
	Path string
	To   string // OpRename only
	Data []byte // OpWrite only
}

// Write, Delete and Rename build Ops.
func Write(p string, data []byte) Op { return Op{Kind: OpWrite, Path: p, Data: data} }
func Delete(p string) Op             { return Op{Kind: OpDelete, Path: p} }
func Rename(from, to string) Op      { return Op{Kind: OpRename, Path: from, To: to} }

// Change is one save: Ops applied atomically on Branch. Base is the revision
// the editor started from; changes made on Branch since then are merged with
// Ops per file, or the save is refused with a ConflictError. An empty Base
// means "the current head" (no concurrency check).
type Change struct {
	Branch  string
	Base    string
	Author  Author
	Message string
	Summary string // subject line; generated from Ops when empty
	Ops     []Op
}

// Result describes a successful save.
type Result struct {
	Rev      string   // the new head of the branch
	Parent   string   // the head the commit was built on
	Merged   []string // files merged with changes made since Base
	NoChange bool     // the ops changed nothing; no commit was made
	Summary  string   // the commit's subject line
}

// Conflict is one file a save could not merge. Nil content means the file
// is absent in that version.
type Conflict struct {
	Path   string
	Base   []byte // what the editor started from
	Head   []byte // what the branch has now
	Mine   []byte // what the editor wants
	Merged []byte // merge attempt with conflict markers, when both sides are text
}

// ConflictError is returned (wrapping ErrConflict) when a save overlaps with
// changes made since its base; nothing was committed.
type ConflictError struct {
	Head      string // the branch head the save was checked against
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	paths := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		paths[i] = c.Path
	}
	return fmt.Sprintf("%v: %s changed since the edit started", ErrConflict, strings.Join(paths, ", "))
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// casRetries bounds how often a save is rebuilt when another writer (a
// different process or Repo value) moved the branch under it.
const casRetries = 5

// Save applies c as one commit. See Change for the merge rules.
func (r *Repo) Save(ctx context.Context, c Change) (Result, error) {
	if c.Branch == "" {
		c.Branch = Staging
	}
	if err := c.Author.validate(); err != nil {
		return Result{}, err
	}
	if len(c.Ops) == 0 {
		return Result{}, fmt.Errorf("%w: no operations", ErrInvalid)
	}
	for _, op := range c.Ops {
		if err := validateOp(op); err != nil {
			return Result{}, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.save(ctx, c)
}

func validateOp(op Op) error {
	switch op.Kind {
	case OpWrite, OpDelete:
		return ValidatePath(op.Path)
	case OpRename:
		if err := ValidatePath(op.Path); err != nil {
			return err
		}
		if err := ValidatePath(op.To); err != nil {
			return err
		}
		if op.To == op.Path || strings.HasPrefix(op.To, op.Path+"/") {
			return fmt.Errorf("%w: cannot move %q into itself", ErrInvalidPath, op.Path)
		}
		return nil
	}
	return fmt.Errorf("%w: unknown operation %d", ErrInvalid, op.Kind)
}

// save runs with r.mu held.
func (r *Repo) save(ctx context.Context, c Change) (Result, error) {
	for attempt := 0; ; attempt++ {
		res, err := r.saveOnce(ctx, c)
		if errors.Is(err, errRefMoved) && attempt < casRetries {
			continue
		}
		return res, err
	}
}

var errRefMoved = errors.New("branch moved during save")

func (r *Repo) saveOnce(ctx context.Context, c Change) (Result, error) {
	head, err := r.Head(ctx, c.Branch)
	if err != nil {
		return Result{}, err
	}
	base := head
	if c.Base != "" {
		if base, err = r.resolve(ctx, c.Base); err != nil {
			return Result{}, fmt.Errorf("base: %w", err)
		}
	}
	if base != head {
		// A base from another branch or an unrelated history would make the
		// three-way merge meaningless.
		if ok, err := r.isAncestor(ctx, base, head); err != nil {
			return Result{}, err
		} else if !ok {
			return Result{}, fmt.Errorf("%w: base %s is not in the history of %s", ErrInvalid, c.Base, c.Branch)
		}
	}
	headTree, err := r.lsTree(ctx, head)
	if err != nil {
		return Result{}, err
	}
	baseTree := headTree
	if base != head {
		if baseTree, err = r.lsTree(ctx, base); err != nil {
			return Result{}, err
		}
	}

	a := applier{r: r, ctx: ctx, base: baseTree, head: headTree, work: maps.Clone(headTree), touched: map[string]bool{}}
	for _, op := range c.Ops {
		if err := a.apply(op); err != nil {
			return Result{}, err
		}
	}
	if len(a.conflicts) > 0 {
		return Result{}, &ConflictError{Head: head, Conflicts: a.conflicts}
	}

	var info bytes.Buffer
	zero := strings.Repeat("0", len(head))
	paths := make([]string, 0, len(a.touched))
	for p := range a.touched {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	// Removals go first so that a file may replace a folder (or the
	// reverse) without the index seeing both at once.
	changed := false
	for _, p := range paths {
		if _, ok := a.work[p]; !ok {
			if _, had := headTree[p]; had {
				fmt.Fprintf(&info, "0 %s\t%s\x00", zero, p)
				changed = true
			}
		}
	}
	for _, p := range paths {
		if e, ok := a.work[p]; ok {
			if h, had := headTree[p]; !had || h != e {
				fmt.Fprintf(&info, "%s %s\t%s\x00", e.mode, e.sha, p)
				changed = true
			}
		}
	}
	if !changed {
		return Result{Rev: head, Parent: head, NoChange: true}, nil
	}
	tree, err := r.buildTree(ctx, head, info.Bytes())
	if err != nil {
		return Result{}, err
	}
	subject, msg := commitMessage(c, base, a.merged)
	commit, err := r.commitTree(ctx, tree, []string{head}, c.Author, msg)
	if err != nil {
		return Result{}, err
	}
	if err := r.moveBranch(ctx, c.Branch, commit, head); err != nil {
		return Result{}, err
	}
	return Result{Rev: commit, Parent: head, Merged: a.merged, Summary: subject}, nil
}

// moveBranch is the only way a branch changes: compare-and-swap from old to
// next, so a concurrent writer's commit is never dropped.
func (r *Repo) moveBranch(ctx context.Context, branch, next, old string) error {
	if r.beforeUpdateRef != nil {
		if err := r.beforeUpdateRef(); err != nil {
			return err
		}
	}
	// Not cancellable: killing update-ref while it holds the ref's lock file
	// would leave a stale lock that blocks every later save.
	if _, err := r.git(context.WithoutCancel(ctx), nil, nil, "update-ref", "-m", "studio", "refs/heads/"+branch, next, old); err != nil {
		if cur, herr := r.Head(ctx, branch); herr == nil && cur != old {
			return fmt.Errorf("%w: %w", errRefMoved, err)
		}
		return err
	}
	return nil
}

// applier applies ops to an in-memory copy of the head tree ("work").
// touched records paths an earlier op of this save already decided, so a
// later op on them (write after rename, say) is not re-checked against Base.
type applier struct {
	r          *Repo
	ctx        context.Context
	base, head map[string]treeEntry
	work       map[string]treeEntry
	touched    map[string]bool
	conflicts  []Conflict
	merged     []string
}

// under returns the files of tree at p: p itself or everything in folder p.
func under(tree map[string]treeEntry, p string) []string {
	if _, ok := tree[p]; ok {
		return []string{p}
	}
	var files []string
	for f := range tree {
		if strings.HasPrefix(f, p+"/") {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	return files
}

// placeable checks that p can be a file in tree: no ancestor is a file (or a
// symlink, which could point outside the site) and p is not a folder.
func placeable(tree map[string]treeEntry, p string) error {
	for dir := filepath.ToSlash(filepath.Dir(p)); dir != "."; dir = filepath.ToSlash(filepath.Dir(dir)) {
		if _, ok := tree[dir]; ok {
			return fmt.Errorf("%w: %q is a file, not a folder", ErrInvalidPath, dir)
		}
	}
	if e, ok := tree[p]; ok && !e.isFile() {
		return fmt.Errorf("%w: %q is a link or submodule", ErrInvalidPath, p)
	}
	for f := range tree {
		if strings.HasPrefix(f, p+"/") {
			return fmt.Errorf("%w: %q is a folder", ErrInvalidPath, p)
		}
	}
	return nil
}

func (a *applier) blob(e treeEntry, ok bool) ([]byte, error) {
	if !ok {
		return nil, nil
	}
	return a.r.readBlob(a.ctx, e.sha)
}

func (a *applier) conflict(p string, mine []byte, merged []byte) error {
	b, bok := a.base[p]
	h, hok := a.head[p]
	bd, err := a.blob(b, bok)
	if err != nil {
		return err
	}
	hd, err := a.blob(h, hok)
	if err != nil {
		return err
	}
	a.conflicts = append(a.conflicts, Conflict{Path: p, Base: bd, Head: hd, Mine: mine, Merged: merged})
	return nil
}

func (a *applier) apply(op Op) error {
	switch op.Kind {
	case OpWrite:
		return a.write(op.Path, op.Data)
	case OpDelete:
		return a.delete(op.Path)
	default:
		return a.rename(op.Path, op.To)
	}
}

func (a *applier) write(p string, data []byte) error {
	if err := placeable(a.work, p); err != nil {
		return err
	}
	mode := "100644"
	if e, ok := a.work[p]; ok {
		mode = e.mode
	}
	if a.touched[p] {
		return a.put(p, mode, data)
	}
	a.touched[p] = true
	b, bok := a.base[p]
	h, hok := a.head[p]
	switch {
	case bok == hok && b.sha == h.sha:
		return a.put(p, mode, data) // nobody else changed it
	case !hok && !bok:
		return a.put(p, mode, data)
	case bok && hok:
		bd, err := a.r.readBlob(a.ctx, b.sha)
		if err != nil {
			return err
		}
		hd, err := a.r.readBlob(a.ctx, h.sha)
		if err != nil {
			return err
		}
		if bytes.Equal(hd, data) {
			return nil // the other edit made the same change
		}
		merged, clean, err := a.r.mergeFile(a.ctx, bd, hd, data)
		if err != nil {
			return err
		}
		if !clean {
			a.conflicts = append(a.conflicts, Conflict{Path: p, Base: bd, Head: hd, Mine: data, Merged: merged})
			return nil
		}
		a.merged = append(a.merged, p)
		return a.put(p, mode, merged)
	default:
		// Created or deleted by someone else since Base.
		if hok {
			hd, err := a.r.readBlob(a.ctx, h.sha)
			if err != nil {
				return err
			}
			if bytes.Equal(hd, data) {
				return nil
			}
		}
		return a.conflict(p, data, nil)
	}
}

func (a *applier) put(p, mode string, data []byte) error {
	sha, err := a.r.hashObject(a.ctx, data)
	if err != nil {
		return err
	}
	a.work[p] = treeEntry{mode: mode, sha: sha, size: int64(len(data))}
	return nil
}

func (a *applier) delete(p string) error {
	files := under(a.work, p)
	if len(files) == 0 {
		if len(under(a.base, p)) > 0 {
			return nil // already deleted by someone else: same outcome
		}
		return fmt.Errorf("delete %s: %w", p, ErrNotFound)
	}
	for _, f := range files {
		if !a.touched[f] {
			a.touched[f] = true
			b, bok := a.base[f]
			if h := a.head[f]; !bok || b != h {
				// Changed or added since Base: deleting would lose that edit.
				if err := a.conflict(f, nil, nil); err != nil {
					return err
				}
				continue
			}
		}
		delete(a.work, f)
	}
	return nil
}

func (a *applier) rename(from, to string) error {
	files := under(a.work, from)
	if len(files) == 0 {
		return fmt.Errorf("rename %s: %w", from, ErrNotFound)
	}
	if _, ok := a.work[to]; ok || len(under(a.work, to)) > 0 {
		return fmt.Errorf("rename %s to %s: %w", from, to, ErrExists)
	}
	for _, f := range files {
		nf := to + strings.TrimPrefix(f, from)
		if err := placeable(a.work, nf); err != nil {
			return err
		}
		a.work[nf] = a.work[f]
		delete(a.work, f)
		a.touched[f] = true
		a.touched[nf] = true
	}
	return nil
}

// mergeFile three-way merges one file with git merge-file. Binary content or
// any overlap counts as not clean.
func (r *Repo) mergeFile(ctx context.Context, base, head, mine []byte) ([]byte, bool, error) {
	tmp, err := r.scratch("merge-")
	if err != nil {
		return nil, false, err
	}
	defer os.RemoveAll(tmp)
	names := []string{"head", "base", "mine"}
	for i, data := range [][]byte{head, base, mine} {
		if err := os.WriteFile(filepath.Join(tmp, names[i]), data, 0o600); err != nil {
			return nil, false, err
		}
	}
	out, err := r.git(ctx, nil, nil, "merge-file", "-p",
		"-L", "current", "-L", "base", "-L", "yours",
		filepath.Join(tmp, "head"), filepath.Join(tmp, "base"), filepath.Join(tmp, "mine"))
	if err != nil {
		if exitCode(err) > 0 {
			return out, false, nil
		}
		return nil, false, err
	}
	return out, true, nil
}

// commitMessage is structured so history can be read by people and parsed
// by Studio: a summary line, the editor's note, then trailers. It returns
// the summary line too.
func commitMessage(c Change, base string, merged []string) (string, string) {
	var b strings.Builder
	subject := c.Summary
	if subject == "" {
		subject = summary(c.Ops)
	}
	subject = strings.Join(strings.Fields(clean(subject)), " ")
	b.WriteString(subject)
	b.WriteString("\n\n")
	if m := strings.TrimSpace(clean(c.Message)); m != "" {
		b.WriteString(m)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Studio-User: %s <%s>\n", c.Author.Name, c.Author.Email)
	fmt.Fprintf(&b, "Studio-Base: %s\n", base)
	for _, p := range merged {
		fmt.Fprintf(&b, "Studio-Merged: %s\n", p)
	}
	return subject, b.String()
}

func summary(ops []Op) string {
	if len(ops) > 1 {
		return fmt.Sprintf("Update %d items", len(ops))
	}
	op := ops[0]
	switch op.Kind {
	case OpWrite:
		return "Edit " + op.Path
	case OpDelete:
		return "Delete " + op.Path
	default:
		return "Move " + op.Path + " to " + op.To
	}
}

// Publish makes production contain staging: a fast-forward when production
// has no commits of its own, otherwise a merge commit (refused with
// ErrConflict when the two overlap).
func (r *Repo) Publish(ctx context.Context, author Author) (string, error) {
	if err := author.validate(); err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	stage, err := r.Head(ctx, Staging)
	if err != nil {
		return "", err
	}
	prod, err := r.Head(ctx, Production)
	if err != nil {
		return "", err
	}
	if stage == prod {
		return prod, nil
	}
	if ok, err := r.isAncestor(ctx, stage, prod); err != nil || ok {
		return prod, err // nothing on staging that production lacks
	}
	next := stage
	if _, err := r.git(ctx, nil, nil, "merge-base", "--is-ancestor", prod, stage); err != nil {
		if exitCode(err) != 1 {
			return "", err
		}
		out, err := r.git(ctx, nil, nil, "merge-tree", "--write-tree", "-z", "--name-only", "--no-messages", prod, stage)
		if err != nil {
			if exitCode(err) == 1 {
				// -z output: the tree id, then each conflicted path, NUL-terminated.
				lines := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
				ce := &ConflictError{Head: prod}
				for _, l := range lines[1:] {
					if l != "" && !slices.ContainsFunc(ce.Conflicts, func(c Conflict) bool { return c.Path == l }) {
						ce.Conflicts = append(ce.Conflicts, Conflict{Path: l})
					}
				}
				return "", fmt.Errorf("publish: %w", ce)
			}
			return "", err
		}
		tree, _, _ := strings.Cut(string(out), "\x00")
		msg := fmt.Sprintf("Publish staging\n\nStudio-User: %s <%s>\n", author.Name, author.Email)
		if next, err = r.commitTree(ctx, strings.TrimSpace(tree), []string{prod, stage}, author, msg); err != nil {
			return "", err
		}
	}
	if err := r.moveBranch(ctx, Production, next, prod); err != nil {
		return "", fmt.Errorf("publish: %w", err)
	}
	return next, nil
}

// Revert undoes the changes of commit rev with a new commit on staging. It
// is a save whose Base is rev and whose content is rev's parent, so later
// edits to the same files are merged or reported as conflicts like any save.
func (r *Repo) Revert(ctx context.Context, rev string, author Author) (Result, error) {
	if err := author.validate(); err != nil {
		return Result{}, err
	}
	commit, err := r.resolve(ctx, rev)
	if err != nil {
		return Result{}, err
	}
	parent := ""
	if out, err := r.git(ctx, nil, nil, "rev-parse", "--verify", "-q", commit+"^1"); err == nil {
		parent = strings.TrimSpace(string(out))
	}
	diff, err := r.diffTree(ctx, parent, commit)
	if err != nil {
		return Result{}, err
	}
	if len(diff) == 0 {
		return Result{}, fmt.Errorf("%w: %s changed no files", ErrInvalid, rev)
	}
	var before map[string]treeEntry
	if parent != "" {
		if before, err = r.lsTree(ctx, parent); err != nil {
			return Result{}, err
		}
	}
	var ops []Op
	for _, d := range diff {
		e, ok := before[d.Path]
		if !ok {
			ops = append(ops, Delete(d.Path))
			continue
		}
		data, err := r.readBlob(ctx, e.sha)
		if err != nil {
			return Result{}, err
		}
		ops = append(ops, Write(d.Path, data))
	}
	out, err := r.git(ctx, nil, nil, "log", "-1", "--format=%s", commit)
	if err != nil {
		return Result{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.save(ctx, Change{
		Branch:  Staging,
		Base:    commit,
		Author:  author,
		Summary: fmt.Sprintf("Revert %q", strings.TrimSpace(string(out))),
		Message: "This reverts commit " + commit + ".",
		Ops:     ops,
	})
}

func (r *Repo) isAncestor(ctx context.Context, a, b string) (bool, error) {
	_, err := r.git(ctx, nil, nil, "merge-base", "--is-ancestor", a, b)
	if err == nil {
		return true, nil
	}
	if exitCode(err) == 1 {
		return false, nil
	}
	return false, err
}

// clean drops control characters other than newline and tab from editor
// text before it goes into a commit message.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
