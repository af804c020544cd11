package preview

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"isomer.dev/isomer/internal/studio/siterepo"
)

// maxApply is the most changed files a refresh fetches one by one; past it,
// checking out the whole revision at once is quicker (each file costs a few
// git processes, a checkout two for the whole site).
const maxApply = 100

// tree is a revision checked out on disk for the Builder, which reads a
// folder. In the work folder, "site" holds the files of the revision named
// in "REV". REV is written once site is complete and removed before site
// changes, so after a crash a missing REV means "check out again", never a
// half-updated folder taken for a revision it is not.
type tree struct {
	repo    *siterepo.Repo
	work    string
	dir     string // work/site
	rev     string // "" when the folder is in doubt
	logger  *slog.Logger
	written uint64 // numbers temporary files
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// openTree finds the tree a previous process left in work, if it can still
// be trusted: REV names a commit of repo and the folder holds exactly that
// commit's files, by name and size.
func openTree(ctx context.Context, repo *siterepo.Repo, work string, logger *slog.Logger) (*tree, error) {
	t := &tree{repo: repo, work: work, dir: filepath.Join(work, "site"), logger: logger}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return nil, err
	}
	// Leftovers of a checkout a crash interrupted.
	for _, name := range []string{"site.new", "site.old", "REV.tmp"} {
		if err := os.RemoveAll(filepath.Join(work, name)); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(t.revFile())
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	} else if err != nil {
		return nil, err
	}
	rev := strings.TrimSpace(string(data))
	if !commitRE.MatchString(rev) {
		logger.Warn("preview folder has a malformed REV; checking out again", "dir", work)
		return t, nil
	}
	ok, err := t.matches(ctx, rev)
	if err != nil && ctx.Err() != nil {
		return nil, err
	}
	if !ok {
		logger.Warn("preview folder does not match its revision; checking out again", "dir", work, "rev", short(rev), "err", err)
		return t, nil
	}
	t.rev = rev
	return t, nil
}

func (t *tree) revFile() string { return filepath.Join(t.work, "REV") }

// matches reports whether the folder holds rev's files, comparing names and
// sizes: enough to catch an interrupted or foreign change without reading
// every file.
func (t *tree) matches(ctx context.Context, rev string) (bool, error) {
	ents, err := t.repo.List(ctx, rev)
	if err != nil {
		return false, err
	}
	want := map[string]int64{}
	for _, e := range ents {
		// Snapshot leaves out what ValidatePath refuses; so does apply.
		if !e.IsDir && siterepo.ValidatePath(e.Path) == nil {
			want[e.Path] = e.Size
		}
	}
	got := map[string]int64{}
	err = filepath.WalkDir(t.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(t.dir, p)
		if err != nil {
			return err
		}
		got[filepath.ToSlash(rel)] = info.Size()
		return nil
	})
	if err != nil {
		return false, err
	}
	return maps.Equal(want, got), nil
}

// update brings the folder to head. It returns the paths that changed, or
// replaced when the whole folder was checked out again (the caller then
// builds everything).
func (t *tree) update(ctx context.Context, head string) (changed []string, replaced bool, err error) {
	if t.rev == head {
		return nil, false, nil
	}
	if t.rev != "" {
		diff, err := t.repo.Diff(ctx, t.rev, head)
		switch {
		case ctx.Err() != nil:
			return nil, false, ctx.Err()
		case err != nil:
			// The old revision may be gone (a branch reset and collected).
			t.logger.Warn("cannot diff preview revision; checking out again", "rev", short(t.rev), "err", err)
		case len(diff) <= maxApply:
			changed, err := t.apply(ctx, head, diff)
			return changed, false, err
		}
	}
	return nil, true, t.checkout(ctx, head)
}

// markDirty removes REV before the folder changes.
func (t *tree) markDirty() error {
	t.rev = ""
	if err := os.Remove(t.revFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// markClean records that the folder holds rev.
func (t *tree) markClean(rev string) error {
	tmp := filepath.Join(t.work, "REV.tmp")
	if err := os.WriteFile(tmp, []byte(rev+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, t.revFile()); err != nil {
		return err
	}
	t.rev = rev
	return nil
}

// apply changes the files diff lists to what they are at head. Deletions
// go first, so that a file may replace a folder and the reverse.
func (t *tree) apply(ctx context.Context, head string, diff []siterepo.DiffEntry) ([]string, error) {
	if err := t.markDirty(); err != nil {
		return nil, err
	}
	// Every change goes through a Root: a path from the repository can
	// never reach outside the folder, whatever it holds.
	root, err := os.OpenRoot(t.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var changed, writes []string
	for _, d := range diff {
		changed = append(changed, d.Path)
		if siterepo.ValidatePath(d.Path) != nil {
			continue // never checked out (see Snapshot)
		}
		if d.Status == "D" {
			if err := t.remove(root, d.Path); err != nil {
				return nil, err
			}
			continue
		}
		writes = append(writes, d.Path)
	}
	for _, p := range writes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := t.repo.ReadFile(ctx, head, p)
		switch {
		case errors.Is(err, siterepo.ErrInvalidPath), errors.Is(err, siterepo.ErrNotFound):
			// Now a symlink or a submodule, which a checkout leaves out.
			if err := t.remove(root, p); err != nil {
				return nil, err
			}
			continue
		case err != nil:
			return nil, err
		}
		if err := t.write(root, p, data); err != nil {
			return nil, err
		}
	}
	if err := t.markClean(head); err != nil {
		return nil, err
	}
	return changed, nil
}

// write replaces p by data atomically: the Builder never reads half a file,
// even if a crash stops this midway.
func (t *tree) write(root *os.Root, p string, data []byte) error {
	if dir := path.Dir(p); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	t.written++
	tmp := path.Join(path.Dir(p), ".preview-"+strconv.FormatUint(t.written, 10)+".tmp")
	if err := root.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := root.Rename(tmp, p); err != nil {
		_ = root.Remove(tmp)
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// remove deletes p and the folders that leaves empty, as git has no empty
// folders and a checkout would not have them.
func (t *tree) remove(root *os.Root, p string) error {
	if err := root.RemoveAll(p); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		if root.Remove(dir) != nil {
			break // not empty, or already gone
		}
	}
	return nil
}

// checkout replaces the folder with a fresh copy of rev.
func (t *tree) checkout(ctx context.Context, rev string) error {
	if err := t.markDirty(); err != nil {
		return err
	}
	snap, cleanup, err := t.repo.Snapshot(ctx, rev)
	if err != nil {
		return err
	}
	defer cleanup()
	next := filepath.Join(t.work, "site.new")
	old := filepath.Join(t.work, "site.old")
	if err := os.RemoveAll(next); err != nil {
		return err
	}
	if err := os.CopyFS(next, snap); err != nil {
		return fmt.Errorf("check out %s: %w", short(rev), err)
	}
	if err := os.Rename(t.dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(next, t.dir); err != nil {
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	t.logger.Info("checked out preview", "rev", short(rev))
	return t.markClean(rev)
}
