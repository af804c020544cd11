package theme

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"isomer.dev/isomer/internal/site"
)

// Isomer's template defaults, used when _config.yml gives no (or a broken) colour.
const (
	defaultPrimary   = "#6031b6"
	defaultSecondary = "#4372d6"
)

func defaultMediaColors() []string {
	return []string{"#6031b6", "#4372d6", "#2f6f94", "#8a4b08", "#2b6a3d"}
}

// The theme's fixed surfaces that site colours are measured against.
const (
	white     = "#ffffff"
	darkText  = "#1f1f1f"
	graySurf  = "#f4f5f7" // the alternating homepage section background
	minNormal = 4.5       // WCAG 1.4.3 AA, normal text
)

// rgb is a colour with channels in 0..1.
type rgb struct{ r, g, b float64 }

// parseHex reads #rgb or #rrggbb (the forms the CMS colour picker writes).
func parseHex(s string) (rgb, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return rgb{}, false
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return rgb{}, false
	}
	return rgb{float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255}, true
}

func (c rgb) hex() string {
	to := func(f float64) int { return int(math.Round(math.Max(0, math.Min(1, f)) * 255)) }
	return fmt.Sprintf("#%02x%02x%02x", to(c.r), to(c.g), to(c.b))
}

// luminance is WCAG 2's relative luminance.
func (c rgb) luminance() float64 {
	lin := func(v float64) float64 {
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// contrast is the WCAG contrast ratio of two colours (1..21).
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func mustHex(s string) rgb {
	c, _ := parseHex(s)
	return c
}

// toHSL and fromHSL implement Sass's lighten/darken, which move HSL lightness.
func (c rgb) toHSL() (h, s, l float64) {
	mx := math.Max(c.r, math.Max(c.g, c.b))
	mn := math.Min(c.r, math.Min(c.g, c.b))
	l = (mx + mn) / 2
	if mx == mn {
		return 0, 0, l
	}
	d := mx - mn
	if l > 0.5 {
		s = d / (2 - mx - mn)
	} else {
		s = d / (mx + mn)
	}
	switch mx {
	case c.r:
		h = (c.g - c.b) / d
		if c.g < c.b {
			h += 6
		}
	case c.g:
		h = (c.b-c.r)/d + 2
	default:
		h = (c.r-c.g)/d + 4
	}
	return h / 6, s, l
}

func fromHSL(h, s, l float64) rgb {
	if s == 0 {
		return rgb{l, l, l}
	}
	hue := func(p, q, t float64) float64 {
		if t < 0 {
			t++
		}
		if t > 1 {
			t--
		}
		switch {
		case t < 1.0/6:
			return p + (q-p)*6*t
		case t < 0.5:
			return q
		case t < 2.0/3:
			return p + (q-p)*(2.0/3-t)*6
		}
		return p
	}
	q := l * (1 + s)
	if l >= 0.5 {
		q = l + s - l*s
	}
	p := 2*l - q
	return rgb{hue(p, q, h+1.0/3), hue(p, q, h), hue(p, q, h-1.0/3)}
}

// adjust moves the HSL lightness by delta (-1..1), like Sass darken/lighten.
func (c rgb) adjust(delta float64) rgb {
	h, s, l := c.toHSL()
	return fromHSL(h, s, math.Max(0, math.Min(1, l+delta)))
}

// textOn picks white or dark text for a background, whichever contrasts more.
func textOn(bg rgb) rgb {
	if contrast(mustHex(white), bg) >= contrast(mustHex(darkText), bg) {
		return mustHex(white)
	}
	return mustHex(darkText)
}

// readableOn darkens (or lightens, for dark surfaces) c until it reaches the
// AA ratio against every surface, so a brand colour can still be used for
// headings and links.
func readableOn(c rgb, surfaces ...rgb) rgb {
	ok := func(c rgb) bool {
		for _, s := range surfaces {
			if contrast(c, s) < minNormal {
				return false
			}
		}
		return true
	}
	for i := 0; i < 100 && !ok(c); i++ {
		c = c.adjust(-0.01)
	}
	return c
}

// palette is the resolved set of colours a site's stylesheet declares.
type palette struct {
	Primary, OnPrimary, PrimaryDark       rgb
	Secondary, OnSecondary, SecondaryDark rgb
	// SecondaryText is the secondary colour made readable on white and grey.
	SecondaryText  rgb
	Media, OnMedia []rgb
	Problems       []string
}

func resolvePalette(c site.Colors) palette {
	var p palette
	pick := func(name, v, def string) rgb {
		if strings.TrimSpace(v) == "" {
			return mustHex(def)
		}
		col, ok := parseHex(v)
		if !ok {
			p.Problems = append(p.Problems, fmt.Sprintf("colors.%s %q is not a hex colour (#rrggbb); the theme uses %s", name, v, def))
			return mustHex(def)
		}
		return col
	}
	// check returns the background to use for a configured colour and the
	// text colour on it: white where that is readable, else dark text, else
	// (a mid tone on which neither reaches 4.5:1) the colour darkened until
	// white text is readable.
	check := func(name string, bg rgb) (rgb, rgb) {
		r := contrast(mustHex(white), bg)
		if r >= minNormal {
			return bg, mustHex(white)
		}
		if on := textOn(bg); contrast(on, bg) >= minNormal {
			p.Problems = append(p.Problems, fmt.Sprintf("colors.%s %s has a contrast of %.2f:1 with white text (WCAG AA needs 4.5:1); the theme shows %s text on it instead", name, bg.hex(), r, on.hex()))
			return bg, on
		}
		dark := bg
		for i := 0; i < 40 && contrast(mustHex(white), dark) < minNormal; i++ {
			dark = dark.adjust(-0.025)
		}
		p.Problems = append(p.Problems, fmt.Sprintf("colors.%s %s has a contrast of %.2f:1 with white text and no text colour reaches 4.5:1 on it; the theme darkens it to %s", name, bg.hex(), r, dark.hex()))
		return dark, mustHex(white)
	}
	p.Primary = pick("primary-color", c.Primary, defaultPrimary)
	p.Primary, p.OnPrimary = check("primary-color", p.Primary)
	p.PrimaryDark = p.Primary.adjust(-0.1)
	p.Secondary = pick("secondary-color", c.Secondary, defaultSecondary)
	configuredSecondary := p.Secondary
	p.Secondary, p.OnSecondary = check("secondary-color", p.Secondary)
	p.SecondaryDark = p.Secondary.adjust(-0.1)
	p.SecondaryText = readableOn(configuredSecondary, mustHex(white), mustHex(graySurf))
	if p.SecondaryText != configuredSecondary {
		p.Problems = append(p.Problems, fmt.Sprintf("colors.secondary-color %s is too light for headings and links on white (needs 4.5:1); the theme darkens it to %s for text", configuredSecondary.hex(), p.SecondaryText.hex()))
	}
	defs := defaultMediaColors()
	for i := range 5 {
		v := ""
		if i < len(c.MediaColors) {
			v = c.MediaColors[i]
		}
		name := "media-colors[" + strconv.Itoa(i) + "]"
		bg, on := check(name, pick(name, v, defs[i]))
		p.Media = append(p.Media, bg)
		p.OnMedia = append(p.OnMedia, on)
	}
	return p
}

// ContrastProblems describes every configured colour that is not a valid
// colour or that fails WCAG AA contrast where the theme uses it, with what
// the theme does instead. The build can print these as warnings.
func ContrastProblems(c site.Colors) []string {
	return resolvePalette(c).Problems
}

// siteCSS is the per-site stylesheet: the colours as custom properties.
func siteCSS(c site.Colors) []byte {
	p := resolvePalette(c)
	var b strings.Builder
	b.WriteString("/* Generated from _config.yml colors by the isomer theme. */\n:root{")
	decl := func(name string, c rgb) { fmt.Fprintf(&b, "--%s:%s;", name, c.hex()) }
	decl("primary", p.Primary)
	decl("on-primary", p.OnPrimary)
	decl("primary-dark", p.PrimaryDark)
	decl("secondary", p.Secondary)
	decl("on-secondary", p.OnSecondary)
	decl("secondary-dark", p.SecondaryDark)
	decl("secondary-text", p.SecondaryText)
	for i := range p.Media {
		decl(fmt.Sprintf("media-%d", i+1), p.Media[i])
		decl(fmt.Sprintf("on-media-%d", i+1), p.OnMedia[i])
	}
	b.WriteString("}\n")
	return []byte(b.String())
}
