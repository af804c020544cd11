package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/chromedp/chromedp"
)

// AxeScript returns axe-core (vendored under internal/theme/testdata/axe),
// to inject with RunAxe.
func AxeScript(t interface {
	Helper()
	Fatal(...any)
}) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "theme", "testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// AxeResult is what axe-core reports about a page.
type AxeResult struct {
	Violations []struct {
		ID      string `json:"id"`
		Impact  string `json:"impact"`
		Help    string `json:"help"`
		HelpURL string `json:"helpUrl"`
		Nodes   []struct {
			Target         []any  `json:"target"`
			HTML           string `json:"html"`
			FailureSummary string `json:"failureSummary"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes     []string `json:"passes"`     // rule ids
	Incomplete []string `json:"incomplete"` // rule ids needing a human
}

// String lists the violations with the elements they were found on.
func (r AxeResult) String() string {
	var b strings.Builder
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "\n  [%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %v\n      %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
		}
	}
	return b.String()
}

// RunAxe injects script (AxeScript) into the page of ctx and runs the
// WCAG 2.0–2.2 A and AA rules.
func RunAxe(ctx context.Context, script string) (AxeResult, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](script)); err != nil {
		return AxeResult{}, fmt.Errorf("inject axe: %w", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](
		`axe.run(document, {runOnly: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}).then(r => ({violations: r.violations, passes: r.passes.map(p => p.id), incomplete: r.incomplete.map(p => p.id)}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return AxeResult{}, fmt.Errorf("run axe: %w", err)
	}
	var res AxeResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return AxeResult{}, fmt.Errorf("axe result: %w", err)
	}
	return res, nil
}
