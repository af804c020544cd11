package check

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"isomer.dev/isomer/internal/diag"
)

// vagueTexts are link texts that say nothing out of context: screen reader
// users list links by their text alone (WCAG 2.4.4).
func vagueTexts() map[string]bool {
	return map[string]bool{
		"click here": true, "here": true, "read more": true, "more": true, "click": true,
		"link": true, "this link": true, "click this link": true, "learn more": true, "more info": true,
	}
}

// a11y finds accessibility problems in one element of a page (found while
// parsing; located by checker.a11y):
//
//   - missing-alt: an <img> without alt anywhere, and an alt="" image in page
//     content outside a link. alt="" is right for a decorative image, so it
//     is accepted inside a link or button that has text of its own, on
//     images marked role="presentation" or aria-hidden, and on the theme's
//     own decorative images (outside page content); an image that is a
//     link's only content is reported as an empty link instead.
//   - empty-link: a link without an accessible name.
//   - vague-link-text: a link named only "click here", "here", "read more"…
//   - heading-skip: a heading more than one level below the previous one in
//     page content (h2 → h4). The first heading may be any level: content
//     sits under the page title, and h3-first pages are common and fine.
//   - table-no-header: a table in page content without any <th>.
//
// Static HTML files copied as they are (no front matter) are not checked.
func (p *parser) a11y(n *html.Node, r region, ords map[string]int, inFooter bool) {
	urlIssue := func(rule string, severe bool, how locateBy, url, msg string) {
		t := visibleText(n)
		p.d.issues = append(p.d.issues, issue{rule: rule, severe: severe, msg: msg, region: r, how: how,
			url: url, urlOrd: ords[url], text: t, textOrd: p.next(r, "text:"+t), inFooter: inFooter})
	}
	switch n.DataAtom {
	case atom.Img:
		src := attr(n, "src")
		if role := attr(n, "role"); role == "presentation" || role == "none" || attr(n, "aria-hidden") == "true" {
			return
		}
		alt, ok := attrOK(n, "alt")
		switch {
		case !ok:
			urlIssue(RuleMissingAlt, true, byURL, src,
				fmt.Sprintf("image %s has no alt text; describe it, or write alt=\"\" if it is purely decorative", src))
		case strings.TrimSpace(alt) != "":
		case closest(n, atom.A) != nil || closest(n, atom.Button) != nil:
			// Decorative inside a named link, or reported as an empty link.
		case r == regionContent:
			urlIssue(RuleMissingAlt, false, byURL, src,
				fmt.Sprintf("image %s has empty alt text, which hides it from screen readers; describe it unless it is purely decorative", src))
		}
	case atom.A:
		href, ok := attrOK(n, "href")
		if !ok {
			return
		}
		name := accessibleName(n)
		if name == "" {
			urlIssue(RuleEmptyLink, true, byURL, href,
				fmt.Sprintf("link to %s has no text, so screen readers announce only the address; add link text (or alt text to its image)", href))
		} else if p.vague[normaliseLinkText(name)] {
			urlIssue(RuleVagueLink, false, byVagueText, href,
				fmt.Sprintf("link text %q says nothing about where link %s goes; name the destination instead", name, href))
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		if r != regionContent {
			return
		}
		level := int(n.Data[1] - '0')
		t := text(n)
		if p.headingText == nil {
			p.headingText = map[string]int{}
		}
		is := issue{rule: RuleHeadingSkip, region: r, how: byHeading, text: t, textOrd: p.headingText[t],
			level: level, nth: p.levelCounts[level]}
		p.headingText[t]++
		p.levelCounts[level]++
		if p.prevLevel > 0 && level > p.prevLevel+1 {
			is.msg = fmt.Sprintf("heading %q is an h%d right after an h%d; use h%d so the outline has no gap", t, level, p.prevLevel, p.prevLevel+1)
			p.d.issues = append(p.d.issues, is)
		}
		p.prevLevel = level
	case atom.Table:
		if r != regionContent {
			return
		}
		ord := p.tables
		p.tables++
		if role := attr(n, "role"); role == "presentation" || role == "none" || hasDescendant(n, atom.Th) {
			return
		}
		p.d.issues = append(p.d.issues, issue{rule: RuleTableHeader, region: r, how: byTable, tableOrd: ord,
			msg: "table has no header cells; mark its first row (or column) as a header so screen readers can name each cell"})
	}
}

// a11y reports the accessibility issues found while parsing, each at its
// source line.
func (c *checker) a11y(ctx context.Context) error {
	for _, d := range c.docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, is := range d.issues {
			var p string
			var line int
			switch is.how {
			case byURL:
				p, line = c.locateURLIssue(d, is)
			case byVagueText:
				p, line = c.locateVague(d, is)
			case byHeading:
				p, line = c.headingLine(d, is)
			case byTable:
				var ok bool
				if p, line, ok = c.loc.find(c.loc.scopes(d.page.Path, regionContent), []string{"<table"}, is.tableOrd, false); !ok {
					p, line = d.page.Path, 0
				}
			}
			if p == "" {
				continue // written by the theme; see locateURLIssue
			}
			sev := diag.Warning
			if is.severe {
				sev = diag.Error
			}
			c.add(Finding{Rule: is.rule, Severity: sev, Path: p, Line: line, Message: is.msg, URL: d.page.URL})
		}
	}
	return nil
}

// locateURLIssue finds a link or image by its URL, else by its visible
// text in the page's own file. Outside page content, what cannot be found
// in any source was written by the theme (its default "More" button, say):
// the theme's own tests own that, so p is "" and nothing is reported.
func (c *checker) locateURLIssue(d *pageDoc, is issue) (string, int) {
	p, line := c.loc.ref(d, ref{value: is.url, region: is.region, ordinal: is.urlOrd, inFooter: is.inFooter})
	if line == 0 && is.text != "" {
		sc := []scope{c.loc.scope(d.page.Path, wholeFile)}
		if pp, l, ok := c.loc.find(sc, []string{is.text}, is.textOrd, false); ok {
			p, line = pp, l
		}
	}
	if line == 0 && is.region != regionContent {
		return "", 0
	}
	return p, line
}

// locateVague puts vague link text at the line of the text when it sits
// near the link's URL (a homepage button: field above its url:), else at
// the URL.
func (c *checker) locateVague(d *pageDoc, is issue) (string, int) {
	p, line := c.locateURLIssue(d, is)
	if line == 0 || is.text == "" {
		return p, line
	}
	lines := c.loc.file(p)
	for dist := 0; dist <= 3; dist++ {
		for _, l := range []int{line - dist, line + dist} {
			if l >= 1 && l <= len(lines) && strings.Contains(lines[l-1], is.text) {
				return p, l
			}
		}
	}
	return p, line
}

// headingLine locates a heading: by its text written as a heading
// (">Text<", "# Text"), else by its position among the body's headings of
// its level (text the source spells differently: entities, smart quotes,
// Liquid), else by its text anywhere.
func (c *checker) headingLine(d *pageDoc, is issue) (string, int) {
	sc := c.loc.scopes(d.page.Path, regionContent)
	if is.text != "" {
		if p, line, ok := c.loc.find(sc, []string{">" + is.text + "<", "# " + is.text}, is.textOrd, false); ok {
			return p, line
		}
	}
	needles := []string{fmt.Sprintf("<h%d", is.level), strings.Repeat("#", is.level) + " "}
	if p, line, ok := c.loc.find(sc, needles, is.nth, false); ok {
		return p, line
	}
	if p, line, ok := c.loc.text(d, regionContent, is.text, is.textOrd); ok {
		return p, line
	}
	return d.page.Path, 0
}

func hasDescendant(n *html.Node, a atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == a || hasDescendant(c, a) {
			return true
		}
	}
	return false
}

// normaliseLinkText lower-cases a link name and drops what the theme adds
// for screen readers and trailing punctuation, to compare with vagueTexts.
func normaliseLinkText(s string) string {
	s = strings.ToLower(s)
	for _, suffix := range []string{"(opens in a new tab)", ", download file", ", external link"} {
		s = strings.ReplaceAll(s, suffix, "")
	}
	s = strings.TrimRight(strings.TrimSpace(s), ".:!…>»→ ")
	return strings.Join(strings.Fields(s), " ")
}
