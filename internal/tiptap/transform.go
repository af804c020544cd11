package tiptap

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"isomer.dev/isomer/internal/htmltag"
)

// A marker is a literal substring that every start tag Transform rewrites
// carries, so a body without any is returned as it is.
type marker struct {
	text []byte
	// rare is the index in text of its byte least common in page text,
	// the one hasMarker looks for.
	rare int
}

// markers: a component root carries one of componentMarkers in its start
// tag, a tag whose style becomes a class styleMarker.
var markers = [...]marker{
	{[]byte("isomer-"), 6},     // card grid, details, accordion group
	{[]byte("-wrapper"), 0},    // iframe-wrapper, instagram-wrapper
	{[]byte("detailGroup"), 6}, // accordion group without its classes
	{[]byte("minWidth"), 3},    // Tiptap table
	{[]byte("data-tight"), 4},  // tight list
	styleMarker,
}

var componentMarkers = markers[:len(markers)-1]

// styleMarker must appear literally in a start tag for its style attribute
// to be looked at (kramdown and Tiptap both write exactly this).
var styleMarker = marker{[]byte("style="), 5}

func hasComponentMarker(raw []byte) bool {
	for _, m := range componentMarkers {
		if bytes.Contains(raw, m.text) {
			return true
		}
	}
	return false
}

// hasMarker reports whether b contains any marker.
func hasMarker(b []byte) bool { return containsAny(b, markers[:]) }

// instagramMarker is in the start tag of every Instagram embed.
var instagramMarker = marker{[]byte("instagram-wrapper"), 9}

// EmbedsInstagram reports whether body may embed Instagram, whose script
// the site's Content-Security-Policy must then allow.
func EmbedsInstagram(body []byte) bool { return containsAny(body, []marker{instagramMarker}) }

// containsAny reports whether b contains any of set. It finds the rare
// bytes of the markers with bytes.IndexByte, one pass per distinct byte,
// and compares the markers that have it around each one found:
// bytes.Contains would take a pass per marker and stop at every occurrence
// of its first byte (the "i" of "isomer-" is in most words).
func containsAny(b []byte, set []marker) bool {
	for i, m := range set {
		rare := m.text[m.rare]
		if slices.ContainsFunc(set[:i], func(p marker) bool { return p.text[p.rare] == rare }) {
			continue // found with an earlier marker's pass
		}
		for at := bytes.IndexByte(b, rare); at >= 0; {
			for _, m := range set[i:] {
				if m.text[m.rare] == rare && at >= m.rare && bytes.HasPrefix(b[at-m.rare:], m.text) {
					return true
				}
			}
			next := bytes.IndexByte(b[at+1:], rare)
			if next < 0 {
				break
			}
			at += 1 + next
		}
	}
	return false
}

// tagName returns the element name of a raw start tag, as written.
func tagName(raw []byte) []byte {
	name := raw[1:]
	for i, c := range name {
		if htmltag.IsSpace(c) || c == '/' || c == '>' {
			return name[:i]
		}
	}
	return name
}

// rootTag reports whether a raw start tag names an element that can be a
// component root (see componentOf), so the marker search is skipped for all
// other tags.
func rootTag(raw []byte) bool {
	name := tagName(raw)
	for _, t := range [...]string{"div", "details", "table", "ul", "ol"} {
		if len(name) == len(t) && bytes.EqualFold(name, []byte(t)) {
			return true
		}
	}
	return false
}

// Transform returns body with the Tiptap components rewritten (see the
// package documentation): body itself when it has nothing to rewrite, so
// most pages are not copied. It never panics.
func Transform(body []byte) []byte {
	return new(Transformer).Transform(body)
}

// Transformer is Transform with the memory of one body's trees and output
// kept for the next: a build transforms thousands of bodies, and fresh
// memory for each was a tenth of what it allocated. The zero value is ready
// to use. A Transformer is not safe for concurrent use.
type Transformer struct{ t transformer }

// Transform is the package's Transform, except that what it returns, when
// not body itself, is the Transformer's memory: it is valid until the
// Transformer's next call.
func (tr *Transformer) Transform(body []byte) []byte {
	if !hasMarker(body) {
		return body
	}
	return tr.t.runSafely(body)
}

// runSafely runs the transformer and falls back to the unchanged body if
// it panics: a page rendered as written beats a failed build of a large
// site. Tests and the fuzzer call transform directly so a bug still shows
// up there.
func (t *transformer) runSafely(body []byte) (out []byte) {
	defer func() {
		if recover() != nil {
			out = body
		}
	}()
	return t.run(body)
}

type transformer struct {
	body []byte
	// cards is the last number used for generated card ids, -1 until one
	// is needed. It starts at the highest "isomer-card-N" already in the
	// body, so a generated id never repeats one the author (or an earlier
	// pass) wrote.
	cards int
	nodes arena
	// spare is the output of the last body, to write the next one into.
	spare []byte
}

// transform returns body with its components rewritten, or body itself when
// nothing in it changes.
func transform(body []byte) []byte {
	return new(transformer).run(body)
}

func (t *transformer) run(body []byte) []byte {
	t.nodes.reset()
	t.body, t.cards = body, -1
	toks := newTokens(body)
	var out []byte // allocated at the first change
	flushed := 0
	for {
		tt, raw := toks.next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		isRoot := rootTag(raw) && hasComponentMarker(raw)
		if !isRoot && !styledTag(raw) {
			continue
		}
		start := toks.start
		name, attrs := toks.tagAttrs()
		root := t.nodes.element(name, attrs, raw, tt == html.SelfClosingTagToken)
		if !isRoot || componentOf(root) == noComponent {
			// Outside components only this one tag can change; its
			// content is read (and copied) as the loop goes on.
			if styleToClass(root) {
				out = t.appendUnchanged(out, flushed, start)
				out = root.appendTo(out)
				flushed = toks.off
			}
			continue
		}
		if !isVoid(name) {
			t.nodes.buildSubtree(toks, root)
		}
		if toks.bad {
			break
		}
		t.walk(root)
		stylesToClasses(root)
		out = t.appendUnchanged(out, flushed, start)
		out = root.appendTo(out)
		flushed = toks.off
	}
	if out == nil {
		return body
	}
	t.spare = out[:0] // the next body is written over this one
	if toks.bad {
		return body
	}
	return append(out, body[flushed:]...)
}

// appendUnchanged appends body[from:to] to out, starting out on the first
// call with room for the whole body and what the rewrites add.
func (t *transformer) appendUnchanged(out []byte, from, to int) []byte {
	if out == nil {
		need := len(t.body) + len(t.body)/8
		if out = t.spare[:0]; cap(out) < need {
			out = make([]byte, 0, need)
		}
	}
	return append(out, t.body[from:to]...)
}

type component uint8

const (
	noComponent component = iota
	cardGrid
	accordionGroup
	details
	iframeWrapper
	instagramWrapper
	tiptapTable
	tightList
)

func componentOf(n *node) component {
	if n.kind != elementNode {
		return noComponent
	}
	switch n.tag {
	case "div":
		switch {
		case n.hasClass("isomer-card-grid") && !n.hasClass("isomer-card"):
			// A card that also says it is a grid stays a card: once its
			// grid became a list it would otherwise become one next time.
			return cardGrid
		case n.hasClass("isomer-accordion"), attrIs(n, "data-type", "detailGroup"):
			return accordionGroup
		case n.hasClass("iframe-wrapper"):
			return iframeWrapper
		case n.hasClass("instagram-wrapper"):
			return instagramWrapper
		}
	case "details":
		if n.hasClass("isomer-details") {
			return details
		}
	case "table":
		if s, ok := n.attr("style"); ok && strings.Contains(s, "minWidth") {
			return tiptapTable
		}
	case "ul", "ol":
		if attrIs(n, "data-tight", "true") {
			return tightList
		}
	}
	return noComponent
}

func attrIs(n *node, key, val string) bool {
	v, ok := n.attr(key)
	return ok && strings.TrimSpace(v) == val
}

// walk applies the rule for n's component, if any, then visits the children.
func (t *transformer) walk(n *node) {
	if n.kind != elementNode {
		return
	}
	switch componentOf(n) {
	case cardGrid:
		t.cardGrid(n) // visits its own children
		return
	case instagramWrapper:
		instagram(n) // nothing inside it is another component
		return
	case accordionGroup:
		accordionClasses(n)
	case details:
		detailsSummary(n)
	case iframeWrapper:
		iframes(n)
	case tiptapTable:
		table(n)
	case tightList:
		n.addClass("tight")
	}
	for _, c := range n.children {
		t.walk(c)
	}
}

func isBlank(b []byte) bool {
	return len(bytes.TrimSpace(b)) == 0
}

func (t *transformer) cardGrid(g *node) {
	if !closedThroughout(g) {
		// Truncated or unbalanced input: renaming the grid would swallow
		// the rest of the page into a list, and renaming a card (<a> to
		// <div>) would let its end tag close an element left open inside
		// it, so that the next build reads a different tree. Only the
		// contents are transformed.
		for _, c := range g.children {
			t.walk(c)
		}
		return
	}
	g.tag, g.rewrite, g.renamed = "ul", true, true
	kids := make([]*node, 0, len(g.children))
	for _, c := range g.children {
		switch {
		case c.kind == otherNode, c.kind == textNode && isBlank(c.raw):
			kids = append(kids, c)
		case c.isElement("div", "a") && c.hasClass("isomer-card"):
			t.card(c)
			kids = append(kids, t.listItem(c, "isomer-card-item"))
		default:
			t.walk(c)
			kids = append(kids, t.listItem(c, ""))
		}
	}
	g.children = kids
}

// closedThroughout reports whether n and every element inside it are
// closed by an end tag, or are empty void or self-closed elements.
func closedThroughout(n *node) bool {
	if n.kind == elementNode && !n.closed && (len(n.children) > 0 || !isVoid(n.tag) && !n.selfClose) {
		return false
	}
	for _, c := range n.children {
		if !closedThroughout(c) {
			return false
		}
	}
	return true
}

func (t *transformer) listItem(c *node, class string) *node {
	li := t.nodes.node(node{kind: elementNode, tag: "li", rewrite: true, closed: true, children: t.nodes.childList([]*node{c})})
	if class != "" {
		li.attrs = []html.Attribute{{Key: "class", Val: class}}
	}
	return li
}

func (t *transformer) card(c *node) {
	for _, k := range c.children {
		t.walk(k)
	}
	if c.tag != "a" {
		return
	}
	if _, ok := c.attr("href"); !ok {
		// Without href an <a> is not a link; say so in the markup.
		c.tag, c.rewrite, c.renamed = "div", true, true
		return
	}
	inCard := func(k *node) bool { return k.hasClass("isomer-card") }
	hasText := func(k *node) bool { return k != nil && strings.TrimSpace(k.textContent()) != "" }
	desc := c.findClass("isomer-card-description", inCard)
	// The link goes around the title; a card without one falls back to its
	// "Learn more" text, then to its description.
	var host *node
	for _, class := range [...]string{"isomer-card-title", "isomer-card-link", "isomer-card-description"} {
		if k := c.findClass(class, inCard); hasText(k) && !isRawText(k.tag) {
			host = k
			break
		}
	}
	if host == nil {
		// No text to put a link around: the card stays one link, named by
		// its content (the image's alt text, if any).
		return
	}
	t.stretchedLink(c, host)
	if host == desc || !hasText(desc) {
		return
	}
	anchor := host.children[0]
	if _, ok := anchor.attr("aria-describedby"); !ok {
		if t.cards < 0 {
			t.cards = highestCardNumber(t.body)
		}
		t.cards++
		anchor.setAttr("aria-describedby", t.ensureID(desc, "description"))
	}
}

// isLinkAttr reports whether an attribute of a card's <a> belongs to the link
// rather than to the card.
func isLinkAttr(key string) bool {
	switch key {
	case "href", "rel", "target", "hreflang", "download", "ping", "referrerpolicy", "type", "aria-describedby":
		return true
	}
	return false
}

// stretchedLink turns the clickable card c into a plain container and puts
// its link around the content of host, so the link's accessible name is the
// visible text it wraps (WCAG 2.5.3, Label in Name). The theme stretches the
// link over the whole card (.isomer-card-anchor::after), so the card stays
// clickable everywhere.
func (t *transformer) stretchedLink(c, host *node) {
	anchor := t.nodes.node(node{kind: elementNode, tag: "a", rewrite: true, closed: true,
		attrs: []html.Attribute{{Key: "class", Val: "isomer-card-anchor"}}, children: host.children})
	kept := c.attrs[:0]
	for _, a := range c.attrs {
		switch {
		case a.Namespace != "":
			kept = append(kept, a)
		case isLinkAttr(a.Key):
			anchor.attrs = append(anchor.attrs, a)
		case a.Key == "aria-label", a.Key == "aria-labelledby":
			// A name other than the visible text is what 2.5.3 forbids,
			// and a plain <div> may not be named at all.
		default:
			kept = append(kept, a)
		}
	}
	c.attrs = kept
	c.tag, c.rewrite, c.renamed = "div", true, true
	c.addClass("isomer-card-clickable")
	host.children = t.nodes.childList([]*node{anchor})
}

// ensureID returns n's id, giving it a generated one first if it has none.
func (t *transformer) ensureID(n *node, part string) string {
	if id, ok := n.attr("id"); ok && strings.TrimSpace(id) != "" {
		return id
	}
	id := idPrefix + strconv.Itoa(t.cards) + "-" + part
	n.setAttr("id", id)
	return id
}

const idPrefix = "isomer-card-"

func highestCardNumber(body []byte) int {
	// Searching for "-card-" rather than the whole prefix: "-" is far rarer
	// in a page than the "i" bytes.Index would otherwise stop at.
	const (
		head = "isomer"
		tail = "-card-"
	)
	highest := 0
	for {
		i := bytes.Index(body, []byte(tail))
		if i < 0 {
			return highest
		}
		isID := i >= len(head) && string(body[i-len(head):i]) == head
		body = body[i+len(tail):]
		if !isID {
			continue
		}
		n := 0
		for len(body) > 0 && '0' <= body[0] && body[0] <= '9' && n < 1e6 {
			n = n*10 + int(body[0]-'0')
			body = body[1:]
		}
		highest = max(highest, n)
	}
}

func accordionClasses(g *node) {
	g.addClass("isomer-accordion")
	if !g.hasClass("isomer-accordion-white") && !g.hasClass("isomer-accordion-gray") {
		g.addClass("isomer-accordion-white")
	}
}

func detailsSummary(d *node) {
	for _, c := range d.children {
		if !c.isElement("summary") {
			continue
		}
		_, labelled := c.attr("aria-label")
		_, labelledBy := c.attr("aria-labelledby")
		if !labelled && !labelledBy && !c.hasVisibleContent() {
			c.setAttr("aria-label", "Details")
		}
		return // only the first summary is the disclosure button
	}
}

func iframes(n *node) {
	for _, c := range n.children {
		if c.kind != elementNode {
			continue
		}
		if c.tag == "iframe" {
			if v, ok := c.attr("title"); !ok || strings.TrimSpace(v) == "" {
				src, _ := c.attr("src")
				c.setAttr("title", iframeTitle(src))
			}
			if _, ok := c.attr("loading"); !ok {
				c.setAttr("loading", "lazy")
			}
			iframeStyle(c)
		}
		iframes(c)
	}
}

// iframeSize is a width or height an iframe attribute can carry instead.
var iframeSize = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)(px|%)?$`)

// iframeStyle moves the sizes of an embed's style (FormSG writes
// "width: 100%; height: 500px") into width and height attributes, which a
// strict CSP does not block, and turns "border: 0" into frameborder="0".
// Declarations it cannot move stay in the style attribute.
func iframeStyle(f *node) {
	s, ok := f.attr("style")
	if !ok {
		return
	}
	var kept []string
	moved := map[string]string{}
	for _, d := range strings.Split(s, ";") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		prop, val, _ := strings.Cut(d, ":")
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.TrimSpace(val)
		switch m := iframeSize.FindStringSubmatch(val); {
		case (prop == "width" || prop == "height") && m != nil:
			moved[prop] = m[1] + strings.TrimPrefix(m[2], "px")
		case prop == "border" && (val == "0" || val == "none" || val == "0px"):
			moved["frameborder"] = "0"
		default:
			kept = append(kept, strings.TrimSpace(d))
		}
	}
	if len(moved) == 0 {
		return
	}
	for _, k := range []string{"width", "height", "frameborder"} {
		if v, ok := moved[k]; ok {
			f.setAttr(k, v)
		}
	}
	if len(kept) == 0 {
		f.removeAttr("style")
	} else {
		f.setAttr("style", strings.Join(kept, "; "))
	}
}

func iframeTitle(src string) string {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil {
		return "Embedded content"
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if host == "" {
		return "Embedded content"
	}
	return "Embedded content from " + host
}

func instagram(n *node) {
	for _, c := range n.children {
		if c.kind != elementNode {
			continue
		}
		c.removeAttr("style")
		if c.tag == "svg" {
			if _, ok := c.attr("aria-hidden"); !ok {
				c.setAttr("aria-hidden", "true")
			}
		}
		instagram(c)
	}
}

func table(tb *node) {
	if s, ok := tb.attr("style"); ok {
		var kept []string
		for _, d := range strings.Split(s, ";") {
			prop, _, _ := strings.Cut(d, ":")
			if strings.TrimSpace(d) == "" || strings.EqualFold(strings.TrimSpace(prop), "minWidth") {
				continue
			}
			kept = append(kept, strings.TrimSpace(d))
		}
		if len(kept) == 0 {
			tb.removeAttr("style")
		} else {
			tb.setAttr("style", strings.Join(kept, "; "))
		}
	}
	for _, tr := range tableRows(tb) {
		allHeaders := true
		for _, c := range tr.children {
			if c.isElement("td") {
				allHeaders = false
			}
		}
		for _, c := range tr.children {
			if !c.isElement("th") {
				continue
			}
			if _, ok := c.attr("scope"); ok {
				continue
			}
			if allHeaders {
				c.setAttr("scope", "col")
			} else {
				c.setAttr("scope", "row")
			}
		}
	}
}

// tableRows returns the rows of tb itself, not those of nested tables.
func tableRows(tb *node) []*node {
	var rows []*node
	for _, c := range tb.children {
		switch {
		case c.isElement("tr"):
			rows = append(rows, c)
		case c.isElement("thead", "tbody", "tfoot"):
			for _, r := range c.children {
				if r.isElement("tr") {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}
