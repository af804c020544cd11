package build

import (
	"path"
	"strings"

	"isomer.dev/isomer/internal/site"
)

// liquidVars builds the variables Jekyll gives Liquid: site (config keys,
// data, pages, posts, collections, categories, time), page and jekyll.
// The site map is built once per build and shared read-only by every page.
type liquidVars struct {
	site   map[string]any
	pages  map[*site.Page]map[string]any
	jekyll map[string]any
}

func newLiquidVars(s *site.Site, env string) *liquidVars {
	v := &liquidVars{pages: map[*site.Page]map[string]any{}}
	pageVars := func(p *site.Page) map[string]any {
		if m, ok := v.pages[p]; ok {
			return m
		}
		m := pageDrop(p)
		v.pages[p] = m
		return m
	}
	sm := make(map[string]any, len(s.Config.Raw)+12)
	for k, val := range s.Config.Raw {
		sm[k] = val
	}
	sm["data"] = s.Data
	sm["time"] = s.Time
	sm["baseurl"] = s.Config.BaseURL
	sm["url"] = s.Config.URL

	var pages, htmlPages []any
	for _, p := range s.Pages {
		pv := pageVars(p)
		pages = append(pages, pv)
		if p.OutputExt == ".html" {
			htmlPages = append(htmlPages, pv)
		}
	}
	sm["pages"] = pages
	sm["html_pages"] = htmlPages

	posts := make([]any, 0, len(s.Posts))
	for _, p := range s.Posts {
		posts = append(posts, pageVars(p))
	}
	sm["posts"] = posts
	categories := map[string]any{}
	for _, c := range s.Categories {
		list := make([]any, 0, len(c.Posts))
		for _, p := range c.Posts {
			list = append(list, pageVars(p))
		}
		categories[c.Name] = list
	}
	sm["categories"] = categories

	collections := []any{map[string]any{"label": "posts", "docs": posts, "output": true, "relative_directory": "_posts"}}
	var documents []any
	for _, c := range s.Collections {
		docs := make([]any, 0, len(c.Docs))
		for _, d := range c.Docs {
			docs = append(docs, pageVars(d))
		}
		documents = append(documents, docs...)
		sm[c.Name] = docs
		collections = append(collections, map[string]any{"label": c.Name, "docs": docs, "output": c.Output, "relative_directory": "_" + c.Name})
	}
	sm["collections"] = collections
	sm["documents"] = append(documents, posts...)
	v.site = sm
	v.jekyll = map[string]any{"environment": env, "version": "4.3.1"}
	return v
}

// forPage returns the variables for rendering p's body.
func (v *liquidVars) forPage(p *site.Page) map[string]any {
	return map[string]any{"site": v.site, "page": v.pages[p], "jekyll": v.jekyll, "paginator": nil}
}

// pageDrop is page.* as Jekyll exposes it: every front matter key plus the
// computed url, path, collection, date and categories.
func pageDrop(p *site.Page) map[string]any {
	m := make(map[string]any, len(p.FrontMatter)+10)
	for k, val := range p.FrontMatter {
		m[k] = val
	}
	m["url"] = p.URL
	m["path"] = p.Path
	m["name"] = path.Base(p.Path)
	m["dir"] = path.Dir("/"+p.Path) + "/"
	if p.Permalink != "" {
		m["permalink"] = p.Permalink
	}
	if p.Collection != nil {
		m["collection"] = p.Collection.Name
		m["relative_path"] = p.Path
		m["id"] = strings.TrimSuffix(p.URL, p.OutputExt)
	}
	if p.Kind == site.KindPost {
		m["collection"] = "posts"
		m["date"] = p.Date
		cats := make([]any, len(p.Categories))
		for i, c := range p.Categories {
			cats[i] = c
		}
		m["categories"] = cats
		m["slug"] = p.Slug
		m["id"] = strings.TrimSuffix(p.URL, p.OutputExt)
	}
	if _, ok := m["title"]; !ok && p.Kind == site.KindPost {
		m["title"] = p.Slug
	}
	m["content"] = string(p.Body)
	return m
}
