package theme

import (
	"html"
	"html/template"
	"regexp"
	"strings"
	"time"

	"isomer.dev/isomer/internal/site"
)

// view is what the templates execute on: the page data plus the derived
// values the classic theme computed in Liquid.
type view struct {
	PageData
	t *Theme
}

func funcs() template.FuncMap {
	return template.FuncMap{
		"date":     func(t time.Time) string { return t.Format("02 Jan 2006") },
		"isoDate":  func(t time.Time) string { return t.Format("2006-01-02") },
		"raw":      func(s string) template.HTML { return template.HTML(s) },
		"tel":      func(s string) string { return strings.Join(strings.Fields(s), "") },
		"section":  func(v *view, s homeSection, bg string) sectionArgs { return sectionArgs{V: v, S: s, Bg: bg} },
		"linkArgs": func(v *view, u, text string) linkArgs { return linkArgs{V: v, URL: u, Text: text} },
	}
}

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

// Title is the page's title, with the fallbacks the theme shows.
func (v *view) Title() string {
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

// Description is the page description, else the first 20 words of its
// content (as the theme's truncatewords: 20), else the site description.
func (v *view) Description() string {
	if d := strings.TrimSpace(v.Page.Description); d != "" {
		return d
	}
	if words := firstWords(string(v.Content), 21); len(words) > 0 {
		if len(words) > 20 {
			return strings.Join(words[:20], " ") + "..."
		}
		return strings.Join(words, " ")
	}
	return v.Site.Config.Description
}

// Canonical is the page's absolute URL; empty when the site has no url.
func (v *view) Canonical() string {
	if v.Site.Config.URL == "" {
		return ""
	}
	return v.Absolute(v.Page.URL)
}

// OGImage follows the theme's chain: page image, share icon, logo.
func (v *view) OGImage() string {
	for _, u := range []string{v.Page.Image, v.Site.Config.ShareIcon, v.Site.Navigation.Logo} {
		if strings.TrimSpace(u) != "" {
			// A meta content attribute is not URL-normalised by html/template.
			return strings.ReplaceAll(v.Absolute(strings.TrimSpace(u)), " ", "%20")
		}
	}
	return ""
}

// Layout names the template that renders the page body.
func (v *view) Layout() string {
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

// Nav is the navbar, from navigation.yml (§8.3).
func (v *view) Nav() []navItem { return v.navItems(v.Site.Navigation.Links) }

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

// Crumbs is the breadcrumb trail after Home (§8.4).
func (v *view) Crumbs() []crumb {
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

// CollectionTitle names a collection page's section: the navbar title that
// points to the collection, else the folder name.
func (v *view) CollectionTitle() string {
	c := v.Page.Collection
	for _, l := range v.Site.Navigation.Links {
		if l.Collection == c.Name && strings.TrimSpace(l.Title) != "" {
			return l.Title
		}
	}
	return categoryTitle(c.Name)
}

// SideNav is the left navigation of a collection page.
func (v *view) SideNav() []site.NavEntry { return v.Page.Collection.SideNav() }

// Prev and Next are the neighbours in collection order.
func (v *view) Prev() *site.Page { return v.Page.Collection.Prev(v.Page) }
func (v *view) Next() *site.Page { return v.Page.Collection.Next(v.Page) }

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

// DateOf formats a post date as the theme's date_to_string.
func (v *view) DateOf(p *site.Page) string { return p.Date.Format("02 Jan 2006") }

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

// firstWords returns up to n words of the text of an HTML fragment. It
// stops reading as soon as it has them: descriptions need only the start
// of a page, and pages can be long.
func firstWords(h string, n int) []string {
	var words []string
	for len(h) > 0 && len(words) < n {
		lt := strings.IndexByte(h, '<')
		text := h
		if lt >= 0 {
			text = h[:lt]
		}
		words = append(words, strings.Fields(html.UnescapeString(text))...)
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
	if len(words) > n {
		words = words[:n]
	}
	return words
}
