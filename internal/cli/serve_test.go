package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runServe runs the serve command by itself, so these tests do not depend
// on how Run registers it.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a := &app{stdout: stdout, stderr: stderr}
	cmd := a.serveCommand()
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	return cmd.ExecuteContext(ctx)
}

func TestServe(t *testing.T) {
	site := filepath.Join(t.TempDir(), "site")
	writeSite(t, site, goodSite)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, []string{site, "--port", "0"}, &stdout, &stderr) }()

	urlRE := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/) `)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v; stderr: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed: %q", stdout.String())
		}
	}
	res, err := http.Get(base + "good/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Still built") || res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /good/: status %d", res.StatusCode)
	}
	if !strings.Contains(stderr.String(), "built 4 pages") {
		t.Errorf("build time not logged: %q", stderr.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after Ctrl-C: %v, want success; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeUsageErrors(t *testing.T) {
	site := filepath.Join(t.TempDir(), "site")
	writeSite(t, site, goodSite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{site, "--port", port}, "port " + port + " on 127.0.0.1 is already in use"},
		{[]string{site, "--env", "qa"}, "--env must be production or staging"},
		{[]string{filepath.Join(site, "missing"), "--port", "0"}, "site folder"},
	} {
		var stdout, stderr bytes.Buffer
		err := runServe(context.Background(), tc.args, &stdout, &stderr)
		if err == nil || errors.Is(err, errProblems) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v; want a usage failure saying %q", tc.args, err, tc.want)
		}
	}
}
