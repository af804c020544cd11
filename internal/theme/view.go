package theme

import (
	"html"
	"html/template"
	"regexp"
	"strings"
	"time"

	"isomer.dev/isomer/internal/site"
)

// view is what the templates execute on: the page data, the derived values
// the classic theme computed in Liquid, and the page's own values.
type view struct {
	PageData
	// Layout names the template that renders the page body.
	Layout string
	// Values are what the parts rendered for every page show.
	Values *pageValues
	// navKey names everything about the page that the header depends on.
	navKey string
	t      *Theme
}

// pageValues are a page's own values: all that the templates rendered for
// every page (headtags, pagetitle, breadcrumb and the page, post and
// leftnav layouts) show, computed once when the view is made. Those
// templates are stenciled (see stencil): they may only print these values
// and test them for truth.
type pageValues struct {
	// Staging keeps search engines off a staging build's pages.
	Staging bool
	// Title is the page's title, with the fallbacks the theme shows.
	Title string
	// Description is the page description, else the first 20 words of its
	// content (as the theme's truncatewords: 20), else the site description.
	Description string
	// Canonical is the page's absolute URL; empty when the site has no url.
	Canonical string
	// OGImage is the page image, else the share icon, else the logo.
	OGImage string
	// Trail is the rendered breadcrumb up to Here, the page's own crumb,
	// which is nil when the trail is only Home.
	Trail template.HTML
	Here  *crumb
	// Date is a resource item's date; nil on other pages.
	Date    *itemDate
	Content template.HTML

	// The left navigation layout's parts (zero in other layouts).
	CollectionTitle string
	SideNav         template.HTML
	// Prev and Next are the neighbours in collection order.
	Prev, Next *neighbour
}

// itemDate is a date as the theme shows it and as a datetime attribute.
type itemDate struct{ Text, ISO string }

// neighbour is a link to the previous or next page of a folder.
type neighbour struct{ Href, Title string }

// newView computes what the templates show of d.Page.
func (t *Theme) newView(d PageData) (*view, error) {
	v := &view{PageData: d, t: t}
	p := d.Page
	v.Layout = v.layout()
	pv := &pageValues{Staging: v.Staging(), Title: v.title(), Description: v.description(), OGImage: v.ogImage(), Content: d.Content}
	v.Values = pv
	if d.Site.Config.URL != "" {
		pv.Canonical = v.Absolute(p.URL)
	}
	if p.Kind == site.KindPost {
		pv.Date = &itemDate{Text: displayDate(p.Date), ISO: isoDate(p.Date)}
	}
	c := &t.chrome
	c.mu.Lock()
	c.reset(d.Site, d.Env)
	v.navKey = c.navKey(v)
	c.mu.Unlock()
	if err := v.breadcrumb(); err != nil {
		return nil, err
	}
	if v.Layout == "leftnav" && !d.Bare {
		col := p.Collection
		pv.CollectionTitle = v.collectionTitle()
		sideNav, err := v.sideNav()
		if err != nil {
			return nil, err
		}
		pv.SideNav = sideNav
		pv.Prev, pv.Next = v.neighbour(col.Prev(p)), v.neighbour(col.Next(p))
	}
	return v, nil
}

func (v *view) neighbour(p *site.Page) *neighbour {
	if p == nil {
		return nil
	}
	return &neighbour{Href: v.URL(p.URL), Title: p.Title}
}

func funcs() template.FuncMap {
	return template.FuncMap{
		"date":     displayDate,
		"isoDate":  isoDate,
		"raw":      func(s string) template.HTML { return template.HTML(s) },
		"tel":      func(s string) string { return strings.Join(strings.Fields(s), "") },
		"section":  func(v *view, s homeSection, bg string) sectionArgs { return sectionArgs{V: v, S: s, Bg: bg} },
		"linkArgs": func(v *view, u, text string) linkArgs { return linkArgs{V: v, URL: u, Text: text} },
	}
}

// displayDate is a date as the theme's date_to_string shows it.
func displayDate(t time.Time) string { return t.Format("02 Jan 2006") }

// isoDate is a date as a datetime attribute.
func isoDate(t time.Time) string { return t.Format("2006-01-02") }

// link is an href with Isomer's external-link rule applied (§8.17).
type link struct {
	Href     string
	External bool
}

// Link applies the external-link rule: http(s) URLs open in a new tab,
// anything else is a site path under baseurl.
func (v *view) Link(u string) link {
	u = strings.TrimSpace(u)
	if isExternal(u) {
		return link{Href: u, External: true}
	}
	return link{Href: v.URL(u)}
}

func isExternal(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// URL is a site path with baseurl, as Isomer's {{site.baseurl}}{{url}}.
func (v *view) URL(u string) string {
	if u == "" || isExternal(u) || strings.HasPrefix(u, "mailto:") || strings.HasPrefix(u, "tel:") || strings.HasPrefix(u, "#") {
		return u
	}
	return v.Site.Config.BaseURL + u
}

// Absolute makes a site path absolute with the configured url, when there is one.
func (v *view) Absolute(u string) string {
	if u == "" || isExternal(u) {
		return u
	}
	return v.Site.Config.URL + v.URL(u)
}

func (v *view) Staging() bool { return v.Env == "staging" }

func (v *view) CSSHref() string { return v.URL("/" + v.t.cssPath) }
func (v *view) JSHref() string  { return v.URL("/" + v.t.jsPath) }
func (v *view) SiteCSSHref() string {
	p, _ := v.t.siteStylesheet(v.Site.Config.Colors)
	return v.URL("/" + p)
}

func (v *view) title() string {
	p := v.Page
	switch {
	case strings.TrimSpace(p.Title) != "":
		return p.Title
	case p.Kind == site.KindContactUs:
		return "Contact Us"
	case p.Kind == site.KindNotFound:
		return "Page not found"
	case p.Kind == site.KindSearch:
		return "Search"
	}
	return v.Site.Config.Title
}

var (
	tagRE = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)
	brRE  = regexp.MustCompile(`(?i)<br\s*/?>`)
)

func (v *view) description() string {
	if d := strings.TrimSpace(v.Page.Description); d != "" {
		return d
	}
	if words, more := leadingWords(string(v.Content), 20); more {
		return words + "..."
	} else if words != "" {
		return words
	}
	return v.Site.Config.Description
}

func (v *view) ogImage() string {
	for _, u := range []string{v.Page.Image, v.Site.Config.ShareIcon, v.Site.Navigation.Logo} {
		if strings.TrimSpace(u) != "" {
			// A meta content attribute is not URL-normalised by html/template.
			return strings.ReplaceAll(v.Absolute(strings.TrimSpace(u)), " ", "%20")
		}
	}
	return ""
}

func (v *view) layout() string {
	switch v.Page.Kind {
	case site.KindHomepage:
		return "home"
	case site.KindContactUs:
		return "contact"
	case site.KindResourceRoom, site.KindResourceCategory:
		return "resources"
	case site.KindSearch:
		return "search"
	case site.KindNotFound:
		return "notfound"
	case site.KindPost:
		return "post"
	case site.KindCollectionPage:
		if v.Page.Collection != nil {
			return "leftnav"
		}
	}
	return "page"
}

// navItem is one entry of the navbar or a footer column.
type navItem struct {
	Title    string
	Link     link
	Children []navChild
	// Active marks the section the current page is in.
	Active bool
	// Current is an exact URL match with the current page.
	Current bool
}

type navChild struct {
	Title   string
	Link    link
	Current bool
	Active  bool
}

// NavbarItems are the navbar's entries, from navigation.yml (§8.3).
func (v *view) NavbarItems() (template.HTML, error) {
	var b strings.Builder
	for _, item := range v.navItems(v.Site.Navigation.Links) {
		var dropdown strings.Builder
		for _, c := range item.Children {
			child := &navbarChild{Title: c.Title, Href: c.Link.Href, External: c.Link.External, Active: c.Active, Current: c.Current}
			if err := v.t.stencils.execute(&dropdown, "navbar-child", child); err != nil {
				return "", err
			}
		}
		entry := &navbarEntry{
			Title: item.Title, Href: item.Link.Href, External: item.Link.External, Active: item.Active, Current: item.Current,
			Dropdown: template.HTML(dropdown.String()),
		}
		if err := v.t.stencils.execute(&b, "navbar-item", entry); err != nil {
			return "", err
		}
	}
	return template.HTML(b.String()), nil
}

// navbarEntry is what the navbar-item template shows of a navItem, and
// navbarChild what navbar-child shows of each of its children. They are
// stenciled: there is a header for every place in the navigation.
type navbarEntry struct {
	Title, Href               string
	External, Active, Current bool
	// Dropdown is the entry's rendered children; empty for a plain link.
	Dropdown template.HTML
}

type navbarChild struct {
	Title, Href               string
	External, Active, Current bool
}

func (v *view) navItems(links []site.NavLink) []navItem {
	s, p := v.Site, v.Page
	var out []navItem
	for _, l := range links {
		item := navItem{Title: l.Title}
		switch {
		case l.Collection != "":
			c := s.Collection(l.Collection)
			if c == nil || len(c.Docs) == 0 {
				continue
			}
			item.Link = link{Href: v.URL(c.FirstURL())}
			item.Active = p.Collection == c
			for _, e := range c.MenuNav() {
				item.Children = append(item.Children, navChild{
					Title: e.Title(), Link: link{Href: v.URL(e.URL())},
					Current: e.URL() == p.URL, Active: e.Contains(p),
				})
			}
		case l.ResourceRoom:
			if strings.TrimSpace(s.Config.ResourcesName) == "" {
				continue // the build reports the missing resources_name
			}
			room := "/" + s.Config.ResourcesName + "/"
			item.Link = link{Href: v.URL(room)}
			item.Active = p.Kind == site.KindPost || p.Kind == site.KindResourceRoom || p.Kind == site.KindResourceCategory
			item.Current = p.URL == room
			cats := s.ResourceCategories()
			// "All" needs site.categories.size >= 3 (the room and two
			// categories, §8.3); the categories are listed regardless.
			if len(cats) >= 2 {
				item.Children = append(item.Children, navChild{Title: "All", Link: item.Link, Current: p.URL == room})
			}
			for _, c := range sortedNatural(cats) {
				u := room + c.Name + "/"
				item.Children = append(item.Children, navChild{Title: categoryTitle(c.Name), Link: link{Href: v.URL(u)}, Current: p.URL == u})
			}
		default:
			item.Link = v.Link(l.URL)
			item.Current = l.URL != "" && p.URL == l.URL
			item.Active = item.Current
			for _, sl := range l.Sublinks {
				cur := sl.URL != "" && p.URL == sl.URL
				item.Active = item.Active || cur
				item.Children = append(item.Children, navChild{Title: sl.Title, Link: v.Link(sl.URL), Current: cur})
			}
			// The dropdown's button opens the menu, so the group's own link
			// must be one of its items to stay reachable.
			if len(item.Children) > 0 && strings.TrimSpace(l.URL) != "" && !hasLink(item.Children, item.Link) {
				item.Children = append([]navChild{{Title: l.Title, Link: item.Link, Current: item.Current}}, item.Children...)
			}
		}
		out = append(out, item)
	}
	return out
}

func hasLink(children []navChild, l link) bool {
	for _, c := range children {
		if c.Link.Href == l.Href {
			return true
		}
	}
	return false
}

// Notification is the homepage's notification bar text (HTML allowed), or
// "" when it has no visible text, as the theme's strip_html test decides.
func (v *view) Notification() template.HTML {
	h := v.Page.Homepage
	if h == nil || v.Page.URL != "/" || strings.TrimSpace(tagRE.ReplaceAllString(h.Notification, "")) == "" {
		return ""
	}
	return template.HTML(h.Notification)
}

// sortedNatural orders categories as Liquid's sort_natural: case-insensitively.
func sortedNatural(cats []*site.Category) []*site.Category {
	out := append([]*site.Category(nil), cats...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && strings.ToLower(out[j].Name) < strings.ToLower(out[j-1].Name); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// categoryTitle is the theme's category label: the folder name split on
// "-" and "_", each word capitalised.
func categoryTitle(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		r := []rune(strings.ToLower(w))
		if len(r) > 0 {
			r[0] = []rune(strings.ToUpper(string(r[0])))[0]
		}
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

// crumb is a breadcrumb item.
type crumb struct {
	Text    string
	Href    string
	Current bool
}

// crumbs is the breadcrumb trail after Home (§8.4).
func (v *view) crumbs() []crumb {
	var out []crumb
	trail := v.Site.Breadcrumbs(v.Page)
	for _, c := range trail {
		out = append(out, crumb{Text: c.Text, Href: v.URL(c.URL)})
	}
	// Only the last item is the page itself: a group's crumb can share its URL.
	if n := len(out); n > 0 {
		out[n-1].Current = trail[n-1].URL == v.Page.URL
	}
	return out
}

// collectionTitle names a collection page's section: the navbar title that
// points to the collection, else the folder name.
func (v *view) collectionTitle() string {
	c := v.Page.Collection
	for _, l := range v.Site.Navigation.Links {
		if l.Collection == c.Name && strings.TrimSpace(l.Title) != "" {
			return l.Title
		}
	}
	return categoryTitle(c.Name)
}

// FooterColumns are the footer's page columns: footer navlinks or the
// navbar links, without "Contact Us" and "FAQ" (which have their own links).
func (v *view) FooterColumns() []navItem {
	links := v.Site.Footer.NavLinks
	if links == nil {
		links = v.Site.Navigation.Links
	}
	var keep []site.NavLink
	for _, l := range links {
		switch strings.ToLower(strings.TrimSpace(l.Title)) {
		case "contact us", "faq":
			continue
		}
		keep = append(keep, l)
	}
	return v.navItems(keep)
}

// FooterLinks are the first two extra links of footer.yml (the theme shows two).
func (v *view) FooterLinks() []site.NavSublink {
	l := v.Site.Footer.Links
	if len(l) > 2 {
		l = l[:2]
	}
	return l
}

// PrivacyURL and TermsURL default as the theme does.
func (v *view) PrivacyURL() string { return orDefault(v.Site.Footer.PrivacyPolicy, "/privacy/") }
func (v *view) TermsURL() string   { return orDefault(v.Site.Footer.TermsOfUse, "/terms-of-use/") }

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// Copyright is the agency named in the footer.
func (v *view) Copyright() string {
	return orDefault(v.Site.Footer.CopyrightAgency, v.Site.Config.Title)
}

// SocialName is the accessible name of a social network's icon.
func (v *view) SocialName(network string) string {
	switch network {
	case "facebook":
		return "Facebook"
	case "twitter":
		return "X (Twitter)"
	case "youtube":
		return "YouTube"
	case "instagram":
		return "Instagram"
	case "linkedin":
		return "LinkedIn"
	case "telegram":
		return "Telegram"
	case "tiktok":
		return "TikTok"
	}
	return network
}

// sectionArgs pass a homepage section to its template with the view.
type sectionArgs struct {
	V  *view
	S  homeSection
	Bg string
}

// linkArgs pass an arrow link to its template.
type linkArgs struct {
	V    *view
	URL  string
	Text string
}

// NotFoundContent is the 404 page's own content, or nothing when it is the
// stock page of Isomer's site template: that page brings its own <h1> and an
// inline <style>, which would duplicate the title and break a strict CSP,
// so the theme's message stands in for it.
func (v *view) NotFoundContent() template.HTML {
	if strings.Contains(string(v.Content), "The requested page could not be found") {
		return ""
	}
	return v.Content
}

// leadingWords returns the first n words of the text of an HTML fragment,
// joined by spaces, and whether more words follow. It stops reading as soon
// as it knows: descriptions need only the start of a page, and pages can be
// long.
func leadingWords(h string, n int) (text string, more bool) {
	var b strings.Builder
	count := 0
	for len(h) > 0 {
		lt := strings.IndexByte(h, '<')
		segment := h
		if lt >= 0 {
			segment = h[:lt]
		}
		if strings.IndexByte(segment, '&') >= 0 {
			segment = html.UnescapeString(segment)
		}
		for word := range strings.FieldsSeq(segment) {
			if count == n {
				return b.String(), true
			}
			if count > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(word)
			count++
		}
		if lt < 0 {
			break
		}
		h = h[lt:]
		// Skip the whole element for script and style, else just the tag.
		end := ">"
		for _, raw := range []string{"<script", "<style"} {
			if strings.HasPrefix(h, raw) {
				end = "</" + raw[1:] + ">"
			}
		}
		i := strings.Index(h, end)
		if i < 0 {
			break
		}
		h = h[i+len(end):]
	}
	return b.String(), false
}
