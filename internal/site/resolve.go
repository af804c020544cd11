package site

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"isomer.dev/isomer/internal/diag"
)

// resolve computes everything that depends on more than one file: orders,
// URLs, the route table and cross-file checks.
func resolve(s *Site, diags *diag.List, navLines []int) {
	sortPagesByName(s.Pages)
	sort.SliceStable(s.Static, func(i, j int) bool { return s.Static[i].Path < s.Static[j].Path })
	for _, c := range s.Collections {
		orderDocs(c)
		for i, d := range c.Docs {
			d.Index = i
		}
	}
	resolvePosts(s)
	for _, p := range s.Pages {
		setURL(p, pageURL)
	}
	for _, c := range s.Collections {
		for _, d := range c.Docs {
			setURL(d, docURL)
			d.Written = c.Output
		}
	}
	for _, p := range s.Posts {
		setURL(p, postURL)
		// File and link items are cards that point elsewhere; Jekyll renders
		// them to pages nothing links to, so they are not written.
		if p.ResourceType != "post" {
			p.Written = false
		}
	}
	buildRoutes(s, diags)
	s.pageURLs, s.postURLs = firstByURL(s.Pages), firstByURL(s.Posts)
	checkNavigation(s, diags, navLines)
	checkHomepage(s, diags)
}

// firstByURL maps each URL to the first page in pages that has it.
func firstByURL(pages []*Page) map[string]*Page {
	m := make(map[string]*Page, len(pages))
	for _, p := range pages {
		if _, ok := m[p.URL]; !ok {
			m[p.URL] = p
		}
	}
	return m
}

func setURL(p *Page, fallback func(*Page) string) {
	if p.OutputPath != "" {
		return // kept from an earlier load: its inputs have not changed
	}
	if p.Permalink != "" {
		p.URL = sanitizeURL(p.Permalink)
	} else {
		p.URL = fallback(p)
	}
	p.OutputPath = OutputPathFor(p.URL, p.OutputExt)
}

// orderDocs puts a collection's documents in Jekyll's order: sorted by path,
// then, when the collection has an order list, listed documents first in
// that order (entries matching nothing, like Sub Folder/.keep, are dropped)
// and the rest appended in path order.
func orderDocs(c *Collection) {
	sort.SliceStable(c.Docs, func(i, j int) bool { return c.Docs[i].Path < c.Docs[j].Path })
	if len(c.Order) == 0 {
		return
	}
	byPath := make(map[string]*Page, len(c.Docs))
	for _, d := range c.Docs {
		byPath[d.Path] = d
	}
	ordered := make([]*Page, 0, len(c.Docs))
	placed := map[*Page]bool{}
	for _, entry := range c.Order {
		d := byPath[path.Join("_"+c.Name, entry)]
		if d == nil || placed[d] {
			continue
		}
		placed[d] = true
		ordered = append(ordered, d)
	}
	for _, d := range c.Docs {
		if !placed[d] {
			ordered = append(ordered, d)
		}
	}
	c.Docs = ordered
}

// resolvePosts orders posts and derives site.categories.
func resolvePosts(s *Site) {
	sort.SliceStable(s.Posts, func(i, j int) bool {
		a, b := s.Posts[i], s.Posts[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.Before(b.Date)
		}
		return a.Path < b.Path
	})
	// Categories appear in the order first met while walking posts oldest
	// first, as Ruby's insertion-ordered hash gives them.
	byName := map[string]*Category{}
	for _, p := range s.Posts {
		seen := map[string]bool{}
		for _, c := range p.Categories {
			if seen[c] {
				continue
			}
			seen[c] = true
			cat := byName[c]
			if cat == nil {
				cat = &Category{Name: c}
				byName[c] = cat
				s.Categories = append(s.Categories, cat)
			}
			cat.Posts = append(cat.Posts, p)
		}
	}
	for _, cat := range s.Categories {
		reverse(cat.Posts)
	}
	reverse(s.Posts)
}

func reverse(p []*Page) {
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
}

// buildRoutes maps output paths to what is written there. Jekyll writes
// pages, then static files, then documents (posts first, then collections in
// config order), and the last write to a path wins; we reproduce that and
// warn about every loser.
func buildRoutes(s *Site, diags *diag.List) {
	s.Routes = map[string]Output{}
	s.ByURL = map[string]*Page{}
	source := func(o Output) string {
		if o.Page != nil {
			return o.Page.Path
		}
		return o.Static.Path
	}
	add := func(out string, o Output) {
		if prev, ok := s.Routes[out]; ok {
			what := "permalink"
			if o.Static != nil || prev.Static != nil {
				what = "output path"
			}
			diags.Warnf(source(prev), 0, "same %s as %s (/%s); %s wins, as in Jekyll", what, source(o), out, source(o))
			if prev.Page != nil {
				prev.Page.Written = false
			}
		}
		s.Routes[out] = o
	}
	for _, p := range s.Pages {
		add(p.OutputPath, Output{Page: p})
	}
	for _, f := range s.Static {
		add(f.OutputPath, Output{Static: f})
	}
	for _, p := range s.Posts {
		if p.Written {
			add(p.OutputPath, Output{Page: p})
		}
	}
	for _, c := range s.Collections {
		for _, d := range c.Docs {
			if d.Written {
				add(d.OutputPath, Output{Page: d})
			}
		}
	}
	for _, o := range s.Routes {
		if o.Page != nil {
			s.ByURL[o.Page.URL] = o.Page
		}
	}
}

func checkNavigation(s *Site, diags *diag.List, lines []int) {
	const file = "_data/navigation.yml"
	for i, link := range s.Navigation.Links {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		switch {
		case link.Collection != "":
			c := s.Collection(link.Collection)
			if c == nil {
				diags.Errorf(file, line, "menu item %q points to folder %q, which does not exist (no _%s/collection.yml or collections: entry)", link.Title, link.Collection, link.Collection)
			} else if len(c.Docs) == 0 {
				diags.Warnf(file, line, "menu item %q points to folder %q, which has no pages", link.Title, link.Collection)
			}
		case link.ResourceRoom:
			if s.Config.ResourcesName == "" {
				diags.Errorf(file, line, "menu item %q points to the resource room, but _config.yml sets no resources_name", link.Title)
			}
		case link.URL == "" && len(link.Sublinks) == 0:
			diags.Warnf(file, line, "menu item %q has no url, collection or resource_room", link.Title)
		}
		if strings.TrimSpace(link.Title) == "" {
			diags.Warnf(file, line, "menu item has no title")
		}
	}
}

func checkHomepage(s *Site, diags *diag.List) {
	for _, p := range s.Pages {
		if p.Homepage == nil {
			continue
		}
		for i, sec := range p.Homepage.Sections {
			name := sec.Name()
			switch {
			case name == "":
				diags.Warnf(p.Path, 0, "homepage section %d is not a known section type (hero, infobar, infopic, resources, announcements, textcards, infocols)", i+1)
			case name == "hero" && i > 0:
				diags.Warnf(p.Path, 0, "the hero section must be the first homepage section; it is section %d", i+1)
			case name == "infopic" && (sec.Infopic.Image == "" || sec.Infopic.Alt == ""):
				diags.Warnf(p.Path, 0, "homepage infopic %q needs both image and alt", sec.Infopic.Title)
			}
		}
	}
}

// Collection returns the named collection, or nil.
func (s *Site) Collection(name string) *Collection {
	for _, c := range s.Collections {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ResourceRoom returns the room's categories with at least one post, in
// site.categories order, without the room itself.
func (s *Site) ResourceCategories() []*Category {
	var out []*Category
	for _, c := range s.Categories {
		if c.Name != s.Config.ResourcesName {
			out = append(out, c)
		}
	}
	return out
}

// CategoryIndex is the category's position in site.categories, which picks
// a resource card's media colour (index mod 5 + 1).
func (s *Site) CategoryIndex(name string) int {
	for i, c := range s.Categories {
		if c.Name == name {
			return i
		}
	}
	return 0
}

// String describes a page for logs.
func (p *Page) String() string { return fmt.Sprintf("%s (%s)", p.Path, p.URL) }

// CategoryOf is the category a resource category page lists: the folder
// that holds its index file.
func (s *Site) CategoryOf(p *Page) string {
	dir := p.Path[:max(strings.LastIndex(p.Path, "/"), 0)]
	return dir[strings.LastIndex(dir, "/")+1:]
}

// CategoryPosts are the posts of one category, newest first; empty when
// the category has no posts.
func (s *Site) CategoryPosts(name string) []*Page {
	for _, c := range s.Categories {
		if c.Name == name {
			return c.Posts
		}
	}
	return nil
}

// ItemCategory is the category a resource item is shown under: its second
// category (the folder below the room), or its first.
func (p *Page) ItemCategory() string {
	if len(p.Categories) > 1 {
		return p.Categories[1]
	}
	if len(p.Categories) == 1 {
		return p.Categories[0]
	}
	return ""
}

// Link is where a resource item's card points: the external URL, the file,
// or the item's own page.
func (p *Page) Link() string {
	switch {
	case p.External != "":
		return p.External
	case p.FileURL != "":
		return p.FileURL
	}
	return p.URL
}
