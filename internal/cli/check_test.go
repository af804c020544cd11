package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// runCheck runs the check command as Run does, without depending on its
// registration in the root command.
func runCheck(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb}
	cmd := a.checkCommand()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	switch {
	case err == nil:
		code = exitOK
	case errors.Is(err, errProblems):
		code = exitProblems
	default:
		errb.WriteString(err.Error())
		code = exitFailure
	}
	return code, out.String(), errb.String()
}

// checkSite is a small site that check finds nothing in.
func checkSite() map[string]string {
	return map[string]string{
		"_config.yml":                             "title: Check Site\nresources_name: news\n",
		"_data/navigation.yml":                    "links:\n  - title: Guides\n    collection: guides\n  - title: News\n    resource_room: true\n",
		"_data/footer.yml":                        "contact_us: /good/\nprivacy_policy: /good/\nterms_of_use: /good/\n",
		"_guides/collection.yml":                  "collections:\n  guides:\n    output: true\n",
		"_guides/one.md":                          "---\ntitle: One\npermalink: /guides/one/\n---\nGuide one, and [the good page](/good/).\n",
		"index.md":                                "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
		"pages/good.md":                           "---\ntitle: Good\npermalink: /good/\n---\nA good page.\n",
		"news/index.html":                         "---\nlayout: resources\ntitle: News\n---\n",
		"news/cat/index.html":                     "---\nlayout: resources-alt\ntitle: Cat\n---\n",
		"news/cat/_posts/2024-01-01-post-Fine.md": "---\ntitle: Fine\nlayout: post\npermalink: /fine/\n---\nok\n",
	}
}

func TestCheckCommand(t *testing.T) {
	clean := filepath.Join("..", "..", "examples", "agency-site")
	code, out, stderr := runCheck(t, clean)
	if code != exitOK {
		t.Fatalf("example site: exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "Check passed") || !strings.Contains(out, "Heaviest pages") {
		t.Errorf("example site report:\n%s", out)
	}

	siteDir := filepath.Join(t.TempDir(), "site")
	writeSite(t, siteDir, checkSite())
	if code, out, _ := runCheck(t, siteDir); code != exitOK || !strings.Contains(out, "0 errors, 0 warnings") {
		t.Fatalf("clean site: exit %d\n%s", code, out)
	}

	writeSite(t, siteDir, map[string]string{"_guides/one.md": "---\ntitle: One\npermalink: /guides/one/\n---\nGuide one.\n\nSee [the guide](/Good/).\n"})
	code, out, _ = runCheck(t, siteDir)
	if code != exitProblems {
		t.Errorf("broken link: exit %d, want %d\n%s", code, exitProblems, out)
	}
	if !strings.Contains(out, "_guides/one.md\n") || !strings.Contains(out, "broken-link") || !strings.Contains(out, "did you mean /good/?") {
		t.Errorf("report does not group the broken link under its file:\n%s", out)
	}

	code, out, _ = runCheck(t, "--json", siteDir)
	var rep struct {
		OK       bool `json:"ok"`
		Findings []struct {
			Rule string `json:"rule"`
			Path string `json:"path"`
			Line int    `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if code != exitProblems || rep.OK {
		t.Errorf("--json: exit %d ok %v", code, rep.OK)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Rule == "broken-link" && f.Path == "_guides/one.md" && f.Line == 7 {
			found = true
		}
	}
	if !found {
		t.Errorf("--json lacks broken-link _guides/one.md:7: %+v", rep.Findings)
	}
}

func TestCheckFailOn(t *testing.T) {
	siteDir := filepath.Join(t.TempDir(), "site")
	files := checkSite()
	// An unlinked page is only a warning.
	files["pages/lonely.md"] = "---\ntitle: Lonely\npermalink: /lonely/\n---\nNobody links here.\n"
	writeSite(t, siteDir, files)
	if code, out, _ := runCheck(t, siteDir); code != exitOK || !strings.Contains(out, "orphan-page") {
		t.Errorf("warnings only, --fail-on error: exit %d\n%s", code, out)
	}
	if code, out, _ := runCheck(t, "--fail-on", "warning", siteDir); code != exitProblems {
		t.Errorf("warnings, --fail-on warning: exit %d, want %d\n%s", code, exitProblems, out)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--fail-on", "info", "."},
		{"--max-file-size", "lots", "."},
		{"--max-image-size", "-3", "."},
		{"--external-rate", "0", "."},
		{"--no-such-flag"},
		{"a", "b"},
		{filepath.Join(t.TempDir(), "missing")},
	} {
		if code, _, stderr := runCheck(t, args...); code != exitFailure {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitFailure, stderr)
		}
	}
}
