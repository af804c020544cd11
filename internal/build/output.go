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
	"strings"
)

// Dir writes a build into a folder on disk. Every write goes to a temporary
// file that is renamed into place, so a reader (a web server, an rsync) never
// sees half a file, and a file whose bytes are unchanged is left alone so
// its modification time still says when it last changed.
type Dir struct {
	Root string
}

// resolve maps a slash-separated output path to a file under Root and
// refuses anything that would land outside it.
func (d Dir) resolve(rel string) (string, error) {
	if rel == "" || strings.HasPrefix(rel, "/") || !fs.ValidPath(rel) {
		return "", fmt.Errorf("output path %q is outside the output folder", rel)
	}
	return filepath.Join(d.Root, filepath.FromSlash(rel)), nil
}

// WriteFile writes data at rel, atomically, unless the file already holds exactly data.
func (d Dir) WriteFile(_ context.Context, rel string, data []byte) (changed bool, err error) {
	dst, err := d.resolve(rel)
	if err != nil {
		return false, err
	}
	if info, err := os.Stat(dst); err == nil && info.Mode().IsRegular() && info.Size() == int64(len(data)) {
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
			return false, nil
		}
	}
	return true, atomicWrite(dst, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// CopyFile copies src from fsys to rel, atomically, unless rel already has the same size and content.
func (d Dir) CopyFile(_ context.Context, fsys fs.FS, src, rel string) (changed bool, err error) {
	dst, err := d.resolve(rel)
	if err != nil {
		return false, err
	}
	srcInfo, err := fs.Stat(fsys, src)
	if err != nil {
		return false, err
	}
	if info, err := os.Stat(dst); err == nil && info.Mode().IsRegular() && info.Size() == srcInfo.Size() {
		if same, err := sameContent(fsys, src, dst); err == nil && same {
			return false, nil
		}
	}
	return true, atomicWrite(dst, func(w io.Writer) error {
		f, err := fsys.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
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

func atomicWrite(dst string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".isomer-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		var pe *os.LinkError
		if errors.As(err, &pe) {
			return fmt.Errorf("replace %s: %w", dst, pe.Err)
		}
		return err
	}
	return nil
}
