package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"isomer.dev/isomer/internal/studio/signin"
	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/store"
)

var (
	baseRE = regexp.MustCompile(`name="base" value="([0-9a-f]+)"`)
	bodyRE = regexp.MustCompile(`(?s)<textarea id="body" name="body"[^>]*>(.*?)</textarea>`)
)

// editForm opens the editor and returns the base revision and the body as
// the form shows it.
func (h *harness) editForm(c *http.Client, site, p string) (base, body string) {
	h.t.Helper()
	res := h.get(c, "/sites/"+site+"/edit/"+escapePath(p))
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("GET editor for %s: %d", p, res.StatusCode)
	}
	m := baseRE.FindStringSubmatch(res.Body)
	b := bodyRE.FindStringSubmatch(res.Body)
	if m == nil || b == nil {
		h.t.Fatalf("editor for %s has no base or body field:\n%s", p, res.Body)
	}
	return m[1], html.UnescapeString(strings.TrimPrefix(b[1], "\n"))
}

func (h *harness) save(c *http.Client, site, p, base, body string) response {
	h.t.Helper()
	return h.post(c, "/sites/"+site+"/edit/"+escapePath(p), url.Values{"base": {base}, "body": {body}})
}

func (h *harness) repo() *siterepo.Repo {
	h.t.Helper()
	r, err := siterepo.Open(context.Background(), h.site.RepoPath)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func TestSignInOverHTTP(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		c := h.client()
		if res := h.get(c, "/"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("dashboard before sign-in: %d, want a redirect", res.StatusCode)
		}
		h.post(c, "/signin", url.Values{"email": {h.admin.Email}})
		code := h.lastCode(h.admin.Email)
		wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
		if res := h.post(c, "/signin/code", url.Values{"email": {h.admin.Email}, "code": {wrong}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code: %d, want 401", res.StatusCode)
		}
		res := h.post(c, "/signin/code", url.Values{"email": {h.admin.Email}, "code": {code}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("right code: %d", res.StatusCode)
		}
		if ck := res.Header.Get("Set-Cookie"); !strings.HasPrefix(ck, signin.CookieName+"=") || !strings.Contains(ck, "HttpOnly") ||
			!strings.Contains(ck, "SameSite=Lax") || !strings.Contains(ck, "Path=/") || strings.Contains(ck, "Max-Age") || strings.Contains(ck, "Expires") {
			t.Errorf("session cookie attributes: %q", ck)
		}
		dash := h.get(c, "/")
		if dash.StatusCode != http.StatusOK || !strings.Contains(dash.Body, "Agency Site") {
			t.Fatalf("dashboard: %d", dash.StatusCode)
		}
		// Single use: the same code again, from a fresh browser, fails.
		if res := h.post(h.client(), "/signin/code", url.Values{"email": {h.admin.Email}, "code": {code}}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("reused code: %d, want 401", res.StatusCode)
		}
		tok := sessionCookie(h, c)
		h.post(c, "/signout", nil)
		if res := h.get(c, "/"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("dashboard after sign-out: %d, want a redirect", res.StatusCode)
		}
		// The token is dead on the server, not just gone from the browser.
		if res := h.get(withSessionCookie(h, h.client(), tok), "/"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("dashboard with the signed-out token: %d, want a redirect", res.StatusCode)
		}
		es, err := h.db.AuditForSite(context.Background(), h.site.ID, 10, 0)
		if err != nil || len(es) == 0 {
			t.Fatalf("audit: %v %d", err, len(es))
		}
	})
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestSignInAbuseOverHTTP: wrong codes lock the code, an expired code
// fails, and these answers come through the real pages.
func TestSignInAbuseOverHTTP(t *testing.T) {
	h := newHarness(t, storetestSQLite(t))
	c := h.client()
	h.post(c, "/signin", url.Values{"email": {h.admin.Email}})
	code := h.lastCode(h.admin.Email)
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	for i := range signin.DefaultMaxAttempts {
		if res := h.post(c, "/signin/code", url.Values{"email": {h.admin.Email}, "code": {wrong}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i, res.StatusCode)
		}
	}
	res := h.post(c, "/signin/code", url.Values{"email": {h.admin.Email}, "code": {code}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "Too many wrong codes") {
		t.Fatalf("right code after lockout: %d, want 401 with the lockout message", res.StatusCode)
	}
	// Expiry: a new code, then the clock moves past its lifetime.
	h.post(c, "/signin", url.Values{"email": {h.admin.Email}})
	code = h.lastCode(h.admin.Email)
	later := time.Now().Add(signin.DefaultCodeTTL + time.Minute)
	h.db.Now = func() time.Time { return later }
	if res := h.post(c, "/signin/code", url.Values{"email": {h.admin.Email}, "code": {code}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired code: %d, want 401", res.StatusCode)
	}
}

// TestEditPreviewCommitAudit is the edit loop: open the seed page, change
// its text, save; the commit is on staging authored by the editor, the
// audit log has it, and the preview shows it.
func TestEditPreviewCommitAudit(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		ed := h.member("editor@agency.gov.sg", h.site, store.RoleContributor)
		c := h.signIn(ed.Email)
		if res := h.get(c, "/sites/agency-site/"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Our Digital Government Efforts") {
			t.Fatalf("content tree: %d", res.StatusCode)
		}
		base, body := h.editForm(c, "agency-site", seedPath)
		const marker = "Studio was here"
		edited := strings.Replace(body, "Our Digital Government Efforts</h3>", marker+"</h3>", 1)
		if edited == body {
			t.Fatal("seed page body lacks its heading")
		}
		res := h.save(c, "agency-site", seedPath, base, edited)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
		}
		r := h.repo()
		ctx := context.Background()
		log, err := r.Log(ctx, siterepo.Staging, seedPath, 1)
		if err != nil || len(log) != 1 {
			t.Fatal(err)
		}
		if log[0].Author.Email != ed.Email {
			t.Errorf("commit author %q, want %q", log[0].Author.Email, ed.Email)
		}
		data, _ := r.ReadFile(ctx, siterepo.Staging, seedPath)
		if !strings.Contains(string(data), marker) {
			t.Fatal("saved file lacks the edit")
		}
		// Only the edited line changed: front matter bytes are untouched.
		orig, _ := r.ReadFile(ctx, base, seedPath)
		if strings.Count(string(data), "\n") != strings.Count(string(orig), "\n") {
			t.Errorf("line count changed from %d to %d", strings.Count(string(orig), "\n"), strings.Count(string(data), "\n"))
		}
		es, _ := h.db.AuditForSite(ctx, h.site.ID, 5, 0)
		if len(es) == 0 || es[0].Action != store.ActionContentChange || es[0].Commit != log[0].Rev || es[0].ActorEmail != ed.Email {
			t.Fatalf("newest audit entry %+v, want the content change %s by %s", es, log[0].Rev, ed.Email)
		}
		start := time.Now()
		waitFor(t, 10*time.Second, "the preview to show the edit", func() bool {
			res := h.get(c, "/sites/agency-site/preview/about-us/what-we-do/our-digital-government-efforts/")
			return res.StatusCode == http.StatusOK && strings.Contains(res.Body, marker)
		})
		t.Logf("preview showed the edit %v after the save returned", time.Since(start))
	})
}

// TestConflictingSave: two editors start from the same revision and change
// the same line; the second is refused with a conflict view, and the first
// edit survives.
func TestConflictingSave(t *testing.T) {
	h := newHarness(t, storetestSQLite(t))
	a := h.signIn(h.member("a@agency.gov.sg", h.site, store.RoleContributor).Email)
	b := h.signIn(h.member("b@agency.gov.sg", h.site, store.RoleContributor).Email)
	base, body := h.editForm(a, "agency-site", seedPath)
	if res := h.save(a, "agency-site", seedPath, base, strings.Replace(body, "Blueprint (DGB)", "Blueprint (A)", 1)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.StatusCode)
	}
	res := h.save(b, "agency-site", seedPath, base, strings.Replace(body, "Blueprint (DGB)", "Blueprint (B)", 1))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "Someone else changed") || !strings.Contains(res.Body, "Blueprint (B)") {
		t.Fatalf("second save: %d, want 409 with a conflict view keeping the second editor's text", res.StatusCode)
	}
	data, _ := h.repo().ReadFile(context.Background(), siterepo.Staging, seedPath)
	if !strings.Contains(string(data), "Blueprint (A)") || strings.Contains(string(data), "Blueprint (B)") {
		t.Error("the first edit did not survive, or the refused one landed")
	}
}

// TestConcurrentSaves: 20 editors save at once, half of them different
// lines of one page (all from the same base revision), half other pages.
// Each save is either committed or answered with a conflict; every
// committed edit is in the final tree; the repository is sound.
func TestConcurrentSaves(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.signIn(h.admin.Email)
		pages := []string{
			"_about-us/Who We Are.md", "_about-us/Our Mission and Values.md", "_about-us/Careers: Join Us.md",
			"_about-us/What We Do/Programmes and Partnerships.md", "_about-us/Our Leadership/Board of Directors.md",
			"_about-us/Our Leadership/Senior Management.md", "_services/Service Standards.md", "pages/Our Offices.md",
		}
		type job struct {
			path, base, body, marker string
		}
		var jobs []job
		base, body := h.editForm(c, "agency-site", seedPath)
		lines := strings.Split(body, "\n")
		for i := range 10 {
			// Lines far apart, so git can merge the edits.
			n := i * (len(lines) / 10)
			marker := fmt.Sprintf("concurrent-edit-%d", i)
			edited := append([]string{}, lines...)
			edited[n] = marker + " " + edited[n]
			jobs = append(jobs, job{seedPath, base, strings.Join(edited, "\n"), marker})
		}
		for i := range 10 {
			p := pages[i%len(pages)]
			b, body := h.editForm(c, "agency-site", p)
			marker := fmt.Sprintf("other-page-edit-%d", i)
			jobs = append(jobs, job{p, b, marker + "\n" + body, marker})
		}
		results := make([]int, len(jobs))
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Go(func() { results[i] = h.save(c, "agency-site", j.path, j.base, j.body).StatusCode })
		}
		wg.Wait()
		r := h.repo()
		committed, conflicts := 0, 0
		for i, j := range jobs {
			data, err := r.ReadFile(ctx, siterepo.Staging, j.path)
			if err != nil {
				t.Fatal(err)
			}
			has := strings.Contains(string(data), j.marker)
			switch results[i] {
			case http.StatusSeeOther:
				committed++
				if !has {
					t.Errorf("save %d (%s) was acknowledged but its edit is missing: lost update", i, j.marker)
				}
			case http.StatusConflict:
				conflicts++
				if has {
					t.Errorf("save %d (%s) was refused but its edit landed", i, j.marker)
				}
			default:
				t.Errorf("save %d: status %d, want 303 or 409", i, results[i])
			}
		}
		t.Logf("%d committed, %d conflicts", committed, conflicts)
		if committed == 0 {
			t.Error("no save was committed")
		}
		if out, err := exec.Command("git", "--git-dir", h.site.RepoPath, "fsck", "--strict", "--no-dangling").CombinedOutput(); err != nil {
			t.Errorf("git fsck: %v\n%s", err, out)
		}
		es, _ := h.db.AuditForSite(ctx, h.site.ID, 100, 0)
		changes := 0
		for _, e := range es {
			if e.Action == store.ActionContentChange {
				changes++
			}
		}
		if changes != committed {
			t.Errorf("%d content changes audited, %d saves committed", changes, committed)
		}
	})
}

// TestPathsFromRequestsAreValidated: hostile paths never reach git.
func TestPathsFromRequestsAreValidated(t *testing.T) {
	h := newHarness(t, storetestSQLite(t))
	c := h.signIn(h.admin.Email)
	head, _ := h.repo().Head(context.Background(), siterepo.Staging)
	for _, p := range []string{"..%2F..%2Fetc%2Fpasswd", ".git%2Fconfig", "pages%2F..%2F..%2Fx.md", "%2Fetc%2Fpasswd", "pages%2F%00.md"} {
		res := h.get(c, "/sites/agency-site/edit/"+p)
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMovedPermanently {
			t.Errorf("GET edit %s: %d, want 400/404", p, res.StatusCode)
		}
		res = h.post(c, "/sites/agency-site/edit/"+p, url.Values{"base": {head}, "mode": {"raw"}, "text": {"x"}})
		if res.StatusCode < 300 || res.StatusCode == http.StatusSeeOther {
			t.Errorf("POST edit %s: %d, want a refusal", p, res.StatusCode)
		}
	}
	for _, form := range []url.Values{
		{"from": {"pages/contact-us.md"}, "to": {"../outside.md"}},
		{"from": {"pages/contact-us.md"}, "to": {".git/hooks/pre-commit"}},
		{"from": {"../x"}, "to": {"pages/y.md"}},
	} {
		if res := h.post(c, "/sites/agency-site/move", form); res.StatusCode != http.StatusBadRequest {
			t.Errorf("move %v: %d, want 400", form, res.StatusCode)
		}
	}
	after, _ := h.repo().Head(context.Background(), siterepo.Staging)
	if after != head {
		t.Error("a refused request changed the staging branch")
	}
}

// TestCreateMoveDelete covers page and folder management.
func TestCreateMoveDelete(t *testing.T) {
	h := newHarness(t, storetestSQLite(t))
	c := h.signIn(h.admin.Email)
	ctx := context.Background()
	r := h.repo()
	res := h.post(c, "/sites/agency-site/pages", url.Values{"title": {"Grants for Startups"}, "folder": {"_about-us"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create page: %d %s", res.StatusCode, res.Body)
	}
	data, err := r.ReadFile(ctx, siterepo.Staging, "_about-us/Grants for Startups.md")
	if err != nil || !strings.Contains(string(data), "permalink: /about-us/grants-for-startups/") {
		t.Fatalf("new page: %v\n%s", err, data)
	}
	coll, _ := r.ReadFile(ctx, siterepo.Staging, "_about-us/collection.yml")
	if !strings.HasSuffix(string(coll), "      - Annual Reports.md\n      - Grants for Startups.md\n") {
		t.Errorf("collection.yml order not appended:\n%s", coll)
	}
	if res := h.post(c, "/sites/agency-site/pages", url.Values{"title": {"Bad/Title"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("title with a slash: %d, want 422", res.StatusCode)
	}
	if res := h.post(c, "/sites/agency-site/folders", url.Values{"name": {"Our Services"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create folder: %d", res.StatusCode)
	}
	if _, err := r.ReadFile(ctx, siterepo.Staging, "_our-services/collection.yml"); err != nil {
		t.Fatal(err)
	}
	if res := h.post(c, "/sites/agency-site/move", url.Values{"from": {"_about-us/Grants for Startups.md"}, "to": {"_about-us/Grants for New Firms.md"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", res.StatusCode, res.Body)
	}
	if _, err := r.ReadFile(ctx, siterepo.Staging, "_about-us/Grants for New Firms.md"); err != nil {
		t.Fatal("renamed page missing")
	}
	// Renaming a folder keeps it a collection: its collection.yml and the
	// navigation menu follow the new name, and the site still builds.
	if res := h.post(c, "/sites/agency-site/move", url.Values{"from": {"_services"}, "to": {"_our-services"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename folder: %d %s", res.StatusCode, res.Body)
	}
	coll, _ = r.ReadFile(ctx, siterepo.Staging, "_our-services/collection.yml")
	nav, _ := r.ReadFile(ctx, siterepo.Staging, "_data/navigation.yml")
	if !strings.Contains(string(coll), "\n  our-services:\n") || !strings.Contains(string(nav), "collection: our-services\n") || strings.Contains(string(nav), "collection: services\n") {
		t.Errorf("folder rename did not follow through:\n%s\n%s", coll, nav)
	}
	if res := h.post(c, "/sites/agency-site/move", url.Values{"from": {"_about-us"}, "to": {"_About Us"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("folder renamed to a non-slug: %d, want 422", res.StatusCode)
	}
	tree := h.get(c, "/sites/agency-site/")
	if !strings.Contains(tree.Body, "Our Services") || strings.Contains(tree.Body, "problem(s) found") {
		t.Errorf("content tree after the folder rename shows problems or lacks the folder")
	}
	if res := h.post(c, "/sites/agency-site/delete", url.Values{"path": {"_about-us/Our Leadership"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete folder: %d", res.StatusCode)
	}
	ents, _ := r.List(ctx, siterepo.Staging)
	for _, e := range ents {
		if strings.HasPrefix(e.Path, "_about-us/Our Leadership") {
			t.Errorf("%s survived deleting its folder", e.Path)
		}
	}
}

// TestMembersAndAudit: a site admin adds a contributor, who can then sign
// in and open the site; the audit page and CSV show it.
func TestMembersAndAudit(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		sa := h.member("siteadmin@agency.gov.sg", h.site, store.RoleAdmin)
		c := h.signIn(sa.Email)
		if res := h.post(c, "/sites/agency-site/members", url.Values{"email": {"New.Person@Agency.gov.sg"}, "role": {"contributor"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add member: %d", res.StatusCode)
		}
		nc := h.signIn("new.person@agency.gov.sg")
		if res := h.get(nc, "/sites/agency-site/"); res.StatusCode != http.StatusOK {
			t.Fatalf("new member opening the site: %d", res.StatusCode)
		}
		// The last admin cannot demote themself (the platform admin who
		// imported the site is an admin too, so first remove them).
		if res := h.post(c, "/sites/agency-site/members/remove", url.Values{"user": {fmt.Sprint(h.admin.ID)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove the importing admin: %d", res.StatusCode)
		}
		if res := h.post(c, "/sites/agency-site/members/role", url.Values{"user": {fmt.Sprint(sa.ID)}, "role": {"contributor"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("demoting the last admin: %d, want 422", res.StatusCode)
		}
		audit := h.get(c, "/sites/agency-site/audit")
		if !strings.Contains(audit.Body, "Added new.person@agency.gov.sg as contributor") {
			t.Errorf("audit page lacks the member change")
		}
		csv := h.get(c, "/sites/agency-site/audit.csv")
		if csv.StatusCode != http.StatusOK || !strings.Contains(csv.Body, store.ActionMemberAdded) || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("audit CSV: %d %q", csv.StatusCode, csv.Header.Get("Content-Type"))
		}
	})
}

// TestAddSites: a platform admin creates a site from the starter and imports
// one from a git URL; both open with a clean content tree, and the new
// site's history starts with the import.
func TestAddSites(t *testing.T) {
	h := newHarness(t, storetestSQLite(t))
	c := h.signIn(h.admin.Email)

	res := h.post(c, "/sites", url.Values{"title": {"Ministry of Examples"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sites/ministry-of-examples/?notice=site-created" {
		t.Fatalf("create from starter: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	tree := h.get(c, "/sites/ministry-of-examples/")
	if tree.StatusCode != http.StatusOK || strings.Contains(tree.Body, "problem(s) found") || !strings.Contains(tree.Body, "About Us") {
		t.Fatalf("starter site tree: %d\n%s", tree.StatusCode, tree.Body)
	}
	if prev := h.get(c, "/sites/ministry-of-examples/preview/"); prev.StatusCode != http.StatusOK || !strings.Contains(prev.Body, "Ministry of Examples") {
		t.Errorf("starter site preview: %d, want the homepage titled with the new site's name", prev.StatusCode)
	}

	// A git repository, imported by URL.
	src := t.TempDir()
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"-c", "user.name=T", "-c", "user.email=t@example.gov.sg", "commit", "-q", "--allow-empty", "-m", "start"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", src}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := exec.Command("cp", "-r", exampleSite(t)+"/.", src).Run(); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"add", "-A"},
		{"-c", "user.name=T", "-c", "user.email=t@example.gov.sg", "commit", "-q", "-m", "the agency site"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", src}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	res = h.post(c, "/sites/import", url.Values{"title": {"Imported Agency"}, "source": {"file://" + src}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("import from git: %d\n%s", res.StatusCode, res.Body)
	}
	if hist := h.get(c, "/sites/imported-agency/history"); !strings.Contains(hist.Body, "the agency site") {
		t.Errorf("imported site's history lacks the source's commit")
	}
	if res := h.post(c, "/sites/import", url.Values{"title": {"Imported Agency"}, "source": {"file://" + src}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "already exists") {
		t.Errorf("importing a second site with the same name: %d", res.StatusCode)
	}
	if res := h.post(c, "/sites/import", url.Values{"title": {"Nowhere"}, "source": {"/no/such/folder"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("import from a missing folder: %d, want 422", res.StatusCode)
	}
}

// TestRefusedSaveKeepsTyping: a value the page file cannot take (a control
// character) is refused with the form showing what was typed.
func TestRefusedSaveKeepsTyping(t *testing.T) {
	h := newHarness(t, storetestSQLite(t))
	c := h.signIn(h.admin.Email)
	base, body := h.editForm(c, "agency-site", seedPath)
	res := h.post(c, "/sites/agency-site/edit/"+escapePath(seedPath), url.Values{
		"base": {base}, "field.title": {"Bell\x07 title"}, "body": {body + "\nmy unsaved paragraph"},
	})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Not saved") || !strings.Contains(res.Body, "my unsaved paragraph") {
		t.Fatalf("refused save: %d, want 422 showing the typed text", res.StatusCode)
	}
	if after, _ := h.repo().Head(context.Background(), siterepo.Staging); after != base {
		t.Error("the refused save changed staging")
	}
}
