package studio

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"isomer.dev/isomer/internal/studio/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
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

func exampleSite() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", "agency-site")
}

// run starts Studio and returns its URL and a stop function that waits for
// it to end.
func run(t *testing.T, o Options) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	o.Addr = "127.0.0.1:0"
	o.Ready = func(url string) { ready <- url }
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	select {
	case url := <-ready:
		return url, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	case err := <-done:
		cancel()
		t.Fatalf("Run ended before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("Studio did not start within a minute")
	}
	return "", nil
}

var codeRE = regexp.MustCompile(`sign-in code is (\d{6})`)

// TestFirstRun is the README's first run: the example site imported, the
// administrator's code printed, and a second start keeping both.
func TestFirstRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, dsn string) {
		data := t.TempDir()
		db := ""
		if strings.HasPrefix(dsn, "postgres") {
			db = dsn
		}
		var out syncBuffer
		url, stop := run(t, Options{DataDir: data, DatabaseURL: db, Admin: "You@Agency.gov.sg", Import: exampleSite(), Out: &out})
		res, err := http.Get(url + "/signin/code?email=you@agency.gov.sg")
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("sign-in page: %v %v", err, res)
		}
		res.Body.Close()
		stop()
		text := out.String()
		for _, want := range []string{`Imported `, `as site "agency-site"`, "Isomer Studio is running at http://127.0.0.1:", "Sign in as you@agency.gov.sg", "--- mail to you@agency.gov.sg"} {
			if !strings.Contains(text, want) {
				t.Errorf("first run output lacks %q:\n%s", want, text)
			}
		}
		if !codeRE.MatchString(text) {
			t.Errorf("first run output has no sign-in code:\n%s", text)
		}

		var again syncBuffer
		_, stop = run(t, Options{DataDir: data, DatabaseURL: db, Admin: "you@agency.gov.sg", Import: exampleSite(), Out: &again})
		stop()
		if strings.Contains(again.String(), "Imported") {
			t.Errorf("second run imported the site again:\n%s", again.String())
		}
	})
}

func TestImportNeedsAdmin(t *testing.T) {
	err := Run(context.Background(), Options{DataDir: t.TempDir(), Import: exampleSite(), Addr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "--admin") {
		t.Fatalf("Run with --import and no --admin: %v", err)
	}
}

// TestOneStudioPerDataFolder: a second Studio on the same folder is refused,
// since each repairs crash leftovers at start assuming it is alone.
func TestOneStudioPerDataFolder(t *testing.T) {
	data := t.TempDir()
	_, stop := run(t, Options{DataDir: data})
	defer stop()
	err := Run(context.Background(), Options{DataDir: data, Addr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "another Studio is already using the data folder") {
		t.Fatalf("second Run on the same data folder: %v", err)
	}
}

// TestSingleSignOn: with an OpenID Connect provider configured, an existing
// user signs in through it and lands on their sites; an unknown one is
// refused with the generic message.
func TestSingleSignOn(t *testing.T) {
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer idp.Shutdown()
	c := idp.Config()
	url, stop := run(t, Options{DataDir: t.TempDir(), Admin: "sso@agency.gov.sg",
		OIDC: OIDCOptions{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, Label: "Agency SSO"}})
	defer stop()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(u string) (int, string) {
		t.Helper()
		res, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if _, body := get(url + "/signin"); !strings.Contains(body, "Sign in with Agency SSO") {
		t.Fatal("sign-in page lacks the single sign-on button")
	}
	idp.QueueUser(&mockoidc.MockUser{Subject: "u1", Email: "SSO@agency.gov.sg", EmailVerified: true})
	status, body := get(url + "/signin/oidc")
	if status != http.StatusOK || !strings.Contains(body, "Your sites") {
		t.Fatalf("after single sign-on: %d, want the dashboard", status)
	}
	jar, _ = cookiejar.New(nil)
	client.Jar = jar
	idp.QueueUser(&mockoidc.MockUser{Subject: "u2", Email: "stranger@agency.gov.sg", EmailVerified: true})
	status, body = get(url + "/signin/oidc")
	if status != http.StatusUnauthorized || !strings.Contains(body, "Single sign-on did not work for this account") {
		t.Fatalf("unknown user through single sign-on: %d", status)
	}
}
