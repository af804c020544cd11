package devserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testLog sends the server's log to t.Log.
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// runServer runs a Server on a free loopback port until the test ends and
// returns its URL and a function that stops it and returns Run's error.
func runServer(t testing.TB, dir string) (base string, stop func() error) {
	t.Helper()
	return runServerAt(t, dir, "127.0.0.1:0")
}

func runServerAt(t testing.TB, dir, addr string) (base string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	s := &Server{
		Source:   dir,
		Listener: ln,
		Logger:   slog.New(slog.NewTextHandler(testLog{t}, nil)),
		Ready:    func(url string) { ready <- url },
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				runErr = errors.New("Run did not return within 10s of cancellation")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	select {
	case base = <-ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not start")
	}
	return strings.TrimSuffix(base, "/"), stop
}

// sse reads server-sent events.
type sse struct {
	r    *bufio.Reader
	body io.Closer
}

func openEvents(t *testing.T, base string) *sse {
	t.Helper()
	res, err := http.Get(base + "/_isomer/events")
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("events: Content-Type %q, CSP %q", ct, res.Header.Get("Content-Security-Policy"))
	}
	t.Cleanup(func() { res.Body.Close() })
	return &sse{r: bufio.NewReader(res.Body), body: res.Body}
}

// next returns the next event's name and data.
func (e *sse) next() (name, data string, err error) {
	for {
		line, err := e.r.ReadString('\n')
		if err != nil {
			return "", "", err
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && name != "":
			return name, data, nil
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func (e *sse) within(t *testing.T, d time.Duration) (string, string) {
	t.Helper()
	type ev struct {
		name, data string
		err        error
	}
	ch := make(chan ev, 1)
	go func() {
		n, d, err := e.next()
		ch <- ev{n, d, err}
	}()
	select {
	case got := <-ch:
		if got.err != nil {
			t.Fatalf("events: %v", got.err)
		}
		return got.name, got.data
	case <-time.After(d):
		e.body.Close()
		t.Fatalf("no event within %s", d)
		return "", ""
	}
}

func get(t testing.TB, client *http.Client, url string) (int, string) {
	t.Helper()
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// TestRun drives the real server: a save reaches an open event stream as
// "reload" and the new page is served; new folders are picked up; Ctrl-C
// (cancellation) ends Run promptly even with a stream open.
func TestRun(t *testing.T) {
	dir := copySite(t, nil)
	base, stop := runServer(t, dir)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	events := openEvents(t, base)
	name, v0 := events.within(t, 5*time.Second)
	if name != "hello" || v0 == "" {
		t.Fatalf("first event %q %q, want hello", name, v0)
	}
	status, body := get(t, client, base+"/privacy/")
	if status != 200 || !strings.Contains(body, `data-version="`+v0+`"`) {
		t.Fatalf("/privacy/: status %d, version %s not in page", status, v0)
	}

	start := time.Now()
	writeFile(t, dir, privacy, strings.Replace(readFile(t, dir, privacy), "This is a Government of Singapore website", "This is the EDITED website", 1))
	name, v1 := events.within(t, 10*time.Second)
	t.Logf("save → reload event in %s", time.Since(start).Round(time.Millisecond))
	if name != "reload" || v1 == v0 {
		t.Fatalf("after a save: event %q %q", name, v1)
	}
	if status, body := get(t, client, base+"/privacy/"); status != 200 || !strings.Contains(body, "This is the EDITED website") {
		t.Errorf("edited page: status %d, edit shown: %v", status, strings.Contains(body, "EDITED"))
	}

	// A page in a new folder.
	writeFile(t, dir, "extra/more/page.md", "---\ntitle: Extra\npermalink: /extra/\n---\nExtra body\n")
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body := get(t, client, base+"/extra/")
		if status == 200 && strings.Contains(body, "Extra body") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page in a new folder was never served (last status %d)", status)
		}
		time.Sleep(20 * time.Millisecond)
	}

	start = time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %s", d)
	}
	// The stream ends (after any events still buffered).
	ended := make(chan error, 1)
	go func() {
		for {
			if _, _, err := events.next(); err != nil {
				ended <- err
				return
			}
		}
	}()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		events.body.Close()
		t.Errorf("the event stream is still open after shutdown")
	}
}

func TestAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := &Server{Source: copySite(t, nil), Addr: ln.Addr().String()}
	err = s.Run(context.Background())
	if !errors.Is(err, ErrAddrInUse) || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Run on a taken port: %v", err)
	}
}

// TestConcurrentRequests sends 200 concurrent clients at the server, each
// asking for a few pages (a path with spaces and the 404 among them),
// while the site is rebuilt underneath them.
func TestConcurrentRequests(t *testing.T) {
	dir := copySite(t, nil)
	base, _ := runServer(t, dir)
	urls := []struct {
		path   string
		status int
	}{
		{"/", 200},
		{"/privacy/", 200},
		{"/images/Graphics%20/award%20badge.png", 200},
		{"/files/Publications/Annual%20Report%202023.pdf", 200},
		{"/no-such-page/", 404},
		{"/assets/search/index.json", 200},
	}
	const clients = 200
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	stopEdits := make(chan struct{})
	var edits sync.WaitGroup
	edits.Go(func() {
		orig := readFile(t, dir, privacy)
		for i := 0; ; i++ {
			select {
			case <-stopEdits:
				return
			case <-time.After(30 * time.Millisecond):
			}
			// As editors save: a whole new file renamed into place, so
			// the page never reads as empty.
			writeFile(t, dir, "pages/.privacy.tmp", orig+fmt.Sprintf("\nEdit %d\n", i))
			if err := os.Rename(filepath.Join(dir, "pages", ".privacy.tmp"), filepath.Join(dir, filepath.FromSlash(privacy))); err != nil {
				t.Error(err)
				return
			}
		}
	})

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, clients*len(urls))
	for i := range clients {
		wg.Go(func() {
			for j := range urls {
				u := urls[(i+j)%len(urls)]
				res, err := client.Get(base + u.path)
				if err != nil {
					errs <- err
					continue
				}
				n, err := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %w", u.path, err)
				case res.StatusCode != u.status:
					errs <- fmt.Errorf("%s: status %d, want %d", u.path, res.StatusCode, u.status)
				case n == 0:
					errs <- fmt.Errorf("%s: empty body", u.path)
				case res.Header.Get("Content-Security-Policy") == "":
					errs <- fmt.Errorf("%s: no CSP", u.path)
				}
			}
		})
	}
	wg.Wait()
	close(stopEdits)
	edits.Wait()
	close(errs)
	t.Logf("%d requests from %d concurrent clients in %s", clients*len(urls), clients, time.Since(start).Round(time.Millisecond))
	n := 0
	for err := range errs {
		if n++; n <= 10 {
			t.Error(err)
		}
	}
	if n > 10 {
		t.Errorf("… and %d more errors", n-10)
	}
}
