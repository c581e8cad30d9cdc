package config

import (
	"errors"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The checks of the alert settings (settings.go lists them).

// MinWebhookSecret is the shortest webhook secret accepted: a short key can be guessed from
// signed bodies.
const MinWebhookSecret = 16

// alertBaseURL wants an absolute http(s) address without a query or fragment; links are made by
// appending paths to it, so a trailing slash is dropped.
func alertBaseURL(c *Config, v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return wantError("an http or https address such as https://bi.mari.example")
	}
	c.AlertBaseURL = strings.TrimRight(v, "/")
	return nil
}

func alertWebhookSecret(c *Config, v string) error {
	if v != "" && utf8.RuneCountInString(v) < MinWebhookSecret {
		return errors.New("want at least 16 characters (or nothing, for no webhooks)")
	}
	c.AlertWebhookSecret = v
	return nil
}

func smtpAddr(c *Config, v string) error {
	if v != "" {
		host, port, err := net.SplitHostPort(v)
		if err != nil || host == "" || port == "" {
			return errors.New("want host:port, such as smtp.mari.example:587 (or nothing, for no email)")
		}
	}
	c.SMTPAddr = v
	return nil
}

// smtpFrom is read after MARI_SMTP_ADDR: a relay needs a sender.
func smtpFrom(c *Config, v string) error {
	if v == "" {
		if c.SMTPAddr != "" {
			return errors.New("want the sender address of alert emails, such as alerts@mari.example, since MARI_SMTP_ADDR is set")
		}
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || strings.ContainsAny(v, "\r\n") {
		return errors.New("want a plain email address, such as alerts@mari.example")
	}
	c.SMTPFrom = a.Address
	return nil
}
