package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// Output receives a build's files. Paths are slash-separated and relative
// to the output root.
type Output interface {
	// WriteFile stores data at rel and reports whether the stored bytes changed.
	WriteFile(ctx context.Context, rel string, data []byte) (changed bool, err error)
	// CopyFile stores the file src of fsys at rel and reports whether the stored bytes changed.
	CopyFile(ctx context.Context, fsys fs.FS, src, rel string) (changed bool, err error)
	// Remove deletes rel; a missing file is not an error.
	Remove(ctx context.Context, rel string) error
}

// manifestOutput is an Output that remembers, between processes, which
// files the last build produced, so stale ones can be removed safely: a
// build only ever deletes files a build wrote.
type manifestOutput interface {
	ReadManifest() map[string]bool
	WriteManifest(map[string]bool) error
}

// manifestName is the file in the output root listing what the last build wrote.
const manifestName = ".isomer-manifest"

// Dir writes a build into a folder on disk. Every write goes to a temporary
// file that is renamed into place, so a reader (a web server, an rsync) never
// sees half a file, and a file whose bytes are unchanged is left alone so
// its modification time still says when it last changed.
type Dir struct {
	Root string

	// fresh says Root was made empty for this build and nothing else
	// writes into it (a staging folder, see stageBuild): files are then
	// created in place, as no reader can see them half written and no
	// earlier file can be unchanged.
	fresh bool

	// dirs remembers folders already made, and seq numbers temporary
	// files (named after tmpPrefix, the process id read once): on a large
	// site these save several system calls per file.
	dirs      sync.Map
	seq       atomic.Uint64
	tmpOnce   sync.Once
	tmpPrefix string
}

// resolve maps a slash-separated output path to a file under Root and
// refuses anything that would land outside it.
func (d *Dir) resolve(rel string) (string, error) {
	if rel == "" || strings.HasPrefix(rel, "/") || !fs.ValidPath(rel) {
		return "", fmt.Errorf("output path %q is outside the output folder", rel)
	}
	return filepath.Join(d.Root, filepath.FromSlash(rel)), nil
}

// WriteFile writes data at rel, atomically, unless the file already holds exactly data.
func (d *Dir) WriteFile(_ context.Context, rel string, data []byte) (changed bool, err error) {
	dst, err := d.resolve(rel)
	if err != nil {
		return false, err
	}
	if d.fresh {
		return true, d.writeBytes(dst, data)
	}
	if info, err := os.Stat(dst); err == nil && info.Mode().IsRegular() && info.Size() == int64(len(data)) {
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
			return false, nil
		}
	}
	return true, d.writeBytes(dst, data)
}

// CopyFile copies src from fsys to rel, atomically, unless rel already has the same size and content.
func (d *Dir) CopyFile(_ context.Context, fsys fs.FS, src, rel string) (changed bool, err error) {
	dst, err := d.resolve(rel)
	if err != nil {
		return false, err
	}
	srcInfo, err := fs.Stat(fsys, src)
	if err != nil {
		return false, err
	}
	if info, err := os.Stat(dst); err == nil && !d.fresh && info.Mode().IsRegular() && info.Size() == srcInfo.Size() {
		if same, err := sameContent(fsys, src, dst); err == nil && same {
			return false, nil
		}
	}
	return true, d.atomicWrite(dst, func(w io.Writer) error {
		f, err := fsys.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}

// Remove deletes rel and any folders it leaves empty.
func (d *Dir) Remove(_ context.Context, rel string) error {
	dst, err := d.resolve(rel)
	if err != nil {
		return err
	}
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	root := filepath.Clean(d.Root)
	for dir := filepath.Dir(dst); dir != root && strings.HasPrefix(dir, root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty
		}
		d.dirs.Delete(dir)
	}
	return nil
}

// ReadManifest returns the files the last build into this folder wrote.
func (d *Dir) ReadManifest() map[string]bool {
	data, err := os.ReadFile(filepath.Join(d.Root, manifestName))
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && fs.ValidPath(line) {
			m[line] = true
		}
	}
	return m
}

// WriteManifest records the files this build wrote.
func (d *Dir) WriteManifest(files map[string]bool) error {
	list := make([]string, 0, len(files))
	for f := range files {
		list = append(list, f)
	}
	sort.Strings(list)
	_, err := d.WriteFile(context.Background(), manifestName, []byte(strings.Join(list, "\n")+"\n"))
	return err
}

func sameContent(fsys fs.FS, src, dst string) (bool, error) {
	a, err := fs.ReadFile(fsys, src)
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		return false, err
	}
	return bytes.Equal(a, b), nil
}

// mkdir makes the folder dir, remembering it. A folder whose parent this
// Dir made is made with one system call; MkdirAll, which looks at every
// ancestor first, is for the rest.
func (d *Dir) mkdir(dir string) error {
	if _, made := d.dirs.Load(dir); made {
		return nil
	}
	err := fs.ErrNotExist
	if _, parentMade := d.dirs.Load(filepath.Dir(dir)); parentMade {
		if err = os.Mkdir(dir, 0o755); errors.Is(err, fs.ErrExist) {
			err = nil
		}
	}
	if err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create folder: %w", err)
		}
		// Its ancestors up to Root exist now too: their next children
		// (every page folder in Root itself) take one system call.
		root := filepath.Clean(d.Root)
		for up := filepath.Dir(dir); strings.HasPrefix(up, root) && len(up) >= len(root); up = filepath.Dir(up) {
			if _, dup := d.dirs.LoadOrStore(up, true); dup || up == root {
				break
			}
		}
	}
	d.dirs.Store(dir, true)
	return nil
}

// tmpName is a new temporary file name in dir. A name of our own (created
// with O_EXCL) instead of os.CreateTemp spares a chmod: the file is created
// readable by the web server from the start.
func (d *Dir) tmpName(dir string) string {
	d.tmpOnce.Do(func() { d.tmpPrefix = ".isomer-" + strconv.Itoa(os.Getpid()) + "-" })
	return filepath.Join(dir, d.tmpPrefix+strconv.FormatUint(d.seq.Add(1), 10))
}

// writeBytes writes data to dst atomically (a temporary file renamed into
// place; in a fresh folder, a file created under its own name). It uses the
// system calls directly: os.OpenFile would register every file with the
// runtime's poller, which refuses regular files, at five wasted system calls
// a file.
func (d *Dir) writeBytes(dst string, data []byte) error {
	dir := filepath.Dir(dst)
	if err := d.mkdir(dir); err != nil {
		return err
	}
	if d.fresh {
		err := createFile(dst, data)
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
		// Written twice in one build: replace it as any other folder would.
	}
	tmp := d.tmpName(dir)
	if err := createFile(tmp, data); err != nil {
		return err
	}
	return d.rename(tmp, dst)
}

// createFile makes the new file name holding data; on failure it leaves
// nothing behind.
func createFile(name string, data []byte) error {
	fd, err := syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
	for err == syscall.EINTR {
		fd, err = syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
	}
	if err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	for rest := data; len(rest) > 0 && err == nil; {
		var n int
		n, err = syscall.Write(fd, rest)
		switch {
		case err == syscall.EINTR:
			err = nil
		case err == nil && n == 0:
			err = io.ErrShortWrite
		case err == nil:
			rest = rest[n:]
		}
	}
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return err // the caller names the file
	}
	return nil
}

func (d *Dir) rename(tmp, dst string) error {
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		var pe *os.LinkError
		if errors.As(err, &pe) {
			return fmt.Errorf("replace %s: %w", dst, pe.Err)
		}
		return err
	}
	return nil
}

func (d *Dir) atomicWrite(dst string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(dst)
	if err := d.mkdir(dir); err != nil {
		return err
	}
	tmpName := d.tmpName(dir)
	tmp, err := os.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmpName)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return err
	}
	return d.rename(tmpName, dst)
}
