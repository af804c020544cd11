package devserver

import (
	"bufio"
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"isomer.dev/isomer/internal/build"
	"isomer.dev/isomer/internal/diag"
)

// problemsData is what the error panel and the error page show.
type problemsData struct {
	Version string
	Title   string
	URL     string
	Source  string
	Failure string
	Here    []diag.Diagnostic // problems of the page asked for
	Errors  []diag.Diagnostic // the others
}

var problemsTmpl = template.Must(template.New("").Parse(`
{{- define "list"}}<ul class="isomer-serve-list">
{{- range .}}
<li><code>{{.Path}}</code>{{if .Line}}, line {{.Line}}{{end}}: {{.Message}}</li>
{{- end}}
</ul>{{end}}

{{- define "panel"}}<aside class="isomer-serve-problems" role="alert" aria-labelledby="isomer-serve-title">
<h2 id="isomer-serve-title">{{.Title}}</h2>
{{- if .Failure}}
<p>{{.Failure}}</p>
{{- end}}
{{template "list" .Errors}}
<p class="isomer-serve-hint">Fix it and save: this tab reloads by itself.</p>
</aside>{{end}}

{{- define "page"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error in {{.Source}}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_isomer/serve.css">
<script src="/_isomer/reload.js" data-version="{{.Version}}" defer></script>
</head>
<body class="isomer-serve-page">
<main class="isomer-serve-problems isomer-serve-main">
<h1>This page could not be built</h1>
<p>The page at <code>{{.URL}}</code> comes from <code>{{.Source}}</code>, which has {{if eq (len .Here) 1}}a problem{{else}}problems{{end}}:</p>
{{template "list" .Here}}
{{- if .Errors}}
<h2>Other problems in the site</h2>
{{template "list" .Errors}}
{{- end}}
<p class="isomer-serve-hint">Fix the file and save it: this tab reloads by itself.</p>
</main>
</body>
</html>
{{end}}`))

func problemsPanel(st *state) []byte {
	d := problemsData{Errors: st.errors, Failure: st.failure}
	switch {
	case st.failure != "":
		d.Title = "The site could not be built"
	case len(st.errors) == 1:
		d.Title = "The site has 1 error"
	default:
		d.Title = "The site has " + strconv.Itoa(len(st.errors)) + " errors"
	}
	var b bytes.Buffer
	if err := problemsTmpl.ExecuteTemplate(&b, "panel", d); err != nil {
		return []byte("<p>" + template.HTMLEscapeString(err.Error()) + "</p>")
	}
	return b.Bytes()
}

// serveError answers the URL of a page that no longer builds with 500 and
// a page naming its source file's problems.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, st *state, urlPath, src string) {
	d := problemsData{Version: st.version, URL: urlPath, Source: src}
	for _, e := range st.errors {
		if e.Path == src {
			d.Here = append(d.Here, e)
		} else {
			d.Errors = append(d.Errors, e)
		}
	}
	var b bytes.Buffer
	if err := problemsTmpl.ExecuteTemplate(&b, "page", d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, r, http.StatusInternalServerError, "text/html; charset=utf-8", b.Bytes())
}

// redirect is one rule of the site's _redirects file.
type redirect struct {
	to     string
	status int
}

// parseRedirects reads the exact-path rules ("from to [status]") of the
// built _redirects file, which hosting applies to paths no file answers.
// Splats and placeholders are left to real hosting.
func parseRedirects(mem *build.Memory) map[string]redirect {
	out := map[string]redirect{}
	data, ok := mem.ReadFile("_redirects")
	if !ok {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.ContainsAny(f[0], "*:") || !strings.HasPrefix(f[0], "/") {
			continue
		}
		status := http.StatusMovedPermanently
		if len(f) > 2 {
			n, err := strconv.Atoi(strings.TrimSuffix(f[2], "!"))
			if err != nil || n < 300 || n > 399 {
				continue // rewrites (200) and others are hosting-specific
			}
			status = n
		}
		from, err := url.PathUnescape(f[0])
		if err != nil {
			continue
		}
		out[trimSlash(from)] = redirect{to: f[1], status: status}
	}
	return out
}
