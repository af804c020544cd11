package theme

import (
	"html/template"
	"strconv"
	"strings"
	"sync"

	"isomer.dev/isomer/internal/site"
)

// chrome caches the parts of a page that many pages share, rendered once
// per build: the start and end of the document, the footer and the end of
// <head> are the same on every page; the header differs only in which
// navigation entries are marked active or current, the body's opening in
// that and the layout, a breadcrumb trail only between folders. On a large
// site this turns thousands of renders of the full navigation into a
// handful, and leaves only the page's own values to render per page.
type chrome struct {
	mu        sync.Mutex
	site      *site.Site
	env       string
	fragments map[fragmentKey]template.HTML
	// navURLs are the URLs the navbar links to (a page at one of them is
	// marked current); groupOf gives the navbar group a page belongs to.
	navURLs map[string]bool
	groupOf map[*site.Page]string
	// navCollections are the collections the navbar links to: only a page
	// of one of those marks a navbar item active.
	navCollections map[*site.Collection]bool
	// sideNavs holds each collection's left navigation as rendered
	// fragments, every entry in both its plain and its current state: a
	// page's navigation is then put together without running a template
	// per entry, which on a folder of a hundred pages is most of the work.
	sideNavs map[*site.Collection]*sideNav
}

// sideNav is a collection's left navigation in pieces. For entry i, a
// single page is link[i][current]; a group is head[i][open], then
// items[i][j][current] for each page, then the closing tags.
type sideNav struct {
	entries []site.NavEntry
	link    [][2]string
	head    [][2]string
	items   [][][2]string
	// size bounds the length of the assembled navigation, so that it is
	// built without growing: it is many kilobytes on every page.
	size int
}

// sideNavItem is what the side-navigation templates see.
type sideNavItem struct {
	Title, Href string
	Current     bool
}

// reset starts a new cache when the site or environment changed; it must
// be called with c.mu held.
func (c *chrome) reset(s *site.Site, env string) {
	if c.site == s && c.env == env {
		return
	}
	c.site, c.env = s, env
	c.fragments = map[fragmentKey]template.HTML{}
	c.navURLs = map[string]bool{}
	c.groupOf = map[*site.Page]string{}
	c.navCollections = map[*site.Collection]bool{}
	c.sideNavs = map[*site.Collection]*sideNav{}
	for _, l := range s.Navigation.Links {
		switch {
		case l.Collection != "":
			col := s.Collection(l.Collection)
			if col == nil {
				continue
			}
			c.navCollections[col] = true
			for i, e := range col.MenuNav() {
				c.navURLs[e.URL()] = true
				if e.IsGroup() {
					for _, p := range e.Pages {
						c.groupOf[p] = col.Name + "\x00" + strconv.Itoa(i)
					}
				}
			}
		case l.ResourceRoom:
			room := "/" + s.Config.ResourcesName + "/"
			c.navURLs[room] = true
			for _, cat := range s.ResourceCategories() {
				c.navURLs[room+cat.Name+"/"] = true
			}
		default:
			c.navURLs[l.URL] = true
			for _, sl := range l.Sublinks {
				c.navURLs[sl.URL] = true
			}
		}
	}
}

// navKey names everything about v's page that the header depends on.
func (c *chrome) navKey(v *view) string {
	p := v.Page
	var b strings.Builder
	if c.navCollections[p.Collection] {
		b.WriteString(p.Collection.Name)
	}
	b.WriteByte(0)
	switch p.Kind {
	case site.KindPost, site.KindResourceRoom, site.KindResourceCategory:
		b.WriteByte('r')
	}
	b.WriteByte(0)
	if c.navURLs[p.URL] {
		b.WriteString(p.URL)
	}
	b.WriteByte(0)
	b.WriteString(c.groupOf[p])
	return b.String()
}

// fragmentKey names a rendered template: its name and variant, which
// names everything about the page the template depends on ("" when it is
// the same on every page).
type fragmentKey struct{ name, variant string }

// fragment is template name rendered for v, cached under variant.
func (v *view) fragment(name, variant string, data any) (template.HTML, error) {
	key := fragmentKey{name, variant}
	c := &v.t.chrome
	c.mu.Lock()
	c.reset(v.Site, v.Env)
	f, ok := c.fragments[key]
	c.mu.Unlock()
	if ok {
		return f, nil
	}
	var b strings.Builder
	if err := v.t.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	f = template.HTML(b.String())
	c.mu.Lock()
	if c.site == v.Site && c.env == v.Env {
		c.fragments[key] = f
	}
	c.mu.Unlock()
	return f, nil
}

// Header is the rendered site header for v's page.
func (v *view) Header() (template.HTML, error) { return v.fragment("header", v.navKey, v) }

// Footer is the rendered site footer, the same on every page.
func (v *view) Footer() (template.HTML, error) { return v.fragment("footer", "", v) }

// HeadSite is the part of <head> that every page of the site shares (icon,
// feed, stylesheets and scripts) but the search page, which also loads the
// search client.
func (v *view) HeadSite() (template.HTML, error) {
	return v.fragment("headsite", strconv.FormatBool(v.Layout == "search"), v)
}

// trail is what the breadcrumb-trail template shows.
type trail struct {
	Home   string
	Crumbs []crumb
}

// breadcrumb sets the Trail and Here of v.Values from the page's breadcrumb.
func (v *view) breadcrumb() error {
	crumbs := v.crumbs()
	if n := len(crumbs); n > 0 {
		v.Values.Here = &crumbs[n-1]
		crumbs = crumbs[:n-1]
	}
	var key strings.Builder
	for _, c := range crumbs {
		key.WriteString(c.Href)
		key.WriteByte(0)
		key.WriteString(c.Text)
		key.WriteByte(0)
	}
	var err error
	v.Values.Trail, err = v.fragment("breadcrumb-trail", key.String(), trail{Home: v.URL("/"), Crumbs: crumbs})
	return err
}

// sideNav is the left navigation of a collection page.
func (v *view) sideNav() (template.HTML, error) {
	col, p := v.Page.Collection, v.Page
	c := &v.t.chrome
	c.mu.Lock()
	c.reset(v.Site, v.Env)
	sn := c.sideNavs[col]
	c.mu.Unlock()
	if sn == nil {
		var err error
		if sn, err = v.renderSideNav(col.SideNav()); err != nil {
			return "", err
		}
		c.mu.Lock()
		if c.site == v.Site && c.env == v.Env {
			c.sideNavs[col] = sn
		}
		c.mu.Unlock()
	}
	var b strings.Builder
	b.Grow(sn.size)
	b.WriteString(`<ul class="bp-menu-list">`)
	for i, e := range sn.entries {
		b.WriteByte('\n')
		if !e.IsGroup() {
			b.WriteString(sn.link[i][boolIndex(e.Page == p)])
			continue
		}
		b.WriteString(sn.head[i][boolIndex(e.Contains(p))])
		for j, q := range e.Pages {
			b.WriteByte('\n')
			b.WriteString(sn.items[i][j][boolIndex(q == p)])
		}
		b.WriteString("\n</ul>\n</details></li>")
	}
	b.WriteString("\n</ul>")
	return template.HTML(b.String()), nil
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// renderSideNav renders every entry of a collection's navigation in both states.
func (v *view) renderSideNav(entries []site.NavEntry) (*sideNav, error) {
	sn := &sideNav{
		entries: entries,
		link:    make([][2]string, len(entries)),
		head:    make([][2]string, len(entries)),
		items:   make([][][2]string, len(entries)),
	}
	both := func(name string, item sideNavItem) ([2]string, error) {
		var out [2]string
		for i, cur := range []bool{false, true} {
			item.Current = cur
			var b strings.Builder
			if err := v.t.stencils.execute(&b, name, &item); err != nil {
				return out, err
			}
			out[i] = b.String()
		}
		return out, nil
	}
	var err error
	for i, e := range entries {
		if !e.IsGroup() {
			if sn.link[i], err = both("sidenav-link", sideNavItem{Title: e.Page.Title, Href: v.URL(e.Page.URL)}); err != nil {
				return nil, err
			}
			continue
		}
		if sn.head[i], err = both("sidenav-group-head", sideNavItem{Title: e.Group}); err != nil {
			return nil, err
		}
		sn.items[i] = make([][2]string, len(e.Pages))
		for j, q := range e.Pages {
			if sn.items[i][j], err = both("sidenav-group-item", sideNavItem{Title: q.Title, Href: v.URL(q.URL)}); err != nil {
				return nil, err
			}
		}
	}
	sn.size = len(`<ul class="bp-menu-list">`) + len("\n</ul>")
	longer := func(f [2]string) int { return 1 + max(len(f[0]), len(f[1])) }
	for i := range entries {
		sn.size += longer(sn.link[i]) + longer(sn.head[i]) + len("\n</ul>\n</details></li>")
		for _, f := range sn.items[i] {
			sn.size += longer(f)
		}
	}
	return sn, nil
}
