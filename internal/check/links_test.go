package check

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testIndex is a small built site: pages at both URL forms, static files
// with spaces, accents, "+" and "%" in their names, and a Unicode permalink.
func testIndex(baseURL string) *outputIndex {
	ix := newOutputIndex(baseURL, "https://www.agency.gov.sg")
	for _, f := range []string{
		"index.html",
		"about-us/index.html",
		"faq.html",
		"guides/one/index.html",
		"guides/two.html",
		"images/About Us/team photo.png",
		"files/café.pdf", // NFC
		"files/a b.pdf",
		"files/100%.pdf",
		"中文/index.html",
		"pages/Foo Bar.html",
	} {
		ix.add(f, 1)
	}
	ix.urls["about-us/index.html"] = "/about-us/"
	ix.urls["faq.html"] = "/faq"
	ix.urls["pages/Foo Bar.html"] = "/pages/Foo%20Bar.html"
	return ix
}

func TestResolve(t *testing.T) {
	cases := []struct {
		name, page, ref string
		want            resolution
	}{
		// Pages and the URL forms a static server answers.
		{"trailing slash", "/", "/about-us/", resolution{Target: "about-us/index.html"}},
		{"no trailing slash redirects", "/", "/about-us", resolution{Target: "about-us/index.html"}},
		{"index.html", "/", "/about-us/index.html", resolution{Target: "about-us/index.html"}},
		{".html for a folder page", "/", "/about-us.html", resolution{Target: "about-us/index.html", Problem: wrongForm, Suggest: "/about-us/"}},
		{"slash for a .html page", "/", "/faq/", resolution{Target: "faq.html", Problem: wrongForm, Suggest: "/faq"}},
		{"extensionless .html page", "/", "/faq", resolution{Target: "faq.html"}},
		{".html page", "/", "/faq.html", resolution{Target: "faq.html"}},
		{"homepage", "/faq", "/", resolution{Target: "index.html"}},
		{"query ignored", "/", "/about-us/?ref=home", resolution{Target: "about-us/index.html"}},
		{"dot segments", "/", "/guides/../about-us/", resolution{Target: "about-us/index.html"}},

		// Spaces: raw in HTML, %20 in Markdown; both valid.
		{"raw spaces", "/", "/images/About Us/team photo.png", resolution{Target: "images/About Us/team photo.png"}},
		{"%20", "/", "/images/About%20Us/team%20photo.png", resolution{Target: "images/About Us/team photo.png"}},
		{"%20 page URL", "/", "/pages/Foo%20Bar.html", resolution{Target: "pages/Foo Bar.html"}},
		{"encoded twice", "/", "/images/About%2520Us/team%2520photo.png", resolution{Target: "images/About Us/team photo.png", Problem: encodingOnly, Suggest: "/images/About%20Us/team%20photo.png"}},
		{"plus for space", "/", "/files/a+b.pdf", resolution{Target: "files/a b.pdf", Problem: encodingOnly, Suggest: "/files/a%20b.pdf"}},
		{"stray percent", "/", "/files/100%.pdf", resolution{Target: "files/100%.pdf"}},

		// Case.
		{"case of a page", "/", "/About-Us/", resolution{Target: "about-us/index.html", Problem: caseOnly, Suggest: "/about-us/"}},
		{"case with raw spaces keeps raw spaces", "/", "/images/about us/Team Photo.png", resolution{Target: "images/About Us/team photo.png", Problem: caseOnly, Suggest: "/images/About Us/team photo.png"}},
		{"case keeps the fragment", "/", "/About-Us/#team", resolution{Target: "about-us/index.html", Fragment: "team", Problem: caseOnly, Suggest: "/about-us/#team"}},

		// Unicode.
		{"NFC", "/", "/files/café.pdf", resolution{Target: "files/café.pdf"}},
		{"NFC percent-encoded", "/", "/files/caf%C3%A9.pdf", resolution{Target: "files/café.pdf"}},
		{"NFD only matches folded", "/", "/files/cafe\u0301.pdf", resolution{Target: "files/café.pdf", Problem: encodingOnly, Suggest: "/files/caf%C3%A9.pdf"}},
		{"Unicode permalink", "/", "/中文/", resolution{Target: "中文/index.html"}},
		{"Unicode permalink encoded", "/", "/%E4%B8%AD%E6%96%87/", resolution{Target: "中文/index.html"}},

		// Fragments and relative references.
		{"fragment", "/", "/about-us/#team", resolution{Target: "about-us/index.html", Fragment: "team"}},
		{"same page fragment", "/guides/one/", "#intro", resolution{Target: "guides/one/index.html", Fragment: "intro"}},
		{"empty reference is the page", "/guides/one/", "", resolution{Target: "guides/one/index.html"}},
		{"relative from a folder URL", "/guides/one/", "../two.html", resolution{Target: "guides/two.html"}},
		{"relative from a .html URL", "/guides/two.html", "one/", resolution{Target: "guides/one/index.html"}},
		{"relative sibling", "/guides/two.html", "two", resolution{Target: "guides/two.html"}},

		// Missing, with and without a likely fix.
		{"typo", "/", "/about-su/", resolution{Target: "about-us/index.html", Problem: missing, Suggest: "/about-us/"}},
		{"nothing close", "/", "/completely/unrelated/", resolution{Problem: missing}},
		{"folder without index", "/", "/images/", resolution{Problem: missing}},
	}
	ix := testIndex("")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ix.resolve(tc.page, tc.ref)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("resolve(%q, %q) (-want +got):\n%s", tc.page, tc.ref, diff)
			}
		})
	}
}

func TestResolveBaseURL(t *testing.T) {
	ix := testIndex("/site")
	if got := ix.resolve("/site/", "/site/about-us/"); got.Problem != resolved || got.Target != "about-us/index.html" {
		t.Errorf("baseurl not stripped: %+v", got)
	}
	if got := ix.resolve("/site/", "/site/About-Us/"); got.Suggest != "/site/about-us/" {
		t.Errorf("suggestion without baseurl: %+v", got)
	}
}

func TestClassify(t *testing.T) {
	ix := testIndex("")
	cases := []struct {
		in   string
		kind refKind
		v    string
	}{
		{"/about-us/", refInternal, "/about-us/"},
		{"  /about-us/ ", refInternal, "/about-us/"},
		{"about-us/", refInternal, "about-us/"},
		{"#top", refInternal, "#top"},
		{"https://www.agency.gov.sg/about-us/", refInternal, "/about-us/"},
		{"https://www.gov.sg/", refExternal, "https://www.gov.sg/"},
		{"HTTP://www.gov.sg/", refExternal, "HTTP://www.gov.sg/"},
		{"//cdn.example.com/x.js", refExternal, "//cdn.example.com/x.js"},
		{"mailto:a@b.gov.sg", refOther, "mailto:a@b.gov.sg"},
		{"tel:+6561234567", refOther, "tel:+6561234567"},
		{"data:image/png;base64,xx", refSkip, "data:image/png;base64,xx"},
		{"", refSkip, ""},
		{"https//www.gov.sg", refInternal, "https//www.gov.sg"},
		{"/files/a:b.pdf", refInternal, "/files/a:b.pdf"},
	}
	for _, tc := range cases {
		kind, v := ix.classify(tc.in)
		if kind != tc.kind || v != tc.v {
			t.Errorf("classify(%q) = %v, %q; want %v, %q", tc.in, kind, v, tc.kind, tc.v)
		}
	}
}

func TestMalformedReason(t *testing.T) {
	cases := []struct {
		kind refKind
		v    string
		bad  bool
	}{
		{refExternal, "https://www.gov.sg/a?b=c#d", false},
		{refExternal, "https://127.0.0.1:8080/x", false},
		{refExternal, "https://[::1]/x", false},
		{refExternal, "//cdn.example.com/x.js", false},
		{refExternal, "https:///path", true},
		{refExternal, "https://intranet/x", true},
		{refExternal, "https://https://www.gov.sg", true},
		{refExternal, "https://www.gov.sg/a b", true},
		{refExternal, "http://exa%zzmple.com", true},
		{refOther, "mailto:enquiries@agency.gov.sg", false},
		{refOther, "mailto:enquiries@agency.gov.sg?subject=Hi%20there", false},
		{refOther, "mailto:enquiries.agency.gov.sg", true},
		{refOther, "tel:+65 6123 4567", false},
		{refOther, "tel:+65%206123%204567", false},
		{refOther, "tel:call-us", true},
		{refOther, "htps://www.gov.sg", true},
		{refOther, "file:///C:/Users/me/report.pdf", true},
		{refOther, "ftp://ftp.example.com/x", false},
		{refOther, "sms:+6561234567", false},
	}
	for _, tc := range cases {
		if got := malformedReason(tc.kind, tc.v); (got != "") != tc.bad {
			t.Errorf("malformedReason(%q) = %q, want bad=%v", tc.v, got, tc.bad)
		}
	}
}

func TestCountIn(t *testing.T) {
	cases := []struct {
		line, needle string
		delimited    bool
		want         int
	}{
		{`<a href="/a/">x</a> <a href="/a/b/">`, "/a/", true, 1},
		{`<a href="/a/">x</a> <a href="/a/b/">`, "/a/", false, 2},
		{`[x](/a/) and [y](/a/ "t")`, "/a/", true, 2},
		{`  url: /a/`, "/a/", true, 1},
		{`  url: "/a/"`, "/a/", true, 1},
		{`<img src=/a.png>`, "/a.png", true, 1},
	}
	for _, tc := range cases {
		if got := countIn(tc.line, tc.needle, tc.delimited); got != tc.want {
			t.Errorf("countIn(%q, %q, %v) = %d, want %d", tc.line, tc.needle, tc.delimited, got, tc.want)
		}
	}
}

func TestBlankMarkdownCode(t *testing.T) {
	in := "a `<script>` b\n```html\n<script>x</script>\n```\n<script>y</script>\n~~~\n<b>\n~~~\n"
	want := "a            b\n\n\n\n<script>y</script>\n\n\n\n"
	if got := blankMarkdownCode(in); got != want {
		t.Errorf("blankMarkdownCode:\n got %q\nwant %q", got, want)
	}
}

func TestNormaliseLinkText(t *testing.T) {
	vague := vagueTexts()
	for in, want := range map[string]bool{
		"Click here": true, "here.": true, "Read more (opens in a new tab)": true, "  READ   MORE → ": true,
		"Read more about grants": false, "Annual report": false, "Where to get help": false,
	} {
		if got := vague[normaliseLinkText(in)]; got != want {
			t.Errorf("vague(%q) = %v, want %v", in, got, want)
		}
	}
}
