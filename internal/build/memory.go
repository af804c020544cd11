package build

import (
	"bytes"
	"context"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
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

// Clone returns a copy of m that can be written without changing m. The
// copies share file contents, which no method modifies in place, so cloning
// costs one map copy: Studio's preview builds into a clone and keeps serving
// the original until the build succeeds.
func (m *Memory) Clone() *Memory {
	m.mu.RLock()
	defer m.mu.RUnlock()
	files := make(map[string]memFile, len(m.files))
	for p, f := range m.files {
		files[p] = f
	}
	return &Memory{files: files}
}

// Lookup finds the file a request for urlPath (decoded, starting with "/")
// is answered with, trying the output paths in the order static hosting
// does (see Candidates). Files that hosting reads as its configuration
// (_headers, _redirects) are never found: hosting does not serve them.
func (m *Memory) Lookup(urlPath string) (rel string, data []byte, ok bool) {
	for _, rel := range Candidates(urlPath) {
		if rel == "_headers" || rel == "_redirects" {
			continue
		}
		if data, ok := m.ReadFile(rel); ok {
			return rel, data, true
		}
	}
	return "", nil, false
}

// Candidates are the output paths a request path can be served from, in
// the order hosting tries them: "/x/" is x/index.html; "/x" is the file x,
// else x.html.
func Candidates(urlPath string) []string {
	rel := strings.TrimPrefix(urlPath, "/")
	if rel == "" || strings.HasSuffix(rel, "/") {
		return []string{rel + "index.html"}
	}
	return []string{rel, rel + ".html"}
}

// ContentType is the Content-Type an output file is served with: by its
// extension, else sniffed from its bytes.
func ContentType(rel string, data []byte) string {
	if ct := mime.TypeByExtension(path.Ext(rel)); ct != "" {
		return ct
	}
	return http.DetectContentType(data)
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
