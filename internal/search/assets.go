package search

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
)

//go:embed assets/search.js
var script []byte

// Assets returns the browser client, to be written at ScriptPath. It is a
// plain script with no dependencies, no inline code and no eval, so it runs
// under Content-Security-Policy: default-src 'self'.
func Assets() []File {
	return []File{{Path: ScriptPath, Data: append([]byte(nil), script...)}}
}

// ScriptVersion is a short hash of the client, for a cache-busting query
// (ScriptPath + "?v=" + ScriptVersion()).
func ScriptVersion() string {
	h := sha256.Sum256(script)
	return hex.EncodeToString(h[:4])
}

// The HTML contract of the search page. The theme's page at /search/ must
// contain the three parts below, in this order, with every URL passed
// through the site's base URL (relative_url) when the site is not served from
// the root of its host. Class names are free; the data- attributes, the
// input's name and the element kinds are the contract.
//
// The form is a plain GET form, so that search works from any page (the
// navbar's form has the same action and input name) and the address of a
// search can be shared. The client fills data-search-form's input with the
// query from the address.
const FormHTML = `<form role="search" action="/search/" method="get" data-search-form>
<label for="search-query">Search this site</label>
<input id="search-query" name="query" type="search" autocomplete="off">
<button type="submit">Search</button>
</form>`

// ResultsHTML is the container the client renders into. data-search-index is
// the URL of the manifest (IndexPath); shard URLs are resolved against it.
// The client puts in it, in order:
//
//   - p[data-search-status][role=status][aria-live=polite]: the results count
//     or "No results for “…”." — created at once, filled when ready, so that
//     screen readers announce it. A theme may provide it (then the client
//     uses it as is).
//   - ol.search-results > li.search-result, each with
//     h2.search-result-title > a[href] (the title, matched words in <mark>),
//     p.search-result-meta (kind and date) and p.search-result-excerpt
//     (matched words in <mark>).
//   - nav.search-pagination[aria-label="Search results pages"] with
//     a[rel=prev], span (page n of m) and a[rel=next] links (?query=…&page=n).
//
// While it works the container has aria-busy="true"; when done it has
// data-search-state="done" (or "error").
const ResultsHTML = `<div class="search-results-display" data-search-results data-search-index="/` + IndexPath + `">
<noscript><p>Search needs JavaScript. You can also browse the site from its menu.</p></noscript>
</div>`

// ScriptHTML loads the client. defer runs it after the page is parsed.
const ScriptHTML = `<script src="/` + ScriptPath + `" defer></script>`

// PageHTML is a complete minimal search page, for tests and as an example.
const PageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Search</title>
` + ScriptHTML + `
</head>
<body>
<main>
<h1>Search</h1>
` + FormHTML + `
` + ResultsHTML + `
</main>
</body>
</html>
`
