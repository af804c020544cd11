package markup

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "re-run kramdown and rewrite testdata/kramdown.golden.json")

const (
	corpusGlob = "testdata/corpus/*.txtar"
	goldenPath = "testdata/kramdown.golden.json"
	diffsPath  = "DIFFERENCES.md"
	minShare   = 0.98
)

type snippet struct {
	name string
	src  string
}

// loadCorpus reads every txtar file of the corpus. A section "-- name --"
// starts a snippet; names are prefixed with the file's base name so they are
// unique. Suffix ".crlf" feeds CRLF line endings, ".noeol" drops the final
// newline: neither can be written reliably in a text fixture.
func loadCorpus(t testing.TB) []snippet {
	t.Helper()
	files, err := filepath.Glob(corpusGlob)
	if err != nil {
		t.Fatal(err)
	}
	var out []snippet
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(filepath.Base(f), ".txtar")
		for _, s := range parseTxtar(string(data)) {
			name := base + "/" + s.name
			if seen[name] {
				t.Fatalf("duplicate snippet %s", name)
			}
			seen[name] = true
			src := s.src
			if strings.HasSuffix(s.name, ".crlf") {
				src = strings.ReplaceAll(src, "\n", "\r\n")
			}
			if strings.HasSuffix(s.name, ".noeol") {
				src = strings.TrimRight(src, "\n")
			}
			out = append(out, snippet{name, src})
		}
	}
	return out
}

var txtarMarker = regexp.MustCompile(`(?m)^-- (.+?) --$\n?`)

func parseTxtar(data string) []snippet {
	locs := txtarMarker.FindAllStringSubmatchIndex(data, -1)
	var out []snippet
	for i, l := range locs {
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out = append(out, snippet{name: data[l[2]:l[3]], src: data[l[1]:end]})
	}
	return out
}

// kramdownAvailable reports whether the Ruby oracle (Jekyll + kramdown +
// kramdown-parser-gfm) can run on this machine.
func kramdownAvailable() bool {
	if _, err := exec.LookPath("ruby"); err != nil {
		return false
	}
	return exec.Command("ruby", "-rjekyll", "-rkramdown", "-rkramdown-parser-gfm", "-e", "exit 0").Run() == nil
}

// runOracle renders all snippets in one Ruby process.
func runOracle(t testing.TB, snippets []snippet) map[string]string {
	t.Helper()
	in := map[string]string{}
	for _, s := range snippets {
		in[s.name] = s.src
	}
	payload, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ruby", "testdata/oracle.rb")
	cmd.Stdin = bytes.NewReader(payload)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kramdown oracle: %v\n%s", err, stderr.String())
	}
	res := map[string]string{}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("kramdown oracle output: %v", err)
	}
	return res
}

func encodeGolden(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, k := range keys {
		kj, _ := json.Marshal(k)
		vj, _ := json.Marshal(m[k])
		fmt.Fprintf(&b, "  %s: %s", kj, vj)
		if i < len(keys)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes()
}

var diffEntry = regexp.MustCompile("(?m)^- `([^`/]+/[^`]+)`")

// knownDifferences returns the snippet names listed in DIFFERENCES.md.
func knownDifferences(t testing.TB) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(diffsPath)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range diffEntry.FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = true
	}
	return out
}

func TestCorpusAgainstKramdown(t *testing.T) {
	snippets := loadCorpus(t)
	if len(snippets) < 300 {
		t.Fatalf("corpus has %d snippets, want at least 300", len(snippets))
	}
	var golden map[string]string
	switch {
	case kramdownAvailable():
		fresh := runOracle(t, snippets)
		if *update {
			if err := os.WriteFile(goldenPath, encodeGolden(fresh), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		stored, err := os.ReadFile(goldenPath)
		if err != nil {
			t.Fatalf("%v (run go test -run Corpus -update)", err)
		}
		if !bytes.Equal(stored, encodeGolden(fresh)) {
			t.Fatalf("%s is stale: kramdown now renders the corpus differently (run go test -run Corpus -update)", goldenPath)
		}
		golden = fresh
	case os.Getenv("CI") == "true":
		t.Fatal("CI=true but ruby with jekyll, kramdown and kramdown-parser-gfm is not installed: the differential test cannot re-check the goldens")
	default:
		t.Log("ruby/kramdown not installed: comparing against the stored goldens only")
		data, err := os.ReadFile(goldenPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &golden); err != nil {
			t.Fatal(err)
		}
	}

	known := knownDifferences(t)
	c := New()
	same := 0
	differs := map[string]bool{}
	for _, s := range snippets {
		want, ok := golden[s.name]
		if !ok {
			t.Fatalf("no golden output for %s (run go test -run Corpus -update)", s.name)
		}
		var got bytes.Buffer
		if err := c.Convert(&got, []byte(s.src)); err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		cw, cg := canonicalHTML(want), canonicalHTML(got.String())
		if cw == cg {
			same++
			continue
		}
		differs[s.name] = true
		if !known[s.name] {
			t.Errorf("%s differs from kramdown and is not listed in %s (-kramdown +ours):\n%s\nsource:\n%s\nkramdown:\n%s\nours:\n%s",
				s.name, diffsPath, cmp.Diff(strings.Split(cw, "\n"), strings.Split(cg, "\n")), s.src, want, got.String())
		}
	}
	for name := range known {
		if !differs[name] {
			t.Errorf("%s is listed in %s but now matches kramdown (or no longer exists): remove it", name, diffsPath)
		}
	}
	share := float64(same) / float64(len(snippets))
	t.Logf("identical after normalisation: %d/%d (%.1f%%)", same, len(snippets), 100*share)
	if share < minShare {
		t.Errorf("identical share %.3f is below %.2f", share, minShare)
	}
}
