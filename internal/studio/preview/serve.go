package preview

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/search"
)

// prefixRE is what Handler accepts as a prefix: path segments of
// characters that need no escaping in a URL, an HTML attribute or CSS, so
// the prefix can be inserted into any of them as it is.
var prefixRE = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+$`)

// searchDocsDir holds the search index's document tables, whose URLs the
// search page links to.
const searchDocsDir = search.Dir + "d/"

// Handler serves the preview under prefix (such as "/sites/3/preview"): a
// request for prefix+"/about-us/" gets the build's about-us/index.html,
// with the site's root-relative URLs moved under the prefix. Page requests
// first refresh the preview if the branch moved. Responses carry the
// site's own security headers, so the preview runs under the
// Content-Security-Policy production has, and are never cached or indexed.
// Handler panics if prefix is not a clean absolute path, as
// http.ServeMux does for a malformed pattern.
func (p *Preview) Handler(prefix string) http.Handler {
	prefix = strings.TrimSuffix(prefix, "/")
	if !prefixRE.MatchString(prefix) || strings.Contains(prefix, "/./") || strings.Contains(prefix+"/", "/../") {
		panic(fmt.Sprintf("preview: bad prefix %q", prefix))
	}
	return &handler{p: p, rw: rewriter{prefix: prefix}}
}

type handler struct {
	p  *Preview
	rw rewriter
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	prefix := h.rw.prefix
	if r.URL.Path == prefix {
		redirect(w, r, prefix+"/")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, prefix+"/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	// URL.Path is decoded, so "%2e%2e" and "..%2f" arrive as "..". Output
	// paths are keys of an in-memory build, never file names, but a ".."
	// is refused outright rather than trusted to find nothing.
	p := "/" + rest
	if strings.ContainsRune(p, 0) || hasDotDot(p) {
		http.Error(w, "Bad request path.", http.StatusBadRequest)
		return
	}
	if navigation(r) {
		if _, err := h.p.Refresh(r.Context()); err != nil && r.Context().Err() == nil && !errors.Is(err, ErrClosed) {
			// The last good build is still served; Studio shows the error
			// where the editor saved.
			h.p.logger.Warn("preview refresh failed", "err", err)
		}
	}
	st := h.p.cur.Load()
	if st == nil {
		hd.Set("Retry-After", "2")
		http.Error(w, "The preview is not ready; reload in a moment.", http.StatusServiceUnavailable)
		return
	}
	for _, kv := range st.headers {
		hd.Set(kv[0], kv[1])
	}
	if rel, data, ok := st.mem.Lookup(p); ok {
		h.serveFile(w, r, st, http.StatusOK, rel, data)
		return
	}
	// A folder asked for without its slash: hosting redirects to it.
	if rel := rest; rel != "" && !strings.HasSuffix(rel, "/") {
		if _, ok := st.mem.ReadFile(rel + "/index.html"); ok {
			redirect(w, r, (&url.URL{Path: prefix + p + "/"}).EscapedPath())
			return
		}
	}
	if data, ok := st.mem.ReadFile("404.html"); ok {
		h.serveFile(w, r, st, http.StatusNotFound, "404.html", data)
		return
	}
	http.Error(w, "Page not found.", http.StatusNotFound)
}

// navigation reports whether r loads a page rather than something a page
// uses. Only navigations check for a new revision: one git call per page
// view rather than per image, and a page's assets come from the build
// that produced the page. Clients that do not say (scripts, tests) count
// as navigations.
func navigation(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Dest") {
	case "", "document", "iframe", "frame":
		return true
	}
	return false
}

// serveFile answers with an output file, its root-relative URLs moved under
// the prefix when it is a page, a style sheet or a search document table.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, st *state, status int, rel string, data []byte) {
	ct := build.ContentType(rel, data)
	data = h.rewritten(st, rel, ct, data)
	w.Header().Set("Content-Type", ct)
	if status == http.StatusOK {
		// For range requests (video, PDF); no-store keeps browsers from
		// making conditional ones.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// rewritten returns data with its URLs moved under the prefix, from the
// state's cache when this file was served before.
func (h *handler) rewritten(st *state, rel, ct string, data []byte) []byte {
	var rewrite func([]byte) []byte
	switch {
	case strings.HasPrefix(ct, "text/html"):
		rewrite = h.rw.html
	case strings.HasPrefix(ct, "text/css"):
		rewrite = h.rw.css
	case strings.HasPrefix(rel, searchDocsDir) && strings.HasSuffix(rel, ".json"):
		rewrite = h.rw.searchDocs
	default:
		return data
	}
	key := h.rw.prefix + "\x00" + rel
	if v, ok := st.rewritten.Load(key); ok {
		return v.([]byte)
	}
	out := rewrite(data)
	st.rewritten.Store(key, out)
	return out
}

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", to)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusMovedPermanently)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, "<!doctype html>\n<title>Moved</title>\n<p>Moved to <a href=\"%s\">%s</a>.</p>\n", html.EscapeString(to), html.EscapeString(to))
	}
}

func hasDotDot(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}
