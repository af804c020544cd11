package sanitize

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// styleProperties are the CSS properties kept in style attributes: what
// Isomer content uses (Tiptap image widths and column widths, kramdown's
// text-align, legacy hand-written HTML, Instagram's embed placeholder).
// Left out on purpose: anything that can fetch (background-image, cursor,
// content, list-style-image, mask, filter) or place content over the page
// chrome (position, top/left/right/bottom, z-index).
//
// "minwidth" is Tiptap's invalid "minWidth: 50px" on every table; keeping it
// avoids reporting every Tiptap table (the tiptap package drops it at build).
var styleProperties = []string{
	"width", "height", "min-width", "max-width", "min-height", "max-height", "minwidth",
	"margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
	"padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
	"border", "border-top", "border-right", "border-bottom", "border-left",
	"border-width", "border-style", "border-color", "border-radius", "border-collapse", "border-spacing",
	"border-top-left-radius", "border-top-right-radius", "border-bottom-left-radius", "border-bottom-right-radius",
	"color", "background", "background-color", "opacity",
	"font", "font-family", "font-size", "font-style", "font-weight", "font-variant",
	"line-height", "letter-spacing", "word-spacing",
	"text-align", "text-decoration", "text-transform", "text-indent", "text-overflow",
	"white-space", "word-break", "word-wrap", "overflow-wrap", "vertical-align", "direction",
	"list-style", "list-style-type", "list-style-position",
	"display", "float", "clear", "overflow", "overflow-x", "overflow-y", "box-sizing", "box-shadow", "visibility",
	"flex", "flex-direction", "flex-grow", "flex-shrink", "flex-basis", "flex-wrap", "flex-flow",
	"align-items", "align-content", "align-self", "justify-content", "gap", "row-gap", "column-gap", "order",
	"transform", "transform-origin",
	"table-layout", "caption-side", "empty-cells", "object-fit", "object-position", "aspect-ratio",
}

// cssValue is the shape of an allowed value: no ":" (so no scheme), no "\"
// (no escapes), no ";", "@", "{", "}", "<", ">" or "&". bluemonday hands the
// handler the value lower-cased and with hex escapes decoded.
var cssValue = regexp.MustCompile(`^[a-z0-9#%.,()\s/+*'"_-]*$`)

// cssFunction finds function calls: an identifier directly followed by "(".
var cssFunction = regexp.MustCompile(`([a-z0-9_-]*)\(`)

var cssImportant = regexp.MustCompile(`\s*!\s*important\s*$`)

// cssFunctions are the functions a value may call; url(), expression(),
// image(), attr(), var() and the rest are refused.
var cssFunctions = map[string]bool{
	"rgb": true, "rgba": true, "hsl": true, "hsla": true,
	"calc": true, "-webkit-calc": true, "min": true, "max": true, "clamp": true,
	"translate": true, "translatex": true, "translatey": true, "rotate": true,
	"scale": true, "scalex": true, "scaley": true, "skew": true, "skewx": true, "skewy": true,
	"matrix": true,
}

// safeCSSValue validates one declaration value. It is deliberately a shape
// check rather than a per-property grammar (bluemonday's default handlers
// reject common real values such as calc() widths and multi-layer shadows):
// with no colon, backslash or unlisted function, a value cannot fetch
// anything or run script.
func safeCSSValue(v string) bool {
	if len(v) > 512 {
		return false
	}
	v = cssImportant.ReplaceAllString(v, "")
	if !cssValue.MatchString(v) || strings.Contains(v, "expression") || strings.Contains(v, "javascript") {
		return false
	}
	for _, m := range cssFunction.FindAllStringSubmatch(v, -1) {
		if m[1] != "" && !cssFunctions[m[1]] {
			return false
		}
	}
	return true
}

func allowStyles(p *bluemonday.Policy) {
	p.AllowStyles(styleProperties...).MatchingHandler(safeCSSValue).Globally()
}
