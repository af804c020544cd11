// Package theme renders a page's rendered content into a complete HTML
// document in the look of Isomer's classic theme: the government masthead,
// the navbar, breadcrumbs, the layout of each page kind and the footer.
//
// Everything is rendered with html/template from the site model, and the
// theme's stylesheet and script are embedded files written next to the site
// (Assets). The markup is built to pass WCAG 2.2 AA under a strict
// Content-Security-Policy: no inline script or style, menus and accordions
// are native disclosures that work without JavaScript.
package theme

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"strings"
	"sync"

	"isomer.dev/isomer/internal/site"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/theme.css assets/theme.js
var assetFS embed.FS

// AssetDir is the output folder of the theme's assets. Their file names
// carry a hash of their content, so they can be cached forever: a changed
// file gets a new name. The folder is the theme's own, so it never collides
// with a site's files.
const AssetDir = "assets/isomer/"

// Theme holds the parsed templates and assets; it is safe for concurrent use.
type Theme struct {
	tmpl *template.Template
	css  []byte
	js   []byte
	// cssPath and jsPath are the hashed output paths of css and js.
	cssPath, jsPath string

	// siteCSS caches the colour stylesheet of the last palette asked for:
	// every page of a build links it.
	mu          sync.Mutex
	siteColors  string
	siteCSSPath string
	siteCSSData []byte

	stencils *stencils
	chrome   chrome
}

// PageData is everything a layout sees.
type PageData struct {
	Site *site.Site
	Page *site.Page
	// Content is the page body after Liquid, Markdown and component rendering.
	Content template.HTML
	// Env is "production" or "staging".
	Env string
	// SearchScript is the site path of the search client ("/assets/search/search.js")
	// that the search page loads; empty while the site has no search index.
	SearchScript string
	// SearchIndex is the site path of the search index manifest the script reads.
	SearchIndex string
	// Bare puts Content directly between the site header and footer, with
	// no page layout: for pages laid out by a site's own _layouts file.
	Bare bool
}

// New parses the embedded templates.
func New() (*Theme, error) {
	t, err := template.New("").Funcs(funcs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse theme templates: %w", err)
	}
	css, err := assetFS.ReadFile("assets/theme.css")
	if err != nil {
		return nil, err
	}
	js, err := assetFS.ReadFile("assets/theme.js")
	if err != nil {
		return nil, err
	}
	stencils, err := newStencils(t,
		reflect.TypeFor[pageValues](), reflect.TypeFor[sideNavItem](), reflect.TypeFor[card](), reflect.TypeFor[navbarEntry](), reflect.TypeFor[navbarChild]())
	if err != nil {
		return nil, fmt.Errorf("theme templates: %w", err)
	}
	return &Theme{
		tmpl: t, css: css, js: js, cssPath: hashedName("theme", ".css", css), jsPath: hashedName("theme", ".js", js),
		stencils: stencils,
	}, nil
}

// hashedName is AssetDir/<base>.<hash of data><ext>.
func hashedName(base, ext string, data []byte) string {
	h := sha256.Sum256(data)
	return AssetDir + base + "." + hex.EncodeToString(h[:5]) + ext
}

// siteStylesheet returns the output path and bytes of the colour
// stylesheet for c.
func (t *Theme) siteStylesheet(c site.Colors) (string, []byte) {
	key := c.Primary + "\x00" + c.Secondary + "\x00" + strings.Join(c.MediaColors, "\x00")
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.siteColors != key || t.siteCSSData == nil {
		data := siteCSS(c)
		t.siteColors, t.siteCSSData, t.siteCSSPath = key, data, hashedName("site", ".css", data)
	}
	return t.siteCSSPath, t.siteCSSData
}

// Render writes the complete document for d.Page.
func (t *Theme) Render(w io.Writer, d PageData) error {
	if err := t.render(w, d); err != nil {
		return fmt.Errorf("render %s: %w", d.Page.Path, err)
	}
	return nil
}

// render writes the parts of the document in order (see skeleton.html).
// Only headtags and the layout are the page's own; the other parts are
// rendered once per build.
func (t *Theme) render(w io.Writer, d PageData) error {
	v, err := t.newView(d)
	if err != nil {
		return err
	}
	start, err := v.fragment("document-start", "", v)
	if err != nil {
		return err
	}
	bodyStart, err := v.fragment("body-start", v.Layout+"\x00"+v.navKey, v)
	if err != nil {
		return err
	}
	end, err := v.fragment("document-end", "", v)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, string(start)); err != nil {
		return err
	}
	if err := t.stencils.execute(w, "headtags", v.Values); err != nil {
		return err
	}
	if _, err := io.WriteString(w, string(bodyStart)); err != nil {
		return err
	}
	switch {
	case d.Bare:
		_, err = io.WriteString(w, string(d.Content))
	case showsOnlyValues(v.Layout):
		err = t.stencils.execute(w, v.Layout, v.Values)
	default:
		err = t.tmpl.ExecuteTemplate(w, v.Layout, v)
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, string(end))
	return err
}

// showsOnlyValues reports whether a layout shows nothing but the page's own
// values: those execute on pageValues, and are stenciled.
func showsOnlyValues(layout string) bool {
	switch layout {
	case "page", "post", "leftnav":
		return true
	}
	return false
}

// Partials renders the theme's parts for a site's own Liquid layouts, by
// the names of Isomer's includes: head.html (the tags inside <head>),
// agencyhead.html (masthead and navbar), header-breadcrumb.html, and
// footer.html. masthead.html and main_scripts.html are empty: the header
// holds the masthead, and scripts load from head.html.
func (t *Theme) Partials(d PageData) (map[string]string, error) {
	v, err := t.newView(d)
	if err != nil {
		return nil, err
	}
	var head, breadcrumb strings.Builder
	if err := t.stencils.execute(&head, "headtags", v.Values); err != nil {
		return nil, fmt.Errorf("render head.html: %w", err)
	}
	if err := t.stencils.execute(&breadcrumb, "breadcrumb", v.Values); err != nil {
		return nil, fmt.Errorf("render header-breadcrumb.html: %w", err)
	}
	headSite, err := v.HeadSite()
	if err != nil {
		return nil, err
	}
	header, err := v.Header()
	if err != nil {
		return nil, err
	}
	footer, err := v.Footer()
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"masthead.html": "", "main_scripts.html": "",
		"head.html": head.String() + string(headSite), "header-breadcrumb.html": breadcrumb.String(),
		"agencyhead.html": string(header), "footer.html": string(footer),
	}, nil
}

// Asset is a file the theme adds to every built site (CSS, JavaScript,
// the colour stylesheet generated from _config.yml).
type Asset struct {
	// Path is the output path, slash-separated, relative to the output root.
	Path string
	Data []byte
}

// Assets returns the files the theme needs in the output of s.
func (t *Theme) Assets(s *site.Site) []Asset {
	sitePath, siteData := t.siteStylesheet(s.Config.Colors)
	return []Asset{
		{Path: t.cssPath, Data: t.css},
		{Path: t.jsPath, Data: t.js},
		{Path: sitePath, Data: siteData},
	}
}

// HasLayout reports whether the theme provides a layout of that name.
func (t *Theme) HasLayout(name string) bool {
	switch name {
	case "page", "homepage", "contact_us", "post", "resources", "resources-alt", "search", "skeleton", "blank", "none", "file", "link", "simple-page", "leftnav-page", "leftnav-page-content":
		return true
	}
	return false
}
