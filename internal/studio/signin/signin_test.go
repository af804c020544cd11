package signin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"isomer.dev/isomer/internal/studio/store"
	"isomer.dev/isomer/internal/studio/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	svc   *Service
	db    *store.DB
	path  string
	out   *DevOutbox
	clk   *clock
	alice store.User
}

const aliceEmail = "alice@tech.gov.sg"

// forEachEngine runs fn on a fresh environment per database engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.ForEach(t, func(t *testing.T, dsn string) { fn(t, newEnv(t, dsn)) })
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	ctx := t.Context()
	path := dsn
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Start mid-window so rate windows do not roll over during a test.
	clk := &clock{t: time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC)}
	db.Now = clk.Now
	alice, err := db.CreateUser(ctx, "Alice@Tech.gov.sg", "Alice")
	if err != nil {
		t.Fatal(err)
	}
	out := NewDevOutbox(nil, 0)
	svc := &Service{
		Store:          db,
		Mailer:         out,
		Key:            []byte("0123456789abcdef0123456789abcdef"),
		AllowedDomains: []string{"gov.sg"},
	}
	return &env{svc: svc, db: db, path: path, out: out, clk: clk, alice: alice}
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

func (e *env) code(t *testing.T, to string) string {
	t.Helper()
	m, ok := e.out.Last(to)
	if !ok {
		t.Fatalf("no mail to %s", to)
	}
	sm := codeRE.FindStringSubmatch(m.Body)
	if sm == nil {
		t.Fatalf("no code in %q", m.Body)
	}
	return sm[1]
}

func (e *env) request(t *testing.T, email string) string {
	t.Helper()
	if err := e.svc.RequestCode(t.Context(), email, "192.0.2.1"); err != nil {
		t.Fatalf("RequestCode(%q): %v", email, err)
	}
	return e.code(t, email)
}

// otherCode returns a six-digit code different from c.
func otherCode(c string) string {
	if c == "000000" {
		return "000001"
	}
	return "000000"
}

type auditRow struct {
	Action string
	Actor  int64 // 0 for none
}

func (e *env) audit(t *testing.T) []auditRow {
	t.Helper()
	// The store has no reader for platform-level (site-less) entries, so
	// read the real table through a second connection to the same database.
	driver, src := "sqlite", "file:"+e.path+"?mode=ro"
	if strings.HasPrefix(e.path, "postgres") {
		driver, src = "pgx", e.path
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT action, COALESCE(actor_user_id, 0) FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.Action, &r.Actor); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHappyPath(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		if err := e.svc.RequestCode(ctx, "  ALICE@tech.gov.sg ", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		code := e.code(t, aliceEmail)
		m, _ := e.out.Last(aliceEmail)
		if want := "Your Isomer Studio sign-in code is " + code + " (valid 10 minutes)"; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(m.Body) {
			t.Errorf("body = %q, want it to contain %q", m.Body, want)
		}
		u, err := e.svc.Verify(ctx, aliceEmail, code[:3]+" "+code[3:], "192.0.2.1")
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if diff := cmp.Diff(e.alice, u); diff != "" {
			t.Errorf("user (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]auditRow{{store.ActionSignIn, e.alice.ID}}, e.audit(t)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

func TestSingleUse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		code := e.request(t, aliceEmail)
		if _, err := e.svc.Verify(t.Context(), aliceEmail, code, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Verify(t.Context(), aliceEmail, code, "192.0.2.1"); !errors.Is(err, ErrNoCode) {
			t.Errorf("reuse: %v, want ErrNoCode", err)
		}
	})
}

func TestWrongCodesLockOut(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		code := e.request(t, aliceEmail)
		for i := range 5 {
			if _, err := e.svc.Verify(t.Context(), aliceEmail, otherCode(code), "192.0.2.1"); !errors.Is(err, ErrWrongCode) {
				t.Fatalf("attempt %d: %v, want ErrWrongCode", i+1, err)
			}
		}
		if _, err := e.svc.Verify(t.Context(), aliceEmail, code, "192.0.2.1"); !errors.Is(err, ErrLocked) {
			t.Errorf("right code after lockout: %v, want ErrLocked", err)
		}
		// A fresh code unlocks.
		code = e.request(t, aliceEmail)
		if _, err := e.svc.Verify(t.Context(), aliceEmail, code, "192.0.2.1"); err != nil {
			t.Errorf("new code after lockout: %v", err)
		}
	})
}

func TestCodeExpires(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		code := e.request(t, aliceEmail)
		e.clk.Add(10*time.Minute + time.Millisecond)
		if _, err := e.svc.Verify(t.Context(), aliceEmail, code, "192.0.2.1"); !errors.Is(err, ErrNoCode) {
			t.Errorf("expired: %v, want ErrNoCode", err)
		}

		code = e.request(t, aliceEmail)
		e.clk.Add(10*time.Minute - time.Second)
		if _, err := e.svc.Verify(t.Context(), aliceEmail, code, "192.0.2.1"); err != nil {
			t.Errorf("just before expiry: %v", err)
		}
	})
}

func TestNewRequestSupersedes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		old := e.request(t, aliceEmail)
		var fresh string
		for {
			fresh = e.request(t, aliceEmail)
			if fresh != old { // 1 in a million they collide; ask again
				break
			}
		}
		if _, err := e.svc.Verify(t.Context(), aliceEmail, old, "192.0.2.1"); !errors.Is(err, ErrWrongCode) {
			t.Errorf("old code: %v, want ErrWrongCode", err)
		}
		if _, err := e.svc.Verify(t.Context(), aliceEmail, fresh, "192.0.2.1"); err != nil {
			t.Errorf("new code: %v", err)
		}
	})
}

func TestDomainAllowList(t *testing.T) {
	s := &Service{AllowedDomains: []string{"gov.sg", " .Example.ORG "}}
	for addr, want := range map[string]bool{
		"a@gov.sg":           true,
		"a@tech.gov.sg":      true,
		"a@x.y.gov.sg":       true,
		"a@evilgov.sg":       false,
		"a@gov.sg.evil.com":  false,
		"a@sg":               false,
		"a@example.org":      true,
		"a@mail.example.org": true,
		"a@notexample.org":   false,
		"a@gmail.com":        false,
	} {
		if got := s.DomainAllowed(addr); got != want {
			t.Errorf("DomainAllowed(%q) = %v, want %v", addr, got, want)
		}
	}
	if !(&Service{}).DomainAllowed("a@anything.com") {
		t.Error("empty allow-list should allow any domain")
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Bob@Tech.GOV.sg ": "bob@tech.gov.sg",
		"bob@gov.sg":        "bob@gov.sg",
	} {
		got, err := NormalizeEmail(in)
		if err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "bob", "bob@", "@gov.sg", "Bob <bob@gov.sg>", "a@b@gov.sg", "bob@gov.sg.", "bob@localhost", "bob@.gov.sg", "bob@gov.sg\r\nBcc: x@y.z"} {
		if got, err := NormalizeEmail(in); !errors.Is(err, ErrInvalidEmail) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want ErrInvalidEmail", in, got, err)
		}
	}
}

func TestNoEnumeration(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		for _, addr := range []string{"bob@tech.gov.sg", "alice@evilgov.sg", "mallory@gmail.com"} {
			if err := e.svc.RequestCode(ctx, addr, "192.0.2.7"); err != nil {
				t.Errorf("RequestCode(%q) = %v, want nil like a real user", addr, err)
			}
			if _, err := e.svc.Verify(ctx, addr, "123456", "192.0.2.7"); !errors.Is(err, ErrNoCode) {
				t.Errorf("Verify(%q) = %v, want ErrNoCode", addr, err)
			}
		}
		if n := len(e.out.Messages()); n != 0 {
			t.Errorf("%d messages sent, want 0", n)
		}
		var refused int
		for _, r := range e.audit(t) {
			if r.Action == ActionCodeRefused {
				refused++
			}
		}
		if refused != 3 {
			t.Errorf("%d %s audit rows, want 3", refused, ActionCodeRefused)
		}
		// Even outside the allowed domains, an existing user gets nothing.
		if _, err := e.db.CreateUser(ctx, "eve@gmail.com", "Eve"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RequestCode(ctx, "eve@gmail.com", "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.out.Messages()); n != 0 {
			t.Errorf("outside-domain user got %d messages", n)
		}
	})
}

func TestRateLimitPerEmail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		for i := range 5 {
			// Different IPs, so only the per-address limit applies.
			if err := e.svc.RequestCode(ctx, aliceEmail, fmt.Sprintf("192.0.2.%d", i+1)); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		if err := e.svc.RequestCode(ctx, aliceEmail, "198.51.100.1"); !errors.Is(err, ErrRateLimited) {
			t.Errorf("6th request: %v, want ErrRateLimited", err)
		}
		// Unknown addresses are limited the same way (no enumeration via 429s).
		for range 5 {
			if err := e.svc.RequestCode(ctx, "ghost@gov.sg", "198.51.100.2"); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.RequestCode(ctx, "ghost@gov.sg", "198.51.100.3"); !errors.Is(err, ErrRateLimited) {
			t.Errorf("unknown 6th: %v, want ErrRateLimited", err)
		}
		e.clk.Add(15 * time.Minute)
		if err := e.svc.RequestCode(ctx, aliceEmail, "198.51.100.1"); err != nil {
			t.Errorf("next window: %v", err)
		}
	})
}

func TestRateLimitPerIP(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		for i := range 20 {
			if err := e.svc.RequestCode(ctx, fmt.Sprintf("u%d@gov.sg", i), "203.0.113.9"); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		if err := e.svc.RequestCode(ctx, aliceEmail, "203.0.113.9"); !errors.Is(err, ErrRateLimited) {
			t.Errorf("21st request from IP: %v, want ErrRateLimited", err)
		}
		if len(e.out.Messages()) != 0 {
			t.Error("rate-limited request sent mail")
		}
		if err := e.svc.RequestCode(ctx, aliceEmail, "203.0.113.10"); err != nil {
			t.Errorf("other IP: %v", err)
		}
		for i := range 30 {
			if _, err := e.svc.Verify(ctx, "x@gov.sg", "000000", "203.0.113.11"); !errors.Is(err, ErrNoCode) {
				t.Fatalf("verify %d: %v", i+1, err)
			}
		}
		code := e.code(t, aliceEmail)
		if _, err := e.svc.Verify(ctx, aliceEmail, code, "203.0.113.11"); !errors.Is(err, ErrRateLimited) {
			t.Errorf("31st verify from IP: %v, want ErrRateLimited", err)
		}
	})
}

// TestRateLimitConcurrent fires 1,000 simultaneous code requests from one
// IP, each for a different address so only the per-IP limit binds.
func TestRateLimitConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		var ok, limited, other atomic.Int64
		var wg sync.WaitGroup
		for i := range 1000 {
			wg.Go(func() {
				err := e.svc.RequestCode(context.Background(), fmt.Sprintf("u%d@gov.sg", i), "127.0.0.1")
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrRateLimited):
					limited.Add(1)
				default:
					other.Add(1)
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != DefaultCodesPerIP || limited.Load() != 1000-DefaultCodesPerIP || other.Load() != 0 {
			t.Errorf("ok=%d limited=%d other=%d, want %d/%d/0", ok.Load(), limited.Load(), other.Load(), DefaultCodesPerIP, 1000-DefaultCodesPerIP)
		}
	})
}

// TestRateLimitLoopbackHTTP drives 1,000 verification requests through a
// real HTTP server on 127.0.0.1, the IP taken from RemoteAddr as a handler
// would, and checks exactly VerifiesPerIP get past the limiter.
func TestRateLimitLoopbackHTTP(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_, err = e.svc.Verify(r.Context(), "x@gov.sg", "000000", ip)
			switch {
			case errors.Is(err, ErrRateLimited):
				w.WriteHeader(http.StatusTooManyRequests)
			case errors.Is(err, ErrNoCode):
				w.WriteHeader(http.StatusUnauthorized)
			default:
				http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
			}
		}))
		defer srv.Close()
		client := srv.Client()
		var mu sync.Mutex
		codes := map[int]int{}
		jobs := make(chan struct{})
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for range jobs {
					resp, err := client.Post(srv.URL, "text/plain", nil)
					if err != nil {
						t.Error(err)
						continue
					}
					resp.Body.Close()
					mu.Lock()
					codes[resp.StatusCode]++
					mu.Unlock()
				}
			})
		}
		for range 1000 {
			jobs <- struct{}{}
		}
		close(jobs)
		wg.Wait()
		want := map[int]int{http.StatusUnauthorized: DefaultVerifiesPerIP, http.StatusTooManyRequests: 1000 - DefaultVerifiesPerIP}
		if diff := cmp.Diff(want, codes); diff != "" {
			t.Errorf("status counts (-want +got):\n%s", diff)
		}
	})
}

func TestAuditSignIns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		code := e.request(t, aliceEmail)
		if _, err := e.svc.Verify(ctx, aliceEmail, otherCode(code), "192.0.2.1"); !errors.Is(err, ErrWrongCode) {
			t.Fatal(err)
		}
		if _, err := e.svc.Verify(ctx, aliceEmail, code, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Verify(ctx, "ghost@gov.sg", "123456", "192.0.2.1"); !errors.Is(err, ErrNoCode) {
			t.Fatal(err)
		}
		want := []auditRow{
			{store.ActionSignInFailed, e.alice.ID},
			{store.ActionSignIn, e.alice.ID},
			{store.ActionSignInFailed, 0},
		}
		if diff := cmp.Diff(want, e.audit(t)); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

func TestMisconfigured(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.svc.Key = []byte("short")
		if err := e.svc.RequestCode(t.Context(), aliceEmail, "192.0.2.1"); !errors.Is(err, ErrMisconfigured) {
			t.Errorf("short key: %v", err)
		}
	})
}

type failMailer struct{}

func (failMailer) Send(context.Context, string, string, string) error {
	return errors.New("relay down")
}

func TestSendFailureIsReported(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.svc.Mailer = failMailer{}
		if err := e.svc.RequestCode(t.Context(), aliceEmail, "192.0.2.1"); err == nil {
			t.Error("RequestCode with a failing mailer returned nil")
		}
	})
}
