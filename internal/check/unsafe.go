package check

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/sanitize"
	"isomer.dev/isomer/internal/site"
)

// dangerousElements are elements the sanitiser removes because they can run
// code, load other documents or change how the page resolves URLs. Others
// it removes (<style>, comments, unknown tags) are tidying, not safety, and
// are not reported: the site template's own 404 page has a <style>.
func dangerousElements() map[string]bool {
	return map[string]bool{
		"script": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
		"applet": true, "base": true, "meta": true, "link": true, "portal": true, "math": true,
		"foreignobject": true, "use": true, "animate": true, "set": true, "handler": true, "listener": true,
		"animatetransform": true, "animatemotion": true, "param": true, "isindex": true,
	}
}

// unsafeCSS is CSS that can fetch or run something.
var unsafeCSS = regexp.MustCompile(`(?i)url\s*\(|expression\s*\(|javascript:|@import|behavior\s*:`)

// unsafeHTML reports, for every page source, what the CMS content policy
// removes for safety: scripts outside the allow-list, iframes from hosts
// outside it, event handlers, javascript: and other unsafe URLs. The
// sanitiser runs on the whole file, so front matter HTML (a homepage
// notification, a contact "other" field) is covered and lines are file
// lines. Markdown code is blanked first: a <script> in a code example is text.
func (c *checker) unsafeHTML(ctx context.Context) error {
	policy := sanitize.New()
	dangerous := dangerousElements()
	pages := allPages(c.site)
	found := make([][]Finding, len(pages))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range pages {
		if p.Kind == site.KindAsset {
			continue
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			b, err := fs.ReadFile(c.site.FS, p.Path)
			if err != nil {
				return nil // the build reported it
			}
			src := string(b)
			if p.Markdown {
				src = blankMarkdownCode(src)
			}
			for _, f := range policy.Findings(src) {
				if msg := unsafeMessage(f, dangerous); msg != "" {
					found[i] = append(found[i], Finding{Rule: RuleUnsafeHTML, Severity: diag.Error, Path: p.Path, Line: f.Line, Message: msg, URL: p.URL})
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, list := range found {
		for _, f := range list {
			c.add(f)
		}
	}
	return nil
}

// unsafeMessage describes a sanitiser finding that matters for safety, or
// returns "" for one that is only tidying.
func unsafeMessage(f sanitize.Finding, dangerous map[string]bool) string {
	msg := ""
	switch f.Kind {
	case sanitize.Element:
		if !dangerous[f.Element] {
			return ""
		}
		msg = fmt.Sprintf("<%s> is not allowed in page content", f.Element)
	case sanitize.Attribute:
		key := strings.ToLower(f.Attribute)
		if !strings.HasPrefix(key, "on") && key != "srcdoc" && key != "formaction" {
			return ""
		}
		msg = fmt.Sprintf("%s=%q on <%s> runs script", f.Attribute, f.Value, f.Element)
	case sanitize.URL:
		msg = fmt.Sprintf("%s %q on <%s> is not an allowed URL", f.Attribute, f.Value, f.Element)
		if f.Element == "iframe" {
			msg = fmt.Sprintf("<iframe> src %q is not https on a host of the embed allow-list", f.Value)
		}
	case sanitize.Style:
		if !unsafeCSS.MatchString(f.Value) {
			return ""
		}
		msg = fmt.Sprintf("style %q on <%s> can load or run code", f.Value, f.Element)
	default:
		return ""
	}
	if f.Reason != "" {
		msg += " (" + f.Reason + ")"
	}
	return msg + "; the CMS sanitiser removes it"
}

var (
	fenceRE    = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	codeSpanRE = regexp.MustCompile("(`+)[^`]+?(`+)")
)

// blankMarkdownCode replaces fenced code blocks and code spans with spaces,
// keeping every newline so lines do not move.
func blankMarkdownCode(src string) string {
	lines := strings.Split(src, "\n")
	fence := ""
	for i, line := range lines {
		if fence != "" {
			if m := fenceRE.FindStringSubmatch(line); m != nil && m[1][0] == fence[0] && len(m[1]) >= len(fence) {
				fence = ""
			}
			lines[i] = ""
			continue
		}
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			fence = m[1]
			lines[i] = ""
			continue
		}
		lines[i] = codeSpanRE.ReplaceAllStringFunc(line, func(s string) string { return strings.Repeat(" ", len(s)) })
	}
	return strings.Join(lines, "\n")
}
