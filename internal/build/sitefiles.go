package build

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"isomer.dev/isomer/internal/site"
)

// absURL makes a site URL absolute with the configured url and baseurl;
// without a configured url it stays site-relative.
func absURL(s *site.Site, u string) string {
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		return u
	}
	return s.Config.URL + s.Config.BaseURL + u
}

// noindex reports whether a page must stay out of search engines and the sitemap.
func noindex(env string, p *site.Page) bool {
	return env == "staging" || p.FrontMatter["sitemap"] == false || p.FrontMatter["noindex"] == true || p.Kind == site.KindNotFound
}

// sitemap lists every written HTML page and PDF with absolute URLs, as
// jekyll-sitemap does, sorted for stable output.
func sitemap(s *site.Site, env string) []byte {
	type entry struct{ loc, lastmod string }
	var entries []entry
	for _, o := range s.Routes {
		switch {
		case o.Page != nil && o.Page.OutputExt == ".html" && !noindex(env, o.Page):
			e := entry{loc: absURL(s, o.Page.URL)}
			if !o.Page.Date.IsZero() {
				e.lastmod = o.Page.Date.Format(time.RFC3339)
			}
			entries = append(entries, e)
		case o.Static != nil && strings.EqualFold(path.Ext(o.Static.Path), ".pdf") && env != "staging":
			entries = append(entries, entry{loc: absURL(s, o.Static.URL), lastmod: o.Static.ModTime.UTC().Format(time.RFC3339)})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].loc < entries[j].loc })
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, e := range entries {
		b.WriteString("<url><loc>")
		xml.EscapeText(&b, []byte(e.loc))
		b.WriteString("</loc>")
		if e.lastmod != "" {
			b.WriteString("<lastmod>" + e.lastmod + "</lastmod>")
		}
		b.WriteString("</url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

func robots(s *site.Site, env string) []byte {
	if env == "staging" {
		return []byte("User-agent: *\nDisallow: /\n")
	}
	return []byte("Sitemap: " + absURL(s, "/sitemap.xml") + "\n")
}

// atomFeed is an Atom feed of resource items, newest first, in the shape
// jekyll-feed writes at /feed.xml.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title    atomText    `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Entries  []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	Title     atomText     `xml:"title"`
	Link      atomLink     `xml:"link"`
	ID        string       `xml:"id"`
	Published string       `xml:"published"`
	Updated   string       `xml:"updated"`
	Category  []atomCat    `xml:"category"`
	Summary   *atomText    `xml:"summary,omitempty"`
	Content   *atomContent `xml:"content,omitempty"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Base string `xml:"xml:base,attr"`
	Text string `xml:",chardata"`
}

// feedLimit is how many items a feed carries, as jekyll-feed's default.
const feedLimit = 10

func (r *renderer) feed(selfPath, title string, posts []*site.Page) []byte {
	s := r.site
	f := atomFeed{
		Title:    atomText{Type: "html", Text: title},
		Subtitle: s.Config.Description,
		ID:       absURL(s, "/"+selfPath),
		Updated:  s.Time.Format(time.RFC3339),
		Links: []atomLink{
			{Href: absURL(s, "/"+selfPath), Rel: "self", Type: "application/atom+xml"},
			{Href: absURL(s, "/"), Rel: "alternate", Type: "text/html"},
		},
	}
	for i, p := range posts {
		if i == feedLimit {
			break
		}
		link := absURL(s, p.Link())
		e := atomEntry{
			Title:     atomText{Type: "html", Text: p.Title},
			Link:      atomLink{Href: link, Rel: "alternate", Type: "text/html"},
			ID:        link,
			Published: p.Date.Format(time.RFC3339),
			Updated:   p.Date.Format(time.RFC3339),
		}
		for _, c := range p.Categories {
			e.Category = append(e.Category, atomCat{Term: c})
		}
		if p.Description != "" {
			e.Summary = &atomText{Type: "html", Text: p.Description}
		}
		if p.ResourceType == "post" {
			body, ok := r.feedHTML[p]
			if !ok {
				body, _ = r.content(p)
				r.feedHTML[p] = body
			}
			e.Content = &atomContent{Type: "html", Base: link, Text: string(body)}
		}
		f.Entries = append(f.Entries, e)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		// Encoding plain strings cannot fail; keep the build going regardless.
		return nil
	}
	b.WriteString("\n")
	return b.Bytes()
}

// redirectSources lists a page's redirect_from entries.
func redirectSources(p *site.Page) []string {
	var out []string
	switch v := p.FrontMatter["redirect_from"].(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, item := range v {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

var redirectPage = template.Must(template.New("redirect").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Redirecting…</title>
<link rel="canonical" href="{{.}}">
<meta http-equiv="refresh" content="0; url={{.}}">
<meta name="robots" content="noindex">
</head>
<body>
<p>This page has moved to <a href="{{.}}">{{.}}</a>.</p>
</body>
</html>
`))

// redirects makes an HTML redirect page for every redirect_from entry and a
// _redirects map (one "from to 301" line each) for web servers and CDNs,
// after the lines of the site's own _redirects file.
func (r *renderer) redirects() []file {
	s := r.site
	type redirect struct{ from, to string }
	var list []redirect
	for _, o := range s.Routes {
		if o.Page == nil {
			continue
		}
		for _, from := range redirectSources(o.Page) {
			from = "/" + strings.TrimLeft(strings.TrimSpace(from), "/")
			if from == o.Page.URL {
				continue
			}
			list = append(list, redirect{from: from, to: o.Page.URL})
		}
	}
	// _data/redirects.yml: a list of {from, to}, or a map from old path to new URL.
	switch v := s.Data["redirects"].(type) {
	case []any:
		for _, item := range v {
			if m, ok := item.(map[string]any); ok {
				from, _ := m["from"].(string)
				to, _ := m["to"].(string)
				if from != "" && to != "" {
					list = append(list, redirect{from: "/" + strings.TrimLeft(strings.TrimSpace(from), "/"), to: strings.TrimSpace(to)})
				}
			}
		}
	case map[string]any:
		for from, to := range v {
			if t, ok := to.(string); ok && from != "" && t != "" {
				list = append(list, redirect{from: "/" + strings.TrimLeft(strings.TrimSpace(from), "/"), to: strings.TrimSpace(t)})
			}
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].from != list[j].from {
			return list[i].from < list[j].from
		}
		return list[i].to < list[j].to
	})
	var out []file
	var rules bytes.Buffer
	if o, ok := s.Routes["_redirects"]; ok && o.Static != nil {
		if data, err := fs.ReadFile(s.FS, o.Static.Path); err == nil {
			rules.Write(data)
			if len(data) > 0 && data[len(data)-1] != '\n' {
				rules.WriteByte('\n')
			}
		}
	}
	for i, rd := range list {
		rel := site.OutputPathFor(rd.from, ".html")
		if i > 0 && list[i-1].from == rd.from {
			continue // the first rule for a path wins, as in a _redirects file
		}
		if _, taken := s.Routes[rel]; taken {
			if p := s.ByURL[rd.to]; p != nil {
				r.report(p, diagWarning(p.Path, fmt.Sprintf("redirect_from %s is also a page; the page wins", rd.from)))
			}
			continue
		}
		var page bytes.Buffer
		if err := redirectPage.Execute(&page, rd.to); err == nil {
			out = append(out, file{Path: rel, Data: page.Bytes()})
		}
		fmt.Fprintf(&rules, "%s %s 301\n", escapeSpaces(rd.from), escapeSpaces(rd.to))
	}
	if rules.Len() > 0 {
		out = append(out, file{Path: "_redirects", Data: rules.Bytes()})
	}
	return out
}

func escapeSpaces(u string) string { return strings.ReplaceAll(u, " ", "%20") }

// frameHosts are the embed hosts Isomer's content policy allows in iframes.
func frameHosts() []string {
	return []string{"https://form.gov.sg", "https://*.youtube.com", "https://*.youtube-nocookie.com", "https://www.youtube-nocookie.com", "https://*.vimeo.com", "https://player.vimeo.com", "https://www.google.com", "https://www.gstatic.com", "https://checkfirst.gov.sg", "https://www.checkfirst.gov.sg", "https://docs.google.com", "https://nlb.ap.panopto.com", "https://data.gov.sg", "https://calendar.google.com", "https://www.facebook.com", "https://www.instagram.com"}
}

// ContentSecurityPolicy is the policy the theme satisfies: no inline script
// or style anywhere, third-party scripts only for analytics the site config
// asks for, frames only from Isomer's embed allow-list.
func ContentSecurityPolicy(s *site.Site, instagram bool) string {
	scripts := []string{"'self'"}
	connect := []string{"'self'"}
	if s.Config.GA4 != "" || s.Config.GTM != "" || s.Config.GoogleAnalytics != "" {
		scripts = append(scripts, "https://www.googletagmanager.com", "https://www.google-analytics.com")
		connect = append(connect, "https://*.google-analytics.com", "https://*.analytics.google.com")
	}
	if instagram {
		scripts = append(scripts, "https://www.instagram.com")
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src " + strings.Join(scripts, " "),
		"style-src 'self'",
		"img-src 'self' data: https:",
		"font-src 'self'",
		"connect-src " + strings.Join(connect, " "),
		"frame-src " + strings.Join(frameHosts(), " "),
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'self'",
	}, "; ")
}

// SecurityHeaders are the response headers every page is served with.
func SecurityHeaders(s *site.Site, instagram bool) [][2]string {
	return [][2]string{
		{"Content-Security-Policy", ContentSecurityPolicy(s, instagram)},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"X-Frame-Options", "SAMEORIGIN"},
		{"Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"},
		{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
	}
}

// headersFile is a _headers file (the format Netlify and Amplify read) with
// the security headers for every path and long cache lifetimes for the
// content-hashed theme assets.
func headersFile(s *site.Site, instagram bool) []byte {
	var b bytes.Buffer
	b.WriteString("/*\n")
	for _, h := range SecurityHeaders(s, instagram) {
		fmt.Fprintf(&b, "  %s: %s\n", h[0], h[1])
	}
	b.WriteString("/assets/isomer/*\n  Cache-Control: public, max-age=31536000, immutable\n")
	return b.Bytes()
}
