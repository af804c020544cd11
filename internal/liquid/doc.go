// Package liquid renders Jekyll's dialect of Liquid (Jekyll 4.3 with
// Liquid 5) for page bodies and for the _includes a site provides.
//
// # API
//
//	type Config struct {
//	    Includes     []fs.FS  // searched in order: site _includes/ first, then theme partials
//	    IncludePaths []string // optional names of Includes entries for diagnostics ("_includes")
//	    Site         fs.FS    // site source, for {% include_relative %} (optional)
//	    SiteURL, BaseURL string                         // site.url, site.baseurl
//	    Markdownify func(src []byte) ([]byte, error)     // kramdown-compatible converter (build injects it)
//	    Now         func() time.Time                     // "now"/"today" in date filters
//	    Location    *time.Location                       // site time zone; nil = UTC
//	    PostURL, Link func(string) (string, error)       // {% post_url %}, {% link %} (optional)
//	    Limits      Limits                               // per-render budget (defaults below)
//	}
//	func New(cfg Config) *Engine // safe for concurrent use
//	func (e *Engine) Render(src []byte, path string, line int, vars map[string]any) ([]byte, []diag.Diagnostic)
//	func DecodeYAML(src []byte) (any, error) // YAML → values with ordered hashes
//
// Render evaluates src, a body whose first line is line `line` of the file
// `path`, with vars as the top-level variables ("site", "page", "layout",
// "jekyll", …). A body containing neither "{{" nor "{%" is returned as is,
// without parsing. Included files are read and parsed once per Engine.
//
// Values: strings, bools, ints, float64, time.Time, []any, map[string]any
// and yaml.MapSlice (gopkg.in/yaml.v2). Ruby hashes keep insertion order and
// that order shows in loops and jsonify, so pass hashes as yaml.MapSlice
// (DecodeYAML produces them); a Go map is iterated in sorted key order.
// Front-matter dates may be strings ("2025-11-11"); every date filter
// accepts strings in the formats Ruby's Time.parse reads, and time.Time.
//
// # Dialect
//
// The template layer (block structure, compilation, rendering) is
// github.com/osteele/liquid v1.9.2. On top of it this package provides what
// Jekyll has and v1.9.2 lacks or does differently:
//
//   - Jekyll tags: include (bare file names, k=v parameters as include.k,
//     {{ }} in the file name, lookup in Config.Includes), include_relative,
//     highlight (without Rouge colouring), link, post_url, and the theme's
//     {% accordion Title %}…{% endaccordion %} (legacy accordion markup,
//     body converted with Markdownify).
//   - Liquid 5 tags with Liquid's own semantics: assign (also inside
//     includes, visible afterwards), capture, if/elsif/else, unless, case
//     (every matching when renders), for (limit, offset, offset:continue,
//     reversed, else, forloop.parentloop, hashes as [key, value]),
//     tablerow, cycle (named groups), increment/decrement, ifchanged,
//     break/continue, echo, raw, comment and {% # inline comments %}.
//   - Liquid's whitespace rules: {%- -%} trims the neighbouring text only,
//     and blocks holding nothing but whitespace and assignments output no
//     whitespace (Liquid's "blank block" rule).
//   - All Liquid 5.4 standard filters and Jekyll 4.3's: relative_url,
//     absolute_url, strip_index, markdownify, smartify, slugify (all
//     modes), xml_escape, cgi_escape, uri_escape, normalize_whitespace,
//     number_of_words, array_to_sentence_string, jsonify, inspect,
//     to_integer, where, where_exp, find, find_exp, group_by, group_by_exp,
//     sort (property, nils first/last), push, pop, shift, unshift, sample
//     (seeded per page, so rebuilds are reproducible), date_to_string,
//     date_to_long_string (ordinal and US forms), date_to_xmlschema,
//     date_to_rfc822. Output and arithmetic follow Ruby: 1.0 prints as
//     "1.0", integer division floors, decimals are exact (0.1 + 0.2 = 0.3),
//     hashes print as {"a"=>1}.
//   - Expressions use Liquid 5's grammar (strings have no escapes; "empty"
//     and "blank" are literals; hyphens are allowed in names). Where the
//     strict grammar fails, the expression is read leniently, as Jekyll's
//     default error_mode "warn" does, with a warning.
//
// Jekyll's dot-assignment is Jekyll's, not osteele/liquid's: {% assign
// page.title = "x" %} creates a variable literally named "page.title" and
// leaves page.title unchanged, exactly as on a Jekyll-built site.
//
// # Errors
//
// Bad input never panics and never stops the page; every problem becomes a
// diag.Diagnostic at path:line (line = body start line + offset; inside an
// include, the include's own file and line) in plain words. Jekyll would
// stop the whole build for most of these; the policy here is to keep the
// page and show the author what went wrong:
//
//   - unknown tag, tag used outside its block, unclosed block, end tag
//     without a block, malformed tag or {{ without }}: error; the offending
//     tag is written to the page exactly as typed (a block's opening,
//     clause and end tags are all shown, its body renders as ordinary
//     content), everything else renders normally.
//   - expression that only the lenient grammar reads: warning; rendered as
//     Jekyll renders it.
//   - unknown filter: warning; the value passes through unchanged, as in
//     Jekyll.
//   - missing include, invalid include name, include nested deeper than
//     Limits.MaxIncludeDepth: error; the include renders nothing.
//   - runtime errors (invalid date, division by zero, wrong number of
//     filter arguments, comparing a number with a string): error; that
//     {{ }} renders nothing, a failing if condition counts as false.
//   - unknown variables render empty, without a diagnostic (Jekyll is not
//     strict).
//   - limits (Limits.MaxIterations loop iterations, MaxOutputBytes of
//     output or captured text, Timeout, MaxIncludeDepth): error; output
//     stops at that point and what was produced is returned.
//   - a panic inside the engine is recovered: error, source returned as is.
//
// Diagnostics about an included file are reported each time it is used,
// with identical text, so callers may de-duplicate them.
//
// Known differences from Jekyll are listed in DIFFERENCES.md; the
// differential test (jekyll_test.go) holds this package to Jekyll 4.3.1's
// output on a corpus of real-world-style snippets.
package liquid
