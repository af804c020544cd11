package sanitize

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

type payload struct {
	file string
	n    int
	html string
}

func loadPayloads(t testing.TB) []payload {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "xss", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []payload
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range strings.Split(string(b), "\n%%\n") {
			p = strings.TrimSuffix(p, "\n")
			if strings.TrimSpace(p) != "" {
				out = append(out, payload{file: filepath.Base(f), n: i + 1, html: p})
			}
		}
	}
	return out
}

func parse(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

func elements(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		elements(c, fn)
	}
}

// urlAttrs are attributes a browser resolves as URLs (or navigates to).
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true, "cite": true,
	"data": true, "background": true, "codebase": true, "dynsrc": true, "lowsrc": true,
	"srcset": true, "ping": true, "longdesc": true, "usemap": true, "manifest": true, "to": true,
	"values": true, "from": true, "by": true,
}

var forbiddenElements = map[string]bool{
	"base": true, "meta": true, "link": true, "style": true, "object": true, "embed": true,
	"applet": true, "frame": true, "frameset": true, "template": true, "math": true,
	"animate": true, "set": true, "animatetransform": true, "animatemotion": true, "use": true,
	"foreignobject": true, "handler": true, "listener": true, "portal": true, "param": true,
	"isindex": true, placeholder: true,
}

var cssEscape = regexp.MustCompile(`\\([0-9a-fA-F]{1,6})\s?`)

// normalisedURL is what a browser would see: surrounding spaces and C0
// controls stripped, tabs and newlines deleted, lower-cased.
func normalisedURL(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= 0x20 })
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	return strings.ToLower(v)
}

// allowedFrame is the test's own reading of the frame-src list, splitting
// the URL the way a browser does (url.Parse is stricter than browsers).
func allowedFrame(src string) bool {
	v := strings.TrimFunc(src, func(r rune) bool { return r <= 0x20 })
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	if len(v) < len("https://") || !strings.EqualFold(v[:len("https://")], "https://") {
		return false
	}
	rest := v[len("https://"):]
	end := strings.IndexAny(rest, "/?#\\")
	if end < 0 {
		end = len(rest)
	}
	authority, path := strings.ToLower(rest[:end]), rest[end:]
	if strings.Contains(authority, "@") {
		return false
	}
	host, port, hasPort := strings.Cut(authority, ":")
	if hasPort && port != "443" {
		return false
	}
	switch host {
	case "form.gov.sg", "wogaa.demdex.net", "www.google.com", "checkfirst.gov.sg", "www.checkfirst.gov.sg",
		"docs.google.com", "nlb.ap.panopto.com", "data.gov.sg", "calendar.google.com", "www.facebook.com",
		"www.instagram.com":
		return true
	case "www.gstatic.com":
		return strings.HasPrefix(path, "/recaptcha/")
	}
	for _, d := range []string{".youtube.com", ".youtube-nocookie.com", ".vimeo.com"} {
		if strings.HasSuffix(host, d) && len(host) > len(d) {
			return true
		}
	}
	return false
}

// assertSafe parses out as a browser would and fails on anything that can
// run script or load a disallowed frame.
func assertSafe(t testing.TB, in, out string) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("input  %q\noutput %q\n"+format, append([]any{in, out}, args...)...)
	}
	elements(parse(t, out), func(n *html.Node) {
		name := strings.ToLower(n.Data)
		if forbiddenElements[name] {
			fail("forbidden element <%s>", name)
		}
		if name == "script" {
			src, hasSrc := "", false
			for _, a := range n.Attr {
				if a.Namespace != "" || (a.Key != "src" && a.Key != "async") {
					fail("script keeps attribute %s:%s", a.Namespace, a.Key)
				}
				if a.Key == "src" {
					src, hasSrc = a.Val, true
				}
			}
			ok := false
			for _, s := range allowedScripts {
				ok = ok || (hasSrc && s == src)
			}
			if !ok {
				fail("script with src %q", src)
			}
			if n.FirstChild != nil {
				fail("script has content")
			}
		}
		if (name == "iframe" || name == "frame") && n.Namespace == "" {
			for _, a := range n.Attr {
				if a.Key == "src" && !allowedFrame(a.Val) {
					fail("iframe src %q", a.Val)
				}
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			if a.Namespace != "" {
				key = a.Namespace + ":" + key
			}
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				fail("event handler %s", key)
			}
			if key == "srcdoc" || key == "formaction" || key == "xlink:href" || strings.HasSuffix(key, ":href") {
				fail("attribute %s", key)
			}
			if urlAttrs[key] || (n.Namespace == "svg" && key == "href") {
				v := normalisedURL(a.Val)
				for _, bad := range []string{"javascript:", "vbscript:", "livescript:", "mocha:"} {
					if strings.HasPrefix(v, bad) || strings.Contains(v, bad) && key == "srcset" {
						fail("%s=%q", key, a.Val)
					}
				}
				if strings.HasPrefix(v, "data:") && !((name == "img" && key == "src") || (name == "video" && key == "poster")) {
					fail("data URL in %s on <%s>", key, name)
				}
				if strings.HasPrefix(v, "data:") && !strings.HasPrefix(v, "data:image/") {
					fail("non-image data URL %q", a.Val)
				}
			}
			if key == "style" || key == "fill" || key == "stroke" || key == "transform" {
				v := strings.ToLower(cssEscape.ReplaceAllStringFunc(a.Val, func(m string) string {
					sub := cssEscape.FindStringSubmatch(m)
					r, _ := strconv.ParseInt(sub[1], 16, 32)
					return string(rune(r))
				}))
				for _, bad := range []string{"expression", "url(", "javascript", "behavior", "-moz-binding", "@import", "\\"} {
					if strings.Contains(v, bad) {
						fail("%s=%q contains %q", key, a.Val, bad)
					}
				}
				for _, d := range strings.Split(v, ";") {
					prop, _, _ := strings.Cut(d, ":")
					switch strings.TrimSpace(prop) {
					case "position", "z-index", "top", "left", "right", "bottom", "content", "background-image":
						fail("%s=%q sets %s", key, a.Val, prop)
					}
				}
			}
		}
	})
}

// canonical renders the DOM of s with attributes sorted, style declarations
// normalised and sorted, and whitespace-only text dropped.
func canonical(t testing.TB, s string) string {
	t.Helper()
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		ind := strings.Repeat(" ", depth)
		switch n.Type {
		case html.TextNode:
			if strings.TrimSpace(n.Data) != "" {
				b.WriteString(ind + strconv.Quote(strings.Join(strings.Fields(n.Data), " ")) + "\n")
			}
		case html.ElementNode:
			var attrs []string
			for _, a := range n.Attr {
				v := a.Val
				if a.Key == "style" {
					v = canonicalStyle(v)
				}
				attrs = append(attrs, a.Namespace+a.Key+"="+strconv.Quote(v))
			}
			sort.Strings(attrs)
			b.WriteString(ind + n.Namespace + ":" + n.Data + " " + strings.Join(attrs, " ") + "\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(parse(t, s), 0)
	return b.String()
}

func canonicalStyle(s string) string {
	var decls []string
	for _, d := range strings.Split(s, ";") {
		prop, val, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		decls = append(decls, strings.ToLower(strings.TrimSpace(prop))+": "+strings.TrimSpace(val))
	}
	sort.Strings(decls)
	return strings.Join(decls, "; ")
}
