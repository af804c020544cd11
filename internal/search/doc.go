// Package search builds a static, sharded full-text index of a site and
// ships the small browser client that queries it, so that the search page
// works on any static host: no server, no Node, nothing beyond the isomer
// binary.
//
// # Files
//
// Index writes, under [Dir]:
//
//	index.json      the manifest: document count, the names of the
//	                document-table shards and the first term of every
//	                term shard.
//	t/<hash>.json   term shards: {"term":[doc,weight,Δdoc,weight,…],…}
//	                over a contiguous range of sorted terms.
//	d/<hash>.json   document-table shards: [[url,title,kind,date,excerpt],…]
//	                for DocsPerShard consecutive document ids.
//
// A build makes each page's [Doc] with [PageDoc] as the page is rendered:
// the page's words are counted there, on all cores, and Index, which waits
// for every page, only merges the counts.
//
// Shard names are content hashes: an unchanged shard keeps its name and its
// bytes from one build to the next, and a host may cache it forever. Term
// shard boundaries are content-defined (chosen by a hash of the term, not by
// position), so a changed page only rewrites the shards that hold its terms,
// its document-table shard and the manifest.
//
// A query downloads the manifest, one term shard per query word (a few more
// when a word is a prefix that spans shards; at most 10 words and 12 term
// shards) and the document-table shards of the ten results it shows. On the
// 10,000-page benchmark site that is 11–60 KB gzip for one to three words,
// and about 105 KB for the worst query of ten words (TestMeasure).
//
// # Terms and ranking
//
// Text is split into lower-cased runs of Unicode letters, digits and marks
// (each Han or kana character is a word of its own), English stop words are
// dropped and a light English stemmer conflates plurals and -ed/-ing forms.
// A posting's weight is BM25's term-frequency part with headings counted
// three times, plus a bonus for a title word. The client multiplies by the
// word's IDF, ranks documents that have every word first, and also matches
// query words of three or more letters as prefixes, at half weight. Search
// is the same query in Go, used by the tests to check the browser's answers.
//
// # The page contract
//
// The theme's search page must contain [FormHTML], [ResultsHTML] and
// [ScriptHTML] (see [PageHTML] for a complete example), and the build must
// write [Assets] and the files of [Index]. The client reads ?query= (and
// ?page=) from the address, fills the form's input, and renders into the
// [data-search-results] element.
package search
