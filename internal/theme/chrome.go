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
	mu      sync.Mutex
	site    *site.Site
	env     string
	footer  template.HTML
	headers map[string]template.HTML
	// navURLs are the URLs the navbar links to (a page at one of them is
	// marked current); groupOf gives the navbar group a page belongs to.
	navURLs map[string]bool
	groupOf map[*site.Page]string
}

// reset starts a new cache when the site or environment changed; it must
// be called with c.mu held.
func (c *chrome) reset(s *site.Site, env string) {
	if c.site == s && c.env == env {
		return
	}
	c.site, c.env = s, env
	c.footer = ""
	c.headers = map[string]template.HTML{}
	c.navURLs = map[string]bool{}
	c.groupOf = map[*site.Page]string{}
	for _, l := range s.Navigation.Links {
		switch {
		case l.Collection != "":
			col := s.Collection(l.Collection)
			if col == nil {
				continue
			}
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
	if p.Collection != nil {
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
