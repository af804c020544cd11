package tiptap

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// styledTag reports whether a raw start tag may carry a style that
// styleToClass converts, so all other tags are skipped without parsing.
func styledTag(raw []byte) bool {
	name := tagName(raw)
	if len(name) == 0 || len(name) > 3 {
		return false
	}
	var lower [3]byte
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower[:len(name)]) {
	case "img", "th", "td", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6":
		return bytes.Contains(raw, styleMarker.text)
	}
	return false
}

// alignTags are the elements whose "text-align" style becomes a class: table
// cells (kramdown's column alignment) and the blocks the editor aligns.
var alignTags = map[string]bool{
	"th": true, "td": true, "p": true, "div": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}

// alignClasses are the theme's alignment utilities (Bulma's names, which
// content written for Isomer already uses), by text-align keyword.
var alignClasses = map[string]string{
	"left": "has-text-left", "center": "has-text-centered",
	"right": "has-text-right", "justify": "has-text-justified",
}

// percent matches a width in percent. Whitespace before the "%" is tolerated
// because the editor's resize handle has been seen writing it.
var percent = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*%$`)

// widthClass returns the class isomer-w-N for a width of N% (rounded), N in
// 1..100; the theme defines exactly those.
func widthClass(val string) (string, bool) {
	m := percent.FindStringSubmatch(val)
	if m == nil {
		return "", false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return "", false
	}
	n := int(math.Round(f))
	if n < 1 || n > 100 {
		return "", false
	}
	return "isomer-w-" + strconv.Itoa(n), true
}

// styleClasses returns the classes that replace style on a tag element, or
// false when any declaration is not one a class can stand for: then the style
// is left as written (a strict CSP blocks it; the site checker reports it).
func styleClasses(tag, style string) (width, align string, ok bool) {
	seen := false
	for _, d := range strings.Split(style, ";") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		prop, val, found := strings.Cut(d, ":")
		if !found {
			return "", "", false
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.ToLower(strings.TrimSpace(val))
		// A later declaration of the same property wins, as in CSS.
		switch {
		case prop == "width" && tag == "img":
			c, ok := widthClass(val)
			if !ok {
				return "", "", false
			}
			width = c
		case prop == "text-align" && alignTags[tag]:
			c, ok := alignClasses[val]
			if !ok {
				return "", "", false
			}
			align = c
		default:
			return "", "", false
		}
		seen = true
	}
	return width, align, seen
}

// styleToClass replaces n's style with classes when every declaration in it
// has one (see styleClasses), and reports whether it did.
func styleToClass(n *node) bool {
	if n.kind != elementNode {
		return false
	}
	s, ok := n.attr("style")
	if !ok {
		return false
	}
	width, align, ok := styleClasses(n.tag, s)
	if !ok {
		return false
	}
	// The inline style was what showed, so it overrides a class of the same
	// kind the element already has.
	dropClasses(n, func(c string) bool {
		return (width != "" && isWidthClass(c)) || (align != "" && isAlignClass(c))
	})
	var add []string
	for _, c := range [...]string{width, align} {
		if c != "" {
			add = append(add, c)
		}
	}
	if _, has := n.attr("class"); has {
		for _, c := range add {
			n.addClass(c)
		}
	} else {
		// Put the class where the style was, so the tag reads the same way.
		n.replaceAttr("style", html.Attribute{Key: "class", Val: strings.Join(add, " ")})
	}
	// Any further style attribute was ignored by browsers; drop it too
	// rather than let it take effect.
	n.removeAttr("style")
	return true
}

func isWidthClass(c string) bool {
	n, ok := strings.CutPrefix(c, "isomer-w-")
	if !ok || n == "" {
		return false
	}
	for i := range len(n) {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}

func isAlignClass(c string) bool {
	for _, a := range alignClasses {
		if c == a {
			return true
		}
	}
	return false
}

// dropClasses removes the class tokens for which drop is true, if any.
func dropClasses(n *node, drop func(string) bool) {
	v, ok := n.attr("class")
	if !ok {
		return
	}
	fields := strings.Fields(v)
	kept := fields[:0]
	for _, c := range fields {
		if !drop(c) {
			kept = append(kept, c)
		}
	}
	if len(kept) < len(fields) {
		n.setAttr("class", strings.Join(kept, " "))
	}
}

// stylesToClasses applies styleToClass to n and every element below it.
func stylesToClasses(n *node) {
	styleToClass(n)
	for _, c := range n.children {
		if c.kind == elementNode {
			stylesToClasses(c)
		}
	}
}
