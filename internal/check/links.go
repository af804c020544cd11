package check

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/site"
)

// refKind is what a reference in a page is, before resolving it.
type refKind int

const (
	refSkip     refKind = iota // empty, or nothing to check
	refInternal                // a path on this site
	refExternal                // another site (http, https, protocol-relative)
	refOther                   // mailto:, tel: and other schemes
)

// classify says what kind of reference v is. URLs on the site's own
// configured url (canonical links, og:image) are internal.
func (ix *outputIndex) classify(v string) (refKind, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return refSkip, v
	}
	if ix.siteURL != "" && (v == ix.siteURL || strings.HasPrefix(v, ix.siteURL+"/")) {
		return refInternal, strings.TrimPrefix(v, ix.siteURL)
	}
	if strings.HasPrefix(v, "//") {
		return refExternal, v
	}
	if scheme, ok := schemeOf(v); ok {
		switch strings.ToLower(scheme) {
		case "http", "https":
			return refExternal, v
		case "data", "blob", "about":
			return refSkip, v
		}
		return refOther, v
	}
	return refInternal, v
}

// schemeOf returns the scheme of an absolute URL: letters, digits, "+",
// "-" and "." before the first ":", which comes before any "/", "?" or "#".
func schemeOf(v string) (string, bool) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ':':
			return v[:i], i > 0
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", false
		}
	}
	return "", false
}

// problem says why an internal reference does not resolve.
type problem int

const (
	resolved     problem = iota
	missing              // nothing like it exists
	caseOnly             // it exists with different upper/lower case
	encodingOnly         // it exists with a different percent-encoding or Unicode form
	wrongForm            // the page exists, but at the other of /x/ and /x.html
)

// resolution is where an internal reference leads.
type resolution struct {
	// Target is the output file reached, or the one that was probably meant.
	Target   string
	Fragment string
	Problem  problem
	// Suggest is a URL that would work, when one is known.
	Suggest string
}

// resolve follows an internal reference from the page at pageURL the way a
// static web server does: percent-decoded, /x/ served from x/index.html,
// /x from x, x.html or x/index.html. When it fails, it works out what the
// author probably meant.
func (ix *outputIndex) resolve(pageURL, ref string) resolution {
	ref = strings.TrimSpace(ref)
	// Most references are absolute and repeat on every page (navigation,
	// footer); resolve each once.
	key := ref
	if !strings.HasPrefix(ref, "/") {
		key = pageURL + "\x00" + ref
	}
	if res, ok := ix.cache[key]; ok {
		return res
	}
	res := ix.resolveUncached(pageURL, ref)
	ix.cache[key] = res
	return res
}

func (ix *outputIndex) resolveUncached(pageURL, ref string) resolution {
	p, frag, _ := strings.Cut(ref, "#")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	var res resolution
	res.Fragment = frag
	if p == "" {
		p = pageURL
	}
	if !strings.HasPrefix(p, "/") {
		p = dirURL(pageURL) + p
	}
	p = cleanURLPath(p)
	if ix.baseURL != "" {
		if p == ix.baseURL {
			p = "/"
		} else if strings.HasPrefix(p, ix.baseURL+"/") {
			p = strings.TrimPrefix(p, ix.baseURL)
		}
	}
	decoded, err := url.PathUnescape(p)
	if err != nil {
		// A stray "%" (a file named "100%.pdf") is sent as is.
		decoded = p
	}
	rawSpaces := strings.Contains(ref, " ")
	if t := ix.lookup(decoded); t != "" {
		res.Target = t
		return res
	}
	res.Problem = missing
	// Other spellings of the same path: the page at its other URL form,
	// different case, a different encoding or Unicode normalisation.
	if t := ix.lookupForms(decoded); t != "" {
		res.Problem, res.Target = wrongForm, t
	} else if t := ix.lookupCase(decoded); t != "" {
		res.Problem, res.Target = caseOnly, t
	} else {
		for _, alt := range altDecodings(p, decoded) {
			if t := ix.lookup(alt); t != "" {
				res.Problem, res.Target = encodingOnly, t
				break
			}
		}
		if res.Target == "" {
			if t := ix.lookupFolded(decoded); t != "" {
				res.Problem, res.Target = encodingOnly, t
			}
		}
	}
	if res.Target == "" {
		res.Target = ix.nearest(decoded)
	}
	if res.Target != "" {
		res.Suggest = ix.urlFor(res.Target, rawSpaces)
		if frag != "" {
			res.Suggest += "#" + frag
		}
	}
	return res
}

// cleanURLPath removes dot segments and doubled slashes, keeping a
// trailing slash.
func cleanURLPath(p string) string {
	trailing := strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
	c := path.Clean("/" + p)
	if trailing && c != "/" {
		c += "/"
	}
	return c
}

// candidates are the files a server tries for a decoded URL path.
func candidates(decoded string) []string {
	rel := strings.TrimPrefix(decoded, "/")
	if rel == "" || strings.HasSuffix(rel, "/") {
		return []string{rel + "index.html"}
	}
	return []string{rel, rel + ".html", rel + "/index.html"}
}

func (ix *outputIndex) lookup(decoded string) string {
	for _, c := range candidates(decoded) {
		if _, ok := ix.files[c]; ok {
			return c
		}
	}
	return ""
}

// lookupForms tries /x/ for /x.html and /x.html for /x/: both look
// right to authors, but only one of them is the page.
func (ix *outputIndex) lookupForms(decoded string) string {
	var stem string
	switch {
	case strings.HasSuffix(decoded, "/index.html"):
		stem = strings.TrimSuffix(decoded, "/index.html")
	case strings.HasSuffix(decoded, ".html"):
		stem = strings.TrimSuffix(decoded, ".html")
	case strings.HasSuffix(decoded, "/"):
		stem = strings.TrimSuffix(decoded, "/")
	default:
		return "" // "/x" already tried x, x.html and x/index.html
	}
	rel := strings.TrimPrefix(stem, "/")
	if rel == "" {
		return ""
	}
	for _, c := range []string{rel + "/index.html", rel + ".html"} {
		if _, ok := ix.files[c]; ok {
			return c
		}
	}
	return ""
}

func (ix *outputIndex) lookupCase(decoded string) string {
	for _, c := range candidates(decoded) {
		if m := ix.lower[strings.ToLower(c)]; len(m) > 0 {
			return m[0]
		}
	}
	return ""
}

func (ix *outputIndex) lookupFolded(decoded string) string {
	for _, c := range candidates(decoded) {
		if m := ix.folded[fold(c)]; len(m) > 0 {
			return m[0]
		}
	}
	return ""
}

// altDecodings are wrong-but-common encodings of a path: encoded twice
// ("%2520"), not meant to be decoded (a file really named "a%20b"), or
// "+" for a space as in query strings.
func altDecodings(raw, decoded string) []string {
	var out []string
	if twice, err := url.PathUnescape(decoded); err == nil && twice != decoded {
		out = append(out, twice)
	}
	if raw != decoded {
		out = append(out, raw)
	}
	if strings.Contains(decoded, "+") {
		out = append(out, strings.ReplaceAll(decoded, "+", " "))
	}
	return out
}

// nearest finds an output file one small typo away from a missing path,
// to suggest a fix; "" when nothing is close. Only paths that differ in one
// segment are compared (found through an index of paths with each segment
// left out), which keeps this fast on sites with thousands of files.
func (ix *outputIndex) nearest(decoded string) string {
	want := nearForm(decoded)
	if want == "" {
		return ""
	}
	if ix.near == nil {
		ix.near = map[string][]nearCand{}
		for _, f := range sortedKeys(ix.files) {
			for _, form := range urlForms(f) {
				segs := strings.Split(form, "/")
				for i := range segs {
					k := wildcard(segs, i)
					ix.near[k] = append(ix.near[k], nearCand{file: f, seg: segs[i]})
				}
			}
		}
	}
	segs := strings.Split(want, "/")
	best, bestD := "", 0
	for i, seg := range segs {
		limit := 2
		if utf8.RuneCountInString(seg) < 6 {
			limit = 1
		}
		for _, c := range ix.near[wildcard(segs, i)] {
			if d := editDistance(seg, c.seg, limit+1); d <= limit && (best == "" || d < bestD) {
				best, bestD = c.file, d
			}
		}
	}
	return best
}

type nearCand struct {
	file string // output file
	seg  string // its segment where the query differs
}

// wildcard is segs joined with segment i left out.
func wildcard(segs []string, i int) string {
	return strings.Join(segs[:i], "/") + "/\x00/" + strings.Join(segs[i+1:], "/")
}

// nearForm is a path as nearest compares it: lower case, without the
// leading and trailing slash and a final index.html.
func nearForm(p string) string {
	p = strings.ToLower(strings.Trim(p, "/"))
	p = strings.TrimSuffix(p, "index.html")
	return strings.Trim(p, "/")
}

// urlForms are the forms of an output file that nearest compares: a page
// at x/index.html is x; one at x.html is x.html and x.
func urlForms(file string) []string {
	f := nearForm(file)
	switch {
	case f == "":
		return nil
	case strings.HasSuffix(file, "/index.html"):
		return []string{f}
	case strings.HasSuffix(f, ".html"):
		return []string{f, strings.TrimSuffix(f, ".html")}
	}
	return []string{f}
}

// urlFor is the URL to write for an output file: the page's own URL, or the
// file's escaped path; spaces raw when the author wrote them raw.
func (ix *outputIndex) urlFor(file string, rawSpaces bool) string {
	u, ok := ix.urls[file]
	if !ok {
		u = "/" + file
		if strings.HasSuffix(u, "/index.html") {
			u = strings.TrimSuffix(u, "index.html")
		}
		u = (&url.URL{Path: u}).EscapedPath()
	}
	if rawSpaces {
		u = strings.ReplaceAll(u, "%20", " ")
	}
	return ix.baseURL + u
}

// editDistance is the Levenshtein distance of a and b, or any value ≥
// limit once it is clear the distance is at least limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// fold lower-cases a path and removes accents, so "Café.pdf" written with
// a combining accent (NFD, as macOS names files) meets "café.pdf" (NFC).
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if base, ok := latinBase(r); ok {
			b.WriteRune(base)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// latinBase maps precomposed lower-case Latin letters to their base letter.
func latinBase(r rune) (rune, bool) {
	if r < 0xC0 || r > 0x17F {
		return 0, false
	}
	const groups = "aàáâãäåāăą|cçćĉċč|dď|eèéêëēĕėęě|gĝğġģ|hĥ|iìíîïĩīĭįı|jĵ|kķ|lĺļľ|nñńņňŉ|oòóôõöøōŏő|rŕŗř|sśŝşš|tţť|uùúûüũūŭůűų|wŵ|yýÿŷ|zźżž"
	for _, g := range strings.Split(groups, "|") {
		base, _ := utf8.DecodeRuneInString(g)
		if strings.ContainsRune(g[1:], r) {
			return base, true
		}
	}
	return 0, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pageURLOf is the URL a built file is served at, to resolve relative links.
func (c *checker) pageURLOf(d *pageDoc) string {
	if d.page != nil {
		return d.page.URL
	}
	return (&url.URL{Path: "/" + d.output}).EscapedPath()
}

// links reports broken internal links, images and anchors, and malformed
// external URLs, for every reference in every built page.
func (c *checker) links(ctx context.Context) error {
	for _, d := range c.docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		base := c.pageURLOf(d)
		for _, r := range d.refs {
			if strings.Contains(r.value, "ZgotmplZ") {
				// html/template's mark for a URL the theme refused to
				// write (an unknown scheme); fieldURLs reports its source.
				continue
			}
			kind, v := c.idx.classify(r.value)
			switch kind {
			case refInternal:
				c.internalRef(d, r, base, v)
			case refExternal, refOther:
				c.malformed(d, r, kind, v)
			}
		}
	}
	return nil
}

func (c *checker) internalRef(d *pageDoc, r ref, base, v string) {
	if looksExternal(v) {
		p, line := c.loc.ref(d, r)
		c.add(Finding{Rule: RuleMalformedURL, Severity: diag.Error, Path: p, Line: line, URL: c.pageURLOf(d),
			Message: fmt.Sprintf("URL %s looks like an external address without its scheme, so it is read as a path on this site; write %s", v, withScheme(v))})
		return
	}
	res := c.idx.resolve(base, v)
	rule, what := RuleBrokenLink, "link"
	if r.image {
		rule, what = RuleBrokenImage, "image"
	} else if r.attr != "href" {
		what = r.tag + " " + r.attr // "iframe src", "video src"
	}
	if res.Problem == resolved {
		c.anchor(d, r, res, v)
		return
	}
	var msg string
	switch res.Problem {
	case caseOnly:
		msg = fmt.Sprintf("%s %s only resolves if upper and lower case are ignored, which the web server does not do; did you mean %s?", what, v, res.Suggest)
	case encodingOnly:
		msg = fmt.Sprintf("%s %s only resolves with a different encoding of its characters; did you mean %s?", what, v, res.Suggest)
	case wrongForm:
		msg = fmt.Sprintf("%s %s does not exist; the page is at %s", what, v, res.Suggest)
	default:
		msg = fmt.Sprintf("%s %s does not resolve to any page or file", what, v)
		if res.Suggest != "" {
			msg += fmt.Sprintf("; did you mean %s?", res.Suggest)
		}
	}
	p, line := c.loc.ref(d, r)
	c.add(Finding{Rule: rule, Severity: diag.Error, Path: p, Line: line, Message: msg, URL: c.pageURLOf(d)})
}

// anchor checks the #fragment of a resolved reference against the ids of
// the target page. "#" and "#top" always work in browsers.
func (c *checker) anchor(d *pageDoc, r ref, res resolution, v string) {
	if res.Fragment == "" || res.Fragment == "top" || r.image {
		return
	}
	target := c.byOutput[res.Target]
	if target == nil {
		return // not HTML: a PDF page fragment, say
	}
	frag, err := url.PathUnescape(res.Fragment)
	if err != nil {
		frag = res.Fragment
	}
	if target.ids[frag] || target.ids[res.Fragment] {
		return
	}
	msg := fmt.Sprintf("link %s points to #%s, which does not exist on %s", v, frag, c.pageURLOf(target))
	for id := range target.ids {
		if strings.EqualFold(id, frag) {
			msg += fmt.Sprintf("; did you mean #%s?", id)
			break
		}
	}
	p, line := c.loc.ref(d, r)
	c.add(Finding{Rule: RuleBrokenAnchor, Severity: diag.Error, Path: p, Line: line, Message: msg, URL: c.pageURLOf(d)})
}

// orphans reports built pages that no navigation, listing or link reaches
// from the homepage. Exempt: the homepage, 404 and search pages (reached by
// the server and the search form), pages without the theme (layout none or
// blank: verification files, feeds) and empty resource categories, which
// the theme hides on purpose until they have items.
func (c *checker) orphans() {
	var queue []string
	reached := map[string]bool{}
	for _, d := range c.docs {
		if d.page != nil && exemptFromOrphans(c.site, d.page) {
			reached[d.output] = true
			queue = append(queue, d.output)
		}
	}
	if _, ok := c.idx.files["index.html"]; ok && !reached["index.html"] {
		reached["index.html"] = true
		queue = append(queue, "index.html")
	}
	for len(queue) > 0 {
		cur := c.byOutput[queue[0]]
		queue = queue[1:]
		if cur == nil {
			continue
		}
		base := c.pageURLOf(cur)
		for _, r := range cur.refs {
			if r.attr != "href" || r.tag == "link" {
				continue
			}
			kind, v := c.idx.classify(r.value)
			if kind != refInternal {
				continue
			}
			if res := c.idx.resolve(base, v); res.Problem == resolved && !reached[res.Target] {
				reached[res.Target] = true
				queue = append(queue, res.Target)
			}
		}
	}
	for _, d := range c.docs {
		if d.page == nil || reached[d.output] {
			continue
		}
		line := c.loc.fieldLine(d.page.Path, "permalink", 1)
		c.add(Finding{Rule: RuleOrphan, Severity: diag.Warning, Path: d.page.Path, Line: line, URL: d.page.URL,
			Message: fmt.Sprintf("no navigation, listing or link reaches %s; link to it or remove it", d.page.URL)})
	}
}

func exemptFromOrphans(s *site.Site, p *site.Page) bool {
	switch p.Kind {
	case site.KindHomepage, site.KindNotFound, site.KindSearch, site.KindAsset:
		return true
	case site.KindResourceCategory:
		return len(s.CategoryPosts(s.CategoryOf(p))) == 0
	}
	switch p.Layout {
	case "none", "blank", "file", "link":
		return true
	}
	return false
}
