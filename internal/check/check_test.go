package check

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"isomer.dev/isomer/internal/diag"
)

// fixedNow keeps the fixture's resource items in the past.
func fixedNow() time.Time { return time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC) }

func runDefects(t *testing.T) *Report {
	t.Helper()
	rep, err := Run(context.Background(), Options{
		Source: "testdata/defects", Now: fixedNow(),
		MaxImageSize: 8 << 10, MaxFileSize: 16 << 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// readGolden reads testdata/defects.golden: "rule path:line  # comment".
func readGolden(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/defects.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		rule, loc, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("golden line %q: want rule path:line", line)
		}
		out = append(out, rule+" "+strings.TrimSpace(loc))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestDefects checks that every defect planted in testdata/defects is found
// at its source file and line, and that nothing else is reported.
func TestDefects(t *testing.T) {
	rep := runDefects(t)
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s:%d", f.Rule, f.Path, f.Line))
	}
	slices.Sort(got)
	want := readGolden(t)
	if len(want) < 25 {
		t.Fatalf("the golden file lists %d defects; the fixture must plant at least 25", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings differ from testdata/defects.golden (-want +got):\n%s\nall findings:\n%s", diff, findingsText(rep))
	}
}

func findingsText(rep *Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		fmt.Fprintln(&b, f)
	}
	return b.String()
}

// TestDefectMessages spot-checks that messages say what would fix the problem.
func TestDefectMessages(t *testing.T) {
	rep := runDefects(t)
	want := map[string]string{
		"_data/navigation.yml:15":          "did you mean /contact-us/?",
		"index.md:27":                      "did you mean /about-us/?",
		"_guides/Getting Started.md:15":    "did you mean /images/chart.png?",
		"_guides/Getting Started.md:17":    "did you mean /files/Report%202024.pdf?",
		"_guides/Getting Started.md:36":    "the page is at /about-us/",
		"_guides/Getting Started.md:40":    "did you mean /guides/advanced/deep-dive/?",
		"index.md:12":                      "did you mean /guides/getting-started/?",
		"_guides/Advanced/Deep Dive.md:15": "only resolves with a different encoding",
		"_data/navigation.yml:13":          `did you mean https:?`,
	}
	for loc, text := range want {
		found := false
		for _, f := range rep.Findings {
			if fmt.Sprintf("%s:%d", f.Path, f.Line) == loc && strings.Contains(f.Message, text) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no finding says %q\n%s", loc, text, findingsText(rep))
		}
	}
	for _, f := range rep.Findings {
		if f.Rule == "" || f.Message == "" || f.Path == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}
}

// TestExampleSiteClean checks the example site: it is the demo, so check
// must find nothing in it.
func TestExampleSiteClean(t *testing.T) {
	rep, err := Run(context.Background(), Options{Source: "../../examples/agency-site"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		t.Errorf("%s", f)
	}
	if rep.Pages < 30 {
		t.Errorf("checked %d pages; the example site has more", rep.Pages)
	}
	if len(rep.Heaviest) != DefaultHeaviest {
		t.Errorf("heaviest pages: got %d, want %d", len(rep.Heaviest), DefaultHeaviest)
	}
	for i := 1; i < len(rep.Heaviest); i++ {
		if rep.Heaviest[i].Total() > rep.Heaviest[i-1].Total() {
			t.Errorf("heaviest pages out of order: %+v", rep.Heaviest)
		}
	}
	if rep.Heaviest[0].Images == 0 || rep.Heaviest[0].HTML == 0 {
		t.Errorf("heaviest page weighs no HTML or images: %+v", rep.Heaviest[0])
	}
}

// TestOutputKept checks that Options.Output keeps the build, and that the
// default temporary folder is removed.
func TestOutputKept(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Run(context.Background(), Options{Source: "testdata/defects", Now: fixedNow(), Output: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "guides", "getting-started", "index.html")); err != nil {
		t.Errorf("output not kept: %v", err)
	}
	if _, err := Run(context.Background(), Options{Source: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("a missing site folder is not an error")
	}
}

func TestReportWriters(t *testing.T) {
	rep := runDefects(t)
	var text bytes.Buffer
	if err := rep.WriteText(&text, diag.Error); err != nil {
		t.Fatal(err)
	}
	s := text.String()
	for _, want := range []string{
		"_guides/Getting Started.md\n",
		"     15  error    broken-image",
		"Heaviest pages (HTML + images):",
		"Check FAILED:",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("text report lacks %q:\n%s", want, s)
		}
	}
	// Grouped by file: each file heading appears once.
	if n := strings.Count(s, "\n_guides/Getting Started.md\n"); n != 1 {
		t.Errorf("file heading appears %d times", n)
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js, diag.Warning); err != nil {
		t.Fatal(err)
	}
	var got struct {
		OK       bool   `json:"ok"`
		FailOn   string `json:"fail_on"`
		Errors   int    `json:"errors"`
		Warnings int    `json:"warnings"`
		Findings []struct {
			Rule, Severity, Path, Message string
			Line                          int
		} `json:"findings"`
		Heaviest []struct {
			URL        string `json:"url"`
			TotalBytes int64  `json:"total_bytes"`
		} `json:"heaviest"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.OK || got.FailOn != "warning" || got.Errors != rep.Count(diag.Error) || got.Warnings != rep.Count(diag.Warning) {
		t.Errorf("JSON summary wrong: %+v", got)
	}
	if len(got.Findings) != len(rep.Findings) || got.Findings[0].Rule == "" || got.Findings[0].Severity == "" {
		t.Errorf("JSON findings wrong: %d findings, first %+v", len(got.Findings), got.Findings[0])
	}
	if len(got.Heaviest) == 0 || got.Heaviest[0].URL != "/help/" {
		t.Errorf("heaviest page = %+v, want /help/ (it shows the large image)", got.Heaviest)
	}
}

func TestFailed(t *testing.T) {
	r := &Report{Findings: []Finding{{Rule: RuleOrphan, Severity: diag.Warning}}}
	if r.Failed(diag.Error) || !r.Failed(diag.Warning) {
		t.Error("a warning fails only --fail-on warning")
	}
	r.Findings = append(r.Findings, Finding{Rule: RuleBrokenLink, Severity: diag.Error})
	if !r.Failed(diag.Error) || !r.Failed(diag.Warning) {
		t.Error("an error fails both")
	}
	if (&Report{}).Failed(diag.Warning) {
		t.Error("no findings fails nothing")
	}
}

func TestParseSizeAndSeverity(t *testing.T) {
	for in, want := range map[string]int64{"5MB": 5 << 20, "500 kb": 500 << 10, "1.5M": 3 << 19, "2048": 2048, "0": -1, "off": -1, "12B": 12} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "five", "-1MB", "MB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q): no error", bad)
		}
	}
	if s, err := ParseSeverity("Warning"); err != nil || s != diag.Warning {
		t.Errorf("ParseSeverity(Warning) = %v, %v", s, err)
	}
	if _, err := ParseSeverity("info"); err == nil {
		t.Error("ParseSeverity(info): no error")
	}
	for n, want := range map[int64]string{12: "12 B", 2048: "2 KB", 5 << 20: "5.0 MB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestReusedOutput checks an output folder inside the site (-o _site), run
// twice, with a stale file in it that would hide a broken link: the
// findings are the golden ones every time.
func TestReusedOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if err := os.CopyFS(dir, os.DirFS("testdata/defects")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "_site")
	stale := filepath.Join(out, "missing-page", "index.html")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("<p>left over</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := readGolden(t)
	for run := range 2 {
		rep, err := Run(context.Background(), Options{Source: dir, Output: out, Now: fixedNow(), MaxImageSize: 8 << 10, MaxFileSize: 16 << 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range rep.Findings {
			got = append(got, fmt.Sprintf("%s %s:%d", f.Rule, f.Path, f.Line))
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("run %d (-want +got):\n%s", run+1, diff)
		}
	}
}

// TestThemeDefaultsOnce checks that a broken link the theme writes from a
// default (the footer's /privacy/ when footer.yml sets none) is one finding
// in _data/footer.yml, not one per page.
func TestThemeDefaultsOnce(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"_config.yml":          "title: Defaults\n",
		"_data/navigation.yml": "links:\n  - title: A\n    url: /a/\n  - title: B\n    url: /b/\n",
		"_data/footer.yml":     "terms_of_use: /a/\n",
		"index.md":             "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
		"pages/a.md":           "---\ntitle: A\npermalink: /a/\n---\nA.\n",
		"pages/b.md":           "---\ntitle: B\npermalink: /b/\n---\nB.\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Run(context.Background(), Options{Source: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s %s:%d", f.Rule, f.Path, f.Line))
	}
	want := []string{"broken-link _data/footer.yml:0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s\n%s", diff, findingsText(rep))
	}
}
