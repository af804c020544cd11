package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"isomer.dev/isomer/internal/studio/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one template set per page: the shared layout plus that page.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2 Jan 2006, 3:04 pm")
	},
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"short": func(rev string) string { return rev[:min(len(rev), 8)] },
	// pathURL escapes each segment of a site path for use in a URL path.
	"pathURL":    escapePath,
	"base":       path.Base,
	"fieldLabel": fieldLabel,
	"dir": func(p string) string {
		d := path.Dir(p)
		if d == "." {
			return ""
		}
		return d
	},
}

// fieldLabels name the front matter fields Isomer pages use in words;
// the key itself is shown alongside, as editors meet it in the files.
var fieldLabels = map[string]string{
	"title":           "Title",
	"permalink":       "Page address (permalink)",
	"description":     "Description for search engines and link previews",
	"third_nav_title": "Sub-folder group in the side menu",
	"layout":          "Layout",
	"variant":         "Editor variant",
	"image":           "Image",
	"date":            "Date",
	"breadcrumb":      "Breadcrumb label",
	"file_url":        "File address",
	"external":        "External link",
}

func fieldLabel(key string) string {
	if l, ok := fieldLabels[key]; ok {
		return l
	}
	return key
}

func loadPages() (*pages, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("studio templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("studio template %s: %w", name, err)
		}
		p.byName[strings.TrimSuffix(name, ".html")] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Title string
	User  *store.User
	Site  *store.Site
	Role  store.Role
	// Notice and Error are one-line messages shown above the content.
	Notice string
	Error  string
	Data   any
}

// IsSiteAdmin says the viewer manages the current site.
func (v view) IsSiteAdmin() bool { return v.Role == store.RoleAdmin }

func (s *Server) newView(r *http.Request, title string, data any) view {
	v := view{Title: title, Data: data, Role: currentRole(r)}
	if u, ok := currentUser(r); ok {
		v.User = &u
	}
	if st := currentSite(r); st.ID != 0 {
		v.Site = &st
	}
	v.Notice = noticeText(r.URL.Query().Get("notice"))
	return v
}

// render writes a page; templates run into a buffer first so a template
// error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.serverError(w, r, fmt.Errorf("no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.serverError(w, r, fmt.Errorf("template %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page with a status and a plain-language message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := s.newView(r, http.StatusText(status), nil)
	v.Error = msg
	s.render(w, r, status, "error", v)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	v := s.newView(r, "Something went wrong", nil)
	v.Error = "Something went wrong on our side. The problem has been logged; please try again."
	t := s.pages.byName["error"]
	var buf bytes.Buffer
	if t == nil || t.ExecuteTemplate(&buf, "layout.html", v) != nil {
		http.Error(w, v.Error, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(buf.Bytes())
}

// redirect answers a form post with 303 See Other and an optional notice
// key (notices are fixed texts, so a link cannot put words in Studio's mouth).
func redirect(w http.ResponseWriter, r *http.Request, to, notice string) {
	if notice != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "notice=" + notice
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

var notices = map[string]string{
	"saved":          "Saved. The preview updates in a moment.",
	"merged":         "Saved, merged with changes someone else made meanwhile.",
	"unchanged":      "Nothing changed, so nothing was saved.",
	"created":        "Created.",
	"moved":          "Moved.",
	"deleted":        "Deleted.",
	"member-added":   "Member added.",
	"member-removed": "Member removed.",
	"role-changed":   "Role changed.",
	"site-created":   "Site created.",
	"signed-out-all": "You have been signed out on every other device.",
}

func noticeText(key string) string { return notices[key] }

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	data, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}
