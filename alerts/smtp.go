package alerts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Mailer sends an email.
type Mailer interface {
	Send(ctx context.Context, to []string, subject, text string) error
}

// SMTP sends email through a relay (MARI_SMTP_*): STARTTLS whenever the relay offers it, and
// PLAIN sign-in when a user name is set, which net/smtp sends only over TLS or to a relay on
// this host.
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// TLS is the configuration of STARTTLS; nil verifies the relay's certificate against its
	// host name.
	TLS *tls.Config
	// Hostname is the name this side gives in EHLO; "" is "localhost".
	Hostname string
}

// Send sends one plain-text email (UTF-8, quoted-printable) to every address of to. It gives up
// at ctx's deadline, or after 30 s.
func (m SMTP) Send(ctx context.Context, to []string, subject, text string) error {
	if m.Addr == "" || m.From == "" {
		return errors.New("no SMTP relay is configured (MARI_SMTP_ADDR and MARI_SMTP_FROM)")
	}
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return err
	}
	msg, err := message(m.From, to, subject, text, time.Now())
	if err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("SMTP relay %s: %w", m.Addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("SMTP relay %s: %w", m.Addr, err)
	}
	defer c.Close()
	name := m.Hostname
	if name == "" {
		name = "localhost"
	}
	if err := c.Hello(name); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if m.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the SMTP relay does not offer sign-in (AUTH), but MARI_SMTP_USERNAME is set")
		}
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("SMTP sign-in: %w", err)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return fmt.Errorf("SMTP RCPT TO %s: %w", rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	return c.Quit()
}

// message is the email: headers (the subject MIME-encoded, since rule names may be in any
// language) and the text, quoted-printable with CRLF line ends.
func message(from string, to []string, subject, text string, at time.Time) ([]byte, error) {
	for _, a := range append([]string{from}, to...) {
		if strings.ContainsAny(a, "\r\n") {
			return nil, errors.New("an email address contains a line break")
		}
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", "Mari BI alerts <"+from+">")
	h("To", strings.Join(to, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", subject))
	h("Date", at.Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(id[:])+"@mari-bi>")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
