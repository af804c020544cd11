package check

import (
	"regexp"
	"strconv"
	"strings"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/theme"
)

// buildDiagnostics turns what the build reported into findings. The two
// kinds the check owns get their rule id and the line of the field at
// fault: duplicate permalinks (the build reports them on the losing file,
// as Jekyll's "Conflict") and homepage infopics without alt text.
func (c *checker) buildDiagnostics(ds []diag.Diagnostic) {
	for _, d := range ds {
		f := Finding{Rule: RuleBuild, Severity: d.Severity, Path: d.Path, Line: d.Line, Message: d.Message}
		switch {
		case strings.Contains(d.Message, "same permalink as") || strings.Contains(d.Message, "same output path as"):
			f.Rule = RuleDuplicatePermalink
			if f.Line == 0 {
				f.Line = c.loc.fieldLine(d.Path, "permalink", 1)
			}
		case d.Path == "_config.yml" && colorNameRE.MatchString(d.Message):
			// The build passes on the theme's colour problems; the same
			// message as contrast() gives, so the two merge.
			var ok bool
			if f, ok = c.colorFinding(d.Message); !ok {
				continue
			}
		case strings.HasPrefix(d.Message, "homepage infopic") && strings.Contains(d.Message, "alt"):
			f.Rule, f.Severity = RuleMissingAlt, diag.Error
			if f.Line == 0 {
				f.Line = c.infopicLine(d.Path, d.Message)
			}
		}
		c.add(f)
	}
}

var quotedRE = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

// infopicLine finds the infopic a build message names (by its quoted
// title) in the homepage: its alt: line, else image:, else infopic:.
func (c *checker) infopicLine(p, msg string) int {
	title := ""
	if m := quotedRE.FindStringSubmatch(msg); m != nil {
		if t, err := strconv.Unquote(`"` + m[1] + `"`); err == nil {
			title = t
		}
	}
	var home *site.Page
	for _, pg := range c.site.Pages {
		if pg.Path == p && pg.Homepage != nil {
			home = pg
		}
	}
	if home == nil {
		return 0
	}
	n := 0
	for _, sec := range home.Homepage.Sections {
		if sec.Infopic == nil {
			continue
		}
		if sec.Infopic.Title == title && (sec.Infopic.Image == "" || sec.Infopic.Alt == "") {
			break
		}
		n++
	}
	// The n-th "infopic:" key, then its fields up to the next section.
	start := 0
	for i := 0; i <= n; i++ {
		start = c.loc.fieldLine(p, "infopic", start+1)
		if start == 0 {
			return 0
		}
	}
	next := c.loc.nextSection(p, start)
	for _, key := range []string{"alt", "image"} {
		if l := c.loc.fieldLine(p, key, start+1); l > 0 && (next == 0 || l < next) {
			return l
		}
	}
	return start
}

// nextSection is the line of the next homepage section item after line
// from (a line starting "  - "), or 0.
func (l *locator) nextSection(p string, from int) int {
	lines := l.file(p)
	for i := from; i < len(lines); i++ {
		t := strings.TrimLeft(lines[i], " ")
		if strings.HasPrefix(t, "- ") && len(lines[i])-len(t) <= 2 {
			return i + 1
		}
		if lines[i] == "---" {
			return i + 1
		}
	}
	return 0
}

var colorNameRE = regexp.MustCompile(`^colors\.([a-z-]+)(?:\[(\d+)\])?`)

// contrast reports configured colours the theme cannot use as given
// (WCAG AA contrast, or not a colour), at their line in _config.yml.
func (c *checker) contrast() {
	for _, msg := range contrastProblems(c.site.Config.Colors) {
		if f, ok := c.colorFinding(msg); ok {
			c.add(f)
		}
	}
}

// colorFinding turns a theme message about colors.<name> into a finding at
// the line of that colour, or false when the site did not configure the
// colour: the theme's defaults are the theme's business.
func (c *checker) colorFinding(msg string) (Finding, bool) {
	f := Finding{Rule: RuleContrast, Severity: diag.Warning, Path: "_config.yml", Message: msg}
	m := colorNameRE.FindStringSubmatch(msg)
	if m == nil {
		return f, true
	}
	colors := c.site.Config.Colors
	i, _ := strconv.Atoi(m[2])
	switch {
	case m[1] == "primary-color" && strings.TrimSpace(colors.Primary) == "",
		m[1] == "secondary-color" && strings.TrimSpace(colors.Secondary) == "",
		m[1] == "media-colors" && (i >= len(colors.MediaColors) || strings.TrimSpace(colors.MediaColors[i]) == ""):
		return f, false
	}
	f.Line = c.loc.fieldLine("_config.yml", m[1], 1)
	if m[2] != "" {
		for k := 0; k <= i && f.Line > 0; k++ {
			f.Line = c.loc.fieldLine("_config.yml", "color", f.Line+1)
		}
	}
	return f, true
}

// contrastProblems is the theme's judgement of the site colours: the
// theme decides which colour is shown on which, so it owns the rule.
func contrastProblems(colors site.Colors) []string {
	return theme.ContrastProblems(colors)
}
