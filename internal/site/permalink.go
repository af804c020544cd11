package site

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// sanitizeURL is Jekyll's URL#sanitize_url: a leading slash, ".." turned
// into "/", "./" removed and runs of slashes squeezed. It is also what keeps
// every output path inside the output folder.
func sanitizeURL(s string) string {
	s = "/" + s
	s = strings.ReplaceAll(s, "..", "/")
	s = strings.ReplaceAll(s, "./", "")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i > 0 && s[i-1] == '/' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapePath percent-escapes a URL path the way Jekyll's URL.escape_path
// does: everything outside a-zA-Z0-9 -._~!$&'()*+,;=:@/ is escaped.
func escapePath(p string) string {
	const safe = "-._~!$&'()*+,;=:@/"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%")
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}
	return b.String()
}

// unescapePath turns a URL into the file path it is written to.
func unescapePath(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// OutputPathFor is Jekyll's Convertible#destination: the URL unescaped,
// "index" added after a trailing slash, and the output extension added
// unless the path already ends with it. The result is relative to the
// output root and never leaves it.
func OutputPathFor(pageURL, outputExt string) string {
	p := unescapePath(pageURL)
	if strings.HasSuffix(p, "/") {
		p += "index"
	}
	if !strings.HasSuffix(p, outputExt) {
		p += outputExt
	}
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}

// prettySlugRE matches what Jekyll's "pretty" slugify replaces with "-".
var prettySlugRE = regexp.MustCompile(`[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+`)

// slugifyPretty is Jekyll's Utils.slugify(s, mode: "pretty", cased: true).
func slugifyPretty(s string) string {
	s = prettySlugRE.ReplaceAllString(s, "-")
	return strings.Trim(s, "-")
}

// pageURL computes page.url for a file of site.pages without a permalink:
// /:path/:basename:output_ext, or /:path/ for index files.
func pageURL(p *Page) string {
	dir := path.Dir(p.Path)
	if dir == "." {
		dir = ""
	}
	base := strings.TrimSuffix(path.Base(p.Path), path.Ext(p.Path))
	if base == "index" && p.OutputExt == ".html" {
		return sanitizeURL(escapePath(dir) + "/")
	}
	return sanitizeURL(escapePath(dir + "/" + base + p.OutputExt))
}

// docURL computes the URL of a collection document without a permalink:
// /:collection/:path:output_ext.
func docURL(p *Page) string {
	rel := strings.TrimPrefix(p.Path, "_"+p.Collection.Name+"/")
	rel = strings.TrimSuffix(rel, path.Ext(rel))
	return sanitizeURL(escapePath(p.Collection.Name + "/" + rel + p.OutputExt))
}

// postURL computes the URL of a post without a permalink, Isomer's global
// "permalink: none" style: /:categories/:title:output_ext, categories
// lower-cased, the title slug taken from the file name.
func postURL(p *Page) string {
	cats := make([]string, 0, len(p.Categories))
	seen := map[string]bool{}
	for _, c := range p.Categories {
		c = strings.ToLower(c)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		cats = append(cats, escapePath(c))
	}
	title := p.FrontMatter["slug"]
	slug := slugifyPretty(str(title))
	if slug == "" {
		slug = slugifyPretty(p.Slug)
	}
	return sanitizeURL(strings.Join(cats, "/") + "/" + escapePath(slug) + p.OutputExt)
}
