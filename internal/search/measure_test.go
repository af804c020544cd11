package search

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// genSiteEnv names a site made by /work/shared/bench/gen-site.py:
//
//	python3 gen-site.py --pages 10000 --seed 1 --format jekyll --layouts none --out /tmp/gen10k
//	ISOMER_SEARCH_GENSITE=/tmp/gen10k go test ./internal/search -run TestMeasure -v
//
// ISOMER_SEARCH_GENSITE=synthetic measures syntheticDocs(10000) instead: a
// long-tailed vocabulary, unlike gen-site's few hundred words.
const genSiteEnv = "ISOMER_SEARCH_GENSITE"

// maxQueryGzip is the download budget of one query, index files only.
const maxQueryGzip = 300 << 10

// TestMeasure indexes a generated site and reports the index size and what
// queries download, gzip-compressed as a web server would send them.
func TestMeasure(t *testing.T) {
	dir := os.Getenv(genSiteEnv)
	if dir == "" {
		t.Skip(genSiteEnv + " not set")
	}
	var docs []Doc
	if dir == "synthetic" {
		docs = syntheticDocs(10000)
	} else {
		docs = loadGenSite(t, dir)
	}
	t.Logf("%d docs, GOMAXPROCS=%d", len(docs), runtime.GOMAXPROCS(0))

	var files []File
	best, cpu := time.Duration(1<<62), time.Duration(1<<62)
	for range 3 {
		start, startCPU := time.Now(), cpuTime()
		files = Index(docs)
		best, cpu = min(best, time.Since(start)), min(cpu, cpuTime()-startCPU)
	}
	t.Logf("Index: %v wall, %v CPU (best of 3)", best, cpu)

	fsys := fstest.MapFS{}
	gz := map[string]int{}
	var raw, zipped, nTerm, nDoc, maxTerm, maxDoc int
	for _, f := range files {
		fsys[f.Path] = &fstest.MapFile{Data: f.Data}
		g := gzipSize(f.Data)
		gz[f.Path] = g
		raw += len(f.Data)
		zipped += g
		switch {
		case strings.HasPrefix(f.Path, Dir+"t/"):
			nTerm++
			maxTerm = max(maxTerm, g)
		case strings.HasPrefix(f.Path, Dir+"d/"):
			nDoc++
			maxDoc = max(maxDoc, g)
		}
	}
	t.Logf("index: %d files, %.1f MB raw, %.1f MB gzip; manifest %d B raw, %d B gzip; %d term shards (largest %d B gzip), %d doc shards (largest %d B gzip)",
		len(files), float64(raw)/1e6, float64(zipped)/1e6, len(files[0].Data), gz[IndexPath], nTerm, maxTerm, nDoc, maxDoc)
	t.Logf("client script: %d B raw, %d B gzip", len(Assets()[0].Data), gzipSize(Assets()[0].Data))

	// Words by document frequency, for the worst cases.
	var m manifest
	res := Results{}
	if err := readJSON(fsys, IndexPath, &m, &res); err != nil {
		t.Fatal(err)
	}
	type termDF struct {
		term string
		df   int
	}
	var dfs []termDF
	for _, f := range files {
		if !strings.HasPrefix(f.Path, Dir+"t/") {
			continue
		}
		var sh map[string][]int
		res := Results{}
		if err := readJSON(fsys, f.Path, &sh, &res); err != nil {
			t.Fatal(err)
		}
		for k, p := range sh {
			dfs = append(dfs, termDF{k, len(p) / 2})
		}
	}
	sort.Slice(dfs, func(i, j int) bool {
		return dfs[i].df > dfs[j].df || dfs[i].df == dfs[j].df && dfs[i].term < dfs[j].term
	})
	t.Logf("vocabulary %d terms; most frequent: %v", len(dfs), dfs[:min(8, len(dfs))])

	queries := []string{
		"digital identity", "sustainability", "grant", "housing grant application",
		"sustain", "gov", "con", "climate resilience", "water", "xyzzy",
		dfs[0].term, dfs[0].term + " " + dfs[1].term + " " + dfs[2].term,
	}
	// The longest plausible query: ten frequent words, as prefixes too.
	var ten []string
	for _, d := range dfs[:min(10, len(dfs))] {
		ten = append(ten, string([]rune(d.term)[:min(3, len([]rune(d.term)))]), d.term)
	}
	queries = append(queries, strings.Join(ten, " "))
	worst := 0
	for _, q := range queries {
		for _, page := range []int{1, 2} {
			r, err := Search(fsys, q, page)
			if err != nil {
				t.Fatal(err)
			}
			sum, sumRaw, nt, nd := 0, 0, 0, 0
			for _, f := range r.Fetched {
				sum += gz[f.Path]
				sumRaw += f.Size
				if strings.Contains(f.Path, "/t/") {
					nt++
				} else if strings.Contains(f.Path, "/d/") {
					nd++
				}
			}
			worst = max(worst, sum)
			t.Logf("query %-40q page %d: %5d results; fetched manifest + %d term + %d doc shards = %7d B raw, %6d B gzip", q, page, r.Total, nt, nd, sumRaw, sum)
			if sum > maxQueryGzip {
				t.Errorf("query %q downloads %d B gzip, budget %d", q, sum, maxQueryGzip)
			}
		}
	}
	t.Logf("worst query: %d B gzip", worst)
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	w.Write(b)
	w.Close()
	return buf.Len()
}

var (
	fmField   = regexp.MustCompile(`(?m)^(\w+):\s*"?(.*?)"?\s*$`)
	mdLink    = regexp.MustCompile(`\]\([^)]*\)(\{:[^}]*\})?`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6}\s+(.*)$`)
)

// loadGenSite makes Docs straight from the site's Markdown files: front
// matter for the title and URL, TextOf for HTML bodies, and a rough strip of
// Markdown syntax otherwise (close enough for sizes).
func loadGenSite(t testing.TB, dir string) []Doc {
	var docs []Doc
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fm, body := splitFrontMatter(string(b))
		fields := map[string]string{}
		for _, m := range fmField.FindAllStringSubmatch(fm, -1) {
			fields[m[1]] = m[2]
		}
		doc := Doc{URL: fields["permalink"], Title: fields["title"], Kind: "page"}
		if doc.URL == "" {
			rel, _ := filepath.Rel(dir, path)
			doc.URL = "/" + strings.TrimSuffix(filepath.ToSlash(rel), ".md") + "/"
		}
		if strings.Contains(path, "/_posts/") {
			doc.Kind, doc.Date = "post", fields["date"]
			if fields["file_url"] != "" {
				doc.Kind = "file"
			}
		}
		if strings.HasPrefix(strings.TrimSpace(body), "<") {
			doc.Headings, doc.Text = TextOf([]byte(body))
		} else {
			for _, m := range mdHeading.FindAllStringSubmatch(body, -1) {
				doc.Headings = append(doc.Headings, m[1])
			}
			doc.Text = strings.Join(strings.Fields(mdLink.ReplaceAllString(body, " ")), " ")
		}
		docs = append(docs, doc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func splitFrontMatter(s string) (fm, body string) {
	if !strings.HasPrefix(s, "---\n") {
		return "", s
	}
	end := strings.Index(s[4:], "\n---")
	if end < 0 {
		return "", s
	}
	rest := s[4+end+4:]
	return s[4 : 4+end], strings.TrimPrefix(rest, "\n")
}
