package build

import (
	"sort"

	"isomer.dev/isomer/internal/search"
	"isomer.dev/isomer/internal/site"
)

// searchable reports whether a page belongs in the site search: every
// written HTML page except the search page itself and the 404 page.
func searchable(p *site.Page) bool {
	return p.Written && p.OutputExt == ".html" && p.Kind != site.KindSearch && p.Kind != site.KindNotFound
}

// searchDoc describes a rendered page for the search index; content is its
// body HTML (without the theme, so navigation is not indexed on every page).
// It runs as each page is rendered, so the words are counted there, in
// parallel, and searchFiles only merges them.
func searchDoc(reader *search.PageReader, s *site.Site, p *site.Page, content []byte) search.Doc {
	d := search.Doc{URL: s.Config.BaseURL + p.URL, Title: p.Title, Kind: "page"}
	if p.Kind == site.KindPost {
		d.Kind, d.Date = "post", p.Date.Format("2006-01-02")
	}
	return reader.Doc(d, content)
}

// searchFiles builds the search index over the pages of s, using the docs
// rendered so far, plus the file and link items that have no page.
func searchFiles(s *site.Site, docs map[*site.Page]search.Doc) []file {
	var list []search.Doc
	for _, o := range s.Routes {
		if o.Page == nil || !searchable(o.Page) {
			continue
		}
		if d, ok := docs[o.Page]; ok {
			list = append(list, d)
		}
	}
	for _, p := range s.Posts {
		if p.ResourceType == "post" {
			continue
		}
		d := search.Doc{URL: p.Link(), Title: p.Title, Text: p.Description, Kind: "file", Date: p.Date.Format("2006-01-02")}
		if p.ResourceType == "link" {
			d.Kind = "post"
		} else if d.URL != "" && d.URL[0] == '/' {
			d.URL = s.Config.BaseURL + d.URL
		}
		list = append(list, d)
	}
	// Several items can share a URL (file items pointing at one file), so
	// the order must not depend on map iteration. A page's Text is only the
	// start of its text (see search.PageDoc): it orders the page as the
	// whole text would, unless another item's text begins with all of it.
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.URL != b.URL {
			return a.URL < b.URL
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.Date+a.Kind+a.Text < b.Date+b.Kind+b.Text
	})
	var out []file
	for _, f := range search.Index(list) {
		out = append(out, file{Path: f.Path, Data: f.Data})
	}
	for _, f := range search.Assets() {
		out = append(out, file{Path: f.Path, Data: f.Data})
	}
	return out
}
