package devserver

import (
	"bytes"
	_ "embed"
	"hash/fnv"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"isomer.dev/isomer/internal/build"
)

// The reload client and the stylesheet of error panels: same-origin files,
// since the site's Content-Security-Policy forbids inline script and style.
var (
	//go:embed assets/reload.js
	reloadJS string
	//go:embed assets/serve.css
	serveCSS string
)

// internalPrefix holds the server's own files. Jekyll never writes a
// top-level folder starting with "_", so no site path can collide.
const internalPrefix = "/_isomer/"

// Handler serves the last build. Build (or Run) must have been called first.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	st := s.state.Load()
	if st == nil {
		http.Error(w, "The site is still building; reload in a moment.", http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	for _, kv := range st.headers {
		h.Set(kv[0], kv[1])
	}
	// Revalidate every time: the files change under the browser.
	h.Set("Cache-Control", "no-cache")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	// URL.Path is already decoded: "%20" is a space, "%2e%2e" and "..%2f"
	// are "..", which is refused whatever its spelling. Output paths are
	// keys of the in-memory build, never file system paths, so nothing else
	// can reach outside the site.
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) || hasDotDot(p) {
		http.Error(w, "Bad request path.", http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(p, internalPrefix) {
		s.serveInternal(w, r, st, strings.TrimPrefix(p, internalPrefix))
		return
	}
	if rel, data, ok := s.mem.Lookup(p); ok {
		s.serveFile(w, r, st, http.StatusOK, rel, data)
		return
	}
	rel := strings.TrimPrefix(p, "/")
	// A folder asked for without its slash: hosting redirects to it.
	if rel != "" && !strings.HasSuffix(rel, "/") {
		if _, ok := s.mem.ReadFile(rel + "/index.html"); ok {
			redirectTo(w, r, (&url.URL{Path: p + "/"}).EscapedPath(), http.StatusMovedPermanently)
			return
		}
	}
	if rd, ok := st.redirects[trimSlash(p)]; ok {
		redirectTo(w, r, rd.to, rd.status)
		return
	}
	for _, cand := range build.Candidates(p) {
		if src, ok := st.broken[cand]; ok {
			s.serveError(w, r, st, p, src)
			return
		}
	}
	if data, ok := s.mem.ReadFile("404.html"); ok {
		s.serveFile(w, r, st, http.StatusNotFound, "404.html", data)
		return
	}
	s.serveFile(w, r, st, http.StatusNotFound, "404.html", []byte(fallback404))
}

const fallback404 = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page not found</title></head>\n<body><h1>Page not found</h1><p>The site has no 404.html page either.</p></body></html>\n"

func hasDotDot(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}

func trimSlash(p string) string {
	if len(p) > 1 {
		return strings.TrimSuffix(p, "/")
	}
	return p
}

func redirectTo(w http.ResponseWriter, r *http.Request, to string, status int) {
	if r.URL.RawQuery != "" && !strings.Contains(to, "?") {
		to += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", to)
	writeBody(w, r, status, "text/html; charset=utf-8", []byte("<!doctype html>\n<title>Moved</title>\n<p>Moved to <a href=\""+html.EscapeString(to)+"\">"+html.EscapeString(to)+"</a>.</p>\n"))
}

func (s *Server) serveInternal(w http.ResponseWriter, r *http.Request, st *state, name string) {
	switch name {
	case "events":
		s.serveEvents(w, r, st)
	case "reload.js":
		writeBody(w, r, http.StatusOK, "text/javascript; charset=utf-8", []byte(reloadJS))
	case "serve.css":
		writeBody(w, r, http.StatusOK, "text/css; charset=utf-8", []byte(serveCSS))
	default:
		http.Error(w, "Not found.", http.StatusNotFound)
	}
}

// serveFile answers with an output file; HTML gets the reload client and,
// while the site has errors, the panel listing them.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, st *state, status int, rel string, data []byte) {
	ct := build.ContentType(rel, data)
	if strings.HasPrefix(ct, "text/html") {
		data = inject(data, st)
	}
	writeBody(w, r, status, ct, data)
}

// writeBody writes a complete response. Successful ones go through
// ServeContent for conditional and range requests; HEAD gets headers only.
func writeBody(w http.ResponseWriter, r *http.Request, status int, ct string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ct)
	if status == http.StatusOK {
		sum := fnv.New64a()
		sum.Write(body)
		h.Set("ETag", `"`+strconv.FormatUint(sum.Sum64(), 36)+`"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// inject adds the reload client (and the error panel while the site has
// errors) to an HTML page. Both are same-origin references, never inline.
func inject(page []byte, st *state) []byte {
	head := `<script src="/_isomer/reload.js" data-version="` + st.version + `" defer></script>`
	var panel []byte
	if len(st.errors) > 0 || st.failure != "" {
		head += `<link rel="stylesheet" href="/_isomer/serve.css">`
		panel = problemsPanel(st)
	}
	out := make([]byte, 0, len(page)+len(head)+len(panel))
	at := indexFold(page, "</head")
	if at < 0 {
		at = 0
	}
	out = append(out, page[:at]...)
	out = append(out, head...)
	rest := page[at:]
	if panel != nil {
		// Just inside <body …>, so it is the first thing read.
		if b := indexFold(rest, "<body"); b >= 0 {
			if end := bytes.IndexByte(rest[b:], '>'); end >= 0 {
				out = append(out, rest[:b+end+1]...)
				rest = rest[b+end+1:]
			}
		}
		out = append(out, panel...)
	}
	return append(out, rest...)
}

// indexFold finds an ASCII string in b ignoring ASCII case, without
// changing byte offsets as a Unicode case fold could.
func indexFold(b []byte, s string) int {
	n := len(s)
outer:
	for i := 0; i+n <= len(b); i++ {
		for j := 0; j < n; j++ {
			c := b[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != s[j] {
				continue outer
			}
		}
		return i
	}
	return -1
}
