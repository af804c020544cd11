package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/studio/pagefile"
	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/store"
)

// siteFor opens the current request's site.
func (s *Server) siteFor(w http.ResponseWriter, r *http.Request) (store.Site, *siteState, bool) {
	st := currentSite(r)
	ss, err := s.site(r.Context(), st)
	if err != nil {
		s.serverError(w, r, err)
		return st, nil, false
	}
	return st, ss, true
}

// treeItem is one entry of the content tree.
type treeItem struct {
	Title string
	Path  string // repository path of the file to edit; "" for a heading
	Href  string // the editor's address for Path
	URL   string // site URL, for the preview link
	Items []treeItem
}

type treeSection struct {
	Heading string
	Hint    string
	Folder  string // collection folder ("_about-us") where new pages go
	Items   []treeItem
}

type treeData struct {
	Rev      string
	Sections []treeSection
	Problems []string
	Folders  []string
}

func (s *Server) contentTree(w http.ResponseWriter, r *http.Request) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	head, err := ss.repo.Head(ctx, siterepo.Staging)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ents, err := ss.repo.List(ctx, head)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := treeData{Rev: head}
	if p, err := s.previewOf(ctx, st, ss); err != nil {
		d.Problems = append(d.Problems, "The preview could not start: "+err.Error())
	} else {
		if _, err := p.Refresh(ctx); err != nil {
			d.Problems = append(d.Problems, "The preview could not be updated: "+err.Error())
		}
		if model := p.Site(); model != nil {
			d.Sections = sectionsOf(model)
		}
		for _, dg := range p.Diagnostics() {
			d.Problems = append(d.Problems, dg.String())
		}
	}
	d.Sections = append(d.Sections, filesSection(ents))
	for i := range d.Sections {
		linkItems(st.Slug, d.Sections[i].Items)
	}
	for _, e := range ents {
		if e.IsDir && !strings.Contains(e.Path, "/") && strings.HasPrefix(e.Path, "_") && !isSpecialDir(e.Path) {
			d.Folders = append(d.Folders, e.Path)
		}
	}
	s.render(w, r, http.StatusOK, "tree", s.newView(r, st.Title, d))
}

func linkItems(slug string, items []treeItem) {
	for i := range items {
		if items[i].Path != "" {
			items[i].Href = "/sites/" + slug + "/edit/" + escapePath(items[i].Path)
		}
		linkItems(slug, items[i].Items)
	}
}

func isSpecialDir(p string) bool {
	switch p {
	case "_data", "_includes", "_layouts", "_site", "_plugins", "_sass":
		return true
	}
	return false
}

// sectionsOf arranges a loaded site as editors think of it: homepage and
// contact page, each folder in its navigation order with its sub-folders,
// the resource room, the other pages, and the settings files.
func sectionsOf(m *site.Site) []treeSection {
	var special, pages []treeItem
	for _, p := range m.Pages {
		it := treeItem{Title: pageTitle(p), Path: p.Path, URL: p.URL}
		switch p.Kind {
		case site.KindHomepage:
			it.Title = "Homepage"
			special = append([]treeItem{it}, special...)
		case site.KindContactUs:
			special = append(special, it)
		case site.KindPage, site.KindResourceRoom:
			pages = append(pages, it)
		}
	}
	out := []treeSection{{Heading: "Homepage and contact", Items: special}}
	for _, c := range m.Collections {
		sec := treeSection{Heading: deslugify(c.Name), Folder: "_" + c.Name, Hint: "Folder, in menu order"}
		var group *treeItem
		for _, d := range c.Docs {
			it := treeItem{Title: pageTitle(d), Path: d.Path, URL: d.URL}
			if d.ThirdNavTitle == nil {
				group = nil
				sec.Items = append(sec.Items, it)
				continue
			}
			if group == nil || group.Title != *d.ThirdNavTitle {
				sec.Items = append(sec.Items, treeItem{Title: *d.ThirdNavTitle})
				group = &sec.Items[len(sec.Items)-1]
			}
			group.Items = append(group.Items, it)
		}
		out = append(out, sec)
	}
	if len(m.Categories) > 0 {
		sec := treeSection{Heading: "Resource room", Hint: "Newest first"}
		for _, c := range m.Categories {
			cat := treeItem{Title: deslugify(c.Name)}
			for _, p := range c.Posts {
				cat.Items = append(cat.Items, treeItem{Title: pageTitle(p), Path: p.Path, URL: p.URL})
			}
			sec.Items = append(sec.Items, cat)
		}
		out = append(out, sec)
	}
	if len(pages) > 0 {
		out = append(out, treeSection{Heading: "Other pages", Items: pages})
	}
	return out
}

func pageTitle(p *site.Page) string {
	if strings.TrimSpace(p.Title) != "" {
		return p.Title
	}
	return path.Base(p.Path)
}

// filesSection lists settings and data files.
func filesSection(ents []siterepo.Entry) treeSection {
	sec := treeSection{Heading: "Settings and data", Hint: "Site settings, navigation, footer and other data files"}
	for _, e := range ents {
		if e.IsDir {
			continue
		}
		if e.Path == "_config.yml" || strings.HasPrefix(e.Path, "_data/") || strings.HasSuffix(e.Path, "/collection.yml") {
			sec.Items = append(sec.Items, treeItem{Title: e.Path, Path: e.Path})
		}
	}
	return sec
}

// deslugify is Isomer's folder label: dash-separated words, capitalised.
func deslugify(name string) string {
	words := strings.Split(name, "-")
	for i, w := range words {
		if w != "" {
			r, n := utf8.DecodeRuneInString(w)
			words[i] = strings.ToUpper(string(r)) + w[n:]
		}
	}
	return strings.Join(words, " ")
}

// editData is the editor page's model.
type editData struct {
	Path     string
	Base     string
	Raw      bool
	Text     string // raw mode: the whole file
	Fields   []pagefile.Field
	Body     string
	URL      string // preview URL of the page, if it is one
	Conflict *conflictView
	History  []siterepo.Commit
}

type conflictView struct {
	Head   string
	Theirs string
	Mine   string
	Merged string
}

// editable reports whether a file can be edited as text.
func editable(data []byte) bool {
	return utf8.Valid(data) && !bytes.Contains(data, []byte{0})
}

// fileFor opens the current request's site and checks the file path in it.
func (s *Server) fileFor(w http.ResponseWriter, r *http.Request) (store.Site, *siteState, string, bool) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return st, nil, "", false
	}
	p := r.PathValue("path")
	if err := siterepo.ValidatePath(p); err != nil {
		s.fail(w, r, http.StatusBadRequest, "That file name is not allowed.")
		return st, nil, "", false
	}
	return st, ss, p, true
}

func (s *Server) editForm(w http.ResponseWriter, r *http.Request) {
	st, ss, p, ok := s.fileFor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	head, err := ss.repo.Head(ctx, siterepo.Staging)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data, ok := s.readOrFail(w, r, ss, head, p, "There is no such file in this site.")
	if !ok {
		return
	}
	if !editable(data) {
		s.fail(w, r, http.StatusUnprocessableEntity, "This file is not text, so it cannot be edited here.")
		return
	}
	d := editData{Path: p, Base: head, Raw: r.URL.Query().Get("mode") == "raw", URL: s.pageURL(ctx, st, ss, p)}
	d.History, _ = ss.repo.Log(ctx, siterepo.Staging, p, 10)
	v := s.newView(r, "Edit "+path.Base(p), nil)
	if !d.Raw && isPageFile(p) {
		pg, err := pagefile.Parse(data)
		if err != nil {
			v.Error = "This page's front matter has a problem, so it opens as plain text: " + err.Error()
			d.Raw = true
		} else {
			d.Fields, d.Body = pg.Fields, pg.Body
		}
	} else {
		d.Raw = true
	}
	if d.Raw {
		d.Text = string(data)
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "edit", v)
}

func isPageFile(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".md" || ext == ".markdown" || ext == ".html"
}

// pageURL finds the site URL a file is published at, for preview links.
func (s *Server) pageURL(ctx context.Context, st store.Site, ss *siteState, p string) string {
	pv, err := s.previewOf(ctx, st, ss)
	if err != nil {
		return ""
	}
	m := pv.Site()
	if m == nil {
		return ""
	}
	for _, list := range [][]*site.Page{m.Pages, m.Posts} {
		for _, pg := range list {
			if pg.Path == p {
				return pg.URL
			}
		}
	}
	for _, c := range m.Collections {
		for _, pg := range c.Docs {
			if pg.Path == p {
				return pg.URL
			}
		}
	}
	return ""
}

// saveFile commits an edit. The new content is computed against the
// revision the editor started from (base), so fields the editor did not
// touch are not reverted to what they were then; siterepo merges the result
// with anything committed since, or reports a conflict.
func (s *Server) saveFile(w http.ResponseWriter, r *http.Request) {
	st, ss, p, ok := s.fileFor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	base := r.PostFormValue("base")
	if !isRev(base) {
		s.fail(w, r, http.StatusBadRequest, "The form is missing the revision it was opened at; reload the page and edit again.")
		return
	}
	old, ok := s.readOrFail(w, r, ss, base, p, "This file did not exist when you opened it.")
	if !ok {
		return
	}
	mine, err := editedContent(old, r)
	if err != nil {
		// Show the editor again with what was typed, so nothing is lost.
		v := s.newView(r, "Edit "+path.Base(p), resubmitted(p, base, old, r))
		v.Error = "Not saved: " + err.Error()
		s.render(w, r, http.StatusUnprocessableEntity, "edit", v)
		return
	}
	res, err := s.commit(ctx, r, st, ss, base, "", siterepo.Write(p, mine))
	var ce *siterepo.ConflictError
	if errors.As(err, &ce) {
		d := editData{Path: p, Base: ce.Head, Raw: true, Text: string(mine)}
		if len(ce.Conflicts) > 0 {
			c := ce.Conflicts[0]
			d.Conflict = &conflictView{Head: ce.Head, Theirs: string(c.Head), Mine: string(c.Mine), Merged: string(c.Merged)}
		}
		v := s.newView(r, "Edit "+path.Base(p), d)
		v.Error = "Someone else changed the same part of this file while you were editing. Your version is below: compare it with theirs, then save again."
		s.render(w, r, http.StatusConflict, "edit", v)
		return
	} else if err != nil {
		s.saveFailed(w, r, err)
		return
	}
	notice := "saved"
	switch {
	case res.NoChange:
		notice = "unchanged"
	case len(res.Merged) > 0:
		notice = "merged"
	}
	redirect(w, r, "/sites/"+st.Slug+"/edit/"+escapePath(p), notice)
}

// readOrFail reads p at rev, answering with missing (404) when the file
// is not there or with a server error; ok says whether it answered nothing.
func (s *Server) readOrFail(w http.ResponseWriter, r *http.Request, ss *siteState, rev, p, missing string) (data []byte, ok bool) {
	data, err := ss.repo.ReadFile(r.Context(), rev, p)
	switch {
	case errors.Is(err, siterepo.ErrNotFound):
		s.fail(w, r, http.StatusNotFound, missing)
		return nil, false
	case err != nil:
		s.serverError(w, r, err)
		return nil, false
	}
	return data, true
}

func (s *Server) saveFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, siterepo.ErrInvalidPath), errors.Is(err, siterepo.ErrInvalid):
		s.fail(w, r, http.StatusUnprocessableEntity, "That change is not allowed: "+err.Error())
	case errors.Is(err, siterepo.ErrNotFound):
		s.fail(w, r, http.StatusNotFound, "That file no longer exists.")
	case errors.Is(err, siterepo.ErrExists):
		s.fail(w, r, http.StatusConflict, "A file with that name already exists.")
	case errors.Is(err, siterepo.ErrConflict):
		s.fail(w, r, http.StatusConflict, "Someone else changed the same files meanwhile; reload and try again.")
	default:
		s.serverError(w, r, err)
	}
}

// resubmitted is the editor as the person left it when their save could
// not be applied.
func resubmitted(p, base string, old []byte, r *http.Request) editData {
	d := editData{Path: p, Base: base, Raw: true, Text: r.PostFormValue("text")}
	if r.PostFormValue("mode") == "raw" {
		return d
	}
	pg, err := pagefile.Parse(old)
	if err != nil {
		d.Text = string(old)
		return d
	}
	d.Raw, d.Fields, d.Body = false, pg.Fields, r.PostFormValue("body")
	for i, f := range d.Fields {
		if vals, ok := r.PostForm["field."+f.Key]; ok && f.Kind != pagefile.Complex {
			d.Fields[i].Value = vals[0]
		}
	}
	return d
}

// editedContent builds the file the editor asked for from the file as it
// was at base and the form.
func editedContent(old []byte, r *http.Request) ([]byte, error) {
	if r.PostFormValue("mode") == "raw" {
		text := r.PostFormValue("text")
		return []byte(keepLineEndings(old, text)), nil
	}
	pg, err := pagefile.Parse(old)
	if err != nil {
		return nil, fmt.Errorf("the page's front matter cannot be read (%v); edit it as plain text", err)
	}
	var set []pagefile.Field
	for _, f := range pg.Fields {
		if f.Kind == pagefile.Complex {
			continue
		}
		vals, ok := r.PostForm["field."+f.Key]
		if !ok {
			continue
		}
		v := vals[0]
		if f.Kind == pagefile.Text || strings.Contains(f.Value, "\n") {
			v = strings.ReplaceAll(v, "\r\n", "\n")
		}
		if v != f.Value {
			set = append(set, pagefile.Field{Key: f.Key, Value: v, Kind: f.Kind})
		}
	}
	body := keepLineEndings([]byte(pg.Body), r.PostFormValue("body"))
	out, err := pagefile.Update(old, set, nil, &body)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// keepLineEndings converts the browser's CRLF (forms always send CRLF) back
// to LF unless the original used CRLF, so saving does not rewrite every line.
func keepLineEndings(old []byte, text string) string {
	if bytes.Contains(old, []byte("\r\n")) {
		return text
	}
	return strings.ReplaceAll(text, "\r\n", "\n")
}

func isRev(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// commit saves ops on staging as the current user and records the change
// in the audit log. The commit lands first: if the process dies before the
// audit row is written, reconcile adds it at the next start.
func (s *Server) commit(ctx context.Context, r *http.Request, st store.Site, ss *siteState, base, summary string, ops ...siterepo.Op) (siterepo.Result, error) {
	u, _ := currentUser(r)
	res, err := ss.repo.Save(ctx, siterepo.Change{
		Branch:  siterepo.Staging,
		Base:    base,
		Author:  siterepo.Author{Name: displayName(u), Email: u.Email},
		Summary: summary,
		Message: "Edited in Isomer Studio.",
		Ops:     ops,
	})
	if err != nil || res.NoChange {
		return res, err
	}
	var paths []string
	for _, op := range ops {
		paths = append(paths, op.Path)
		if op.To != "" {
			paths = append(paths, op.To)
		}
	}
	detail, _ := json.Marshal(map[string]any{"paths": paths, "summary": res.Summary, "merged": res.Merged})
	if _, err := s.cfg.DB.Append(context.WithoutCancel(ctx), store.AuditEntry{
		ActorUserID: userRef(u), SiteID: &st.ID, Action: store.ActionContentChange, Detail: detail, Commit: res.Rev,
	}); err != nil {
		s.log.Error("audit entry for a saved change", "site", st.Slug, "commit", res.Rev, "err", err)
	}
	s.refreshPreview(ctx, st, ss)
	return res, nil
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// createPage adds a page named after its title (§11: the file is
// "<title>.md"), in a folder or among the site's pages, and lists it in the
// folder's order.
func (s *Server) createPage(w http.ResponseWriter, r *http.Request) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	title := strings.TrimSpace(r.PostFormValue("title"))
	folder := r.PostFormValue("folder")
	if err := siterepo.ValidateTitle(title); err != nil {
		s.fail(w, r, http.StatusUnprocessableEntity, "Page titles must be 4 to 100 characters and may not contain ~ % ^ * _ + - . / \\ ` ; { } [ ] \" < >.")
		return
	}
	head, err := ss.repo.Head(ctx, siterepo.Staging)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	dir, permalinkBase := "pages", ""
	var ops []siterepo.Op
	if folder != "" {
		if err := siterepo.ValidatePath(folder); err != nil || !strings.HasPrefix(folder, "_") || strings.Contains(folder, "/") || isSpecialDir(folder) {
			s.fail(w, r, http.StatusBadRequest, "That folder does not exist.")
			return
		}
		dir, permalinkBase = folder, strings.TrimPrefix(folder, "_")
		order, err := s.appendToOrder(ctx, ss, head, folder, title+".md")
		if err != nil {
			s.saveFailed(w, r, err)
			return
		}
		ops = append(ops, order)
	}
	p := dir + "/" + title + ".md"
	if _, err := ss.repo.ReadFile(ctx, head, p); err == nil {
		s.fail(w, r, http.StatusConflict, "A page with that title already exists in this folder.")
		return
	}
	permalink := "/" + slug(title) + "/"
	if permalinkBase != "" {
		permalink = "/" + permalinkBase + permalink
	}
	content := fmt.Sprintf("---\nlayout: page\ntitle: %s\npermalink: %s\ndescription: \"\"\n---\nReplace this with the page's content.\n", yamlString(title), permalink)
	ops = append([]siterepo.Op{siterepo.Write(p, []byte(content))}, ops...)
	if _, err := s.commit(ctx, r, st, ss, head, "Create "+p, ops...); err != nil {
		s.saveFailed(w, r, err)
		return
	}
	redirect(w, r, "/sites/"+st.Slug+"/edit/"+escapePath(p), "created")
}

// appendToOrder lists name at the end of a folder's collection.yml order.
func (s *Server) appendToOrder(ctx context.Context, ss *siteState, rev, folder, name string) (siterepo.Op, error) {
	p := folder + "/collection.yml"
	data, err := ss.repo.ReadFile(ctx, rev, p)
	if errors.Is(err, siterepo.ErrNotFound) {
		return siterepo.Write(p, []byte(collectionYML(strings.TrimPrefix(folder, "_"), []string{name}))), nil
	} else if err != nil {
		return siterepo.Op{}, err
	}
	out, err := appendOrder(data, name)
	if err != nil {
		return siterepo.Op{}, fmt.Errorf("%w: %s: %v", siterepo.ErrInvalid, p, err)
	}
	return siterepo.Write(p, out), nil
}

func (s *Server) createFolder(w http.ResponseWriter, r *http.Request) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	slug := Slugify(name)
	if len(name) < 2 || len(name) > 30 || strings.ContainsFunc(name, func(r rune) bool {
		return !(r == ' ' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) || slug == "" || slices.Contains([]string{"data", "includes", "site", "layouts", "files", "images", "misc", "pages"}, slug) {
		s.fail(w, r, http.StatusUnprocessableEntity, "Folder names are 2 to 30 letters, digits, spaces or dashes, and may not be a reserved name (data, includes, site, layouts, files, images, misc, pages).")
		return
	}
	ctx := r.Context()
	head, err := ss.repo.Head(ctx, siterepo.Staging)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := "_" + slug + "/collection.yml"
	if _, err := ss.repo.ReadFile(ctx, head, p); err == nil {
		s.fail(w, r, http.StatusConflict, "A folder with that name already exists.")
		return
	}
	s.commitThenTree(w, r, st, ss, head, "Create folder _"+slug, "created", []siterepo.Op{siterepo.Write(p, []byte(collectionYML(slug, nil)))})
}

// movePath renames or moves a file, or a folder with everything in it.
func (s *Server) movePath(w http.ResponseWriter, r *http.Request) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return
	}
	from, to := r.PostFormValue("from"), strings.TrimSpace(r.PostFormValue("to"))
	if siterepo.ValidatePath(from) != nil || siterepo.ValidatePath(to) != nil {
		s.fail(w, r, http.StatusBadRequest, "That name is not allowed.")
		return
	}
	if isPageFile(to) {
		if err := siterepo.ValidateTitle(strings.TrimSuffix(path.Base(to), path.Ext(to))); err != nil {
			s.fail(w, r, http.StatusUnprocessableEntity, "Page titles must be 4 to 100 characters and may not contain ~ % ^ * _ + - . / \\ ` ; { } [ ] \" < >.")
			return
		}
	}
	ctx := r.Context()
	ops, head, err := s.treeOps(ctx, ss, from, func(p string) siterepo.Op {
		return siterepo.Rename(p, to+strings.TrimPrefix(p, from))
	})
	if err != nil {
		s.saveFailed(w, r, err)
		return
	}
	if isFolder(from) {
		if !isFolder(to) || isSpecialDir(to) || Slugify(to[1:]) != to[1:] {
			s.fail(w, r, http.StatusUnprocessableEntity, "A folder's new name must be an underscore followed by lowercase letters, digits and dashes, like _our-services.")
			return
		}
		more, err := s.folderRenameOps(ctx, ss, head, from, to)
		if err != nil {
			s.saveFailed(w, r, err)
			return
		}
		// The folder's collection.yml is rewritten rather than renamed.
		ops = slices.DeleteFunc(ops, func(op siterepo.Op) bool { return op.Path == from+"/collection.yml" })
		ops = append(ops, more...)
	}
	s.commitThenTree(w, r, st, ss, head, "Move "+from+" to "+to, "moved", ops)
}

// commitThenTree commits ops and returns to the content tree with notice.
func (s *Server) commitThenTree(w http.ResponseWriter, r *http.Request, st store.Site, ss *siteState, head, summary, notice string, ops []siterepo.Op) {
	if _, err := s.commit(r.Context(), r, st, ss, head, summary, ops...); err != nil {
		s.saveFailed(w, r, err)
		return
	}
	redirect(w, r, "/sites/"+st.Slug+"/", notice)
}

func (s *Server) deletePath(w http.ResponseWriter, r *http.Request) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return
	}
	target := r.PostFormValue("path")
	if siterepo.ValidatePath(target) != nil {
		s.fail(w, r, http.StatusBadRequest, "That name is not allowed.")
		return
	}
	ctx := r.Context()
	ops, head, err := s.treeOps(ctx, ss, target, siterepo.Delete)
	if err != nil {
		s.saveFailed(w, r, err)
		return
	}
	s.commitThenTree(w, r, st, ss, head, "Delete "+target, "deleted", ops)
}

// isFolder says p is a top-level collection folder ("_about-us").
func isFolder(p string) bool {
	return strings.HasPrefix(p, "_") && !strings.Contains(p, "/") && len(p) > 1
}

// folderRenameOps keeps a renamed folder a working collection: its
// collection.yml names the new folder, and navigation menus point at it.
func (s *Server) folderRenameOps(ctx context.Context, ss *siteState, rev, from, to string) ([]siterepo.Op, error) {
	var ops []siterepo.Op
	oldName, newName := from[1:], to[1:]
	if data, err := ss.repo.ReadFile(ctx, rev, from+"/collection.yml"); err == nil {
		out, err := renameCollection(data, oldName, newName)
		if err != nil {
			return nil, fmt.Errorf("%w: %s/collection.yml: %v", siterepo.ErrInvalid, from, err)
		}
		ops = append(ops, siterepo.Delete(from+"/collection.yml"), siterepo.Write(to+"/collection.yml", out))
	}
	const nav = "_data/navigation.yml"
	if data, err := ss.repo.ReadFile(ctx, rev, nav); err == nil {
		out, err := renameNavCollection(data, oldName, newName)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", siterepo.ErrInvalid, nav, err)
		}
		if !bytes.Equal(out, data) {
			ops = append(ops, siterepo.Write(nav, out))
		}
	}
	return ops, nil
}

// treeOps makes one op per file at p: the file itself, or every file of
// the folder p.
func (s *Server) treeOps(ctx context.Context, ss *siteState, p string, op func(string) siterepo.Op) ([]siterepo.Op, string, error) {
	head, err := ss.repo.Head(ctx, siterepo.Staging)
	if err != nil {
		return nil, "", err
	}
	ents, err := ss.repo.List(ctx, head)
	if err != nil {
		return nil, "", err
	}
	var ops []siterepo.Op
	for _, e := range ents {
		if !e.IsDir && (e.Path == p || strings.HasPrefix(e.Path, p+"/")) {
			ops = append(ops, op(e.Path))
		}
	}
	if len(ops) == 0 {
		return nil, "", siterepo.ErrNotFound
	}
	return ops, head, nil
}

type historyData struct {
	Commits []siterepo.Commit
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	st, ss, ok := s.siteFor(w, r)
	if !ok {
		return
	}
	commits, err := ss.repo.Log(r.Context(), siterepo.Staging, "", 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "history", s.newView(r, "History of "+st.Title, historyData{Commits: commits}))
}
