package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goodSite is a small valid site; each malformed case adds or replaces files.
var goodSite = map[string]string{
	"_config.yml":                             "title: Test Site\nresources_name: news\n",
	"_data/navigation.yml":                    "logo: /logo.png\nlinks:\n  - title: Guides\n    collection: guides\n",
	"_data/footer.yml":                        "contact_us: /contact-us/\n",
	"_guides/collection.yml":                  "collections:\n  guides:\n    output: true\n",
	"_guides/one.md":                          "---\ntitle: One\npermalink: /guides/one/\n---\nGuide one\n",
	"pages/good.md":                           "---\ntitle: Good\npermalink: /good/\n---\nStill built\n",
	"news/index.html":                         "---\nlayout: resources\ntitle: News\n---\n",
	"news/cat/_posts/2024-01-01-post-Fine.md": "---\ntitle: Fine\nlayout: post\npermalink: /fine/\n---\nok\n",
}

func writeSite(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// TestBuildMalformedSites checks, for each kind of bad input, that the
// problem is reported as path:line, every other page is still built, the
// command exits 1, and nothing is written outside the output folder.
func TestBuildMalformedSites(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string // substring of the diagnostic
	}{
		{"front matter YAML", map[string]string{"pages/bad.md": "---\ntitle: ok\ndescription: \"unclosed\n---\nbody\n"}, "pages/bad.md:3: error: invalid YAML"},
		{"unclosed front matter", map[string]string{"pages/bad.md": "---\ntitle: never closed\nbody\n"}, "pages/bad.md:1: error: front matter starts with --- but has no closing"},
		{"front matter is a list", map[string]string{"pages/bad.md": "---\n- a\n- b\n---\n"}, "pages/bad.md:2: error: invalid YAML: expected key: value pairs, found a list"},
		{"bad _config.yml", map[string]string{"_config.yml": "title: Test\n  nested: wrong\n"}, "_config.yml:2: error: invalid YAML"},
		{"bad navigation.yml", map[string]string{"_data/navigation.yml": "links:\n  - title: A\n   url: /a/\n"}, "_data/navigation.yml:1: error: invalid YAML"},
		{"bad footer.yml", map[string]string{"_data/footer.yml": "social_media: {facebook: x\n"}, "_data/footer.yml"},
		{"bad collection.yml", map[string]string{"_guides/collection.yml": "collections:\n  guides:\n    order: [a.md\n"}, "_guides/collection.yml"},
		{"nav points to missing folder", map[string]string{"_data/navigation.yml": "links:\n  - title: Guides\n    collection: guides\n  - title: Ghost\n    collection: ghost\n"}, "_data/navigation.yml:4: error: menu item \"Ghost\" points to folder \"ghost\", which does not exist"},
		{"resource room without resources_name", map[string]string{"_config.yml": "title: Test\n", "_data/navigation.yml": "links:\n  - title: News\n    resource_room: true\n"}, "_data/navigation.yml:2: error: menu item \"News\" points to the resource room"},
		{"bad JSON data", map[string]string{"_data/offices.json": "[{\"name\": \"HQ\",}\n]"}, "_data/offices.json:1: error: invalid JSON"},
		{"bad CSV data", map[string]string{"_data/people.csv": "name,role\n\"Ann,lead\n"}, "_data/people.csv: error: invalid csv"},
		{"resource item with a bad date", map[string]string{"news/cat/_posts/2024-02-02-post-Bad.md": "---\ntitle: Bad\ndate: sometime soon\nlayout: post\n---\n"}, "news/cat/_posts/2024-02-02-post-Bad.md:3: error: date \"sometime soon\" is not a date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			siteDir := filepath.Join(root, "site")
			outDir := filepath.Join(root, "out")
			files := map[string]string{}
			for k, v := range goodSite {
				files[k] = v
			}
			for k, v := range tc.files {
				files[k] = v
			}
			writeSite(t, siteDir, files)
			before := listTree(t, siteDir)

			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), []string{"build", siteDir, "-o", outDir}, &stdout, &stderr)
			if code != exitProblems {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, exitProblems, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr does not report %q:\n%s", tc.want, stderr.String())
			}
			if _, err := os.Stat(filepath.Join(outDir, "good", "index.html")); err != nil {
				t.Errorf("the good page was not built: %v", err)
			}
			entries, _ := os.ReadDir(root)
			if len(entries) != 2 {
				t.Errorf("build wrote outside the output folder: %v", entries)
			}
			if after := listTree(t, siteDir); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("build changed the site folder:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestBuildStrictAndClean(t *testing.T) {
	root := t.TempDir()
	siteDir := filepath.Join(root, "site")
	files := map[string]string{}
	for k, v := range goodSite {
		files[k] = v
	}
	writeSite(t, siteDir, files)

	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"build", siteDir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("clean site: exit code %d, stderr:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(siteDir, "_site", "guides", "one", "index.html")); err != nil {
		t.Errorf("default output folder SITE_DIR/_site not used: %v", err)
	}
	if !strings.Contains(stdout.String(), "Built ") {
		t.Errorf("no summary line: %q", stdout.String())
	}

	// A duplicate permalink is a warning: exit 0, but 1 under --strict.
	writeSite(t, siteDir, map[string]string{"pages/dupe.md": "---\ntitle: Dupe\npermalink: /good/\n---\n"})
	stderr.Reset()
	if code := Run(context.Background(), []string{"build", siteDir, "-o", filepath.Join(root, "o1")}, &stdout, &stderr); code != exitOK {
		t.Errorf("warnings only: exit code %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "warning: same permalink as") {
		t.Errorf("duplicate permalink not reported:\n%s", stderr.String())
	}
	stderr.Reset()
	if code := Run(context.Background(), []string{"build", "--strict", siteDir, "-o", filepath.Join(root, "o2")}, &stdout, &stderr); code != exitProblems {
		t.Errorf("--strict with warnings: exit code %d, want %d", code, exitProblems)
	}
}

func TestUsageErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"build", filepath.Join(t.TempDir(), "missing")}, &stdout, &stderr); code != exitFailure {
		t.Errorf("missing site folder: exit code %d, want %d", code, exitFailure)
	}
	if code := Run(context.Background(), []string{"build", "--env", "qa", "."}, &stdout, &stderr); code != exitFailure {
		t.Errorf("bad --env: exit code %d, want %d", code, exitFailure)
	}
	stdout.Reset()
	if code := Run(context.Background(), []string{"version"}, &stdout, &stderr); code != exitOK || !strings.HasPrefix(stdout.String(), "isomer ") {
		t.Errorf("version: code %d output %q", code, stdout.String())
	}
}
