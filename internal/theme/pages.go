package theme

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"isomer.dev/isomer/internal/site"
)

// homeSection is a homepage section after the hero, with the background
// and side the theme gives it.
type homeSection struct {
	site.Section
	// Gray alternates white/grey after the hero (§8.10).
	Gray bool
	// ImageLeft puts an infopic's image on the left; consecutive infopics alternate.
	ImageLeft bool
}

// Hero is the homepage's hero, when it is the first section.
func (v *view) Hero() *site.Hero {
	h := v.Page.Homepage
	if h == nil || len(h.Sections) == 0 {
		return nil
	}
	return h.Sections[0].Hero
}

// HeroVariant is the hero layout: center, image, side or floating.
func (v *view) HeroVariant() string {
	switch h := v.Hero(); strings.ToLower(strings.TrimSpace(h.Variant)) {
	case "image":
		return "image"
	case "side":
		return "side"
	case "floating":
		return "floating"
	}
	return "center"
}

// HeroBox is the info box colour of side and floating heroes.
func (v *view) HeroBox() string {
	switch strings.ToLower(v.Hero().BackgroundColor) {
	case "gray", "black":
		return strings.ToLower(v.Hero().BackgroundColor)
	}
	return "white"
}

// HeroSize is sm or md.
func (v *view) HeroSize() string {
	if strings.ToLower(v.Hero().Size) == "sm" {
		return "sm"
	}
	return "md"
}

// HeroRight aligns the side/floating box right.
func (v *view) HeroRight() bool { return strings.ToLower(v.Hero().Alignment) == "right" }

// KeyHighlights are the hero's highlights that have something to show (max 4).
func (v *view) KeyHighlights() []site.KeyHighlight {
	var out []site.KeyHighlight
	for _, k := range v.Hero().KeyHighlights {
		if k.Title == "" && k.Description == "" && k.URL == "" {
			continue
		}
		if out = append(out, k); len(out) == 4 {
			break
		}
	}
	return out
}

// HeroDropdownTitle defaults as the theme does.
func (v *view) HeroDropdownTitle() string {
	if d := v.Hero().Dropdown; d != nil && strings.TrimSpace(d.Title) != "" {
		return d.Title
	}
	return "I want to..."
}

// Sections are the homepage sections after the hero. A hero anywhere else
// is dropped (the theme prints an error there; the build warns).
func (v *view) Sections() []homeSection {
	h := v.Page.Homepage
	if h == nil {
		return nil
	}
	var out []homeSection
	gray, forceGray, infopics := false, false, 0
	seenResources, seenAnnouncements := false, false
	for _, s := range h.Sections {
		name := s.Name()
		if name == "hero" || name == "" {
			continue
		}
		// Only one resources and one announcements section per page.
		if name == "resources" {
			if seenResources {
				continue
			}
			seenResources = true
		}
		if name == "announcements" {
			if seenAnnouncements {
				continue
			}
			seenAnnouncements = true
		}
		hs := homeSection{Section: s, Gray: gray}
		if name == "carousel" {
			hs.Gray, forceGray = true, true
		} else if forceGray {
			hs.Gray, forceGray = true, false
		}
		if name == "infopic" {
			hs.ImageLeft = infopics%2 == 1
			infopics++
		}
		out = append(out, hs)
		gray = !hs.Gray
	}
	return out
}

// LatestPosts are the three newest resource items for the resources section.
func (v *view) LatestPosts() []*site.Page {
	p := v.Site.Posts
	if len(p) > 3 {
		p = p[:3]
	}
	return p
}

// ResourcesURL is the resource room's landing page.
func (v *view) ResourcesURL() string {
	if strings.TrimSpace(v.Site.Config.ResourcesName) == "" {
		return ""
	}
	return v.URL("/" + v.Site.Config.ResourcesName + "/")
}

// ResourceButton is the resources section's button text.
func (v *view) ResourceButton(r *site.Resources) string { return orDefault(r.Button, "More") }

// card is a resource card.
type card struct {
	Title string
	// Year, ISODate and Date are the item's date as its year (for the
	// year filter), as a datetime attribute and as shown.
	Year, ISODate, Date string
	// Href and External are the card's link (see link).
	Href     string
	External bool
	Category string
	// Color is the number of the card's media colour.
	Color string
	File  bool
}

// cardOf describes one resource item's card: where it links, its category
// label and its media colour (category index mod 5 + 1, §8.9).
func (v *view) cardOf(p *site.Page) *card {
	c := &card{
		Title: p.Title, Year: p.Date.Format("2006"), ISODate: isoDate(p.Date), Date: displayDate(p.Date),
		Category: categoryTitle(p.ItemCategory()), Color: strconv.Itoa(v.Site.CategoryIndex(p.ItemCategory())%5 + 1),
	}
	var l link
	switch {
	case p.External != "":
		l = link{Href: p.External, External: isExternal(p.External)}
		if !l.External {
			l.Href = v.URL(p.External)
		}
	case p.FileURL != "":
		l = v.Link(p.FileURL)
		c.File = true
	default:
		l = link{Href: v.URL(p.URL)}
	}
	c.Href, c.External = l.Href, l.External
	return c
}

// Cards are the rendered cards of posts.
func (v *view) Cards(posts []*site.Page) (template.HTML, error) {
	var b strings.Builder
	for _, p := range posts {
		if err := v.t.stencils.execute(&b, "resource-card", v.cardOf(p)); err != nil {
			return "", err
		}
	}
	return template.HTML(b.String()), nil
}

// ResourceItems are the cards of a resource page: every item on the room's
// landing page, the category's items on a category page.
func (v *view) ResourceItems() []*site.Page {
	if v.Page.Kind == site.KindResourceCategory {
		return v.Site.CategoryPosts(v.Site.CategoryOf(v.Page))
	}
	return v.Site.Posts
}

// categoryButton is one of the resource room's category filters.
type categoryButton struct {
	Title   string
	Href    string
	Current bool
}

// CategoryButtons are "All" and one button per non-empty category.
func (v *view) CategoryButtons() []categoryButton {
	room := "/" + v.Site.Config.ResourcesName + "/"
	out := []categoryButton{{Title: "All", Href: v.URL(room), Current: v.Page.Kind == site.KindResourceRoom}}
	cur := ""
	if v.Page.Kind == site.KindResourceCategory {
		cur = v.Site.CategoryOf(v.Page)
	}
	for _, c := range v.Site.ResourceCategories() {
		out = append(out, categoryButton{Title: categoryTitle(c.Name), Href: v.URL(room + c.Name + "/"), Current: c.Name == cur})
	}
	return out
}

// Paginate is the page size the progressive pagination script uses.
func (v *view) Paginate() int { return v.Site.Config.Paginate }

// AgencyName is the contact page's heading name.
func (v *view) AgencyName() string {
	if c := v.Page.ContactUs; c != nil && strings.TrimSpace(c.AgencyName) != "" {
		return c.AgencyName
	}
	return v.Site.Config.Title
}

// Locations are the contact page's locations that have an address.
func (v *view) Locations() []site.Location {
	var out []site.Location
	if v.Page.ContactUs == nil {
		return nil
	}
	for _, l := range v.Page.ContactUs.Locations {
		for _, a := range l.Address {
			if strings.TrimSpace(a) != "" {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// AddressLines are a location's non-empty address lines; a legacy single
// string with <br> is split at them.
func (v *view) AddressLines(l site.Location) []string {
	var out []string
	for _, a := range l.Address {
		for _, part := range brRE.Split(a, -1) {
			if s := strings.TrimSpace(tagRE.ReplaceAllString(part, "")); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// MapLink is the location's "View map" link (§8.11): maps_link, or a
// Google Maps query made of the address lines.
func (v *view) MapLink(l site.Location) link {
	if strings.TrimSpace(l.MapsLink) != "" {
		return v.Link(l.MapsLink)
	}
	// Isomer joins the raw lines with "+"; escaping each line keeps a "#"
	// in a unit number from turning the rest into a URL fragment.
	var parts []string
	for _, line := range v.AddressLines(l) {
		parts = append(parts, url.QueryEscape(line))
	}
	return link{Href: "https://maps.google.com/maps?q=" + strings.Join(parts, "+"), External: true}
}
