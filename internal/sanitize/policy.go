package sanitize

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// allowedElements is the element allow-list, in the spirit of DOMPurify's
// default HTML set (which IsomerCMS relies on) minus what has no place in
// page content (<style>, <object>/<embed>, <base>, <meta>, <link>,
// <template>, MathML) and with SVG cut down to static shapes, enough for the
// logo in Instagram's embed code.
var allowedElements = []string{
	// sections and grouping
	"address", "article", "aside", "blockquote", "br", "center", "dd", "details",
	"div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
	"h5", "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p",
	"pre", "section", "summary", "ul",
	// text-level
	"a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data",
	"del", "dfn", "em", "font", "i", "ins", "kbd", "mark", "marquee", "nobr", "q",
	"rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub",
	"sup", "time", "tt", "u", "var", "wbr",
	// tables
	"caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
	// media and embeds
	"audio", "iframe", "img", "picture", "source", "track", "video",
	// forms (kept by DOMPurify; no formaction, action is URL-checked)
	"button", "datalist", "fieldset", "form", "input", "label", "legend", "meter",
	"optgroup", "option", "output", "progress", "select", "textarea",
	// static SVG
	"svg", "g", "path", "circle", "ellipse", "line", "polygon", "polyline", "rect",
}

var svgElements = []string{"svg", "g", "path", "circle", "ellipse", "line", "polygon", "polyline", "rect"}

// ariaAttributes are the WAI-ARIA 1.2 states and properties.
var ariaAttributes = []string{
	"aria-activedescendant", "aria-atomic", "aria-autocomplete", "aria-braillelabel",
	"aria-brailleroledescription", "aria-busy", "aria-checked", "aria-colcount",
	"aria-colindex", "aria-colindextext", "aria-colspan", "aria-controls", "aria-current",
	"aria-describedby", "aria-description", "aria-details", "aria-disabled",
	"aria-dropeffect", "aria-errormessage", "aria-expanded", "aria-flowto", "aria-grabbed",
	"aria-haspopup", "aria-hidden", "aria-invalid", "aria-keyshortcuts", "aria-label",
	"aria-labelledby", "aria-level", "aria-live", "aria-modal", "aria-multiline",
	"aria-multiselectable", "aria-orientation", "aria-owns", "aria-placeholder",
	"aria-posinset", "aria-pressed", "aria-readonly", "aria-relevant", "aria-required",
	"aria-roledescription", "aria-rowcount", "aria-rowindex", "aria-rowindextext",
	"aria-rowspan", "aria-selected", "aria-setsize", "aria-sort", "aria-valuemax",
	"aria-valuemin", "aria-valuenow", "aria-valuetext",
}

// allowedScripts are the only script sources the CMS lets through
// (isomercms-backend Sanitizer.ts ALLOWED_SRC), compared exactly.
var allowedScripts = []string{
	"//www.instagram.com/embed.js",
	"/jquery/resize-tables.js",
	"/jquery/jquery.min.js",
	"/jquery/bp-menu-new-tab.js",
}

// frameHosts is the frame-src list of the Isomer CSP (isomer-build
// overrides/netlify.toml) as host patterns; "*." means one or more
// subdomain labels, as in CSP. framePaths are the entries that also carry a
// path prefix.
var (
	frameHosts = []string{
		`form\.gov\.sg`,
		`wogaa\.demdex\.net`,
		`(?:[a-z0-9-]+\.)+youtube\.com`,
		`(?:[a-z0-9-]+\.)+youtube-nocookie\.com`,
		`(?:[a-z0-9-]+\.)+vimeo\.com`,
		`www\.google\.com`,
		`checkfirst\.gov\.sg`,
		`www\.checkfirst\.gov\.sg`,
		`docs\.google\.com`,
		`nlb\.ap\.panopto\.com`,
		`data\.gov\.sg`,
		`calendar\.google\.com`,
		`www\.facebook\.com`,
		`www\.instagram\.com`,
	}
	framePaths = []string{
		`(?i:www\.gstatic\.com)(?::443)?/recaptcha/`,
	}
)

// URL patterns, applied by bluemonday to attribute values after the
// tokenizer has decoded entities. A value may start with the spaces and
// control characters browsers strip; after that it must be http(s), mailto
// or tel, or relative: no ":" before the first "/", "?" or "#", which rules
// out every other scheme, including ones split by tabs or newlines (browsers
// delete those, we do not, so "java\tscript:" still shows its colon).
//
// http is allowed next to https on purpose: legacy pages link to http sites,
// and dropping those hrefs on every save would silently unlink content.
// Remove "http" from linkSchemes to enforce https.
const (
	lead        = `^[\x00-\x20]*`
	relative    = `[^:/?#]*(?:[/?#]|$)`
	linkSchemes = `(?i:https?|mailto|tel):`
	webSchemes  = `(?i:https?):`
	// Image data URIs only: a data: URL in an <img> cannot run script.
	dataImage = `(?i:data:image/(?:png|gif|jpeg|jpg|webp|avif|bmp|x-icon|vnd\.microsoft\.icon|svg\+xml|tiff)[;,])`
)

var (
	linkURL  = regexp.MustCompile(lead + `(?:` + linkSchemes + `|` + relative + `)`)
	mediaURL = regexp.MustCompile(lead + `(?:` + webSchemes + `|` + relative + `)`)
	imageURL = regexp.MustCompile(lead + `(?:` + webSchemes + `|` + relative + `|` + dataImage + `)`)
	frameURL = regexp.MustCompile(lead + `(?i:https)://(?:(?i:` + strings.Join(frameHosts, "|") + `)(?::443)?(?:[/?#]|$)|` +
		strings.Join(framePaths, "|") + `)`)

	integer      = regexp.MustCompile(`^\s*[0-9]{1,9}\s*$`)
	token        = regexp.MustCompile(`^[a-zA-Z0-9_ -]*$`)
	svgNumbers   = regexp.MustCompile(`^[0-9eE.,\s+-]*$`)
	svgPath      = regexp.MustCompile(`^[a-zA-Z0-9.,\s+-]*$`)
	svgPaint     = regexp.MustCompile(`^\s*(?i:none|currentcolor|transparent|#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\(\s*[0-9.,%\s]+\))\s*$`)
	svgTransform = regexp.MustCompile(`^(?i:\s*(?:matrix|translate|scale|rotate|skewx|skewy)\s*\([0-9eE.,\s+-]*\)\s*,?)*\s*$`)
	svgNamespace = regexp.MustCompile(`^(?:https?://www\.w3\.org/(?:2000/svg|1999/xlink))$`)
)

// placeholder stands in for an allowed <script> while bluemonday runs; see
// scripts.go. Input elements of this name are removed first.
const (
	placeholder      = "isomer-allowed-script"
	placeholderAttr  = "data-isomer-script"
	placeholderAsync = "data-isomer-async"
)

func newBluemonday() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(allowedElements...)
	// DOMPurify never drops an element for lacking attributes; bluemonday
	// does unless told, which would unwrap e.g. a bare <g> or <label>.
	p.AllowNoAttrs().OnElements(allowedElements...)

	// Global attributes.
	p.AllowAttrs("class", "id", "title", "lang", "dir", "role", "tabindex", "hidden", "translate").Globally()
	p.AllowAttrs(ariaAttributes...).Globally()
	p.AllowDataAttributes()
	allowStyles(p)

	// Links and URLs.
	p.AllowAttrs("href").Matching(linkURL).OnElements("a")
	p.AllowAttrs("target").Matching(token).OnElements("a", "form")
	p.AllowAttrs("rel", "hreflang", "type", "download", "referrerpolicy").OnElements("a")
	p.AllowAttrs("name").OnElements("a", "form", "input", "button", "select", "textarea", "fieldset", "output")
	p.AllowAttrs("cite").Matching(linkURL).OnElements("blockquote", "q", "del", "ins")
	p.AllowAttrs("datetime").OnElements("del", "ins", "time")
	p.AllowAttrs("value").OnElements("data", "li", "input", "button", "option", "meter", "progress")

	// Images and media.
	p.AllowAttrs("src").Matching(imageURL).OnElements("img")
	p.AllowAttrs("src").Matching(mediaURL).OnElements("video", "audio", "source", "track", "input")
	p.AllowAttrs("poster").Matching(imageURL).OnElements("video")
	p.AllowAttrs("alt").OnElements("img", "input")
	p.AllowAttrs("width", "height").OnElements("img", "video", "iframe", "canvas", "td", "th", "table", "col", "colgroup", "svg", "rect")
	p.AllowAttrs("loading", "decoding", "align", "border", "hspace", "vspace").OnElements("img")
	p.AllowAttrs("controls", "autoplay", "muted", "loop", "playsinline", "preload").OnElements("video", "audio")
	p.AllowAttrs("type", "media").OnElements("source")
	p.AllowAttrs("kind", "srclang", "label", "default").OnElements("track")

	// Embeds: iframes only from the CSP frame-src hosts, never srcdoc.
	p.AllowAttrs("src").Matching(frameURL).OnElements("iframe")
	p.AllowAttrs("allow", "allowfullscreen", "mozallowfullscreen", "webkitallowfullscreen",
		"frameborder", "scrolling", "marginheight", "marginwidth", "referrerpolicy",
		"loading", "sandbox").OnElements("iframe")
	p.AllowAttrs(placeholderAttr).Matching(integer).OnElements(placeholder)
	p.AllowAttrs(placeholderAsync).OnElements(placeholder)
	p.AllowElements(placeholder)

	// Tables, lists, details.
	p.AllowAttrs("colspan", "rowspan").Matching(integer).OnElements("td", "th")
	p.AllowAttrs("colwidth").Matching(regexp.MustCompile(`^[0-9, ]*$`)).OnElements("td", "th")
	p.AllowAttrs("headers", "scope", "abbr", "nowrap").OnElements("td", "th")
	p.AllowAttrs("span").Matching(integer).OnElements("col", "colgroup")
	p.AllowAttrs("align", "valign").OnElements("table", "caption", "col", "colgroup", "thead", "tbody", "tfoot", "tr", "td", "th", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("border", "cellpadding", "cellspacing", "summary", "frame", "rules").OnElements("table")
	p.AllowAttrs("bgcolor").Matching(svgPaint).OnElements("table", "tr", "td", "th")
	p.AllowAttrs("start").Matching(integer).OnElements("ol")
	p.AllowAttrs("reversed").OnElements("ol")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^(?:[1aAiI]|disc|circle|square)$`)).OnElements("ol", "ul", "li")
	p.AllowAttrs("open").OnElements("details")
	p.AllowAttrs("color", "face", "size").OnElements("font")

	// Forms: action is a URL like any link; formaction is not allowed.
	p.AllowAttrs("action").Matching(linkURL).OnElements("form")
	p.AllowAttrs("method").Matching(regexp.MustCompile(`^(?i:get|post|dialog)$`)).OnElements("form")
	p.AllowAttrs("autocomplete").OnElements("form", "input", "select", "textarea")
	p.AllowAttrs("type", "placeholder", "checked", "disabled", "readonly", "required", "min", "max",
		"step", "maxlength", "minlength", "size", "pattern", "multiple", "list").OnElements("input")
	p.AllowAttrs("type", "disabled").OnElements("button")
	p.AllowAttrs("multiple", "disabled", "required", "size").OnElements("select")
	p.AllowAttrs("selected", "disabled", "label").OnElements("option")
	p.AllowAttrs("label", "disabled").OnElements("optgroup")
	p.AllowAttrs("rows", "cols", "placeholder", "disabled", "readonly", "required", "maxlength", "minlength").OnElements("textarea")
	p.AllowAttrs("for").OnElements("label", "output")
	p.AllowAttrs("disabled").OnElements("fieldset")
	p.AllowAttrs("min", "max", "low", "high", "optimum").OnElements("meter")
	p.AllowAttrs("max").OnElements("progress")

	// Static SVG: presentation attributes with value patterns that leave
	// no room for url(…) references or script.
	p.AllowAttrs("viewbox").Matching(svgNumbers).OnElements("svg")
	p.AllowAttrs("version").Matching(svgNumbers).OnElements("svg")
	p.AllowAttrs("xmlns", "xmlns:xlink").Matching(svgNamespace).OnElements("svg")
	p.AllowAttrs("preserveaspectratio").Matching(token).OnElements("svg")
	p.AllowAttrs("focusable").Matching(regexp.MustCompile(`^(?:true|false)$`)).OnElements("svg")
	p.AllowAttrs("fill", "stroke").Matching(svgPaint).OnElements(svgElements...)
	p.AllowAttrs("fill-rule", "clip-rule", "stroke-linecap", "stroke-linejoin").Matching(token).OnElements(svgElements...)
	p.AllowAttrs("stroke-width", "opacity", "fill-opacity", "stroke-opacity").Matching(svgNumbers).OnElements(svgElements...)
	p.AllowAttrs("transform").Matching(svgTransform).OnElements(svgElements...)
	p.AllowAttrs("d").Matching(svgPath).OnElements("path")
	p.AllowAttrs("cx", "cy", "r", "rx", "ry", "x", "y", "x1", "y1", "x2", "y2").Matching(svgNumbers).OnElements(svgElements...)
	p.AllowAttrs("points").Matching(svgNumbers).OnElements("polygon", "polyline")
	return p
}
