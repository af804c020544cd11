// Package site reads a classic Isomer site repository into a typed model,
// following the rules of Isomer's Jekyll build: config merged with every
// collection.yml, collections ordered and grouped by third_nav_title, resource
// rooms made of posts, and Jekyll's permalink rules.
//
// Loading happens in two phases that later stages can rely on: load reads
// every file (load.go), resolve computes URLs, orderings, navigation and the
// route table (resolve.go). Problems are collected as diagnostics; one bad
// file never stops the rest of the site from loading.
package site

import (
	"io/fs"
	"time"

	"isomer.dev/isomer/internal/diag"
)

// Site is a loaded and resolved Isomer site.
type Site struct {
	// FS is the site's source tree.
	FS fs.FS
	// Config is _config.yml merged with every collection.yml.
	Config *Config
	// Data holds every file under _data, as site.data exposes it to Liquid.
	Data map[string]any
	// Navigation is _data/navigation.yml (legacy list format converted).
	Navigation Navigation
	// Footer is _data/footer.yml.
	Footer Footer

	// Pages are site.pages: files with front matter outside collections and
	// _posts folders, sorted by file name as Jekyll sorts them.
	Pages []*Page
	// Collections are the declared collections other than posts, in config order.
	Collections []*Collection
	// Posts are the resource items, newest first (site.posts), future-dated
	// and unpublished ones removed.
	Posts []*Page
	// Categories are the post categories in first-seen order while walking
	// posts oldest first, each with its posts newest first (site.categories).
	Categories []*Category
	// Static are files copied to the output unchanged.
	Static []*StaticFile
	// Layouts and Includes map names ("page", "staff.html") to paths of
	// site-provided overrides in _layouts and _includes.
	Layouts  map[string]string
	Includes map[string]string

	// Routes maps each output file path (slash-separated, relative to the
	// output root, e.g. "about/index.html") to what is written there, after
	// duplicate permalinks were resolved last-wins as Jekyll does.
	Routes map[string]Output
	// ByURL finds a page by its page.url.
	ByURL map[string]*Page

	// Time is the build time (site.time), used for "Last Updated" and to
	// drop future-dated posts.
	Time time.Time
	// Diagnostics are the problems found while loading.
	Diagnostics *diag.List

	// loader is kept so Reload can re-read only changed files.
	loader *loader
	// pageURLs and postURLs index the first page and post at each URL, for
	// breadcrumbs.
	pageURLs, postURLs map[string]*Page
}

// Kind is what an Isomer page is, which decides its layout and navigation.
type Kind int

const (
	KindPage             Kind = iota // a simple page (pages/…)
	KindCollectionPage               // a page in a collection (folder)
	KindPost                         // a resource item (post, file or link)
	KindHomepage                     // index.md, layout homepage
	KindContactUs                    // layout contact_us
	KindResourceRoom                 // layout resources
	KindResourceCategory             // layout resources-alt
	KindSearch                       // layout search
	KindNotFound                     // the 404 page
	KindAsset                        // a non-HTML file rendered through Liquid (e.g. .js, .json)
)

var kindNames = [...]string{"page", "collection page", "resource item", "homepage", "contact us", "resource room", "resource category", "search", "not found", "asset"}

func (k Kind) String() string { return kindNames[k] }

// Page is one source file with front matter: a simple page, a collection
// document or a post.
type Page struct {
	// Path is the source path relative to the site root, slash-separated.
	Path string
	Kind Kind
	// FrontMatter is every front matter key, unknown ones included, for Liquid.
	FrontMatter map[string]any

	Title       string
	Layout      string // as given, or the config default ("page")
	Description string
	Variant     string
	Breadcrumb  string
	Image       string
	// ThirdNavTitle is nil when absent; "" is a real (truthy) group name.
	ThirdNavTitle *string

	// Body is the content after the front matter; BodyLine is its first line in the file.
	Body     []byte
	BodyLine int
	// Markdown is true for .md and .markdown files, which go through kramdown.
	Markdown bool

	// URL is page.url, percent-escaped where Jekyll escapes it.
	URL string
	// OutputPath is the output file, slash-separated, unescaped, relative to the output root.
	OutputPath string
	// Permalink is the front matter permalink, "" when absent.
	Permalink string

	// Collection is set for collection documents.
	Collection *Collection
	// Index is the position in the collection's order.
	Index int

	// Post fields.
	Date         time.Time
	DateString   string // the front matter date as written, or the file name date
	Categories   []string
	Slug         string
	ResourceType string // post, file or link (from layout, then file name)
	FileURL      string
	External     string

	// Homepage and ContactUs are decoded for those kinds only.
	Homepage  *Homepage
	ContactUs *ContactUs

	// OutputExt is ".html" for Markdown and HTML, the file's own extension otherwise.
	OutputExt string
	// Written is false when the page is not written (a file/link resource
	// item, a collection without output, or the loser of a duplicate permalink).
	Written bool
}

// Collection is a Jekyll collection: an Isomer "folder" with left navigation.
type Collection struct {
	// Name is the folder name without the leading underscore.
	Name   string
	Output bool
	// Order is the configured order, as paths relative to the folder.
	Order []string
	// Docs are the documents in collection order.
	Docs []*Page
	// ConfigPath is the file that declared the collection.
	ConfigPath string
}

// Category is a resource category: the folder a _posts directory sits in.
type Category struct {
	Name  string
	Posts []*Page // newest first
}

// StaticFile is a file copied to the output unchanged.
type StaticFile struct {
	// Path is the source path relative to the site root.
	Path string
	// OutputPath is where it is written, relative to the output root.
	OutputPath string
	// URL is the escaped URL it is served at.
	URL     string
	Size    int64
	ModTime time.Time
}

// Output is what a route writes: exactly one of Page or Static.
type Output struct {
	Page   *Page
	Static *StaticFile
}
