package signin

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDevOutbox(t *testing.T) {
	var buf bytes.Buffer
	var bufMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&bufMu, &buf}, nil))
	o := NewDevOutbox(logger, 3)
	ctx := t.Context()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if err := o.Send(ctx, fmt.Sprintf("u%d@gov.sg", i), "s", "code 123456"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(o.Messages()); n != 3 {
		t.Errorf("kept %d messages, want 3", n)
	}
	if err := o.Send(ctx, "last@gov.sg", "subj", "Your code is 654321"); err != nil {
		t.Fatal(err)
	}
	m, ok := o.Last("last@gov.sg")
	if !ok || m.Subject != "subj" || m.Body != "Your code is 654321" {
		t.Errorf("Last = %+v, %v", m, ok)
	}
	if _, ok := o.Last("nobody@gov.sg"); ok {
		t.Error("Last found a message for an unknown address")
	}
	bufMu.Lock()
	out := buf.String()
	bufMu.Unlock()
	if !strings.Contains(out, "654321") || !strings.Contains(out, "last@gov.sg") {
		t.Errorf("log lacks the message: %s", out)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// fakeSMTP accepts one SMTP session on 127.0.0.1 and returns the DATA it
// received on the channel.
func fakeSMTP(t *testing.T) (port int, data <-chan string) {
	t.Helper()
	port, data, _ = fakeSMTPAuth(t, false)
	return port, data
}

// fakeSMTPAuth is fakeSMTP, optionally advertising AUTH PLAIN and
// reporting the decoded credentials it was given.
func fakeSMTPAuth(t *testing.T, auth bool) (port int, data <-chan string, creds <-chan string) {
	t.Helper()
	credCh := make(chan string, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		rd := bufio.NewReader(conn)
		say := func(s string) { fmt.Fprintf(conn, "%s\r\n", s) }
		say("220 localhost fake ESMTP")
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250-localhost")
				if auth {
					say("250-AUTH PLAIN")
				}
				say("250 8BITMIME")
			case strings.HasPrefix(cmd, "AUTH PLAIN "):
				raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line)[len("AUTH PLAIN "):])
				if err != nil {
					say("501 bad base64")
					continue
				}
				credCh <- string(raw)
				say("235 authenticated")
			case cmd == "DATA":
				say("354 go ahead")
				var b strings.Builder
				for {
					l, err := rd.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					b.WriteString(l)
				}
				ch <- b.String()
				say("250 queued")
			case cmd == "QUIT":
				say("221 bye")
				return
			default: // MAIL, RCPT, RSET, NOOP
				say("250 ok")
			}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, ch, credCh
}

func TestSMTPSend(t *testing.T) {
	port, data := fakeSMTP(t)
	m := &SMTP{Host: "127.0.0.1", Port: port, From: "studio@isomer.test", TLS: TLSNone, Timeout: 5 * time.Second}
	body := "Your Isomer Studio sign-in code is 123456 (valid 10 minutes).\n"
	if err := m.Send(t.Context(), "alice@tech.gov.sg", "Your Isomer Studio sign-in code", body); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-data:
		for _, want := range []string{"123456", "To: <alice@tech.gov.sg>", "From: <studio@isomer.test>", "Subject: Your Isomer Studio sign-in code", "text/plain"} {
			if !strings.Contains(got, want) {
				t.Errorf("DATA lacks %q:\n%s", want, got)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no DATA received")
	}
}

func TestSMTPMandatoryTLSRefusesPlainServer(t *testing.T) {
	port, _ := fakeSMTP(t) // offers no STARTTLS
	m := &SMTP{Host: "127.0.0.1", Port: port, From: "studio@isomer.test", Timeout: 5 * time.Second}
	if err := m.Send(t.Context(), "alice@tech.gov.sg", "s", "code 123456"); err == nil {
		t.Error("mandatory TLS sent over a plain connection")
	}
}

func TestSMTPAuth(t *testing.T) {
	port, data, creds := fakeSMTPAuth(t, true)
	m := &SMTP{Host: "127.0.0.1", Port: port, Username: "studio", Password: "s3cret",
		From: "studio@isomer.test", TLS: TLSNone, Timeout: 5 * time.Second}
	if err := m.Send(t.Context(), "alice@tech.gov.sg", "s", "code 123456"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-creds:
		if want := "\x00studio\x00s3cret"; got != want {
			t.Errorf("AUTH PLAIN = %q, want %q", got, want)
		}
	default:
		t.Error("client did not authenticate")
	}
	select {
	case got := <-data:
		if !strings.Contains(got, "123456") {
			t.Errorf("DATA lacks the code:\n%s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no DATA received")
	}
}
