package devserver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// change is a burst of file events, ready for a rebuild.
type change struct {
	// paths changed, relative to the site root, slash-separated, sorted.
	paths []string
	// full asks for a full build: a folder went away (an incremental
	// rebuild would keep its pages) or events were lost.
	full bool
}

// maxWait bounds how long a never-ending stream of events (a git checkout
// of a large site) can hold a rebuild back.
const maxWait = time.Second

// watcher watches a site folder and every folder under it, adding folders
// as they are created.
type watcher struct {
	root   string
	fsw    *fsnotify.Watcher
	logger *slog.Logger
	dirs   map[string]bool // absolute paths of the watched folders
}

// watch reports changes under root on the returned channel, one batch per
// burst, until ctx ends; then it closes the channel.
func watch(ctx context.Context, root string, debounce time.Duration, logger *slog.Logger) (<-chan change, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	w := &watcher{root: abs, fsw: fsw, logger: logger, dirs: map[string]bool{}}
	if err := w.addTree(abs); err != nil {
		fsw.Close()
		return nil, err
	}
	out := make(chan change)
	go w.loop(ctx, out, debounce)
	return out, nil
}

func (w *watcher) loop(ctx context.Context, out chan<- change, debounce time.Duration) {
	defer close(out)
	defer w.fsw.Close()
	pending := map[string]bool{}
	full := false
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var first time.Time // when the current burst began; zero when idle
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if !w.handle(ev, pending, &full) {
				continue
			}
			now := time.Now()
			if first.IsZero() {
				first = now
			}
			if now.Sub(first) < maxWait {
				timer.Reset(debounce)
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.logger.Warn("watching files", "err", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				full = true
				if first.IsZero() {
					first = time.Now()
				}
				timer.Reset(debounce)
			}
		case <-timer.C:
			c := change{paths: make([]string, 0, len(pending)), full: full}
			for p := range pending {
				c.paths = append(c.paths, p)
			}
			slices.Sort(c.paths)
			pending, full, first = map[string]bool{}, false, time.Time{}
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
	}
}

// handle records one event and reports whether it matters.
func (w *watcher) handle(ev fsnotify.Event, pending map[string]bool, full *bool) bool {
	rel, ok := w.rel(ev.Name)
	if !ok || ignored(rel) {
		return false
	}
	// Attribute changes alone (touch, chmod) change no content.
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if ev.Has(fsnotify.Create) {
		if info, err := os.Lstat(ev.Name); err == nil && info.IsDir() {
			// Files may land in it before its watch exists; a folder
			// path makes the rebuild read the whole site anyway.
			if err := w.addTree(ev.Name); err != nil {
				w.logger.Warn("watching files", "err", err)
			}
			pending[rel] = true
			return true
		}
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if w.dirs[ev.Name] {
			for d := range w.dirs {
				if d == ev.Name || strings.HasPrefix(d, ev.Name+string(filepath.Separator)) {
					delete(w.dirs, d)
					w.fsw.Remove(d) // already gone with the folder, usually
				}
			}
			*full = true
			return true
		}
	}
	pending[rel] = true
	return true
}

// addTree watches dir and every folder under it that is not ignored.
func (w *watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return fmt.Errorf("watch %s: %w", p, err)
			}
			return nil // vanished while walking
		}
		if !d.IsDir() {
			return nil
		}
		if rel, ok := w.rel(p); ok && rel != "." && ignored(rel) {
			return filepath.SkipDir
		}
		if w.dirs[p] {
			return nil
		}
		if err := w.fsw.Add(p); err != nil {
			return fmt.Errorf("watch %s: %w (on Linux, raise fs.inotify.max_user_watches)", p, err)
		}
		w.dirs[p] = true
		return nil
	})
}

func (w *watcher) rel(name string) (string, bool) {
	r, err := filepath.Rel(w.root, name)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// ignored reports paths whose changes never affect the site: the build
// output, version control and caches, and the scratch files editors write
// next to the file being saved.
func ignored(rel string) bool {
	segs := strings.Split(rel, "/")
	if segs[0] == "_site" {
		return true
	}
	for _, s := range segs {
		switch s {
		case ".git", ".hg", ".svn", "node_modules", ".jekyll-cache", ".sass-cache", ".idea", ".vscode":
			return true
		}
	}
	base := path.Base(rel)
	switch {
	case base == "4913", base == ".DS_Store": // vim's write test; macOS
		return true
	case strings.HasSuffix(base, "~"), strings.HasPrefix(base, ".#"), // backups; emacs locks
		strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"), // emacs autosave
		strings.HasSuffix(base, ".swp"), strings.HasSuffix(base, ".swx"), strings.HasSuffix(base, ".swo"),
		strings.HasSuffix(base, ".tmp"), strings.HasSuffix(base, ".crswap"),
		strings.HasSuffix(base, "___jb_tmp___"), strings.HasSuffix(base, "___jb_old___"),
		strings.HasPrefix(base, ".goutputstream-"):
		return true
	}
	return false
}
