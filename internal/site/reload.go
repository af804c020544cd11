package site

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"

	"isomer.dev/isomer/internal/diag"
	"isomer.dev/isomer/internal/frontmatter"
)

// IsGlobal reports whether a change to the file at p (relative to the site
// root) can affect every page: configuration, data, layouts and includes.
func IsGlobal(p string) bool {
	p = path.Clean(p)
	top, rest, _ := strings.Cut(p, "/")
	switch {
	case p == "_config.yml", top == "_data", top == "_layouts", top == "_includes":
		return true
	case strings.HasPrefix(top, "_") && rest == "collection.yml":
		return true
	}
	return false
}

// Reload returns the site with the files at the changed paths (relative to
// the site root, slash-separated) read again and everything else kept from
// prev, then resolved afresh. A change that can affect every page (see
// IsGlobal), a folder, or a site that was not made by Load is read in full;
// full reports that. prev must not be used afterwards: pages that did not
// change are shared with the result.
func Reload(ctx context.Context, prev *Site, changed []string) (s *Site, full bool, err error) {
	l := prev.loader
	if l == nil {
		s, err := Load(ctx, prev.FS, Options{Now: prev.Time})
		return s, true, err
	}
	changedSet := map[string]bool{}
	for _, p := range changed {
		p = path.Clean(strings.TrimPrefix(p, "/"))
		if IsGlobal(p) {
			s, err := Load(ctx, prev.FS, l.opts)
			return s, true, err
		}
		if info, err := fs.Stat(prev.FS, p); err == nil && info.IsDir() {
			s, err := Load(ctx, prev.FS, l.opts)
			return s, true, err
		}
		changedSet[p] = true
	}

	nl := &loader{fsys: l.fsys, opts: l.opts, loc: l.loc, diags: &diag.List{}, navLines: l.navLines}
	ns := &Site{
		FS: prev.FS, Config: prev.Config, Data: prev.Data, Navigation: prev.Navigation, Footer: prev.Footer,
		Layouts: prev.Layouts, Includes: prev.Includes, Time: prev.Time,
	}
	nl.site = ns
	nl.collections = map[string]*Collection{}
	for _, c := range prev.Collections {
		nc := &Collection{Name: c.Name, Output: c.Output, Order: c.Order, ConfigPath: c.ConfigPath}
		nl.collections[c.Name] = nc
		ns.Collections = append(ns.Collections, nc)
	}
	for _, d := range l.fixedDiags {
		if !changedSet[d.Path] {
			nl.fixedDiags = append(nl.fixedDiags, d)
		}
	}
	for _, job := range l.jobs {
		if changedSet[job.path] {
			continue
		}
		if job.collection != nil {
			job.collection = nl.collections[job.collection.Name]
		}
		nl.jobs = append(nl.jobs, job)
	}
	for _, f := range prev.Static {
		if !changedSet[f.Path] {
			ns.Static = append(ns.Static, f)
		}
	}

	var fresh []fileJob
	for p := range changedSet {
		job, static, ok := nl.classify(p)
		if !ok {
			continue
		}
		if static != "" {
			if d, err := statEntry(nl.fsys, p); err == nil {
				nl.addStatic(p, d, static)
			}
			continue
		}
		fresh = append(fresh, job)
	}
	nl.fixedDiags = append(nl.fixedDiags, nl.diags.Items()...)
	if err := nl.readFiles(ctx, fresh); err != nil {
		return nil, false, err
	}
	// The kept jobs are still in walk order; slot the fresh ones in.
	slices.SortFunc(fresh, func(a, b fileJob) int { return compareWalkOrder(a.path, b.path) })
	for _, job := range fresh {
		i, _ := slices.BinarySearchFunc(nl.jobs, job.path, func(j fileJob, p string) int { return compareWalkOrder(j.path, p) })
		nl.jobs = slices.Insert(nl.jobs, i, job)
	}
	nl.assemble()
	resolve(ns, ns.Diagnostics, nl.navLines)
	ns.loader = nl
	return ns, false, nil
}

// classify decides what the file at p is, by the same rules as the full
// walk: a page, document or post to read (job), a static file to copy
// (static is its URL path), or nothing (ok false: removed, excluded or special).
func (l *loader) classify(p string) (job fileJob, static string, ok bool) {
	info, err := fs.Stat(l.fsys, p)
	if err != nil || info.IsDir() || info.Mode()&fs.ModeSymlink != 0 {
		return job, "", false
	}
	parts := strings.Split(p, "/")
	for i := range parts {
		if l.excluded(strings.Join(parts[:i+1], "/"), i < len(parts)-1) {
			return job, "", false
		}
	}
	name := parts[len(parts)-1]
	hasFM := func() bool {
		head, err := l.head(p)
		return err == nil && frontmatter.Has(head)
	}
	if c := l.collections[strings.TrimPrefix(parts[0], "_")]; strings.HasPrefix(parts[0], "_") && c != nil && len(parts) > 1 {
		for _, part := range parts[1:] {
			if isSpecial(part) {
				return job, "", false
			}
		}
		if hasFM() {
			return fileJob{path: p, role: roleDoc, collection: c}, "", true
		}
		if c.Output {
			return job, "/" + c.Name + "/" + strings.Join(parts[1:], "/"), true
		}
		return job, "", false
	}
	for i, part := range parts[:len(parts)-1] {
		if part == "_posts" {
			if i != len(parts)-2 || isSpecial(name) {
				return job, "", false
			}
			if !postFileRE.MatchString(name) {
				l.diags.Warnf(p, 0, "ignored: resource item file names start with a date, as in 2024-05-01-post-Title.md")
				return job, "", false
			}
			return fileJob{path: p, role: rolePost}, "", true
		}
		if isSpecial(part) && !l.included(part) {
			return job, "", false
		}
	}
	if isSpecial(name) && !l.included(name) || p == "_config.yml" {
		return job, "", false
	}
	if hasFM() {
		return fileJob{path: p, role: rolePage}, "", true
	}
	return job, "/" + p, true
}

// statEntry gives a DirEntry for one file, as addStatic wants.
func statEntry(fsys fs.FS, p string) (fs.DirEntry, error) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, errors.New("is a folder")
	}
	return fs.FileInfoToDirEntry(info), nil
}

// compareWalkOrder orders paths as fs.WalkDir visits them: folder by folder,
// names in byte order.
func compareWalkOrder(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := strings.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return len(as) - len(bs)
}
