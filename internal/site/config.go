package site

import (
	"fmt"
	"strconv"
	"strings"
)

// Config is the site configuration: _config.yml deep-merged with every
// _<folder>/collection.yml, as Isomer's build passes them all to Jekyll.
type Config struct {
	// Raw is the merged configuration, unknown keys included, for Liquid's site.*.
	Raw map[string]any

	Title         string
	Description   string
	URL           string
	BaseURL       string
	Favicon       string
	ShareIcon     string
	Permalink     string
	ResourcesName string
	// IsGovernment is false only when the config says is_government: false.
	IsGovernment    bool
	Colors          Colors
	Paginate        int
	HideSearchOnNav bool
	Recommender     bool
	GoogleAnalytics string
	GA4             string
	GTM             string
	FacebookPixel   string
	LinkedInInsight string
	CustomCSSPath   string
	Exclude         []string
	Include         []string
	Timezone        string
	// Future builds future-dated posts (Jekyll's future: true).
	Future bool
	// DefaultLayout is the layout of files without one (defaults: layout page).
	DefaultLayout string
}

// Colors are the site colours from _config.yml.
type Colors struct {
	Primary     string
	Secondary   string
	MediaColors []string // media-color-one … five, in order
}

func newConfig(raw map[string]any) *Config {
	c := &Config{
		Raw:             raw,
		Title:           str(raw["title"]),
		Description:     str(raw["description"]),
		URL:             strings.TrimRight(str(raw["url"]), "/"),
		BaseURL:         strings.TrimRight(str(raw["baseurl"]), "/"),
		Favicon:         str(raw["favicon"]),
		ShareIcon:       str(raw["shareicon"]),
		Permalink:       str(raw["permalink"]),
		ResourcesName:   str(raw["resources_name"]),
		IsGovernment:    raw["is_government"] != false,
		HideSearchOnNav: truthy(raw["hide_search_on_nav"]),
		Recommender:     raw["recommender"] == true,
		GoogleAnalytics: str(raw["google_analytics"]),
		GA4:             str(raw["google_analytics_ga4"]),
		GTM:             str(raw["google-tag-manager"]),
		FacebookPixel:   str(raw["facebook-pixel"]),
		LinkedInInsight: str(raw["linkedin-insights"]),
		CustomCSSPath:   str(raw["custom_css_path"]),
		Exclude:         strList(raw["exclude"]),
		Include:         strList(raw["include"]),
		Timezone:        str(raw["timezone"]),
		Future:          raw["future"] == true,
		Paginate:        12,
		DefaultLayout:   "page",
	}
	if n, ok := toInt(raw["paginate"]); ok && n > 0 {
		c.Paginate = n
	}
	if colors, ok := raw["colors"].(map[string]any); ok {
		c.Colors.Primary = str(colors["primary-color"])
		c.Colors.Secondary = str(colors["secondary-color"])
		if list, ok := colors["media-colors"].([]any); ok {
			for _, item := range list {
				if m, ok := item.(map[string]any); ok {
					c.Colors.MediaColors = append(c.Colors.MediaColors, str(m["color"]))
				}
			}
		}
	}
	c.DefaultLayout = defaultLayout(raw["defaults"])
	return c
}

// defaultLayout finds the layout that Jekyll front matter defaults give to
// every path. Isomer sites set exactly one: scope path "" ⇒ layout page.
func defaultLayout(v any) string {
	list, _ := v.([]any)
	layout := "page"
	for _, item := range list {
		m, _ := item.(map[string]any)
		scope, _ := m["scope"].(map[string]any)
		values, _ := m["values"].(map[string]any)
		if scope == nil || values == nil {
			continue
		}
		if p := str(scope["path"]); p == "" || p == "/" {
			if l := str(values["layout"]); l != "" {
				layout = l
			}
		}
	}
	return layout
}

// str renders a scalar as Liquid would print it; nil is "".
func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case int:
		return strconv.Itoa(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	default:
		return fmt.Sprint(t)
	}
}

func strList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, item := range list {
		if s := str(item); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func toInt(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case float64:
		return int(t), true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(t))
		return n, err == nil
	}
	return 0, false
}

// truthy is Liquid truthiness: only nil and false are false.
func truthy(v any) bool { return v != nil && v != false }

// deepMerge merges src into dst the way Jekyll merges config files: maps
// merge key by key, anything else is replaced by the later file's value.
func deepMerge(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = deepMerge(dm, sm)
				continue
			}
			dst[k] = deepMerge(map[string]any{}, sm)
			continue
		}
		dst[k] = v
	}
	return dst
}
