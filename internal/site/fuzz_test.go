package site_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"isomer.dev/isomer/internal/site"
)

// FuzzLoad feeds arbitrary config, navigation and page files to the loader:
// it must never panic and every output path must stay inside the output root.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("title: T\ncollections:\n  c:\n    output: true\n    order: [a.md]\n"), []byte("links:\n  - title: C\n    collection: c\n"), []byte("---\ntitle: A\npermalink: /a/\nthird_nav_title: G\n---\nbody"))
	f.Add([]byte("collections: [c]\n"), []byte("- title: legacy\n  url: /x\n"), []byte("---\npermalink: /../../x\n---\n"))
	f.Add([]byte("resources_name: r\n"), []byte("logo: 1\n"), []byte("---\nlayout: homepage\nsections:\n  - hero: {title: x}\n  - infopic: 3\n---\n"))
	f.Fuzz(func(t *testing.T, config, nav, page []byte) {
		fsys := fstest.MapFS{
			"_config.yml":                       {Data: config},
			"_data/navigation.yml":              {Data: nav},
			"_data/footer.yml":                  {Data: nav},
			"_c/collection.yml":                 {Data: config},
			"_c/a.md":                           {Data: page},
			"pages/p.md":                        {Data: page},
			"index.md":                          {Data: page},
			"r/cat/_posts/2024-01-01-post-x.md": {Data: page},
		}
		s, err := site.Load(context.Background(), fsys, site.Options{Now: buildTime})
		if err != nil {
			t.Fatal(err)
		}
		for out := range s.Routes {
			if strings.HasPrefix(out, "/") || strings.Contains("/"+out+"/", "/../") || out == "" {
				t.Fatalf("output path %q escapes the output root", out)
			}
		}
	})
}
