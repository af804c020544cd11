package site

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/frontmatter"
)

// Options tune Load.
type Options struct {
	// Now is the build time; the zero value means time.Now().
	Now time.Time
	// Exclude lists extra paths (relative to the site root) to ignore, such
	// as an output folder placed inside the site.
	Exclude []string
	// URL, when set, replaces the config's url and baseurl: the absolute
	// address the site is published at, e.g. https://staging.example.gov.sg/preview.
	URL string
}

// defaultExcludes are Jekyll's own excludes, which apply on top of the site's.
func defaultExcludes() []string {
	return []string{".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock", "node_modules", "vendor/bundle/", "vendor/cache/", "vendor/gems/", "vendor/ruby/"}
}

// postFileRE is Jekyll's rule for post file names: a date, a slug, an extension.
var postFileRE = regexp.MustCompile(`^(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^./]+)$`)

// Load reads the site in fsys and resolves it. Problems in the site's files
// are reported in Site.Diagnostics; the returned error is only for failures
// that leave nothing to build, such as an unreadable root or a cancelled ctx.
func Load(ctx context.Context, fsys fs.FS, opts Options) (*Site, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	l := &loader{
		fsys:  fsys,
		opts:  opts,
		diags: &diag.List{},
		site: &Site{
			FS:       fsys,
			Data:     map[string]any{},
			Layouts:  map[string]string{},
			Includes: map[string]string{},
			Time:     opts.Now,
		},
	}
	if _, err := fs.Stat(fsys, "."); err != nil {
		return nil, fmt.Errorf("read site: %w", err)
	}
	l.readConfig()
	if tz := l.site.Config.Timezone; tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			l.loc = loc
			l.site.Time = l.site.Time.In(loc)
		} else {
			l.diags.Warnf("_config.yml", 0, "timezone %q is not a known time zone; using the machine's", tz)
		}
	}
	if l.loc == nil {
		l.loc = time.Local
	}
	l.readData()
	if err := l.walk(ctx); err != nil {
		return nil, err
	}
	if err := l.readFiles(ctx, l.jobs); err != nil {
		return nil, err
	}
	l.placeStatic()
	l.fixedDiags = l.diags.Items()
	l.assemble()
	resolve(l.site, l.site.Diagnostics, l.navLines)
	l.site.loader = l
	return l.site, nil
}

type loader struct {
	fsys  fs.FS
	opts  Options
	diags *diag.List
	site  *Site
	loc   *time.Location
	// fixedDiags are the diagnostics of config, data and the walk: a partial
	// reload keeps them and re-checks only what it re-reads.
	fixedDiags []diag.Diagnostic

	collections map[string]*Collection
	// jobs are the files with front matter to read, in walk order.
	jobs []fileJob
	// navLines are the lines of navigation.yml's links, for diagnostics.
	navLines []int
}

type fileRole int

const (
	rolePage fileRole = iota
	roleDoc
	rolePost
)

type fileJob struct {
	path       string
	role       fileRole
	collection *Collection
	// ifFrontMatter says the file is a page only if it opens with front
	// matter; otherwise it is static, copied to staticURL (or not at all
	// when that is empty). The walk leaves the check to the parallel read.
	ifFrontMatter bool
	entry         fs.DirEntry
	staticURL     string
	static        bool // read found no front matter

	page *Page
	// diags are the problems found reading this file.
	diags []diag.Diagnostic
}

func (l *loader) readConfig() {
	raw := map[string]any{}
	var collectionOrder []string
	src, err := fs.ReadFile(l.fsys, "_config.yml")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		l.diags.Warnf("_config.yml", 0, "the site has no _config.yml; using Isomer's defaults")
	case err != nil:
		l.diags.Errorf("_config.yml", 0, "cannot read: %v", err)
	default:
		if m, err := frontmatter.Decode(src); err != nil {
			l.yamlError("_config.yml", 0, err)
		} else {
			raw = m
			collectionOrder = collectionKeys(src)
		}
	}
	// Isomer's build passes every collection.yml to Jekyll as an extra config
	// file, so each one is deep-merged into the site config in turn.
	entries, _ := fs.ReadDir(l.fsys, ".")
	declaredBy := map[string]string{}
	for _, name := range collectionOrder {
		declaredBy[name] = "_config.yml"
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "_") {
			continue
		}
		p := e.Name() + "/collection.yml"
		src, err := fs.ReadFile(l.fsys, p)
		if err != nil {
			continue
		}
		m, err := frontmatter.Decode(src)
		if err != nil {
			l.yamlError(p, 0, err)
			continue
		}
		keys := collectionKeys(src)
		if len(keys) == 0 {
			l.diags.Warnf(p, 0, "declares no collection (expected collections: %s: ...)", strings.TrimPrefix(e.Name(), "_"))
		}
		for _, k := range keys {
			if k != strings.TrimPrefix(e.Name(), "_") {
				l.diags.Warnf(p, 0, "declares collection %q, which does not match its folder %q", k, e.Name())
			}
			if _, seen := declaredBy[k]; !seen {
				declaredBy[k] = p
				collectionOrder = append(collectionOrder, k)
			}
		}
		raw = deepMerge(raw, m)
	}
	if l.opts.URL != "" {
		if u, err := url.Parse(l.opts.URL); err == nil && u.Scheme != "" && u.Host != "" {
			raw["url"] = u.Scheme + "://" + u.Host
			raw["baseurl"] = strings.TrimRight(u.Path, "/")
		} else {
			l.diags.Errorf("_config.yml", 0, "--base-url %q is not an absolute URL such as https://www.agency.gov.sg", l.opts.URL)
		}
	}
	l.site.Config = newConfig(raw)

	l.collections = map[string]*Collection{}
	defs := raw["collections"]
	if list, ok := defs.([]any); ok {
		// Jekyll also accepts a plain list of collection names.
		m := map[string]any{}
		for _, item := range list {
			m[str(item)] = map[string]any{}
			collectionOrder = append(collectionOrder, str(item))
		}
		defs = m
	}
	defMap, _ := defs.(map[string]any)
	seen := map[string]bool{}
	for _, name := range collectionOrder {
		if seen[name] || name == "posts" {
			continue
		}
		seen[name] = true
		def, _ := defMap[name].(map[string]any)
		c := &Collection{Name: name, Output: def["output"] == true, Order: strList(def["order"]), ConfigPath: declaredBy[name]}
		l.collections[name] = c
		l.site.Collections = append(l.site.Collections, c)
	}
}

// collectionKeys returns the names under "collections:" in the order the
// file lists them; Go maps forget order, and Jekyll keeps it.
func collectionKeys(src []byte) []string {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "collections" {
			continue
		}
		v := root.Content[i+1]
		var names []string
		switch v.Kind {
		case yaml.MappingNode:
			for j := 0; j < len(v.Content); j += 2 {
				names = append(names, v.Content[j].Value)
			}
		case yaml.SequenceNode:
			for _, c := range v.Content {
				names = append(names, c.Value)
			}
		}
		return names
	}
	return nil
}

func (l *loader) yamlError(p string, offset int, err error) {
	yamlErrorTo(l.diags, p, offset, err)
}

// yamlErrorTo reports a YAML problem at its file line; offset is the file
// line just before the YAML text starts.
func yamlErrorTo(diags *diag.List, p string, offset int, err error) {
	var fe *frontmatter.Error
	if errors.As(err, &fe) {
		line := 0
		if fe.Line > 0 {
			line = fe.Line + offset
		}
		diags.Errorf(p, line, "invalid YAML: %s", fe.Msg)
		return
	}
	diags.Errorf(p, offset, "invalid YAML: %v", err)
}

func (l *loader) readData() {
	_ = fs.WalkDir(l.fsys, "_data", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || isSpecial(d.Name()) || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		ext := strings.ToLower(path.Ext(p))
		src, err := fs.ReadFile(l.fsys, p)
		if err != nil {
			l.diags.Errorf(p, 0, "cannot read: %v", err)
			return nil
		}
		var v any
		switch ext {
		case ".yml", ".yaml":
			v, err = frontmatter.DecodeAny(src)
			if err != nil {
				l.yamlError(p, 0, err)
				return nil
			}
		case ".json":
			if err := json.Unmarshal(src, &v); err != nil {
				l.diags.Errorf(p, jsonErrorLine(src, err), "invalid JSON: %v", err)
				return nil
			}
		case ".csv", ".tsv":
			v, err = readTable(src, ext == ".tsv")
			if err != nil {
				l.diags.Errorf(p, 0, "invalid %s: %v", strings.TrimPrefix(ext, "."), err)
				return nil
			}
		default:
			return nil
		}
		// site.data mirrors the folder structure: _data/a/b.yml is site.data.a.b.
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "_data/"), path.Ext(p))
		parts := strings.Split(rel, "/")
		m := l.site.Data
		for _, part := range parts[:len(parts)-1] {
			sub, ok := m[part].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[part] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
		switch p {
		case "_data/navigation.yml":
			l.site.Navigation = parseNavigation(v)
			l.navLines = navLinkLines(src)
			if _, ok := v.([]any); ok {
				l.diags.Warnf(p, 1, "uses the legacy (v1) list format; it is read, but the CMS writes a map with logo: and links:")
			}
		case "_data/footer.yml":
			l.site.Footer = parseFooter(v)
		}
		return nil
	})
}

// navLinkLines returns the line of each entry of navigation.yml's links.
func navLinkLines(src []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	seq := root
	if root.Kind == yaml.MappingNode {
		seq = nil
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "links" {
				seq = root.Content[i+1]
			}
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	lines := make([]int, len(seq.Content))
	for i, c := range seq.Content {
		lines[i] = c.Line
	}
	return lines
}

func jsonErrorLine(src []byte, err error) int {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return 1 + bytes.Count(src[:min(int(se.Offset), len(src))], []byte("\n"))
	}
	return 0
}

// readTable reads a CSV/TSV data file as Jekyll does: a list of maps keyed by the header row.
func readTable(src []byte, tab bool) ([]any, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(src, []byte("\xEF\xBB\xBF"))))
	if tab {
		r.Comma = '\t'
	}
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return []any{}, nil
	}
	out := make([]any, 0, len(rows)-1)
	for _, row := range rows[1:] {
		m := map[string]any{}
		for i, h := range rows[0] {
			if i < len(row) {
				m[h] = row[i]
			} else {
				m[h] = nil
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// isSpecial is Jekyll's rule for names it does not publish.
func isSpecial(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~")
}

func (l *loader) excluded(p string, isDir bool) bool {
	if p == "_site" {
		return true
	}
	for _, list := range [][]string{defaultExcludes(), l.site.Config.Exclude, l.opts.Exclude} {
		for _, pattern := range list {
			pattern = strings.TrimSuffix(strings.TrimPrefix(pattern, "/"), "/")
			if pattern == "" {
				continue
			}
			if p == pattern || strings.HasPrefix(p, pattern+"/") {
				return true
			}
			if ok, _ := path.Match(pattern, p); ok {
				return true
			}
			if ok, _ := path.Match(pattern, path.Base(p)); ok && !strings.Contains(pattern, "/") {
				return true
			}
		}
	}
	return false
}

func (l *loader) included(name string) bool {
	for _, inc := range l.site.Config.Include {
		if strings.TrimSuffix(inc, "/") == name {
			return true
		}
	}
	return false
}

// walk classifies every file of the site: pages, collection documents,
// posts, static files, layouts and includes.
func (l *loader) walk(ctx context.Context) error {
	return fs.WalkDir(l.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			l.diags.Errorf(p, 0, "cannot read: %v", err)
			return nil
		}
		if p == "." {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name := d.Name()
		// Symlinks are skipped, as Jekyll does in safe mode: they could point outside the site.
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		if l.excluded(p, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		dir := path.Dir(p)
		if d.IsDir() {
			switch {
			case dir == "." && (name == "_layouts" || name == "_includes"):
				l.readTemplates(p, name)
				return fs.SkipDir
			case dir == "." && name == "_data":
				return fs.SkipDir
			case dir == "." && strings.HasPrefix(name, "_") && l.collections[strings.TrimPrefix(name, "_")] != nil:
				l.walkCollection(l.collections[strings.TrimPrefix(name, "_")], p)
				return fs.SkipDir
			case name == "_posts":
				l.walkPosts(p)
				return fs.SkipDir
			case isSpecial(name) && !l.included(name):
				return fs.SkipDir
			}
			return nil
		}
		if isSpecial(name) && !l.included(name) {
			return nil
		}
		if dir == "." && (name == "_config.yml") {
			return nil
		}
		l.jobs = append(l.jobs, fileJob{path: p, role: rolePage, ifFrontMatter: true, entry: d, staticURL: "/" + p})
		return nil
	})
}

// headSize is how much of a file is read to see whether it opens with front
// matter: a byte order mark and a "---" line with trailing spaces fit.
const headSize = 512

// head reads the start of a file: enough to see whether it has front matter.
func (l *loader) head(p string) ([]byte, error) {
	f, err := l.fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readHead(f, headSize)
}

// readHead reads up to headSize bytes of r into a buffer with room for
// size bytes in all, so that the rest of a page can follow without copying.
func readHead(r io.Reader, size int) ([]byte, error) {
	buf := make([]byte, headSize, max(headSize, size))
	n, err := io.ReadFull(r, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return buf[:n], nil
}

// readSource reads the file of job. For a file that is a page only with
// front matter, it stops after the head when there is none (ok false), so
// images and documents are not read whole.
func (l *loader) readSource(job *fileJob) (src []byte, ok bool, err error) {
	if !job.ifFrontMatter {
		src, err = fs.ReadFile(l.fsys, job.path)
		return src, err == nil, err
	}
	f, err := l.fsys.Open(job.path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	size := headSize
	if info, err := f.Stat(); err == nil && info.Size() < 1<<30 {
		size = int(info.Size()) + 1 // +1 sees the end without growing
	}
	buf, err := readHead(f, size)
	if err != nil {
		return nil, false, err
	}
	if !frontmatter.Has(buf) {
		return nil, false, nil
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

// placeStatic turns the files that turned out to have no front matter into
// static files, in walk order, and drops their jobs.
func (l *loader) placeStatic() {
	pages := l.jobs[:0]
	for _, job := range l.jobs {
		if !job.static {
			pages = append(pages, job)
			continue
		}
		if job.staticURL != "" {
			l.addStatic(job.path, job.entry, job.staticURL)
		}
	}
	clear(l.jobs[len(pages):])
	l.jobs = pages
}

func (l *loader) addStatic(p string, d fs.DirEntry, urlPath string) {
	sf := &StaticFile{Path: p, OutputPath: strings.TrimPrefix(urlPath, "/"), URL: escapePath(urlPath)}
	if info, err := d.Info(); err == nil {
		sf.Size = info.Size()
		sf.ModTime = info.ModTime()
	}
	l.site.Static = append(l.site.Static, sf)
}

func (l *loader) readTemplates(dir, kind string) {
	_ = fs.WalkDir(l.fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel := strings.TrimPrefix(p, dir+"/")
		if kind == "_layouts" {
			l.site.Layouts[strings.TrimSuffix(rel, path.Ext(rel))] = p
		} else {
			l.site.Includes[rel] = p
		}
		return nil
	})
}

func (l *loader) walkCollection(c *Collection, dir string) {
	_ = fs.WalkDir(l.fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		if isSpecial(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || l.excluded(p, false) {
			return nil
		}
		job := fileJob{path: p, role: roleDoc, collection: c, ifFrontMatter: true, entry: d}
		if c.Output {
			// Jekyll copies static files of an output collection to /<name>/<path>.
			job.staticURL = "/" + c.Name + "/" + strings.TrimPrefix(p, dir+"/")
		}
		l.jobs = append(l.jobs, job)
		return nil
	})
}

func (l *loader) walkPosts(dir string) {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		l.diags.Errorf(dir, 0, "cannot read: %v", err)
		return
	}
	for _, e := range entries {
		if e.IsDir() || isSpecial(e.Name()) || e.Type()&fs.ModeSymlink != 0 {
			continue
		}
		p := dir + "/" + e.Name()
		if !postFileRE.MatchString(e.Name()) {
			l.diags.Warnf(p, 0, "ignored: resource item file names start with a date, as in 2024-05-01-post-Title.md")
			continue
		}
		l.jobs = append(l.jobs, fileJob{path: p, role: rolePost})
	}
}

// readFiles reads and parses the files of jobs, in parallel: on large
// sites this is mostly file I/O and YAML.
func (l *loader) readFiles(ctx context.Context, jobs []fileJob) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	for i := range jobs {
		job := &jobs[i]
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			job.page = l.readPage(job)
			return nil
		})
	}
	return g.Wait()
}

// assemble puts the parsed files into the site's lists, in walk order, and
// starts the site's diagnostics from those of config, data and every file.
func (l *loader) assemble() {
	l.site.Diagnostics = &diag.List{}
	for _, d := range l.fixedDiags {
		l.site.Diagnostics.Add(d)
	}
	for _, job := range l.jobs {
		for _, d := range job.diags {
			l.site.Diagnostics.Add(d)
		}
	}
	l.site.Pages, l.site.Posts = nil, nil
	for _, c := range l.site.Collections {
		c.Docs = nil
	}
	for _, job := range l.jobs {
		p := job.page
		if p == nil {
			continue
		}
		// resolve recomputes these; a page kept from an earlier load starts afresh.
		p.Written = true
		switch job.role {
		case rolePage:
			l.site.Pages = append(l.site.Pages, p)
		case roleDoc:
			p.Collection = job.collection
			job.collection.Docs = append(job.collection.Docs, p)
		case rolePost:
			l.site.Posts = append(l.site.Posts, p)
		}
	}
}

func (l *loader) readPage(job *fileJob) *Page {
	diags := &diag.List{}
	defer func() { job.diags = diags.Items() }()
	src, ok, err := l.readSource(job)
	if err != nil {
		diags.Errorf(job.path, 0, "cannot read: %v", err)
		return nil
	}
	if !ok {
		job.static = true
		return nil
	}
	doc, err := frontmatter.Split(src)
	if err != nil {
		diags.Errorf(job.path, 1, "%v; the page is not built", err)
		return nil
	}
	fm, err := frontmatter.Decode(doc.YAML)
	if err != nil {
		yamlErrorTo(diags, job.path, 1, err)
		return nil
	}
	if fm["published"] == false {
		return nil
	}
	ext := path.Ext(job.path)
	lowerExt := strings.ToLower(ext)
	p := &Page{
		Path:        job.path,
		FrontMatter: fm,
		Title:       str(fm["title"]),
		Description: str(fm["description"]),
		Variant:     str(fm["variant"]),
		Breadcrumb:  str(fm["breadcrumb"]),
		Image:       str(fm["image"]),
		Permalink:   strings.TrimSpace(str(fm["permalink"])),
		Body:        doc.Body,
		BodyLine:    doc.BodyLine,
		Markdown:    lowerExt == ".md" || lowerExt == ".markdown",
		FileURL:     strings.TrimSpace(str(fm["file_url"])),
		External:    strings.TrimSpace(str(fm["external"])),
		Collection:  job.collection,
		Written:     true,
	}
	if v, ok := fm["third_nav_title"]; ok && v != nil {
		s := str(v)
		p.ThirdNavTitle = &s
	}
	switch {
	case p.Markdown || lowerExt == ".html" || lowerExt == ".htm":
		p.OutputExt = ".html"
	case lowerExt == ".scss" || lowerExt == ".sass":
		// Sass pages (misc/custom.scss) only carry the site colours, which
		// the theme generates from _config.yml itself.
		return nil
	default:
		p.OutputExt = ext
	}
	layout, hasLayout := fm["layout"]
	switch {
	case !hasLayout:
		p.Layout = l.site.Config.DefaultLayout
	case layout == nil:
		p.Layout = "none"
	default:
		p.Layout = str(layout)
	}
	if p.OutputExt != ".html" && !hasLayout {
		p.Layout = "none"
	}
	switch job.role {
	case roleDoc:
		p.Kind = KindCollectionPage
	case rolePost:
		p.Kind = KindPost
		if !l.readPost(p, diags) {
			return nil
		}
	default:
		p.Kind = pageKind(p)
	}
	switch p.Kind {
	case KindHomepage:
		var h Homepage
		if err := frontmatter.DecodeInto(doc.YAML, &h); err != nil {
			yamlErrorTo(diags, job.path, 1, err)
		}
		p.Homepage = &h
	case KindContactUs:
		var c ContactUs
		if err := frontmatter.DecodeInto(doc.YAML, &c); err != nil {
			yamlErrorTo(diags, job.path, 1, err)
		}
		p.ContactUs = &c
	}
	return p
}

func pageKind(p *Page) Kind {
	switch {
	case p.OutputExt != ".html":
		return KindAsset
	case p.Layout == "homepage":
		return KindHomepage
	case p.Layout == "contact_us":
		return KindContactUs
	case p.Layout == "resources":
		return KindResourceRoom
	case p.Layout == "resources-alt":
		return KindResourceCategory
	case p.Layout == "search":
		return KindSearch
	case p.Permalink == "/404.html" || p.Path == "404.html" || p.Path == "404.md":
		return KindNotFound
	}
	return KindPage
}

// readPost fills the resource-item fields; false drops the post.
func (l *loader) readPost(p *Page, diags *diag.List) bool {
	m := postFileRE.FindStringSubmatch(path.Base(p.Path))
	p.Slug = m[2]
	dateStr := m[1]
	if v := str(p.FrontMatter["date"]); v != "" {
		dateStr = v
	}
	date, err := parseDate(dateStr, l.loc)
	if err != nil {
		diags.Errorf(p.Path, l.lineOf(p, "date"), "date %q is not a date (write it as YYYY-MM-DD); the item is not built", dateStr)
		return false
	}
	p.Date = date
	p.DateString = dateStr
	// Categories come from the folders above _posts, as in Jekyll.
	dir := path.Dir(path.Dir(p.Path))
	if dir != "." {
		p.Categories = strings.Split(dir, "/")
	}
	for _, c := range asList(p.FrontMatter["categories"]) {
		p.Categories = append(p.Categories, str(c))
	}
	switch p.Layout {
	case "post", "file", "link":
		p.ResourceType = p.Layout
	default:
		switch {
		case p.FileURL != "":
			p.ResourceType = "file"
		case p.External != "":
			p.ResourceType = "link"
		default:
			p.ResourceType = "post"
			for _, t := range []string{"file", "link", "post"} {
				if strings.HasPrefix(p.Slug, t+"-") {
					p.ResourceType = t
				}
			}
		}
	}
	if !l.site.Config.Future && date.After(l.site.Time) {
		return false
	}
	return true
}

// lineOf finds the line of a top-level front matter key, for diagnostics.
func (l *loader) lineOf(p *Page, key string) int {
	src, err := fs.ReadFile(l.fsys, p.Path)
	if err != nil {
		return 0
	}
	for i, line := range bytes.Split(src, []byte("\n")) {
		if bytes.HasPrefix(line, []byte(key+":")) {
			return i + 1
		}
		if i > 0 && i+1 >= p.BodyLine {
			break
		}
	}
	return 0
}

// dateLayouts are the date forms Jekyll accepts in front matter and file names.
func dateLayouts() []string {
	return []string{
		"2006-01-02",
		"2006-1-2",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05 -07:00",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05.999999999 -0700",
	}
}

// parseDate accepts the date forms Jekyll reads from front matter and file names.
func parseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts() {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse date %q", s)
}

// sortPagesByName sorts like Jekyll's site.pages.sort_by!(&:name): by file
// name, keeping walk order for equal names.
func sortPagesByName(pages []*Page) {
	sort.SliceStable(pages, func(i, j int) bool { return path.Base(pages[i].Path) < path.Base(pages[j].Path) })
}
