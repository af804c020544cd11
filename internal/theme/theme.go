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

	"isomer.dev/isomer/internal/site"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/theme.css assets/theme.js
var assetFS embed.FS

// Output paths of the theme's assets, relative to the output root. They live
// under their own folder so they never collide with a site's files.
const (
	cssPath     = "assets/isomer/theme.css"
	jsPath      = "assets/isomer/theme.js"
	siteCSSPath = "assets/isomer/site.css"
)

// Theme holds the parsed templates and assets; it is safe for concurrent use.
type Theme struct {
	tmpl *template.Template
	css  []byte
	js   []byte
	// cssV and jsV are content hashes appended to asset URLs so that a
	// changed theme is never served from a stale cache.
	cssV, jsV string
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
	return &Theme{tmpl: t, css: css, js: js, cssV: version(css), jsV: version(js)}, nil
}

func version(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:4])
}

// Render writes the complete document for d.Page.
func (t *Theme) Render(w io.Writer, d PageData) error {
	v := &view{PageData: d, t: t}
	if err := t.tmpl.ExecuteTemplate(w, "skeleton", v); err != nil {
		return fmt.Errorf("render %s: %w", d.Page.Path, err)
	}
	return nil
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
	return []Asset{
		{Path: cssPath, Data: t.css},
		{Path: jsPath, Data: t.js},
		{Path: siteCSSPath, Data: siteCSS(s.Config.Colors)},
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
