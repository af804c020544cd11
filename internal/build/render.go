package build

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"
	"unsafe"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/frontmatter"
	"isomer.dev/isomer/internal/liquid"
	"isomer.dev/isomer/internal/markup"
	"isomer.dev/isomer/internal/search"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/theme"
	"isomer.dev/isomer/internal/tiptap"
)

// renderer turns one page into its output bytes: body content first
// (Liquid, then Markdown for .md files, then Isomer components), then the
// theme layout around it. It is shared by the workers of one build.
type renderer struct {
	site  *site.Site
	theme *theme.Theme
	md    *markup.Converter
	env   string

	liquid *liquid.Engine
	// vars are built on first use: most pages have no Liquid at all.
	varsOnce sync.Once
	vars     *liquidVars

	mu    sync.Mutex
	diags map[string][]diag.Diagnostic // by source path, for pages rendered in this run

	scratch sync.Pool // of *pageScratch

	// searchDocs collects what the search index needs of each page rendered.
	searchDocs map[*site.Page]search.Doc

	// searchScript is the search client's path with its version, hashed
	// once per build rather than once per page.
	searchScript string

	// instagram says some page embeds Instagram (the CSP then allows its script).
	instagram bool
	// feedHTML caches the rendered bodies that feeds carry, across builds.
	// feedBodies are the posts whose bodies page adds to it as it renders
	// them (see captureFeedBodies).
	feedHTML   map[*site.Page][]byte
	feedBodies map[*site.Page]bool
	// In a partial rebuild (partial), the site-wide files of the last build
	// (previous) are reused, except feeds when a post changed (changedPost):
	// nothing else they show can change without a full rebuild.
	previous    []file
	partial     bool
	changedPost bool
}

func newRenderer(s *site.Site, th *theme.Theme, md *markup.Converter, env string) *renderer {
	r := &renderer{
		site:  s,
		theme: th,
		env:   env,
		diags: map[string][]diag.Diagnostic{},
		md:    md,

		searchDocs: map[*site.Page]search.Doc{},

		searchScript: "/" + search.ScriptPath + "?v=" + search.ScriptVersion(),
	}
	r.scratch.New = func() any { return new(pageScratch) }
	var includes []fs.FS
	if sub, err := fs.Sub(s.FS, "_includes"); err == nil {
		includes = append(includes, sub)
	}
	// After the site's own includes, the theme's parts by the names of
	// Isomer's includes, for sites that ship their own layouts.
	includes = append(includes, themeIncludes())
	r.liquid = liquid.New(liquid.Config{
		Includes:    includes,
		Site:        s.FS,
		SiteURL:     s.Config.URL,
		BaseURL:     s.Config.BaseURL,
		Markdownify: r.markdown,
		Now:         func() time.Time { return s.Time },
		Location:    s.Time.Location(),
	})
	return r
}

func (r *renderer) liquidVars() *liquidVars {
	r.varsOnce.Do(func() { r.vars = newLiquidVars(r.site, r.env) })
	return r.vars
}

// markdown converts Markdown the way kramdown does under Jekyll.
func (r *renderer) markdown(src []byte) ([]byte, error) {
	return r.markdownInto(new(bytes.Buffer), src)
}

func (r *renderer) markdownInto(buf *bytes.Buffer, src []byte) ([]byte, error) {
	buf.Grow(len(src) + len(src)/4)
	if err := r.md.Convert(buf, src); err != nil {
		return nil, fmt.Errorf("convert Markdown: %w", err)
	}
	return buf.Bytes(), nil
}

func (r *renderer) report(p *site.Page, d diag.Diagnostic) {
	r.mu.Lock()
	r.diags[p.Path] = append(r.diags[p.Path], d)
	r.mu.Unlock()
}

// content renders a page body to HTML as Isomer's Jekyll build does (Liquid,
// then kramdown for Markdown files, Tiptap pages included), then rewrites
// Isomer's rich-text components as accessible markup.
func (r *renderer) content(p *site.Page) ([]byte, error) {
	return r.contentInto(new(bytes.Buffer), new(tiptap.Transformer), p)
}

// contentInto is content with the Markdown output in buf and the
// components rewritten by tr, whose memory the result may share: a page
// render lends both from its scratch, and writes the page before they are
// used again.
func (r *renderer) contentInto(buf *bytes.Buffer, tr *tiptap.Transformer, p *site.Page) ([]byte, error) {
	body := p.Body
	if bytes.Contains(body, []byte("{{")) || bytes.Contains(body, []byte("{%")) {
		var diags []diag.Diagnostic
		body, diags = r.liquid.Render(body, p.Path, p.BodyLine, r.liquidVars().forPage(p))
		for _, d := range diags {
			r.report(p, d)
		}
	}
	if p.Markdown {
		var err error
		if body, err = r.markdownInto(buf, body); err != nil {
			return nil, err
		}
	}
	if p.OutputExt != ".html" {
		return body, nil
	}
	return tr.Transform(body), nil
}

// pageScratch is the memory one page render works in, lent from the
// renderer's pool and kept from page to page: a large site's build
// allocated much of its memory in fresh buffers for each page.
type pageScratch struct {
	markdown bytes.Buffer
	tiptap   tiptap.Transformer
	search   search.PageReader
}

// page renders p into buf. A problem is reported as a diagnostic of p and
// the page is still written with what could be rendered.
func (r *renderer) page(buf *bytes.Buffer, p *site.Page) {
	scratch := r.scratch.Get().(*pageScratch)
	defer func() {
		scratch.markdown.Reset()
		r.scratch.Put(scratch)
	}()
	content, err := r.contentInto(&scratch.markdown, &scratch.tiptap, p)
	if err != nil {
		r.report(p, diag.Diagnostic{Path: p.Path, Line: p.BodyLine, Severity: diag.Error, Message: err.Error()})
	}
	if r.feedBodies[p] {
		body := bytes.Clone(content) // content is in the scratch's memory
		r.mu.Lock()
		r.feedHTML[p] = body
		r.mu.Unlock()
	}
	if searchable(p) {
		d := searchDoc(&scratch.search, r.site, p, content)
		r.mu.Lock()
		r.searchDocs[p] = d
		r.mu.Unlock()
	}
	switch p.Layout {
	case "none", "blank", "file", "link":
		// No layout: Jekyll writes the converted body alone (file and link
		// layouts do not exist in Isomer's theme).
		buf.Write(content)
		return
	}
	if !r.theme.HasLayout(p.Layout) && r.site.Layouts[p.Layout] == "" {
		r.report(p, diag.Diagnostic{Path: p.Path, Severity: diag.Warning, Message: fmt.Sprintf("layout %q does not exist; the page uses the page layout", p.Layout)})
	}
	mark := buf.Len()
	data := theme.PageData{Site: r.site, Page: p, Content: borrowHTML(content), Env: r.env,
		SearchScript: r.searchScript, SearchIndex: "/" + search.IndexPath}
	if r.site.Layouts[p.Layout] != "" {
		html, outer := r.siteLayouts(p, data, content)
		switch outer {
		case "none", "":
			buf.Write(html) // the site's layout wrote the whole document
			return
		case "skeleton", "default":
			data.Bare = true
		}
		data.Content = borrowHTML(html)
	}
	if err := r.theme.Render(buf, data); err != nil {
		buf.Truncate(mark)
		buf.Write(content)
		r.report(p, diag.Diagnostic{Path: p.Path, Severity: diag.Error, Message: err.Error()})
	}
}

// borrowHTML lends b to the theme as HTML without copying it. The theme
// only reads a page's content while it writes that page, and b is not
// changed before then; copying every page's content (some 150 MB at 10,000
// pages) showed in the build's allocations.
func borrowHTML(b []byte) template.HTML {
	return template.HTML(unsafe.String(unsafe.SliceData(b), len(b)))
}

// notFoundPage is the theme's 404 page, for sites without their own
// (hosting serves /404.html for every unknown path).
func (r *renderer) notFoundPage() []byte {
	p := &site.Page{Path: "404.html", Kind: site.KindNotFound, Title: "Page not found", Layout: "page",
		URL: "/404.html", OutputPath: "404.html", OutputExt: ".html", FrontMatter: map[string]any{}, Written: true}
	var buf bytes.Buffer
	if err := r.theme.Render(&buf, theme.PageData{Site: r.site, Page: p, Env: r.env}); err != nil {
		return nil
	}
	return buf.Bytes()
}

// feedList is one Atom feed: the resource room's or a category's.
type feedList struct {
	path, title string
	posts       []*site.Page
}

// feedLists are the feeds of the resource room and each of its categories,
// except where the site has its own file.
func (r *renderer) feedLists() []feedList {
	s := r.site
	if len(s.Posts) == 0 {
		return nil
	}
	var out []feedList
	add := func(rel, title string, posts []*site.Page) {
		if _, own := s.Routes[rel]; !own {
			out = append(out, feedList{rel, title, posts})
		}
	}
	add("feed.xml", s.Config.Title, s.Posts)
	if s.Config.ResourcesName != "" {
		for _, c := range s.ResourceCategories() {
			rel := s.Config.ResourcesName + "/" + c.Name + "/feed.xml"
			add(rel, s.Config.Title+" – "+c.Name, c.Posts)
		}
	}
	return out
}

// writesFeeds says whether this run writes the feeds: a full build does,
// and a partial one only when a post changed (siteFiles keeps the last
// build's otherwise).
func (r *renderer) writesFeeds() bool {
	return !r.partial || r.previous == nil || r.changedPost
}

// captureFeedBodies marks the posts whose bodies this run's feeds carry and
// feedHTML lacks, so that page keeps a copy as it renders them rather than
// feedFiles converting them again.
func (r *renderer) captureFeedBodies() {
	if !r.writesFeeds() {
		return
	}
	r.feedBodies = map[*site.Page]bool{}
	for _, f := range r.feedLists() {
		for _, p := range f.posts[:min(len(f.posts), feedLimit)] {
			if _, ok := r.feedHTML[p]; !ok && p.ResourceType == "post" {
				r.feedBodies[p] = true
			}
		}
	}
}

// feedFiles are the feeds this run writes (see writesFeeds). They carry
// post bodies, so the build makes them once the pages are rendered.
func (r *renderer) feedFiles() []file {
	if !r.writesFeeds() {
		return nil
	}
	var out []file
	for _, f := range r.feedLists() {
		if data := r.feed(f.path, f.title, f.posts); data != nil {
			out = append(out, file{Path: f.path, Data: data})
		}
	}
	return out
}

// file is a site-wide output file made by the build itself.
type file struct {
	Path string
	Data []byte
}

// siteFiles are the files that depend on the whole site rather than one
// page: theme assets, and the indexes a site needs, except the feeds
// (feedFiles).
func (r *renderer) siteFiles() []file {
	if r.partial && r.previous != nil {
		out := make([]file, 0, len(r.previous))
		for _, f := range r.previous {
			switch {
			case f.Path == "_headers":
				f.Data = headersFile(r.site, r.instagram)
			case r.changedPost && path.Base(f.Path) == "feed.xml":
				continue
			}
			out = append(out, f)
		}
		return out
	}
	var out []file
	s := r.site
	for _, a := range r.theme.Assets(s) {
		out = append(out, file{Path: a.Path, Data: a.Data})
	}
	// A site's own file at the same path wins over a generated one.
	add := func(rel string, data []byte) {
		if _, own := s.Routes[rel]; !own && data != nil {
			out = append(out, file{Path: rel, Data: data})
		}
	}
	add("sitemap.xml", sitemap(s, r.env))
	add("404.html", r.notFoundPage())
	add("robots.txt", robots(s, r.env))
	add("_headers", headersFile(s, r.instagram))
	for _, f := range r.redirects() {
		if f.Path == "_redirects" {
			out = append(out, f) // merges the site's own _redirects
			continue
		}
		add(f.Path, f.Data)
	}
	return out
}

// themeIncludes are the theme's parts as Liquid includes, by the names of
// Isomer's includes; each prints a variable that siteLayouts fills for the
// page being rendered.
//
//go:embed themeincludes/*.html
var themeIncludeFiles embed.FS

func themeIncludes() fs.FS {
	sub, _ := fs.Sub(themeIncludeFiles, "themeincludes")
	return sub
}

// maxLayoutDepth bounds a chain of layouts that name each other.
const maxLayoutDepth = 10

// siteLayouts applies the site's own Liquid layouts (_layouts/*.html) to a
// page's content, following each layout's own layout: key, as Jekyll does.
// It returns the result and the name of the layout the chain ends in: a
// theme layout that still wraps it, or "none" when the site's layouts wrote
// the whole document.
func (r *renderer) siteLayouts(p *site.Page, data theme.PageData, content []byte) ([]byte, string) {
	parts, err := r.theme.Partials(data)
	if err != nil {
		r.report(p, diag.Diagnostic{Path: p.Path, Severity: diag.Error, Message: err.Error()})
	}
	partVars := map[string]any{}
	for name, html := range parts {
		partVars[strings.ReplaceAll(strings.TrimSuffix(name, ".html"), "-", "_")] = html
	}
	name := p.Layout
	for range maxLayoutDepth {
		file := r.site.Layouts[name]
		if file == "" {
			return content, name
		}
		src, err := fs.ReadFile(r.site.FS, file)
		if err != nil {
			r.report(p, diag.Diagnostic{Path: file, Severity: diag.Error, Message: fmt.Sprintf("cannot read layout: %v", err)})
			return content, "page"
		}
		body, line, fm := src, 1, map[string]any{}
		if doc, err := frontmatter.Split(src); err == nil {
			body, line = doc.Body, doc.BodyLine
			if m, err := frontmatter.Decode(doc.YAML); err == nil {
				fm = m
			} else {
				r.report(p, diag.Diagnostic{Path: file, Line: 2, Severity: diag.Error, Message: "invalid YAML in the layout's front matter: " + err.Error()})
			}
		}
		vars := map[string]any{}
		for k, v := range r.liquidVars().forPage(p) {
			vars[k] = v
		}
		vars["content"], vars["layout"], vars["isomer_theme"] = string(content), fm, partVars
		var diags []diag.Diagnostic
		content, diags = r.liquid.Render(body, file, line, vars)
		for _, d := range diags {
			r.report(p, d)
		}
		next, ok := fm["layout"]
		if !ok || next == nil {
			return content, "none"
		}
		name = fmt.Sprint(next)
	}
	r.report(p, diag.Diagnostic{Path: r.site.Layouts[p.Layout], Severity: diag.Error, Message: fmt.Sprintf("layouts name each other more than %d deep", maxLayoutDepth)})
	return content, "none"
}
