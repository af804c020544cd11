package check

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"

	"isomer.dev/isomer/internal/site"
)

// locator maps something seen in a built page back to a source file and
// line, by finding the text that produced it. It searches where that region
// of the page comes from (see region), most likely file first, and reports
// the real file line.
type locator struct {
	site  *site.Site
	lines map[string][]string
	cache map[string]findResult
	// body is the first body line of each page source.
	body map[string]int
	// data are _data files, _config.yml and collection.yml files, in the
	// order site chrome is most likely to come from.
	data []string
	// sources are every page, document and post, for front matter values
	// shown on other pages (resource cards show a post's file_url).
	sources []string
}

func newLocator(s *site.Site) *locator {
	l := &locator{site: s, lines: map[string][]string{}, cache: map[string]findResult{}, body: map[string]int{}}
	l.data = []string{"_data/navigation.yml", "_data/footer.yml", "_config.yml"}
	var rest []string
	_ = fs.WalkDir(s.FS, "_data", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !slices.Contains(l.data, p) {
			rest = append(rest, p)
		}
		return nil
	})
	for _, c := range s.Collections {
		if c.ConfigPath != "" && c.ConfigPath != "_config.yml" {
			rest = append(rest, c.ConfigPath)
		}
	}
	slices.Sort(rest)
	l.data = append(l.data, slices.Compact(rest)...)
	for _, p := range allPages(s) {
		l.body[p.Path] = p.BodyLine
		l.sources = append(l.sources, p.Path)
	}
	slices.Sort(l.sources)
	return l
}

// allPages is every loaded page, document and post.
func allPages(s *site.Site) []*site.Page {
	out := slices.Clone(s.Pages)
	for _, c := range s.Collections {
		out = append(out, c.Docs...)
	}
	return append(out, s.Posts...)
}

// file returns the lines of a source file (nil when unreadable).
func (l *locator) file(p string) []string {
	if lines, ok := l.lines[p]; ok {
		return lines
	}
	b, err := fs.ReadFile(l.site.FS, p)
	var lines []string
	if err == nil {
		lines = strings.Split(string(b), "\n")
	}
	l.lines[p] = lines
	return lines
}

// scope is a range of lines of one file: [from, to), 0-based; or, when
// group is set, a shared group of files (see expand).
type scope struct {
	path     string
	from, to int
	group    string
}

type part int

const (
	wholeFile part = iota
	frontMatter
	bodyPart
)

func (l *locator) scope(p string, which part) scope {
	lines := l.file(p)
	s := scope{path: p, to: len(lines)}
	if b, ok := l.body[p]; ok && b > 0 {
		switch which {
		case frontMatter:
			s.to = min(b-1, len(lines))
		case bodyPart:
			s.from = min(b-1, len(lines))
		}
	}
	return s
}

// Shared scope groups: searched the same way for every page, so their
// results are cached (a broken footer link is looked up once, not once per
// page of a 10,000-page site).
const (
	groupData   = "data"   // l.data, whole files
	groupOthers = "others" // every page source, front matter only
)

// scopes lists where to look for something in region r of page source own
// (which may be "" for output no page wrote).
func (l *locator) scopes(own string, r region) []scope {
	data, others := scope{group: groupData}, scope{group: groupOthers}
	if own == "" {
		return []scope{data}
	}
	if _, isPage := l.body[own]; !isPage {
		// A static HTML file copied as it is: everything in it is its own.
		return []scope{l.scope(own, wholeFile)}
	}
	switch r {
	case regionContent:
		return []scope{l.scope(own, bodyPart), l.scope(own, wholeFile)}
	case regionMain:
		// The page's own front matter comes first, so others, which
		// includes it again, finds nothing new there.
		return []scope{l.scope(own, frontMatter), data, others, l.scope(own, bodyPart)}
	}
	return []scope{data, l.scope(own, frontMatter), others}
}

// expand lists the files of a shared group.
func (l *locator) expand(group string) []scope {
	var out []scope
	switch group {
	case groupData:
		for _, p := range l.data {
			out = append(out, l.scope(p, wholeFile))
		}
	case groupOthers:
		for _, p := range l.sources {
			out = append(out, l.scope(p, frontMatter))
		}
	}
	return out
}

type findResult struct {
	path string
	line int
	ok   bool
}

// find returns the file and line of the ordinal-th occurrence of any of
// needles in the first scope that has one. Delimited occurrences (a whole
// attribute value, a Markdown link target, a YAML value) are preferred to
// substrings, so "/a/" does not match inside "/a/b/". ok is false when
// nothing matched.
func (l *locator) find(scopes []scope, needles []string, ordinal int, delimitedOnly bool) (string, int, bool) {
	modes := []bool{true, false}
	if delimitedOnly {
		modes = modes[:1]
	}
	for _, delimited := range modes {
		if !delimited && shortest(needles) < 4 {
			break // "/" or "#" is in every other line
		}
		for _, sc := range scopes {
			var r findResult
			if sc.group != "" {
				key := fmt.Sprintf("%s\x00%v\x00%d\x00%s", sc.group, delimited, ordinal, strings.Join(needles, "\x00"))
				var cached bool
				if r, cached = l.cache[key]; !cached {
					r = l.findIn(l.expand(sc.group), needles, ordinal, delimited)
					l.cache[key] = r
				}
			} else {
				r = l.findIn([]scope{sc}, needles, ordinal, delimited)
			}
			if r.ok {
				return r.path, r.line, true
			}
		}
	}
	return "", 0, false
}

// findIn is find over plain scopes in one mode.
func (l *locator) findIn(scopes []scope, needles []string, ordinal int, delimited bool) findResult {
	for _, sc := range scopes {
		lines := l.file(sc.path)
		var hits []int
		for i := sc.from; i < sc.to && i < len(lines); i++ {
			for _, n := range needles {
				for range countIn(lines[i], n, delimited) {
					hits = append(hits, i+1)
				}
			}
		}
		if len(hits) > 0 {
			return findResult{sc.path, hits[min(ordinal, len(hits)-1)], true}
		}
	}
	return findResult{}
}

func shortest(needles []string) int {
	n := -1
	for _, s := range needles {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return max(n, 0)
}

// countIn counts occurrences of needle in line; delimited ones only start
// after a quote, bracket, space, "=" or the line start and end before a
// quote, bracket, space, ">" or the line end.
func countIn(line, needle string, delimited bool) int {
	if needle == "" {
		return 0
	}
	n := 0
	for i := 0; ; {
		j := strings.Index(line[i:], needle)
		if j < 0 {
			return n
		}
		start, end := i+j, i+j+len(needle)
		if !delimited || (start == 0 || strings.IndexByte("\"'( =\t", line[start-1]) >= 0) &&
			(end == len(line) || strings.IndexByte("\"') >\t\r", line[end]) >= 0) {
			n++
		}
		i = end
	}
}

// urlNeedles are the ways a URL from the output may be written in source:
// as is, with &amp;, with or without %20, without the baseurl or site url
// the theme adds.
func (l *locator) urlNeedles(v string) []string {
	var out []string
	addAll := func(s string) {
		cands := []string{s, strings.ReplaceAll(s, "&", "&amp;")}
		if u, err := url.PathUnescape(s); err == nil {
			cands = append(cands, u)
		}
		cands = append(cands, strings.ReplaceAll(s, " ", "%20"))
		for _, c := range cands {
			if c != "" && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	addAll(v)
	cfg := l.site.Config
	if cfg.URL != "" && strings.HasPrefix(v, cfg.URL) {
		v = strings.TrimPrefix(v, cfg.URL)
		addAll(v)
	}
	if cfg.BaseURL != "" && strings.HasPrefix(v, cfg.BaseURL+"/") {
		addAll(strings.TrimPrefix(v, cfg.BaseURL))
	}
	return out
}

// ref locates a URL reference of page d.
func (l *locator) ref(d *pageDoc, r ref) (string, int) {
	own := l.own(d)
	if p, line, ok := l.find(l.scopes(own, r.region), l.urlNeedles(r.value), r.ordinal, false); ok {
		return p, line
	}
	if r.region == regionChrome {
		// Written by the theme from a default (the footer's /privacy/):
		// one problem of the site's footer or header, not of every page.
		if r.inFooter {
			return "_data/footer.yml", 0
		}
		return "_data/navigation.yml", 0
	}
	return own, 0
}

// own is the source of a page: its page file, or the static file copied there.
func (l *locator) own(d *pageDoc) string {
	if d.page != nil {
		return d.page.Path
	}
	if o, ok := l.site.Routes[d.output]; ok && o.Static != nil {
		return o.Static.Path
	}
	return ""
}

// text locates a piece of text (a heading, link text) in page d's region r.
func (l *locator) text(d *pageDoc, r region, s string, ordinal int) (string, int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, false
	}
	needles := []string{s, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)}
	// Smart quotes and typographic dashes differ between source and output;
	// the text before the first such character still finds the line.
	if i := strings.IndexAny(s, "‘’“”–—…\"'&"); i > 8 {
		needles = append(needles, s[:i])
	}
	return l.find(l.scopes(l.own(d), r), needles, ordinal, false)
}

// fieldLine is the line of the first key: in p's front matter or YAML file
// at or after line from (1-based), or 0.
func (l *locator) fieldLine(p, key string, from int) int {
	lines := l.file(p)
	to := len(lines)
	if b, ok := l.body[p]; ok && b > 0 {
		to = min(b-1, len(lines))
	}
	for i := max(from-1, 0); i < to; i++ {
		t := strings.TrimLeft(lines[i], " \t-")
		if strings.HasPrefix(t, key+":") {
			return i + 1
		}
	}
	return 0
}

// dirURL is the folder URL relative references of a page resolve against.
func dirURL(pageURL string) string {
	if strings.HasSuffix(pageURL, "/") {
		return pageURL
	}
	return path.Dir(pageURL) + "/"
}
