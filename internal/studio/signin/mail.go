package signin

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail captured by DevOutbox.
type Message struct {
	To, Subject, Body string
	At                time.Time
}

// DevOutbox is the Mailer used when no SMTP server is configured: it prints
// every message to the log, so on a first run the sign-in code appears in
// the terminal, and keeps the most recent ones in memory for tests. It is
// safe for concurrent use. Never use it in production: codes end up in logs.
type DevOutbox struct {
	logger *slog.Logger
	keep   int

	mu   sync.Mutex
	msgs []Message
}

// NewDevOutbox returns an outbox logging to logger (nil: log nothing) and
// keeping the last keep messages (<= 0: 100).
func NewDevOutbox(logger *slog.Logger, keep int) *DevOutbox {
	if keep <= 0 {
		keep = 100
	}
	return &DevOutbox{logger: logger, keep: keep}
}

// Send records and logs the message. It never fails.
func (o *DevOutbox) Send(ctx context.Context, to, subject, body string) error {
	m := Message{To: to, Subject: subject, Body: body, At: time.Now().UTC()}
	o.mu.Lock()
	o.msgs = append(o.msgs, m)
	if len(o.msgs) > o.keep {
		// Copy rather than reslice so the dropped messages can be freed.
		o.msgs = append([]Message(nil), o.msgs[len(o.msgs)-o.keep:]...)
	}
	o.mu.Unlock()
	if o.logger != nil {
		o.logger.InfoContext(ctx, "dev outbox: mail not sent (no SMTP configured)",
			"to", to, "subject", subject, "body", body)
	}
	return nil
}

// Messages returns a copy of the retained messages, oldest first.
func (o *DevOutbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.msgs...)
}

// Last returns the newest retained message to the address to.
func (o *DevOutbox) Last(to string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if o.msgs[i].To == to {
			return o.msgs[i], true
		}
	}
	return Message{}, false
}

// TLSMode is how SMTP protects the connection.
type TLSMode int

const (
	// TLSMandatory (the zero value) requires STARTTLS: a server or network
	// that strips it fails the send rather than leaking codes in clear.
	TLSMandatory TLSMode = iota
	// TLSOpportunistic uses STARTTLS when offered, plain text otherwise.
	TLSOpportunistic
	// TLSImplicit connects with TLS from the first byte (SMTPS, port 465).
	TLSImplicit
	// TLSNone never encrypts. Only for a relay on localhost or tests.
	TLSNone
)

// SMTP is a Mailer sending through an SMTP server with go-mail. A new
// connection is made per message: sign-in mail is rare, and this avoids
// managing a shared connection's lifetime and concurrency.
type SMTP struct {
	Host     string
	Port     int // 0: 587, or 465 with TLSImplicit
	Username string
	Password string // used with PLAIN auth when Username is set
	From     string // envelope and header sender
	TLS      TLSMode
	Timeout  time.Duration // per connection; 0: 15s
}

// Send delivers one plain-text message.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	port := s.Port
	if port == 0 {
		port = 587
		if s.TLS == TLSImplicit {
			port = 465
		}
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(timeout)}
	switch s.TLS {
	case TLSMandatory:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return fmt.Errorf("signin: smtp: unknown TLS mode %d", s.TLS)
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("signin: smtp client: %w", err)
	}
	m := gomail.NewMsg()
	if err := m.From(s.From); err != nil {
		return fmt.Errorf("signin: smtp from %q: %w", s.From, err)
	}
	if err := m.To(to); err != nil {
		return fmt.Errorf("signin: smtp to: %w", err)
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(gomail.TypeTextPlain, body)
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("signin: smtp send via %s:%d: %w", s.Host, port, err)
	}
	return nil
}
