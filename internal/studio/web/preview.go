package web

import (
	"net/http"

	"isomer.dev/isomer/internal/studio/preview"
	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/store"
)

// previewFor opens the current request's site and its preview.
func (s *Server) previewFor(w http.ResponseWriter, r *http.Request) (store.Site, *siteState, *preview.Preview, bool) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return st, nil, nil, false
	}
	p, err := s.previewOf(r.Context(), st, ss)
	if err != nil {
		s.serverError(w, r, err)
		return st, nil, nil, false
	}
	return st, ss, p, true
}

// servePreview serves the site's staging branch as built by the engine.
func (s *Server) servePreview(w http.ResponseWriter, r *http.Request) {
	st, _, p, ok := s.previewFor(w, r)
	if !ok {
		return
	}
	// Studio's own CSP is replaced by the site's: the preview must run
	// under the policy production uses.
	w.Header().Del("Content-Security-Policy")
	w.Header().Del("X-Frame-Options")
	p.Handler("/sites/"+st.Slug+"/preview").ServeHTTP(w, r)
}

type previewStatusData struct {
	Ready    bool
	Rev      string
	Head     string
	Problems int
}

// previewStatus is a fragment (polled by htmx on the editor) saying whether
// the preview shows the latest save.
func (s *Server) previewStatus(w http.ResponseWriter, r *http.Request) {
	st, ss, p, ok := s.previewFor(w, r)
	if !ok {
		return
	}
	head, err := ss.repo.Head(r.Context(), siterepo.Staging)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := previewStatusData{Rev: p.Rev(), Head: head, Problems: len(p.Diagnostics())}
	d.Ready = d.Rev == head
	if !d.Ready {
		s.refreshPreview(r.Context(), st, ss)
	}
	t := s.pages.byName["previewstatus"]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := t.ExecuteTemplate(w, "status", d); err != nil {
		s.log.Error("preview status", "err", err)
	}
}
