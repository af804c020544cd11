// Package sanitize is the IsomerCMS content allow-list, built on bluemonday:
// what Studio applies to every page body it saves, and what the check
// command reports on in existing sites.
//
// The policy follows the CMS backend (DOMPurify defaults plus iframe, the
// four allowed script sources and a few iframe/script attributes), with
// these deliberate differences:
//
//   - iframe src must be https on a host of the Isomer CSP frame-src list;
//     srcdoc is never allowed.
//   - <script> survives only with src exactly one of the four allowed
//     values, no inline code and no href; it keeps src and async only. This
//     one rule is a structural step around bluemonday (see scripts.go).
//   - URLs (href, src, cite, action, poster) must be http, https, mailto,
//     tel or relative; data: only as data:image/… in img src and video
//     poster. Checked by pattern on the attribute value, so paths with
//     raw spaces ("/images/About Us/x.png") are kept as written.
//   - style attributes are kept but each declaration is checked: only the
//     properties Isomer content uses (style.go), with values that cannot
//     fetch or run anything (no url(), expression(), escapes or colons).
//     <style> elements are removed: a strict CSP would block them anyway.
//   - SVG is limited to static shapes; MathML, <object>, <embed>, <base>,
//     <meta>, <link>, <template> and comments are removed (the backend
//     removes comments too).
//   - data-*, aria-*, class, id, role, title, lang, dir are kept everywhere.
//
// Like DOMPurify, a body without "<" is returned unchanged; anything else is
// re-serialised, so text "<", ">" and "&" come back as entities (a Markdown
// "> quote" line in a body that also has HTML becomes "&gt; quote", the same
// lossy edge as the CMS). Quotes in text are left as characters.
//
// A Policy is safe for concurrent use.
package sanitize

import (
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Policy is the Isomer content policy. Build it once with New.
type Policy struct {
	bm *bluemonday.Policy
}

// New builds the policy.
func New() *Policy {
	return &Policy{bm: newBluemonday()}
}

// Sanitize returns html with everything outside the policy removed.
func (p *Policy) Sanitize(html string) string {
	if !strings.Contains(html, "<") {
		return html
	}
	return restoreScripts(p.bm.Sanitize(replaceScripts(html)))
}
