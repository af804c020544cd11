package build

import (
	"bytes"
	"context"
	"io/fs"
	"sync"
)

// Memory keeps a build in memory, for the development server and Studio's
// preview.
type Memory struct {
	mu    sync.RWMutex
	files map[string]memFile
}

type memFile struct {
	data []byte
}

// NewMemory returns an empty in-memory output.
func NewMemory() *Memory { return &Memory{files: map[string]memFile{}} }

// WriteFile stores a copy of data at rel.
func (m *Memory) WriteFile(_ context.Context, rel string, data []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.files[rel]; ok && bytes.Equal(old.data, data) {
		return false, nil
	}
	m.files[rel] = memFile{data: bytes.Clone(data)}
	return true, nil
}

// CopyFile stores a copy of the file src of fsys at rel.
func (m *Memory) CopyFile(_ context.Context, fsys fs.FS, src, rel string) (bool, error) {
	data, err := fs.ReadFile(fsys, src)
	if err != nil {
		return false, err
	}
	return m.WriteFile(context.Background(), rel, data)
}

// Remove forgets rel.
func (m *Memory) Remove(_ context.Context, rel string) error {
	m.mu.Lock()
	delete(m.files, rel)
	m.mu.Unlock()
	return nil
}

// ReadFile returns the bytes at rel.
func (m *Memory) ReadFile(rel string) ([]byte, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.files[rel]
	return f.data, ok
}

// Snapshot returns a copy of every stored file, for comparisons in tests.
func (m *Memory) Snapshot() map[string][]byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string][]byte, len(m.files))
	for p, f := range m.files {
		out[p] = f.data
	}
	return out
}
