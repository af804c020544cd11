//go:build unix

package studio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir takes an exclusive lock on the data folder for the life of the
// process. Studio repairs what a crash leaves behind (git lock files) at
// start, which is only safe when no other Studio uses the same folder. The
// kernel drops the lock when the process dies, however it dies.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "studio.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the data folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another Studio is already using the data folder %s; stop it or choose another --data", dir)
		}
		return nil, fmt.Errorf("locking the data folder: %w", err)
	}
	return f, nil
}
