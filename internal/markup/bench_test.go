package markup

import (
	"bytes"
	"io"
	"slices"
	"strings"
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

func plainGoldmark() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough),
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

// BenchmarkConvertRatio reports ours/goldmark on the same page, timed in
// alternating rounds so that load from other processes hits both alike;
// the "ratio" metric is the median over rounds.
func BenchmarkConvertRatio(b *testing.B) {
	src := []byte(benchPage)
	md := plainGoldmark()
	c := New()
	var ratios []float64
	for b.Loop() {
		st := time.Now()
		for range 5 {
			_ = md.Convert(src, io.Discard)
		}
		g := time.Since(st)
		st = time.Now()
		for range 5 {
			_ = c.Convert(io.Discard, src)
		}
		ratios = append(ratios, float64(time.Since(st))/float64(g))
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "ratio")
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
