package check

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"isomer.dev/isomer/internal/site"
)

// region is where in a built page an element sits, which says where its
// source is: the page body, the page's front matter, or the site's _data.
type region int

const (
	// regionChrome is the site header and footer, from _data and _config.yml.
	regionChrome region = iota
	// regionHead is <head>: favicon and og:image, from front matter and config.
	regionHead
	// regionMain is <main> outside the page content: front-matter-driven
	// (homepage sections, contact page, resource cards, breadcrumbs).
	regionMain
	// regionContent is the page body, inside the theme's .content element.
	regionContent
)

// ref is one URL in a built page.
type ref struct {
	tag, attr, value string
	region           region
	// ordinal counts earlier refs of the page with the same region and
	// value, so the n-th occurrence maps to the n-th one in the source.
	ordinal  int
	image    bool
	inFooter bool
}

// pageDoc is what the checks need of one built HTML file. The parsed tree
// is dropped once this is extracted: a large site does not fit in memory
// as trees.
type pageDoc struct {
	output string
	// page is the source page; nil for HTML that no page wrote (static .html).
	page   *site.Page
	ids    map[string]bool
	refs   []ref
	issues []issue
}

// issue is an accessibility problem found while parsing, with what the
// locator needs to find its source line afterwards.
type issue struct {
	rule   string
	severe bool // an error rather than a warning
	msg    string
	region region
	how    locateBy
	// url and text locate link and image problems: the n-th occurrence.
	url        string
	urlOrd     int
	text       string
	textOrd    int
	inFooter   bool
	level, nth int // headings: level, and position among content headings of that level
	tableOrd   int
}

type locateBy int

const (
	byURL locateBy = iota
	byVagueText
	byHeading
	byTable
)

// themed says whether a page is rendered inside the theme's layouts.
func themed(p *site.Page) bool {
	switch p.Layout {
	case "none", "blank", "file", "link":
		return false
	}
	return p.OutputExt == ".html"
}

// themeChrome reports whether a page the build made itself (its 404 page)
// carries the theme's header, so its chrome is told apart like any page's.
func themeChrome(root *html.Node) bool {
	found := false
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if found {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Header && hasClass(n, "site-header") {
			found = true
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(root)
	return found
}

// parsePage extracts ids, references and accessibility issues from a
// parsed page. intern shares the strings repeated on every page.
func parsePage(output string, page *site.Page, root *html.Node, intern func(string) string) *pageDoc {
	d := &pageDoc{output: output, page: page, ids: map[string]bool{}}
	start := regionChrome
	switch {
	case page == nil && !themeChrome(root):
		start = regionContent // a static HTML file: the whole file is the author's
	case page != nil && !themed(page):
		start = regionContent
	}
	p := &parser{d: d, counts: map[ordinalKey]int{}, intern: intern, checkA11y: page != nil, vague: vagueTexts()}
	walkFrom(root, start, p.element)
	return d
}

type ordinalKey struct {
	r   region
	key string
}

// parser is the state of one parsePage walk.
type parser struct {
	d         *pageDoc
	counts    map[ordinalKey]int
	intern    func(string) string
	checkA11y bool
	vague     map[string]bool
	// Content headings and tables seen so far.
	prevLevel   int
	levelCounts [7]int
	headingText map[string]int
	tables      int
}

// next returns how many times key was seen before in region r, and counts it.
func (p *parser) next(r region, key string) int {
	k := ordinalKey{r, key}
	n := p.counts[k]
	p.counts[k]++
	return n
}

func (p *parser) element(n *html.Node, r region) {
	d := p.d
	if id := attr(n, "id"); id != "" {
		d.ids[id] = true
	}
	if n.DataAtom == atom.A {
		if name := attr(n, "name"); name != "" {
			d.ids[name] = true
		}
	}
	ords := map[string]int{}
	inFooter := r == regionChrome && closest(n, atom.Footer) != nil
	for _, u := range urlsOf(n) {
		ord, seen := ords[u.value]
		if !seen {
			ord = p.next(r, u.value)
			ords[u.value] = ord
		}
		d.refs = append(d.refs, ref{tag: p.intern(n.Data), attr: u.attr, value: p.intern(u.value), region: r,
			image: u.image, ordinal: ord, inFooter: inFooter})
	}
	if p.checkA11y {
		p.a11y(n, r, ords, inFooter)
	}
}

type urlAttr struct {
	attr, value string
	image       bool
}

// urlsOf lists the URLs an element loads or links to.
func urlsOf(n *html.Node) []urlAttr {
	var out []urlAttr
	one := func(name string, image bool) {
		if v, ok := attrOK(n, name); ok {
			out = append(out, urlAttr{name, v, image})
		}
	}
	set := func(name string) {
		if v, ok := attrOK(n, name); ok {
			for _, u := range splitSrcset(v) {
				out = append(out, urlAttr{name, u, true})
			}
		}
	}
	switch n.DataAtom {
	case atom.A, atom.Area:
		one("href", false)
	case atom.Img:
		one("src", true)
		set("srcset")
	case atom.Source:
		inPicture := n.Parent != nil && n.Parent.DataAtom == atom.Picture
		one("src", inPicture)
		set("srcset")
	case atom.Video:
		one("src", false)
		one("poster", true)
	case atom.Audio, atom.Track, atom.Iframe, atom.Script, atom.Embed:
		one("src", false)
	case atom.Link:
		rel := strings.ToLower(attr(n, "rel"))
		one("href", strings.Contains(rel, "icon"))
	case atom.Meta:
		if p := attr(n, "property"); p == "og:image" || attr(n, "name") == "twitter:image" {
			one("content", true)
		}
	}
	return out
}

// splitSrcset returns the URLs of a srcset ("a.png 1x, b.png 2x").
func splitSrcset(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if f := strings.Fields(part); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

// walkFrom visits every element under root in document order with its
// region, starting in region start.
func walkFrom(root *html.Node, start region, fn func(n *html.Node, r region)) {
	var visit func(n *html.Node, r region)
	visit = func(n *html.Node, r region) {
		if n.Type == html.ElementNode {
			switch {
			case start == regionContent:
				// Not themed: no chrome to tell apart.
			case n.DataAtom == atom.Head:
				r = regionHead
			case n.DataAtom == atom.Main && r < regionMain:
				r = regionMain
			case r == regionMain && hasClass(n, "content"):
				r = regionContent
			}
			fn(n, r)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, r)
		}
	}
	visit(root, start)
}

func attr(n *html.Node, name string) string {
	v, _ := attrOK(n, name)
	return v
}

func attrOK(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// visibleText is the text of n without what only screen readers get
// (the theme's .sr-only spans).
func visibleText(n *html.Node) string {
	return textOf(n, func(m *html.Node) bool { return hasClass(m, "sr-only") })
}

// text is the text content of n, whitespace collapsed.
func text(n *html.Node) string { return textOf(n, func(*html.Node) bool { return false }) }

func textOf(n *html.Node, skip func(*html.Node) bool) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			b.WriteByte(' ')
		case html.ElementNode:
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style || n.DataAtom == atom.Template || skip(n) {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// accessibleName approximates a link's accessible name: aria-label, else
// its text and the alt text of its images, else its title.
func accessibleName(n *html.Node) string {
	if v := strings.TrimSpace(attr(n, "aria-label")); v != "" {
		return v
	}
	var parts []string
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			parts = append(parts, n.Data)
		case html.ElementNode:
			if attr(n, "aria-hidden") == "true" || n.DataAtom == atom.Script || n.DataAtom == atom.Style {
				return
			}
			if v := strings.TrimSpace(attr(n, "aria-label")); v != "" {
				parts = append(parts, v)
				return
			}
			if n.DataAtom == atom.Img {
				parts = append(parts, attr(n, "alt"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		visit(c)
	}
	name := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	if name == "" {
		name = strings.TrimSpace(attr(n, "title"))
	}
	return name
}

// closest returns the nearest ancestor of n (n excluded) with the atom.
func closest(n *html.Node, a atom.Atom) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == a {
			return p
		}
	}
	return nil
}
