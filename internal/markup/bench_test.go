package markup

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// benchPage is a realistic content page of about 1,000 words: headings,
// paragraphs with emphasis and links, lists, a table and kramdown IALs.
var benchPage = func() string {
	section := `## Eligibility for the {{N}} Digital Grant

The **Infocomm Media Development Authority** (IMDA) supports companies that
adopt digital solutions. Before you apply, please read the [guidelines](/grants/guidelines/)
and the [frequently asked questions](/grants/faq/){:target="_blank"} carefully. Applicants
must be registered in Singapore and have at least 30% local shareholding -- the
"local" criterion is checked against ACRA records... It's important that all
documents are submitted *before* the closing date.

### Who can apply

* Small and medium enterprises with annual sales below $100 million
* Companies with fewer than 200 employees
* Non-profit organisations registered with the Commissioner of Charities
  or an Institution of a Public Character
* Start-ups incorporated for at least six months

### How to apply

1. Log in to the [Business Grants Portal](https://www.businessgrants.gov.sg) with Corppass.
2. Select the *Productivity Solutions Grant* and fill in the form.
3. Upload your quotation, invoice and proof of payment.
4. Submit the application and wait for an e-mail confirmation.
{: .steps}

| Item | Funding | Cap |
|:-----|:-------:|----:|
| Software | 50% | $30,000 |
| Hardware | 50% | $10,000 |
| Training | 70% | $5,000 |
{: .table}

> Note: funding support is subject to approval and the availability of funds.
> Applications received after the closing date will not be considered.

For enquiries, e-mail [grants@imda.gov.sg](mailto:grants@imda.gov.sg) or call 6211 0888.
Our officers will reply within **five working days**. See also ![icon](/images/icons/info.png){: style="width:16px"}
the [annual report](/files/Annual Report 2023.pdf) for statistics on past grants.

`
	var b strings.Builder
	b.WriteString("# Grants and Schemes\n\n")
	for _, n := range []string{"2021", "2022", "2023", "2024", "2025"} {
		b.WriteString(strings.ReplaceAll(section, "{{N}}", n))
	}
	return b.String()
}()

// plainGoldmark is goldmark as the floor program (../shared/bench/limit)
// configures it: GFM, raw HTML passed through.
func plainGoldmark() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
}

func TestBenchPageSize(t *testing.T) {
	if n := len(strings.Fields(benchPage)); n < 900 || n > 1300 {
		t.Fatalf("bench page has %d words, want about 1000", n)
	}
}

func BenchmarkConvert(b *testing.B) {
	src := []byte(benchPage)
	b.Run("goldmark", func(b *testing.B) {
		md := plainGoldmark()
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if err := md.Convert(src, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kramdown", func(b *testing.B) {
		c := New()
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Convert(io.Discard, src); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConvertRatio reports ours/goldmark on the same page; see
// convertRatio.
func BenchmarkConvertRatio(b *testing.B) {
	convertRatio(b, [][]byte{[]byte(benchPage)}, 5)
}

// convertRatio converts pages with goldmark and with us in alternating
// rounds of rounds passes each and reports the median ratio ours/goldmark.
// Each side is measured in CPU time of the process, not wall time, so that
// other processes on the shared machine do not count, and ends with a
// collection, so that each side pays for its own garbage.
func convertRatio(b *testing.B, pages [][]byte, rounds int) {
	md := plainGoldmark()
	c := New()
	var out bytes.Buffer // as the build converts
	timed := func(convert func(p []byte)) time.Duration {
		st := cpuTime(b)
		for range rounds {
			for _, p := range pages {
				convert(p)
			}
		}
		runtime.GC()
		return cpuTime(b) - st
	}
	var ratios []float64
	for b.Loop() {
		g := timed(func(p []byte) { out.Reset(); _ = md.Convert(p, &out) })
		k := timed(func(p []byte) { out.Reset(); _ = c.Convert(&out, p) })
		ratios = append(ratios, float64(k)/float64(g))
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "ratio")
}

// cpuTime is the CPU time used so far by this process, all threads.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sitePagesDir is the benchmark generator's 3,000-page site (see
// bench/README.md); the site benchmarks skip when it has not been made.
const sitePagesDir = "../../bench/out/sites/isomer-3000"

// sitePageSample is how many of the site's pages the site benchmarks
// convert: enough to hold both kinds the generator writes (Markdown pages
// and Tiptap pages, which are raw HTML) in their proportions.
const sitePageSample = 200

// sitePages returns the bodies of an evenly spaced sample of the generated
// site's Markdown files, front matter removed, split into Tiptap pages
// (raw HTML) and the rest.
func sitePages(b *testing.B) (markdown, tiptap [][]byte) {
	b.Helper()
	var paths []string
	err := filepath.WalkDir(sitePagesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil || len(paths) == 0 {
		b.Skipf("no generated site at %s (make it with bench/run.sh): %v", sitePagesDir, err)
	}
	step := max(1, len(paths)/sitePageSample)
	for i := 0; i < len(paths); i += step {
		data, err := os.ReadFile(paths[i])
		if err != nil {
			b.Fatal(err)
		}
		front, body := splitFrontMatter(data)
		if bytes.Contains(front, []byte("\nvariant: tiptap\n")) {
			tiptap = append(tiptap, body)
		} else {
			markdown = append(markdown, body)
		}
	}
	return markdown, tiptap
}

func splitFrontMatter(b []byte) (front, body []byte) {
	if !bytes.HasPrefix(b, []byte("---\n")) {
		return nil, b
	}
	if i := bytes.Index(b[3:], []byte("\n---\n")); i >= 0 {
		return b[:3+i+1], b[3+i+5:]
	}
	return nil, b
}

// BenchmarkConvertSite converts the sample of the generated site's pages,
// all of it and each kind on its own, for -benchmem and profiles.
func BenchmarkConvertSite(b *testing.B) {
	markdown, tiptap := sitePages(b)
	for _, set := range []struct {
		name  string
		pages [][]byte
	}{{"all", slices.Concat(markdown, tiptap)}, {"markdown", markdown}, {"tiptap", tiptap}} {
		size := 0
		for _, p := range set.pages {
			size += len(p)
		}
		var out bytes.Buffer // as the build converts
		convertAll := func(b *testing.B, convert func(p []byte) error) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range set.pages {
					out.Reset()
					if err := convert(p); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		b.Run(set.name+"/goldmark", func(b *testing.B) {
			md := plainGoldmark()
			convertAll(b, func(p []byte) error { return md.Convert(p, &out) })
		})
		b.Run(set.name+"/kramdown", func(b *testing.B) {
			c := New()
			convertAll(b, func(p []byte) error { return c.Convert(&out, p) })
		})
	}
}

// BenchmarkConvertSiteRatio is BenchmarkConvertRatio on the generated
// site's pages: all of the sample, and each kind on its own.
func BenchmarkConvertSiteRatio(b *testing.B) {
	markdown, tiptap := sitePages(b)
	b.Run("all", func(b *testing.B) { convertRatio(b, slices.Concat(markdown, tiptap), 1) })
	b.Run("markdown", func(b *testing.B) { convertRatio(b, markdown, 1) })
	b.Run("tiptap", func(b *testing.B) { convertRatio(b, tiptap, 1) })
}

// TestBenchPageRenders guards the benchmark input: it must exercise the
// kramdown features it is meant to measure.
func TestBenchPageRenders(t *testing.T) {
	var out bytes.Buffer
	if err := New().Convert(&out, []byte(benchPage)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<table class="table">`, `<ol class="steps">`, `target="_blank"`, `<h2 id="eligibility-for-the-2021-digital-grant">`, "“local”"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
