package theme

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"isomer.dev/isomer/internal/site"
)

// chrome caches the parts of a page that most pages share: the footer is
// the same on every page of a build, and the header differs only in which
// navigation entries are marked active or current. On a large site this
// turns thousands of renders of the full navigation into a handful.
type chrome struct {
	mu     sync.Mutex
	site   *site.Site
	env    string
	footer template.HTML
	// headSite is the end of <head>, the same on every page but the
	// search page (headSite[1]), which also loads the search client.
	headSite [2]template.HTML
	headers  map[string]template.HTML
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
	link  [][2]string
	head  [][2]string
	items [][][2]string
	// size bounds the length of the assembled navigation, so that it is
	// built without growing: it is many kilobytes on every page.
	size int
}

// fragment is what the side-navigation templates see.
type fragment struct {
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
	c.footer = ""
	c.headSite = [2]template.HTML{}
	c.headers = map[string]template.HTML{}
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

// Header is the rendered site header for v's page.
func (v *view) Header() (template.HTML, error) {
	c := &v.t.chrome
	c.mu.Lock()
	c.reset(v.Site, v.Env)
	key := c.navKey(v)
	h, ok := c.headers[key]
	c.mu.Unlock()
	if ok {
		return h, nil
	}
	var buf bytes.Buffer
	if err := v.t.tmpl.ExecuteTemplate(&buf, "header", v); err != nil {
		return "", err
	}
	h = template.HTML(buf.String())
	c.mu.Lock()
	if c.site == v.Site {
		c.headers[key] = h
	}
	c.mu.Unlock()
	return h, nil
}

// Footer is the rendered site footer, the same on every page.
func (v *view) Footer() (template.HTML, error) {
	c := &v.t.chrome
	c.mu.Lock()
	c.reset(v.Site, v.Env)
	f := c.footer
	c.mu.Unlock()
	if f != "" {
		return f, nil
	}
	var buf bytes.Buffer
	if err := v.t.tmpl.ExecuteTemplate(&buf, "footer", v); err != nil {
		return "", err
	}
	f = template.HTML(buf.String())
	c.mu.Lock()
	if c.site == v.Site {
		c.footer = f
	}
	c.mu.Unlock()
	return f, nil
}

// HeadSite is the part of <head> that every page of the site shares: icon,
// feed, stylesheets and scripts.
func (v *view) HeadSite() (template.HTML, error) {
	c := &v.t.chrome
	i := boolIndex(v.Layout() == "search")
	c.mu.Lock()
	c.reset(v.Site, v.Env)
	h := c.headSite[i]
	c.mu.Unlock()
	if h != "" {
		return h, nil
	}
	var buf bytes.Buffer
	if err := v.t.tmpl.ExecuteTemplate(&buf, "headsite", v); err != nil {
		return "", err
	}
	h = template.HTML(buf.String())
	c.mu.Lock()
	if c.site == v.Site {
		c.headSite[i] = h
	}
	c.mu.Unlock()
	return h, nil
}

// SideNavHTML is the left navigation of a collection page.
func (v *view) SideNavHTML() (template.HTML, error) {
	col, p := v.Page.Collection, v.Page
	c := &v.t.chrome
	c.mu.Lock()
	c.reset(v.Site, v.Env)
	sn := c.sideNavs[col]
	c.mu.Unlock()
	entries := col.SideNav()
	if sn == nil {
		var err error
		if sn, err = v.renderSideNav(entries); err != nil {
			return "", err
		}
		c.mu.Lock()
		if c.site == v.Site {
			c.sideNavs[col] = sn
		}
		c.mu.Unlock()
	}
	var b strings.Builder
	b.Grow(sn.size)
	b.WriteString(`<ul class="bp-menu-list">`)
	for i, e := range entries {
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
		link:  make([][2]string, len(entries)),
		head:  make([][2]string, len(entries)),
		items: make([][][2]string, len(entries)),
	}
	both := func(name string, f fragment) ([2]string, error) {
		var out [2]string
		for i, cur := range []bool{false, true} {
			f.Current = cur
			var b strings.Builder
			if err := v.t.tmpl.ExecuteTemplate(&b, name, f); err != nil {
				return out, err
			}
			out[i] = b.String()
		}
		return out, nil
	}
	var err error
	for i, e := range entries {
		if !e.IsGroup() {
			if sn.link[i], err = both("sidenav-link", fragment{Title: e.Page.Title, Href: v.URL(e.Page.URL)}); err != nil {
				return nil, err
			}
			continue
		}
		if sn.head[i], err = both("sidenav-group-head", fragment{Title: e.Group}); err != nil {
			return nil, err
		}
		sn.items[i] = make([][2]string, len(e.Pages))
		for j, q := range e.Pages {
			if sn.items[i][j], err = both("sidenav-group-item", fragment{Title: q.Title, Href: v.URL(q.URL)}); err != nil {
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
