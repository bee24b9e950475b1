// Package smtp is the ports.Mailer that delivers through an SMTP server, with STARTTLS
// and PLAIN authentication, using the standard library's net/smtp.
package smtp

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
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// StartTLS says when to upgrade the connection with STARTTLS.
type StartTLS string

// STARTTLS modes.
const (
	StartTLSAuto     StartTLS = "auto"     // when the server offers it (default)
	StartTLSRequired StartTLS = "required" // refuse to send otherwise
	StartTLSOff      StartTLS = "off"      // never (for a local relay)
)

// Config is where and how to deliver.
type Config struct {
	Host     string
	Port     int
	Username string // empty: no AUTH
	Password string
	From     string
	StartTLS StartTLS
	Timeout  time.Duration // for the whole conversation; 0 means 30 s
	TLS      *tls.Config   // nil: verify the server as Host
}

// ParseURL reads smtp://user:pass@host:port?starttls=auto|required|off (port 587 when
// omitted). Credentials are optional.
func ParseURL(raw, from string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("not a URL")
	}
	if u.Scheme != "smtp" || u.Hostname() == "" {
		return Config{}, errors.New("must look like smtp://user:pass@host:port")
	}
	cfg := Config{Host: u.Hostname(), Port: 587, From: from, StartTLS: StartTLSAuto}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil || cfg.Port < 1 || cfg.Port > 65535 {
			return Config{}, fmt.Errorf("bad port %q", p)
		}
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if m := u.Query().Get("starttls"); m != "" {
		cfg.StartTLS = StartTLS(m)
		if cfg.StartTLS != StartTLSAuto && cfg.StartTLS != StartTLSRequired && cfg.StartTLS != StartTLSOff {
			return Config{}, fmt.Errorf("starttls must be auto, required or off, not %q", m)
		}
	}
	return cfg, nil
}

// Mailer sends through one SMTP server, one connection per mail.
type Mailer struct{ cfg Config }

var _ ports.Mailer = (*Mailer)(nil)

// New returns a Mailer for cfg.
func New(cfg Config) *Mailer {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Mailer{cfg: cfg}
}

// Send implements ports.Mailer. It returns nil only after the server accepted the
// message (250 after DATA).
func (m *Mailer) Send(ctx context.Context, mail domain.Mail) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	addr := net.JoinHostPort(m.cfg.Host, strconv.Itoa(m.cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if err := m.converse(c, mail); err != nil {
		return err
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return nil
}

func (m *Mailer) converse(c *smtp.Client, mail domain.Mail) error {
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && m.cfg.StartTLS != StartTLSOff {
		tlsCfg := m.cfg.TLS
		if tlsCfg == nil {
			tlsCfg = &tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	} else if m.cfg.StartTLS == StartTLSRequired {
		return errors.New("smtp: the server does not offer STARTTLS, which SMTP_URL requires")
	}
	if m.cfg.Username != "" {
		// PlainAuth refuses to send the password over an unencrypted connection to
		// anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(m.cfg.From); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(string(mail.To)); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", permanent(err))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	msg, err := m.message(mail)
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp message refused: %w", permanent(err))
	}
	return nil
}

// permanent marks a 5xx answer to RCPT TO or to the message itself as a refusal of this
// message for good. A 5xx elsewhere (AUTH, MAIL FROM) means our configuration is wrong,
// which every message would hit: those stay retryable, so no mail is dropped for it.
func permanent(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return fmt.Errorf("%w: %w", ports.ErrMailRejected, err)
	}
	return err
}

// message renders mail as RFC 5322 text: UTF-8, quoted-printable body, encoded subject.
func (m *Mailer) message(mail domain.Mail) ([]byte, error) {
	var id [12]byte
	_, _ = rand.Read(id[:])
	host := m.cfg.From[strings.LastIndexByte(m.cfg.From, '@')+1:]
	var b bytes.Buffer
	header := func(k, v string) {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v) // no header injection
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	header("From", m.cfg.From)
	header("To", string(mail.To))
	header("Subject", mime.QEncoding.Encode("utf-8", mail.Subject))
	header("Date", time.Now().UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+host+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(mail.Body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
