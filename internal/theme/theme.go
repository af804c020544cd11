// Package theme renders a page's rendered content into a complete HTML
// document: the site chrome (navigation, breadcrumbs, footer) and the
// layout of each Isomer page kind.
package theme

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"isomer.dev/isomer/internal/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// Theme holds the parsed templates; it is safe for concurrent use.
type Theme struct {
	tmpl *template.Template
}

// PageData is everything a layout sees.
type PageData struct {
	Site *site.Site
	Page *site.Page
	// Content is the page body after Liquid, Markdown and component rendering.
	Content template.HTML
	// Env is "production" or "staging".
	Env string
}

// New parses the embedded templates.
func New() (*Theme, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"sideNav":  func(c *site.Collection) []site.NavEntry { return c.SideNav() },
		"menuNav":  func(c *site.Collection) []site.NavEntry { return c.MenuNav() },
		"crumbs":   func(s *site.Site, p *site.Page) []site.Crumb { return s.Breadcrumbs(p) },
		"unsafe":   func(s string) template.HTML { return template.HTML(s) },
		"external": func(u string) bool { return strings.HasPrefix(strings.TrimSpace(u), "http://") || strings.HasPrefix(strings.TrimSpace(u), "https://") },
		"date":     func(p *site.Page) string { return p.Date.Format("02 Jan 2006") },
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse theme templates: %w", err)
	}
	return &Theme{tmpl: t}, nil
}

// Render writes the complete document for d.Page.
func (t *Theme) Render(w io.Writer, d PageData) error {
	if err := t.tmpl.ExecuteTemplate(w, "skeleton.html", d); err != nil {
		return fmt.Errorf("render %s: %w", d.Page.Path, err)
	}
	return nil
}

// Asset is a file the theme adds to every built site (CSS, JavaScript,
// icons, the colour stylesheet generated from _config.yml).
type Asset struct {
	// Path is the output path, slash-separated, relative to the output root.
	Path string
	Data []byte
}

// Assets returns the files the theme needs in the output of s.
func (t *Theme) Assets(s *site.Site) []Asset {
	return nil
}

// HasLayout reports whether the theme provides a layout of that name.
func (t *Theme) HasLayout(name string) bool {
	switch name {
	case "page", "homepage", "contact_us", "post", "resources", "resources-alt", "search", "skeleton", "blank", "none", "file", "link", "simple-page", "leftnav-page", "leftnav-page-content":
		return true
	}
	return false
}
