package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"isomer.dev/isomer/internal/diag"
)

// WriteText writes the report for people: findings grouped by file, then a
// summary and the heaviest pages.
func (r *Report) WriteText(w io.Writer, failOn diag.Severity) error {
	ew := &errWriter{w: w}
	prev := "\x00"
	for _, f := range r.Findings {
		if f.Path != prev {
			if prev != "\x00" {
				ew.printf("\n")
			}
			name := f.Path
			if name == "" {
				name = "(site)"
			}
			ew.printf("%s\n", name)
			prev = f.Path
		}
		line := "-"
		if f.Line > 0 {
			line = fmt.Sprint(f.Line)
		}
		ew.printf("  %5s  %-7s  %-19s  %s\n", line, f.Severity, f.Rule, f.Message)
	}
	if len(r.Findings) > 0 {
		ew.printf("\n")
	}
	if len(r.Heaviest) > 0 {
		ew.printf("Heaviest pages (HTML + images):\n")
		for _, p := range r.Heaviest {
			ew.printf("  %9s  %s  (%s HTML, %s images)\n", FormatSize(p.Total()), p.URL, FormatSize(p.HTML), FormatSize(p.Images))
		}
		ew.printf("\n")
	}
	status := "passed"
	if r.Failed(failOn) {
		status = "FAILED"
	}
	ext := ""
	if r.External > 0 {
		ext = fmt.Sprintf(", %d external links", r.External)
	}
	ew.printf("Check %s: %d pages, %d files%s; %s, %s (failing on %ss)\n", status, r.Pages, r.Files, ext,
		count(r.Count(diag.Error), "error"), count(r.Count(diag.Warning), "warning"), failOn)
	return ew.err
}

func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

type jsonFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Path     string `json:"path"`
	Line     int    `json:"line,omitempty"`
	Message  string `json:"message"`
	URL      string `json:"url,omitempty"`
}

type jsonWeight struct {
	URL        string `json:"url"`
	Path       string `json:"path"`
	HTMLBytes  int64  `json:"html_bytes"`
	ImageBytes int64  `json:"image_bytes"`
	TotalBytes int64  `json:"total_bytes"`
}

// WriteJSON writes the report for machines.
func (r *Report) WriteJSON(w io.Writer, failOn diag.Severity) error {
	fs := make([]jsonFinding, 0, len(r.Findings))
	for _, f := range r.Findings {
		fs = append(fs, jsonFinding{Rule: f.Rule, Severity: f.Severity.String(), Path: f.Path, Line: f.Line, Message: f.Message, URL: f.URL})
	}
	ws := make([]jsonWeight, 0, len(r.Heaviest))
	for _, p := range r.Heaviest {
		ws = append(ws, jsonWeight{URL: p.URL, Path: p.Path, HTMLBytes: p.HTML, ImageBytes: p.Images, TotalBytes: p.Total()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{
		"ok":       !r.Failed(failOn),
		"fail_on":  failOn.String(),
		"pages":    r.Pages,
		"files":    r.Files,
		"external": r.External,
		"errors":   r.Count(diag.Error),
		"warnings": r.Count(diag.Warning),
		"findings": fs,
		"heaviest": ws,
	})
}

// ParseSeverity reads "error" or "warning".
func ParseSeverity(s string) (diag.Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return diag.Error, nil
	case "warning":
		return diag.Warning, nil
	}
	return 0, fmt.Errorf("severity must be error or warning, not %q", s)
}
