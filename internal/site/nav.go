package site

import "strings"

// NavEntry is one item of a collection's navigation: a page without
// third_nav_title, or a group of consecutive pages that share one.
type NavEntry struct {
	// Page is the second-level page; nil for a group.
	Page *Page
	// Group is the group's third_nav_title.
	Group string
	// Pages are the group's pages in collection order.
	Pages []*Page
}

// IsGroup reports whether the entry is a third-level group.
func (e NavEntry) IsGroup() bool { return e.Page == nil }

// URL is where the entry links: the page, or the first page of the group.
func (e NavEntry) URL() string {
	if e.Page != nil {
		return e.Page.URL
	}
	return e.Pages[0].URL
}

// Title is the entry's link text.
func (e NavEntry) Title() string {
	if e.Page != nil {
		return e.Page.Title
	}
	return e.Group
}

// Contains reports whether p is the entry's page or one of its group.
func (e NavEntry) Contains(p *Page) bool {
	if e.Page != nil {
		return e.Page == p
	}
	for _, q := range e.Pages {
		if q == p {
			return true
		}
	}
	return false
}

// SideNav groups the collection's documents as the left navigation shows
// them: by third_nav_title, consecutively, in collection order. A title that
// comes back after other pages starts a second group, as in Isomer's theme.
func (c *Collection) SideNav() []NavEntry {
	var out []NavEntry
	for _, d := range c.Docs {
		if d.ThirdNavTitle == nil {
			out = append(out, NavEntry{Page: d})
			continue
		}
		if n := len(out); n > 0 && out[n-1].IsGroup() && out[n-1].Group == *d.ThirdNavTitle {
			out[n-1].Pages = append(out[n-1].Pages, d)
			continue
		}
		out = append(out, NavEntry{Group: *d.ThirdNavTitle, Pages: []*Page{d}})
	}
	return out
}

// MenuNav is the collection as the navbar dropdown and the footer show it:
// like SideNav, but a group title appears only at its first occurrence.
func (c *Collection) MenuNav() []NavEntry {
	seen := map[string]bool{}
	var out []NavEntry
	for _, e := range c.SideNav() {
		if e.IsGroup() {
			if seen[e.Group] {
				continue
			}
			seen[e.Group] = true
		}
		out = append(out, e)
	}
	return out
}

// FirstURL is the collection's own link: its first document.
func (c *Collection) FirstURL() string {
	if len(c.Docs) == 0 {
		return ""
	}
	return c.Docs[0].URL
}

// GroupURL is the link of a third_nav_title group: its first document.
func (c *Collection) GroupURL(title string) string {
	for _, d := range c.Docs {
		if d.ThirdNavTitle != nil && *d.ThirdNavTitle == title {
			return d.URL
		}
	}
	return ""
}

// Prev and Next are the neighbours of p in collection order, or nil.
func (c *Collection) Prev(p *Page) *Page {
	if p.Index > 0 && p.Index < len(c.Docs) && c.Docs[p.Index] == p {
		return c.Docs[p.Index-1]
	}
	return nil
}

// Next is the document after p in collection order, or nil.
func (c *Collection) Next(p *Page) *Page {
	if p.Index+1 < len(c.Docs) && c.Docs[p.Index] == p {
		return c.Docs[p.Index+1]
	}
	return nil
}

// DisplayName is the folder name as Isomer shows it: "-" and "_" as spaces.
func (c *Collection) DisplayName() string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' {
			return ' '
		}
		return r
	}, c.Name)
}

// Crumb is one breadcrumb item.
type Crumb struct {
	Text string
	URL  string
}

// Breadcrumbs are the page's breadcrumb trail after "Home", by Isomer's
// rules: folder › group › page for collection pages, and one item per URL
// prefix that some page or post lives at for everything else.
func (s *Site) Breadcrumbs(p *Page) []Crumb {
	if p.Collection != nil {
		c := p.Collection
		crumbs := []Crumb{{Text: truncateWords(c.DisplayName(), 7), URL: c.FirstURL()}}
		if p.ThirdNavTitle != nil {
			crumbs = append(crumbs, Crumb{Text: *p.ThirdNavTitle, URL: c.GroupURL(*p.ThirdNavTitle)})
		}
		return append(crumbs, Crumb{Text: crumbText(p), URL: p.URL})
	}
	var crumbs []Crumb
	prefix := "/"
	for _, seg := range strings.Split(strings.Trim(p.URL, "/"), "/") {
		if seg == "" {
			continue
		}
		prefix += seg + "/"
		if match := s.crumbPage(prefix); match != nil {
			crumbs = append(crumbs, Crumb{Text: crumbText(match), URL: match.URL})
		}
	}
	return crumbs
}

// crumbPage finds the page a breadcrumb prefix stands for, as Isomer's
// breadcrumb does: the first of site.pages whose URL is the prefix, with or
// without its trailing slash, else the first such post.
func (s *Site) crumbPage(prefix string) *Page {
	bare := strings.TrimSuffix(prefix, "/")
	for _, index := range []map[string]*Page{s.pageURLs, s.postURLs} {
		a, b := index[prefix], index[bare]
		switch {
		case a != nil && b != nil:
			return s.earlier(a, b)
		case a != nil:
			return a
		case b != nil:
			return b
		}
	}
	return nil
}

// earlier returns whichever of a and b comes first in site.pages or site.posts.
func (s *Site) earlier(a, b *Page) *Page {
	for _, list := range [][]*Page{s.Pages, s.Posts} {
		for _, q := range list {
			if q == a || q == b {
				return q
			}
		}
	}
	return a
}

func crumbText(p *Page) string {
	if p.Breadcrumb != "" {
		return p.Breadcrumb
	}
	if p.Title == "" && p.Kind == KindContactUs {
		return "Contact Us"
	}
	return truncateWords(p.Title, 7)
}

// truncateWords is Liquid's truncatewords: at most n words, then "...".
func truncateWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + "..."
}
