package search

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func tinyDocs() []Doc {
	return []Doc{
		{URL: "/grants/", Title: "Grants for Businesses", Kind: "page", Headings: []string{"Who can apply"},
			Text: "Grants for Businesses. Who can apply. Small businesses registered in Singapore can apply for the digital grant."},
		{URL: "/news/2024-05-01-grant-call/", Title: "New Grant Call Opens", Kind: "post", Date: "2024-05-01",
			Text: "Applications for the sustainability grant open on 1 May. Apply online with Singpass."},
		{URL: "/files/guide.pdf", Title: "Applicant’s Guide", Kind: "file", Date: "2023-12-31"},
		{URL: "/about/", Title: "About Us", Kind: "page", Text: "We are a government agency. <b>Markup</b> is text here & stays \"escaped\"."},
	}
}

func filesMap(files []File) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		m[f.Path] = &fstest.MapFile{Data: f.Data}
	}
	return m
}

func dump(files []File) []byte {
	var b bytes.Buffer
	for _, f := range files {
		fmt.Fprintf(&b, "== %s ==\n%s", f.Path, f.Data)
	}
	return b.Bytes()
}

func TestIndexGolden(t *testing.T) {
	got := dump(Index(tinyDocs()))
	const golden = "testdata/tiny.golden"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("index differs from %s (-want +got):\n%s", golden, diff)
	}
}

func TestIndexFilesAreValid(t *testing.T) {
	files := Index(syntheticDocs(300))
	if files[0].Path != IndexPath {
		t.Fatalf("first file %s, want the manifest %s", files[0].Path, IndexPath)
	}
	var m manifest
	if err := json.Unmarshal(files[0].Data, &m); err != nil {
		t.Fatal(err)
	}
	fsys := filesMap(files)
	if len(fsys) != len(files) {
		t.Errorf("duplicate paths in %d files", len(files))
	}
	if m.N != 300 || m.Per != DocsPerShard || len(m.Docs) != (300+DocsPerShard-1)/DocsPerShard {
		t.Errorf("manifest n=%d per=%d docs=%d", m.N, m.Per, len(m.Docs))
	}
	for _, f := range files {
		if !strings.HasPrefix(f.Path, Dir) || !json.Valid(f.Data) {
			t.Errorf("%s: outside %s or not JSON", f.Path, Dir)
		}
	}
	for _, d := range m.Docs {
		if _, ok := fsys[Dir+"d/"+d+".json"]; !ok {
			t.Errorf("doc shard %s missing", d)
		}
	}
	// Every term is in the shard that the lookup picks, once, and each shard
	// stays under the size limit unless it holds a single term.
	if m.Terms[0][0] != "" {
		t.Errorf("first shard starts at %q, want \"\"", m.Terms[0][0])
	}
	seen := map[string]bool{}
	for si, e := range m.Terms {
		b := fsys[Dir+"t/"+e[1]+".json"].Data
		var sh map[string][]int
		if err := json.Unmarshal(b, &sh); err != nil {
			t.Fatal(err)
		}
		if len(b) > maxShardBytes+2 && len(sh) > 1 {
			t.Errorf("shard %d: %d bytes and %d terms", si, len(b), len(sh))
		}
		for k, p := range sh {
			if seen[k] {
				t.Errorf("term %q in two shards", k)
			}
			seen[k] = true
			if got := shardsFor(m.Terms, k)[0]; got != si {
				t.Errorf("term %q is in shard %d, lookup says %d", k, si, got)
			}
			if len(p)%2 != 0 || len(p) == 0 {
				t.Errorf("term %q: odd postings %v", k, p)
			}
			for i := 0; i < len(p); i += 2 {
				if i > 0 && p[i] <= 0 || p[i+1] <= 0 {
					t.Errorf("term %q: doc delta %d weight %d", k, p[i], p[i+1])
				}
			}
		}
	}
	if len(m.Terms) < 2 {
		t.Errorf("only %d term shards: sharding not exercised", len(m.Terms))
	}
}

// The output depends on the set of docs only: not on their order, nor on
// how many cores share the work.
func TestIndexDeterministic(t *testing.T) {
	docs := syntheticDocs(500)
	want := Index(docs)
	shuffled := slices.Clone(docs)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if !slices.EqualFunc(want, Index(shuffled), sameFile) {
		t.Error("shuffled input gives another index")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if !slices.EqualFunc(want, Index(docs), sameFile) {
		t.Error("one core gives another index")
	}
}

func sameFile(a, b File) bool { return a.Path == b.Path && bytes.Equal(a.Data, b.Data) }

// An edit to one page rewrites the manifest, that page's document shard and
// the term shards of the terms whose weight changed; every other shard keeps
// its name and bytes.
func TestIndexIncremental(t *testing.T) {
	docs := syntheticDocs(2000)
	before := Index(docs)
	paths := func(files []File) map[string]bool {
		m := map[string]bool{}
		for _, f := range files {
			m[f.Path] = true
		}
		return m
	}
	changed := func(after []File) (terms, tables int) {
		old := paths(before)
		for _, f := range after {
			if !old[f.Path] {
				if strings.Contains(f.Path, "/t/") {
					terms++
				} else if strings.Contains(f.Path, "/d/") {
					tables++
				}
			}
		}
		return terms, tables
	}
	nTerms := 0
	for p := range paths(before) {
		if strings.Contains(p, "/t/") {
			nTerms++
		}
	}

	// A new title of three words.
	edited := slices.Clone(docs)
	edited[700].Title = "Brand New Heading"
	terms, tables := changed(Index(edited))
	t.Logf("title edit: %d of %d term shards, %d document shards changed", terms, nTerms, tables)
	if tables != 1 || terms > 2*len(strings.Fields(docs[700].Title))+3 {
		t.Errorf("title edit changed %d term shards and %d document shards", terms, tables)
	}

	// A page added at the end of the URL order.
	added := append(slices.Clone(docs), Doc{URL: "/~new/", Title: "Fresh", Text: "A short new page about zebras."})
	terms, tables = changed(Index(added))
	t.Logf("page added: %d of %d term shards, %d document shards changed", terms, nTerms, tables)
	if tables != 1 || terms > 6 { // its five terms, and perhaps a new boundary
		t.Errorf("added page changed %d term shards and %d document shards", terms, tables)
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("word ", 100)
	for _, tc := range []struct {
		name string
		doc  Doc
		want string
	}{
		{"short", Doc{Text: "  Short   text. "}, "Short text."},
		{"opening heading repeats the title", Doc{Title: "About Us", Headings: []string{"About us"}, Text: "About us We are here."}, "We are here."},
		{"title word starts the text", Doc{Title: "Singpass", Text: "Singpass is an app."}, "Singpass is an app."},
		{"heading is a longer word", Doc{Title: "Go", Headings: []string{"Go"}, Text: "Gone fishing."}, "Gone fishing."},
		{"long", Doc{Text: long}, strings.TrimSpace(strings.Repeat("word ", 32)) + "…"},
		{"multibyte", Doc{Text: strings.Repeat("政府", 100)}, strings.Repeat("政府", 80) + "…"},
	} {
		if got := excerpt(tc.doc); got != tc.want {
			t.Errorf("%s: excerpt = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestIndexEmpty(t *testing.T) {
	files := Index(nil)
	if len(files) != 1 || files[0].Path != IndexPath {
		t.Fatalf("Index(nil) = %v", files)
	}
	res, err := Search(filesMap(files), "anything", 1)
	if err != nil || res.Total != 0 {
		t.Errorf("search of empty index: %+v, %v", res, err)
	}
}

// collapseSpaces is strings.Join(strings.Fields(s), " ") with a shortcut.
func FuzzCollapseSpaces(f *testing.F) {
	for _, s := range []string{
		"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\vb", "a\u00a0b", "a\u0085b", "a\u3000b",
		"café straße", "x\xffy", "数字 政府", "a\u2028", "ends with a space ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapseSpaces(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapseSpaces(%q) = %q, want %q", s, got, want)
		}
	})
}
