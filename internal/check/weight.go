package check

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"isomer.dev/isomer/internal/diag"
)

// isImage says whether a file name is an image the CMS accepts (or a
// browser shows).
func isImage(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".apng", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".tif", ".tiff", ".ico":
		return true
	}
	return false
}

// sizes reports site files over the budgets: images over MaxImageSize,
// other files over MaxFileSize.
func (c *checker) sizes() {
	for _, f := range c.site.Static {
		if o, ok := c.site.Routes[f.OutputPath]; !ok || o.Static != f {
			continue
		}
		budget, rule, what, flag := c.opts.MaxFileSize, RuleFileSize, "file", "--max-file-size"
		if isImage(f.Path) {
			budget, rule, what, flag = c.opts.MaxImageSize, RuleImageSize, "image", "--max-image-size"
		}
		if budget < 0 || f.Size <= budget {
			continue
		}
		c.add(Finding{Rule: rule, Severity: diag.Warning, Path: f.Path, URL: f.URL,
			Message: fmt.Sprintf("%s is %s, over the %s budget of %s (%s); compress or resize it", what, FormatSize(f.Size), what, FormatSize(budget), flag)})
	}
}

// heaviest weighs every page (HTML plus the distinct site images it
// references) and returns the heaviest, heaviest first.
func (c *checker) heaviest() []PageWeight {
	var out []PageWeight
	for _, d := range c.docs {
		if d.page == nil {
			continue
		}
		w := PageWeight{URL: d.page.URL, Path: d.page.Path, HTML: c.idx.files[d.output]}
		seen := map[string]bool{}
		base := c.pageURLOf(d)
		for _, r := range d.refs {
			if !r.image || r.attr == "content" || r.tag == "link" {
				continue // og:image and icons are not part of the page's download
			}
			kind, v := c.idx.classify(r.value)
			if kind != refInternal {
				continue
			}
			if res := c.idx.resolve(base, v); res.Problem == resolved && !seen[res.Target] {
				seen[res.Target] = true
				w.Images += c.idx.files[res.Target]
			}
		}
		out = append(out, w)
	}
	slices.SortStableFunc(out, func(a, b PageWeight) int {
		return cmp.Or(cmp.Compare(b.Total(), a.Total()), strings.Compare(a.URL, b.URL))
	})
	return out[:min(len(out), c.opts.Heaviest)]
}

// FormatSize writes a byte count for people: 1.5 MB, 320 KB, 12 B
// (binary units, as the CMS's 5 MB limit is 5 × 1024 × 1024 bytes).
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// ParseSize reads a size such as "5MB", "500 KB", "1.5M" or "2048" (bytes),
// in binary units. "0" or "off" turns a budget off (returned as -1).
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "OFF" || t == "0" {
		return -1, nil
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("size %q: write a number of bytes or a size such as 5MB or 500KB", s)
	}
	return int64(f * float64(mult)), nil
}
