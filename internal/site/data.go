package site

import "strings"

// Navigation is _data/navigation.yml.
type Navigation struct {
	Logo  string
	Links []NavLink
}

// NavLink is one navbar entry: exactly one of URL (possibly with Sublinks),
// Collection or ResourceRoom says what it is.
type NavLink struct {
	Title        string
	URL          string
	Collection   string
	ResourceRoom bool
	Sublinks     []NavSublink
	// Line is where the entry starts in navigation.yml, for diagnostics.
	Line int
}

// NavSublink is an explicit dropdown item of a menu group.
type NavSublink struct {
	Title string
	URL   string
}

// Footer is _data/footer.yml.
type Footer struct {
	ContactUs       string
	ShowReach       bool
	Feedback        string
	FAQ             string
	PrivacyPolicy   string
	TermsOfUse      string
	CopyrightAgency string
	// SocialMedia lists the configured networks in Isomer's display order.
	SocialMedia []SocialLink
	// Links are the extra footer links (the theme shows the first two).
	Links []NavSublink
	// NavLinks overrides the footer columns when set.
	NavLinks []NavLink
}

// SocialLink is one social media profile.
type SocialLink struct {
	Network string // facebook, twitter, youtube, instagram, linkedin, telegram, tiktok
	URL     string
}

// socialNetworks is the order the footer shows networks in.
func socialNetworks() []string {
	return []string{"facebook", "twitter", "youtube", "instagram", "linkedin", "telegram", "tiktok"}
}

func parseNavLinks(v any) []NavLink {
	list, _ := v.([]any)
	links := make([]NavLink, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		l := NavLink{
			Title:        str(m["title"]),
			URL:          str(m["url"]),
			Collection:   str(m["collection"]),
			ResourceRoom: m["resource_room"] == true,
		}
		// The legacy (v1) list format names sub-links "sub-links".
		subs := m["sublinks"]
		if subs == nil {
			subs = m["sub-links"]
		}
		for _, s := range asList(subs) {
			if sm, ok := s.(map[string]any); ok {
				l.Sublinks = append(l.Sublinks, NavSublink{Title: str(sm["title"]), URL: str(sm["url"])})
			}
		}
		links = append(links, l)
	}
	return links
}

func parseNavigation(v any) Navigation {
	switch t := v.(type) {
	case map[string]any:
		return Navigation{Logo: str(t["logo"]), Links: parseNavLinks(t["links"])}
	case []any:
		// Legacy v1 format: a top-level list of links.
		return Navigation{Links: parseNavLinks(t)}
	}
	return Navigation{}
}

func parseFooter(v any) Footer {
	m, _ := v.(map[string]any)
	f := Footer{
		ContactUs:       str(m["contact_us"]),
		ShowReach:       truthy(m["show_reach"]) && m["show_reach"] != "",
		Feedback:        str(m["feedback"]),
		FAQ:             str(m["faq"]),
		PrivacyPolicy:   str(m["privacy_policy"]),
		TermsOfUse:      str(m["terms_of_use"]),
		CopyrightAgency: str(m["copyright_agency"]),
	}
	if social, ok := m["social_media"].(map[string]any); ok {
		for _, network := range socialNetworks() {
			if u := strings.TrimSpace(str(social[network])); u != "" {
				f.SocialMedia = append(f.SocialMedia, SocialLink{Network: network, URL: u})
			}
		}
	}
	for _, item := range asList(m["links"]) {
		if lm, ok := item.(map[string]any); ok {
			f.Links = append(f.Links, NavSublink{Title: str(lm["title"]), URL: str(lm["url"])})
		}
	}
	if m["navlinks"] != nil {
		f.NavLinks = parseNavLinks(m["navlinks"])
	}
	return f
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
