//go:build unix

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"isomer.dev/isomer/internal/studio"
	"isomer.dev/isomer/internal/studio/pagefile"
	"isomer.dev/isomer/internal/studio/siterepo"
	"isomer.dev/isomer/internal/studio/store"
	"isomer.dev/isomer/internal/studio/store/storetest"
)

// The crash test runs Studio in a child process (this test binary again,
// running only TestCrashChild) so that it can be killed with SIGKILL in the
// middle of saves, then started again on the same data folder and database.
const (
	crashChildEnv = "ISOMER_CRASH_CHILD" // the child's data folder
	crashDSNEnv   = "ISOMER_CRASH_DSN"   // the child's database
	crashReady    = "crash-child-ready " // the child's stdout line carrying its URL
	crashAdmin    = "admin@agency.gov.sg"
	crashSite     = "agency-site"
	crashRounds   = 15
)

// crashSeed is the page several saves of a round edit at once, on lines
// far apart, so that later saves are merged with earlier ones; the other
// saves of a round each edit a page of their own.
const crashSeed = "_about-us/What We Do/Our Digital Government Efforts.md"

var crashPages = []string{
	"_about-us/Who We Are.md",
	"_about-us/Our Mission and Values.md",
	"_about-us/What We Do/Programmes and Partnerships.md",
	"_about-us/Our Leadership/Board of Directors.md",
	"_about-us/Our Leadership/Senior Management.md",
	"pages/contact-us.md",
}

var (
	crashBaseRE   = regexp.MustCompile(`name="base" value="([0-9a-f]+)"`)
	crashBodyRE   = regexp.MustCompile(`(?s)<textarea id="body" name="body"[^>]*>(.*?)</textarea>`)
	crashCodeRE   = regexp.MustCompile(`\b(\d{6})\b`)
	crashMarkerRE = regexp.MustCompile(`crash-r\d+-s\d+`)
)

// TestCrashChild is the Studio process that TestCrash kills. It does
// nothing unless TestCrash started it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("runs only as TestCrash's child process")
	}
	go func() {
		// The parent holds our stdin open: end of input means it died, and
		// a Studio nobody will kill must not outlive it.
		io.Copy(io.Discard, os.Stdin)
		os.Exit(2)
	}()
	err := studio.Run(context.Background(), studio.Options{
		DataDir:     dir,
		DatabaseURL: os.Getenv(crashDSNEnv),
		Addr:        "127.0.0.1:0",
		Admin:       crashAdmin,
		Import:      crashExampleSite(),
		Mailer:      fileMailer(filepath.Join(dir, "outbox")),
		Log:         slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Ready:       func(url string) { fmt.Printf("%s%s\n", crashReady, url) },
	})
	t.Fatalf("studio.Run returned: %v", err)
}

func crashExampleSite() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "agency-site")
}

// fileMailer hands sign-in codes from the child to the parent: each
// message replaces the file named after its recipient.
type fileMailer string

func (dir fileMailer) Send(ctx context.Context, to, subject, body string) error {
	if err := os.MkdirAll(string(dir), 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(string(dir), to+".tmp")
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(string(dir), to))
}

// TestCrash kills Studio with SIGKILL while it is saving, restarts it, and
// checks that every save is either fully there or fully absent: the
// repository is sound, acknowledged saves survived, no file holds part of a
// save, the audit log has exactly one entry per Studio commit and none for
// a commit staging does not have, and Studio serves and saves again.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts Studio many times")
	}
	storetest.ForEach(t, func(t *testing.T, dsn string) {
		testCrash(t, dsn)
	})
}

func testCrash(t *testing.T, dsn string) {
	ctx := context.Background()
	c := newCrashChild(t, dsn)
	c.start()
	c.signIn()

	st, repo := c.site()
	orig := map[string]string{}
	for _, p := range append([]string{crashSeed}, crashPages...) {
		data, err := repo.ReadFile(ctx, siterepo.Staging, p)
		if err != nil {
			t.Fatal(err)
		}
		orig[p] = string(data)
	}
	v := &crashVerifier{t: t, c: c, site: st, repo: repo, orig: orig}

	var stats struct{ acked, refused, cut, failed int }
	for round := range crashRounds {
		took := v.probe(round)
		saves := c.planRound(round)
		var wg sync.WaitGroup
		for i := range saves {
			wg.Go(func() { saves[i].outcome = c.save(saves[i]) })
		}
		// The probe shows how long one save takes here; the round's saves
		// run one after another, so this kills Studio anywhere from before
		// the first has started to after the last has finished.
		time.Sleep(rand.N(time.Duration(len(saves)+2) * took))
		c.kill()
		wg.Wait()
		for _, s := range saves {
			switch s.outcome {
			case http.StatusSeeOther:
				stats.acked++
			case http.StatusConflict:
				stats.refused++
			case 0:
				stats.cut++
			default:
				stats.failed++
			}
		}
		v.sent = append(v.sent, saves...)
		c.start()
		v.check(round)
		if t.Failed() {
			t.FailNow()
		}
	}
	v.probe(crashRounds)
	v.check(crashRounds)
	t.Logf("%d rounds: %d saves acknowledged, %d refused as conflicts, %d failed, %d cut off by the kill; reconcile recovered %d audit entries",
		crashRounds, stats.acked, stats.refused, stats.failed, stats.cut, v.recovered)
	if stats.cut == 0 {
		t.Error("no save was in flight when Studio was killed: the test did not test crashes")
	}
}

// TestCrashInsideUpdateRef makes certain the kill that TestCrash hits only
// now and then: git update-ref killed while it holds its locks. SIGKILL
// cannot be caught, so the lock files stay, and git refuses to take them
// again; Studio must still save after a restart.
func TestCrashInsideUpdateRef(t *testing.T) {
	c := newCrashChild(t, storetest.DSN(t, "sqlite"))
	c.start()
	c.signIn()
	st, repo := c.site()
	c.kill()
	out, err := exec.Command("git", "--git-dir", st.RepoPath, "rev-parse", "refs/heads/staging").Output()
	if err != nil {
		t.Fatal(err)
	}
	// What "git update-ref refs/heads/staging" holds while it writes: the
	// branch's lock, with the new value, and HEAD's, which points at it.
	for _, lock := range []string{"HEAD.lock", "refs/heads/staging.lock"} {
		if err := os.WriteFile(filepath.Join(st.RepoPath, lock), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c.start()
	v := &crashVerifier{t: t, c: c, site: st, repo: repo}
	v.probe(0)
	if locks := gitLocks(st.RepoPath); len(locks) > 0 {
		t.Errorf("lock files left after a save: %v", locks)
	}
}

// crashSave is one save sent to Studio and what came back: the HTTP
// status, or 0 when the connection died with the server.
type crashSave struct {
	id, path, base, body, line string
	outcome                    int
}

// crashChild starts, signs in to and kills the Studio child process.
type crashChild struct {
	t      *testing.T
	dir    string // Studio's data folder, kept across restarts
	dsn    string
	tmp    string // the child's TMPDIR, so what a kill leaves there is removed with the test
	log    *os.File
	client *http.Client // one browser, whose session outlives restarts
	url    string

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan error
}

func newCrashChild(t *testing.T, dsn string) *crashChild {
	root := t.TempDir()
	c := &crashChild{t: t, dir: filepath.Join(root, "data"), dsn: dsn, tmp: filepath.Join(root, "tmp")}
	if err := os.Mkdir(c.tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	if c.log, err = os.Create(filepath.Join(root, "child.log")); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c.client = &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(func() {
		c.kill()
		if b, err := os.ReadFile(c.log.Name()); err == nil && len(b) > 0 && t.Failed() {
			t.Logf("child log (warnings and errors), last part:\n%s", b[max(0, len(b)-4000):])
		}
		c.log.Close()
	})
	return c
}

// start runs Studio on the data folder and database and waits until it
// listens. The first start imports the example site.
func (c *crashChild) start() {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+c.dir, crashDSNEnv+"="+c.dsn, "TMPDIR="+c.tmp)
	// A process group of its own, so that the kill takes Studio's git
	// processes with it, as a crash of the machine or container would.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	ready := make(chan string, 1)
	cmd.Stdout = &readyWriter{ready: ready}
	cmd.Stderr = c.log
	stdin, err := cmd.StdinPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.cmd, c.stdin, c.exited = cmd, stdin, make(chan error, 1)
	go func() { c.exited <- cmd.Wait() }()
	select {
	case c.url = <-ready:
	case err := <-c.exited:
		c.cmd = nil
		c.t.Fatalf("Studio exited before listening: %v", err)
	case <-time.After(time.Minute):
		c.kill()
		c.t.Fatal("Studio did not listen within a minute")
	}
}

// kill ends Studio and its git processes at once, with no chance to clean up.
func (c *crashChild) kill() {
	if c.cmd == nil {
		return
	}
	if err := syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		c.t.Errorf("killing Studio: %v", err)
	}
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.t.Error("Studio did not die within 10s of SIGKILL")
	}
	c.stdin.Close()
	c.cmd = nil
}

// readyWriter is the child's stdout: it picks out the line announcing the
// URL Studio listens at.
type readyWriter struct {
	buf   []byte
	ready chan<- string
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		if u, ok := strings.CutPrefix(string(w.buf[:i]), crashReady); ok {
			select {
			case w.ready <- u:
			default:
			}
		}
		w.buf = w.buf[i+1:]
	}
}

func (c *crashChild) openDB() *store.DB {
	c.t.Helper()
	db, err := store.Open(context.Background(), c.dsn)
	if err != nil {
		c.t.Fatal(err)
	}
	return db
}

// site returns the imported site and its repository.
func (c *crashChild) site() (store.Site, *siterepo.Repo) {
	c.t.Helper()
	ctx := context.Background()
	db := c.openDB()
	defer db.Close()
	st, err := db.SiteBySlug(ctx, crashSite)
	if err != nil {
		c.t.Fatal(err)
	}
	repo, err := siterepo.Open(ctx, st.RepoPath)
	if err != nil {
		c.t.Fatal(err)
	}
	return st, repo
}

// do sends a request and returns the status and body, or status 0 and the
// error when the connection failed (as it does when Studio is killed).
func (c *crashChild) do(method, p string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.url+p, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", err
	}
	return res.StatusCode, string(b), nil
}

// signIn signs the admin in through the sign-in pages, with the code the
// child's mailer left in the data folder.
func (c *crashChild) signIn() {
	c.t.Helper()
	mail := filepath.Join(c.dir, "outbox", crashAdmin)
	if status, _, err := c.do(http.MethodPost, "/signin", url.Values{"email": {crashAdmin}}); err != nil || status != http.StatusSeeOther {
		c.t.Fatalf("POST /signin: %d %v", status, err)
	}
	b, err := os.ReadFile(mail)
	if err != nil {
		c.t.Fatalf("no sign-in code mailed: %v", err)
	}
	code := crashCodeRE.FindString(string(b))
	if status, body, err := c.do(http.MethodPost, "/signin/code", url.Values{"email": {crashAdmin}, "code": {code}}); err != nil || status != http.StatusSeeOther {
		c.t.Fatalf("POST /signin/code: %d %v\n%s", status, err, body)
	}
}

// editForm opens the editor of p, which must answer 200, and returns the
// revision it was opened at and the body as the form shows it.
func (c *crashChild) editForm(p string) (base, body string) {
	c.t.Helper()
	status, page, err := c.do(http.MethodGet, "/sites/"+crashSite+"/edit/"+crashEscape(p), nil)
	if err != nil || status != http.StatusOK {
		c.t.Fatalf("GET editor of %s: %d %v", p, status, err)
	}
	m, b := crashBaseRE.FindStringSubmatch(page), crashBodyRE.FindStringSubmatch(page)
	if m == nil || b == nil {
		c.t.Fatalf("editor of %s has no base or body field:\n%s", p, page)
	}
	return m[1], html.UnescapeString(strings.TrimPrefix(b[1], "\n"))
}

func crashEscape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// crashEdit returns a save of p that adds one whole line, its marker, at line n
// of the body (counted from the end when n is negative).
func crashEdit(id, p, base, body string, n int) crashSave {
	line := id + ": this line is written whole by one save or not at all."
	lines := strings.Split(body, "\n")
	if n < 0 {
		n += len(lines)
	}
	lines = append(lines[:n], append([]string{line}, lines[n:]...)...)
	return crashSave{id: id, path: p, base: base, body: strings.Join(lines, "\n"), line: line}
}

// planRound prepares a round's saves, all from the revision the editors
// opened: three on lines of the seed page far apart (merged with each
// other), three on other pages.
func (c *crashChild) planRound(round int) []*crashSave {
	c.t.Helper()
	var saves []*crashSave
	base, body := c.editForm(crashSeed)
	nlines := strings.Count(body, "\n") + 1
	for i := range 3 {
		s := crashEdit(fmt.Sprintf("crash-r%02d-s%d", round, i), crashSeed, base, body, i*nlines/3)
		saves = append(saves, &s)
	}
	for i := range 3 {
		p := crashPages[(round*3+i)%len(crashPages)]
		base, body := c.editForm(p)
		s := crashEdit(fmt.Sprintf("crash-r%02d-s%d", round, 3+i), p, base, body, 0)
		saves = append(saves, &s)
	}
	return saves
}

// save sends s and returns the status, or 0 when the connection died.
// It runs in its own goroutine, so it must not fail the test.
func (c *crashChild) save(s *crashSave) int {
	status, _, err := c.do(http.MethodPost, "/sites/"+crashSite+"/edit/"+crashEscape(s.path), url.Values{"base": {s.base}, "body": {s.body}})
	if err != nil {
		return 0
	}
	return status
}

// crashVerifier checks the repository and the database after a restart.
type crashVerifier struct {
	t         *testing.T
	c         *crashChild
	site      store.Site
	repo      *siterepo.Repo
	orig      map[string]string // the edited pages as imported
	sent      []*crashSave
	recovered int // audit entries reconcile added
}

// probe shows that Studio works after a restart: the editor opens and a
// save lands. It returns how long the save took.
func (v *crashVerifier) probe(round int) time.Duration {
	v.t.Helper()
	base, body := v.c.editForm(crashSeed)
	s := crashEdit(fmt.Sprintf("crash-r%02d-s9", round), crashSeed, base, body, -1)
	start := time.Now()
	if s.outcome = v.c.save(&s); s.outcome != http.StatusSeeOther {
		v.t.Fatalf("round %d: save: status %d, want 303 (Studio must save normally after a restart)", round, s.outcome)
	}
	took := time.Since(start)
	v.sent = append(v.sent, &s)
	return took
}

// check verifies the repository and the database against the saves sent.
func (v *crashVerifier) check(round int) {
	v.t.Helper()
	ctx := context.Background()
	t := v.t
	gitDir := v.site.RepoPath

	// 1. The repository is sound and staging is a commit.
	if out, err := exec.Command("git", "--git-dir", gitDir, "fsck", "--strict", "--no-dangling", "--no-progress").CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("round %d: git fsck: %v\n%s", round, err, out)
	}
	if out, err := exec.Command("git", "--git-dir", gitDir, "rev-parse", "--verify", "--quiet", "refs/heads/staging^{commit}").CombinedOutput(); err != nil {
		t.Errorf("round %d: staging does not resolve to a commit: %v %s", round, err, out)
	}
	if locks := gitLocks(gitDir); len(locks) > 0 {
		t.Errorf("round %d: the kill left git lock files, so every later save fails with \"cannot lock ref\": %v", round, locks)
	}

	// 2 and 3. Each edited file is its import plus whole marker lines, each
	// from a save that was sent for that file; acknowledged saves are there,
	// refused ones are not.
	sent := map[string]*crashSave{}
	for _, s := range v.sent {
		sent[s.id] = s
	}
	found := map[string]string{} // marker → file it was found in
	for p, orig := range v.orig {
		data, err := v.repo.ReadFile(ctx, siterepo.Staging, p)
		if err != nil {
			t.Errorf("round %d: %s: %v", round, p, err)
			continue
		}
		if _, err := pagefile.Parse(data); err != nil {
			t.Errorf("round %d: %s no longer parses: %v", round, p, err)
		}
		var kept []string
		for _, line := range strings.Split(string(data), "\n") {
			id := crashMarkerRE.FindString(line)
			if id == "" {
				kept = append(kept, line)
				continue
			}
			switch s := sent[id]; {
			case s == nil:
				t.Errorf("round %d: %s has marker %s, which no save sent", round, p, id)
			case line != s.line:
				t.Errorf("round %d: %s has part of save %s:\n got %q\nwant %q", round, p, id, line, s.line)
			case s.path != p:
				t.Errorf("round %d: save %s of %s landed in %s", round, id, s.path, p)
			case found[id] != "":
				t.Errorf("round %d: save %s landed twice", round, id)
			}
			found[id] = p
		}
		if got := strings.Join(kept, "\n"); got != orig {
			t.Errorf("round %d: %s changed beyond whole marker lines:\n%s", round, p, got)
		}
	}
	for _, s := range v.sent {
		switch {
		case s.outcome == http.StatusSeeOther && found[s.id] == "":
			t.Errorf("round %d: save %s was acknowledged but is not on staging: lost write", round, s.id)
		case s.outcome == http.StatusConflict && found[s.id] != "":
			t.Errorf("round %d: save %s was refused as a conflict but landed", round, s.id)
		}
	}

	// 4. Exactly one audit entry per Studio commit on staging, and no
	// content-change entry for a commit staging does not have.
	log, err := v.repo.Log(ctx, siterepo.Staging, "", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	onStaging := map[string]bool{}
	for _, c := range log {
		onStaging[c.Rev] = true
	}
	db := v.c.openDB()
	defer db.Close()
	entries := map[string]int{}
	v.recovered = 0
	for before := int64(0); ; {
		es, err := db.AuditForSite(ctx, v.site.ID, 500, before)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			before = e.ID
			if e.Action != store.ActionContentChange {
				continue
			}
			entries[e.Commit]++
			if !onStaging[e.Commit] {
				t.Errorf("round %d: audit entry %d records commit %q, which is not on staging", round, e.ID, e.Commit)
			}
			var d struct{ Recovered bool }
			if err := json.Unmarshal(e.Detail, &d); err == nil && d.Recovered {
				v.recovered++
			}
		}
		if len(es) < 500 {
			break
		}
	}
	for _, c := range log {
		if !strings.Contains("\n"+c.Message, "\nStudio-User: ") {
			continue
		}
		if n := entries[c.Rev]; n != 1 {
			t.Errorf("round %d: commit %s (%s) has %d audit entries, want 1", round, c.Rev[:12], c.Subject, n)
		}
	}
}

// gitLocks lists the lock files in a git folder: a git process that
// dies holding one (SIGKILL cannot be caught) leaves it behind, and git
// refuses to take that lock again until someone removes it.
func gitLocks(gitDir string) []string {
	var locks []string
	filepath.WalkDir(gitDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".lock") {
			locks = append(locks, p)
		}
		return nil
	})
	return locks
}
