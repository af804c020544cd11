package devserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const privacy = "pages/Privacy Statement.md"

// TestBrokenPage follows a page through breaking and fixing its front
// matter: its URL answers 500 naming the file and line, every other page
// shows the panel, and both recover with the fix.
func TestBrokenPage(t *testing.T) {
	ctx := context.Background()
	dir := copySite(t, nil)
	s := builtServer(t, dir)
	h := s.Handler()
	src := filepath.Join(dir, filepath.FromSlash(privacy))
	good, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	v0 := s.state.Load().version

	broken := strings.Replace(string(good), "title: Privacy Statement", `title: "Privacy Statement`, 1)
	writeFile(t, dir, privacy, broken)
	s.rebuild(ctx, change{paths: []string{privacy}})

	st := s.state.Load()
	if st.version == v0 {
		t.Errorf("breaking a page did not publish a new version")
	}
	got := do(t, h, "GET", "/privacy/")
	if got.status != 500 {
		t.Fatalf("broken page: status %d, want 500", got.status)
	}
	for _, want := range []string{
		"<h1>This page could not be built</h1>",
		"<code>/privacy/</code> comes from <code>pages/Privacy Statement.md</code>",
		"<li><code>pages/Privacy Statement.md</code>, line 5: invalid YAML",
		`<link rel="stylesheet" href="/_isomer/serve.css">`,
		`<script src="/_isomer/reload.js" data-version="` + st.version + `" defer></script>`,
	} {
		if !strings.Contains(got.body, want) {
			t.Errorf("error page lacks %q:\n%s", want, got.body)
		}
	}
	if strings.Contains(got.body, "<style") || strings.Contains(got.body, "style=") || strings.Contains(got.body, "<script>") {
		t.Errorf("error page has inline style or script")
	}
	if got.header.Get("Content-Security-Policy") == "" {
		t.Errorf("error page without CSP")
	}
	if got := do(t, h, "HEAD", "/privacy/"); got.status != 500 || got.body != "" {
		t.Errorf("HEAD broken page: %d, %d bytes", got.status, len(got.body))
	}

	home := do(t, h, "GET", "/")
	if home.status != 200 {
		t.Errorf("home: status %d", home.status)
	}
	for _, want := range []string{
		`<link rel="stylesheet" href="/_isomer/serve.css"></head>`,
		`<aside class="isomer-serve-problems" role="alert"`,
		"The site has 1 error",
		"<code>pages/Privacy Statement.md</code>, line 5: invalid YAML",
	} {
		if !strings.Contains(home.body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if i, j := strings.Index(home.body, "<body"), strings.Index(home.body, "<aside class=\"isomer-serve-problems\""); j < i {
		t.Errorf("panel is not inside <body>")
	}
	if got := do(t, h, "GET", "/no-such-page/"); got.status != 404 || !strings.Contains(got.body, "isomer-serve-problems") {
		t.Errorf("404 page while broken: status %d, panel %v", got.status, strings.Contains(got.body, "isomer-serve-problems"))
	}

	// Saving again while still broken keeps the URL mapped.
	writeFile(t, dir, privacy, broken+"\nmore\n")
	s.rebuild(ctx, change{paths: []string{privacy}})
	if got := do(t, h, "GET", "/privacy/"); got.status != 500 {
		t.Errorf("second broken save: status %d, want 500", got.status)
	}

	writeFile(t, dir, privacy, string(good))
	s.rebuild(ctx, change{paths: []string{privacy}})
	got = do(t, h, "GET", "/privacy/")
	if got.status != 200 || !strings.Contains(got.body, "Privacy Statement") {
		t.Errorf("fixed page: status %d", got.status)
	}
	if strings.Contains(got.body, "isomer-serve-problems") || strings.Contains(do(t, h, "GET", "/").body, "isomer-serve-problems") {
		t.Errorf("the panel stays after the fix")
	}
	if len(s.state.Load().broken) != 0 {
		t.Errorf("broken pages after the fix: %v", s.state.Load().broken)
	}

	// A page that never built has no URL: the panel on every page names it.
	writeFile(t, dir, "pages/new.md", "---\ntitle: [unclosed\npermalink: /new/\n---\n")
	s.rebuild(ctx, change{paths: []string{"pages/new.md"}})
	if got := do(t, h, "GET", "/new/"); got.status != 404 || !strings.Contains(got.body, "<code>pages/new.md</code>, line 2") {
		t.Errorf("never-built page: status %d, panel naming it: %v", got.status, strings.Contains(got.body, "pages/new.md"))
	}
}

// TestUnchangedSaveKeepsVersion: saving a file without changing what any
// page shows must not reload the tabs.
func TestUnchangedSaveKeepsVersion(t *testing.T) {
	dir := copySite(t, nil)
	s := builtServer(t, dir)
	v := s.state.Load().version
	s.rebuild(context.Background(), change{paths: []string{privacy}})
	if got := s.state.Load().version; got != v {
		t.Errorf("version %s → %s after a save that changed nothing", v, got)
	}
}
