package build

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"isomer.dev/isomer/internal/site"
	"isomer.dev/isomer/internal/tiptap"
)

// Rebuild brings out up to date after the files at the changed paths
// (relative to the site root) changed: it re-reads only those files and
// re-renders only the pages whose output can depend on them. The result is
// byte-for-byte what Build would write.
func (b *Builder) Rebuild(ctx context.Context, out Output, changed []string) (*Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := time.Now()
	if b.site == nil {
		s, err := site.Load(ctx, b.fsys, b.loadOptions())
		if err != nil {
			return nil, err
		}
		return b.write(ctx, s, out, nil, start)
	}
	before := map[string]string{}
	for _, p := range changed {
		if pg := pageAt(b.site, p); pg != nil {
			before[p] = sharedState(pg)
		}
	}
	s, full, err := site.Reload(ctx, b.site, changed)
	if err != nil {
		return nil, err
	}
	if full {
		return b.write(ctx, s, out, nil, start)
	}
	var only []*site.Page
	for _, p := range changed {
		pg := pageAt(s, p)
		old, had := before[p]
		if pg == nil && !had {
			continue // a static file, or a file that is not part of the site
		}
		if pg == nil || !had || old != sharedState(pg) {
			// Added, removed, or changed in a way other pages show (title,
			// URL, navigation group, date…): navigation on every page may differ.
			return b.write(ctx, s, out, nil, start)
		}
		b.learnFacts(pg)
		only = append(only, b.dependents(s, pg)...)
	}
	if only == nil {
		only = []*site.Page{}
	}
	return b.write(ctx, s, out, only, start)
}

// pageAt finds the page read from source path p.
func pageAt(s *site.Site, p string) *site.Page {
	for _, o := range s.Routes {
		if o.Page != nil && o.Page.Path == p {
			return o.Page
		}
	}
	for _, q := range s.Posts {
		if q.Path == p {
			return q
		}
	}
	return nil
}

// sharedState is what other pages can show of p: if it is unchanged, an
// edit to p affects only p and the pages that list it.
func sharedState(p *site.Page) string {
	tnt := "\x00"
	if p.ThirdNavTitle != nil {
		tnt = *p.ThirdNavTitle
	}
	return strings.Join([]string{
		p.Kind.String(), p.Title, p.URL, p.OutputPath, p.Layout, tnt, p.Breadcrumb,
		p.Date.String(), strings.Join(p.Categories, "/"), p.ResourceType, p.FileURL, p.External,
		fmt.Sprint(p.FrontMatter["redirect_from"], p.FrontMatter["sitemap"], p.FrontMatter["noindex"]),
		fmt.Sprint(p.Written, p.Index),
	}, "\x00")
}

// dependents are the pages whose output can change when p's body or
// page-only front matter changes: p itself, the listings that show it, and
// every page whose own Liquid may read other pages.
func (b *Builder) dependents(s *site.Site, p *site.Page) []*site.Page {
	out := []*site.Page{p}
	for _, o := range s.Routes {
		q := o.Page
		if q == nil || q == p {
			continue
		}
		switch {
		case p.Kind == site.KindPost && (q.Kind == site.KindHomepage || q.Kind == site.KindResourceRoom || q.Kind == site.KindResourceCategory):
			out = append(out, q)
		case b.facts[q].usesSiteLiquid:
			out = append(out, q)
		}
	}
	return out
}

// pageFacts are what the build needs to know about a page's body.
type pageFacts struct {
	usesSiteLiquid bool // its Liquid can read other pages through site.*
	instagram      bool // it embeds Instagram, whose script the CSP must allow
}

func factsOf(p *site.Page) pageFacts {
	return pageFacts{
		// Braces are rare in page text, so they are looked for first: the
		// search for "site." stops at every s.
		usesSiteLiquid: (bytes.Contains(p.Body, []byte("{{")) || bytes.Contains(p.Body, []byte("{%"))) && bytes.Contains(p.Body, []byte("site.")),
		instagram:      tiptap.EmbedsInstagram(p.Body),
	}
}

// learnFacts adds the facts of one new page.
func (b *Builder) learnFacts(p *site.Page) {
	if _, ok := b.facts[p]; !ok {
		b.facts[p] = factsOf(p)
	}
}

// updateFacts learns the facts of every page of s, keeping what it knew.
// New pages are scanned on every core: a full build scans them all before
// it can render.
func (b *Builder) updateFacts(s *site.Site) {
	var pages []*site.Page
	for _, o := range s.Routes {
		if o.Page != nil {
			pages = append(pages, o.Page)
		}
	}
	facts := make([]pageFacts, len(pages))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(pages); i += workers {
				f, ok := b.facts[pages[i]]
				if !ok {
					f = factsOf(pages[i])
				}
				facts[i] = f
			}
		})
	}
	wg.Wait()
	next := make(map[*site.Page]pageFacts, len(pages))
	for i, p := range pages {
		next[p] = facts[i]
	}
	b.facts = next
}
