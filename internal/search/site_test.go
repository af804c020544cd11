package search

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

const seedURL = "/about-us/what-we-do/our-digital-government-efforts/"

// seedDoc is the real seed page, indexed the way the build will: its HTML
// body through TextOf.
func seedDoc(t testing.TB) Doc {
	t.Helper()
	b, err := os.ReadFile(seedPath)
	if err != nil {
		t.Skipf("seed page: %v", err)
	}
	fm, body := splitFrontMatter(string(b))
	title := regexp.MustCompile(`(?m)^title:\s*(.*)$`).FindStringSubmatch(fm)
	permalink := regexp.MustCompile(`(?m)^permalink:\s*(.*)$`).FindStringSubmatch(fm)
	if title == nil || permalink == nil || permalink[1] != seedURL {
		t.Fatalf("seed front matter: %q", fm)
	}
	d := Doc{URL: permalink[1], Title: title[1], Kind: "page"}
	d.Headings, d.Text = TextOf([]byte(body))
	return d
}

// siteDocs are about twenty pages of a small agency site around the seed.
func siteDocs(t testing.TB) []Doc {
	docs := []Doc{
		seedDoc(t),
		{URL: "/", Title: "Home", Kind: "page", Text: "Welcome to the agency. We build digital services for citizens and businesses in Singapore."},
		{URL: "/about-us/", Title: "About Us", Kind: "page", Headings: []string{"Our mission"}, Text: "About Us. Our mission is to transform the public service with technology. We work across government agencies."},
		{URL: "/about-us/what-we-do/", Title: "What We Do", Kind: "page", Text: "We design, build and run digital products, platforms and infrastructure for the whole of government."},
		{URL: "/about-us/leadership/", Title: "Leadership", Kind: "page", Text: "Our leadership team guides the agency's strategy and its work with partners in government and industry."},
		{URL: "/services/singpass/", Title: "Singpass", Kind: "page", Headings: []string{"Logging in", "Digital identity for everyone"}, Text: "Singpass is the national digital identity for residents. Logging in. Use the app to log in to government services. Digital identity for everyone. It also lets businesses verify who you are."},
		{URL: "/services/corppass/", Title: "Corppass", Kind: "page", Text: "Corppass is the corporate identity that businesses use to transact with government agencies online."},
		{URL: "/services/green-data-centres/", Title: "Green Data Centres", Kind: "page", Headings: []string{"Sustainability targets"}, Text: "Green data centres use less energy. Sustainability targets. We aim to cut the carbon emissions of government technology by half."},
		{URL: "/services/cloud/", Title: "Government on Commercial Cloud", Kind: "page", Text: "Agencies move their systems to commercial cloud for resilience, security and speed of delivery."},
		{URL: "/services/cybersecurity/", Title: "Cybersecurity", Kind: "page", Text: "We protect government systems and the public from cyber threats, and train officers in secure practices."},
		{URL: "/careers/", Title: "Careers", Kind: "page", Text: "Join us as an engineer, designer, product manager or data scientist and build things that matter for the public."},
		{URL: "/careers/internships/", Title: "Internships", Kind: "page", Text: "Students can apply for internships in engineering, design and data science every January and June."},
		{URL: "/contact-us/", Title: "Contact Us", Kind: "page", Text: "Write to us with feedback, questions about our services or media enquiries. We reply within three working days."},
		{URL: "/media/press-releases/2024-03-01-new-identity-app/", Title: "New Digital Identity App Launched", Kind: "post", Date: "2024-03-01", Text: "A new version of the digital identity app brings face verification and a simpler design for seniors."},
		{URL: "/media/press-releases/2024-06-12-sustainable-tech/", Title: "Sustainable Government Technology Roadmap", Kind: "post", Date: "2024-06-12", Text: "The roadmap sets out how government technology will reach net zero, with sustainability built into every procurement."},
		{URL: "/media/press-releases/2023-11-20-awards/", Title: "Agency Wins Public Service Awards", Kind: "post", Date: "2023-11-20", Text: "Three teams won awards for excellence in service delivery and innovation this year."},
		{URL: "/media/speeches/2025-01-15-budget/", Title: "Speech on the Digital Economy", Kind: "post", Date: "2025-01-15", Text: "The minister spoke about the digital economy, skills for workers and support for small businesses going digital."},
		{URL: "/files/annual-report-2024.pdf", Title: "Annual Report 2024", Kind: "file", Date: "2024-07-01"},
		{URL: "/files/sustainability-report-2024.pdf", Title: "Sustainability Report 2024", Kind: "file", Date: "2024-09-30"},
		{URL: "/files/digital-government-blueprint.pdf", Title: "Digital Government Blueprint", Kind: "file", Date: "2020-12-01"},
		{URL: "/faq/", Title: "Frequently Asked Questions", Kind: "page", Text: "Answers to common questions about our services, digital identity and how to reach us."},
	}
	return docs
}

// writeSite writes a minimal site: the contract's search page, the client
// and the index of docs.
func writeSite(t testing.TB, dir string, docs []Doc) {
	t.Helper()
	files := append(Assets(), Index(docs)...)
	files = append(files, File{Path: "search/index.html", Data: []byte(PageHTML)},
		// Browsers ask for it; a 404 would show as a console error.
		File{Path: "favicon.ico", Data: []byte{}})
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
