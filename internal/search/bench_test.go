package search

import (
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// syntheticDocs makes n deterministic documents of about 1,000 words drawn
// from a Zipf-distributed vocabulary of 40,000 made-up words, which is closer
// to a real site's long tail than gen-site.py's small word list.
func syntheticDocs(n int) []Doc {
	r := rand.New(rand.NewPCG(1, 2))
	const vocab = 40000
	words := make([]string, vocab)
	const letters = "abcdefghijklmnopqrstuvwxyz"
	for i := range words {
		var b strings.Builder
		for range 3 + r.IntN(8) {
			b.WriteByte(letters[r.IntN(len(letters))])
		}
		words[i] = b.String()
	}
	zipf := rand.NewZipf(r, 1.1, 2, vocab-1)
	sentence := func(k int) string {
		parts := make([]string, k)
		for i := range parts {
			parts[i] = words[zipf.Uint64()]
		}
		return strings.Join(parts, " ")
	}
	docs := make([]Doc, n)
	for i := range docs {
		var text strings.Builder
		var heads []string
		for p := range 8 {
			if p%3 == 0 {
				h := sentence(4)
				heads = append(heads, h)
				text.WriteString(h + ". ")
			}
			text.WriteString(sentence(110) + ". ")
		}
		kind, date := "page", ""
		if i%3 == 0 {
			kind, date = "post", fmt.Sprintf("20%02d-%02d-%02d", 10+i%15, 1+i%12, 1+i%28)
		}
		docs[i] = Doc{URL: fmt.Sprintf("/section-%d/page-%d/", i%50, i), Title: sentence(5), Headings: heads, Text: text.String(), Kind: kind, Date: date}
	}
	return docs
}

// BenchmarkIndex indexes 10,000 documents: the synthetic ones, or those of
// the generated site named by ISOMER_SEARCH_GENSITE. "pages" gives Index
// docs made by PageDoc, as a build does, so that it only merges their
// words; "text" gives it their text to read.
func BenchmarkIndex(b *testing.B) {
	var docs []Doc
	if dir := os.Getenv(genSiteEnv); dir != "" {
		docs = loadGenSite(b, dir)
	} else {
		docs = syntheticDocs(10000)
	}
	size := 0
	for _, d := range docs {
		size += len(d.Text) + len(d.Title)
	}
	pages := make([]Doc, len(docs))
	for i, d := range docs {
		body := "<p>" + html.EscapeString(d.Text) + "</p>"
		pages[i] = PageDoc(Doc{URL: d.URL, Title: d.Title, Kind: d.Kind, Date: d.Date}, []byte(body))
	}
	for _, bc := range []struct {
		name string
		docs []Doc
	}{{"pages", pages}, {"text", docs}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			// CPU time as well as wall time: on a shared machine the wall
			// time says more about the neighbours than about Index.
			cpu := cpuTime()
			for b.Loop() {
				Index(bc.docs)
			}
			b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkTextOf(b *testing.B) {
	body, err := os.ReadFile(seedPath)
	if err != nil {
		b.Skip(err)
	}
	_, html := splitFrontMatter(string(body))
	b.SetBytes(int64(len(html)))
	b.ReportAllocs()
	for b.Loop() {
		TextOf([]byte(html))
	}
}

// BenchmarkPageDoc is what the build does with each page it renders.
func BenchmarkPageDoc(b *testing.B) {
	body, err := os.ReadFile(seedPath)
	if err != nil {
		b.Skip(err)
	}
	_, page := splitFrontMatter(string(body))
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		PageDoc(Doc{URL: seedURL, Title: "Our Digital Government Efforts", Kind: "page"}, []byte(page))
	}
}
