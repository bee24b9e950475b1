package smtp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/adapters/smtp"
	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
	"github.com/hexashop/hexashop/test/smtptest"
)

func mailer(t *testing.T, srv *smtptest.Server, query string) *smtp.Mailer {
	t.Helper()
	cfg, err := smtp.ParseURL("smtp://"+srv.Addr+query, "shop@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	return smtp.New(cfg)
}

func TestSendDeliversReadableMail(t *testing.T) {
	srv := smtptest.Start(t)
	m := mailer(t, srv, "")
	err := m.Send(context.Background(), domain.Mail{
		To: "ann@example.org", Subject: "Your order #7 – ✓", Body: "Hello Ann,\r\nTotal: 12.50 EUR ✓\r\n.\r\nend",
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := msgs[0]
	if got.From != "shop@example.com" || len(got.To) != 1 || got.To[0] != "ann@example.org" {
		t.Fatalf("envelope = %+v", got)
	}
	if got.Header("To") != "ann@example.org" || got.Header("Message-Id") == "" || got.Header("Date") == "" {
		t.Errorf("headers:\n%s", got.Raw)
	}
	if !strings.Contains(got.Raw, "Subject: =?utf-8?") {
		t.Errorf("non-ASCII subject not encoded:\n%s", got.Raw)
	}
	if body := strings.TrimSuffix(got.Body(), "\r\n"); body != "Hello Ann,\r\nTotal: 12.50 EUR ✓\r\n.\r\nend" {
		t.Errorf("body = %q", body)
	}
}

func TestSendReportsRefusal(t *testing.T) {
	srv := smtptest.Start(t)
	srv.Refuse(true)
	if err := mailer(t, srv, "").Send(context.Background(), domain.Mail{To: "a@b.c"}); err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("refused send: err = %v, want the 451", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("a refused mail was recorded")
	}
}

func TestUnknownRecipientIsAPermanentRejection(t *testing.T) {
	srv := smtptest.Start(t)
	srv.RejectRecipient("ghost@example.com")
	err := mailer(t, srv, "").Send(context.Background(), domain.Mail{To: "ghost@example.com"})
	if !errors.Is(err, ports.ErrMailRejected) || !strings.Contains(err.Error(), "550") {
		t.Fatalf("err = %v, want ErrMailRejected with the 550", err)
	}
	srv.Refuse(true) // 451 to MAIL FROM: temporary
	if err := mailer(t, srv, "").Send(context.Background(), domain.Mail{To: "a@b.c"}); err == nil || errors.Is(err, ports.ErrMailRejected) {
		t.Fatalf("451: err = %v, want a retryable error", err)
	}
}

func TestStartTLSRequiredRefusesPlainServers(t *testing.T) {
	srv := smtptest.Start(t)
	err := mailer(t, srv, "?starttls=required").Send(context.Background(), domain.Mail{To: "a@b.c"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS refusal", err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("mail sent in the clear although STARTTLS was required")
	}
}

func TestSendFailsFastWhenNobodyListens(t *testing.T) {
	cfg, _ := smtp.ParseURL("smtp://127.0.0.1:1", "shop@example.com")
	if err := smtp.New(cfg).Send(context.Background(), domain.Mail{To: "a@b.c"}); err == nil {
		t.Fatal("send to a closed port succeeded")
	}
}

func TestParseURL(t *testing.T) {
	cfg, err := smtp.ParseURL("smtp://user:p%40ss@mail.example.com:2525?starttls=required", "f@x.y")
	if err != nil || cfg.Host != "mail.example.com" || cfg.Port != 2525 || cfg.Username != "user" ||
		cfg.Password != "p@ss" || cfg.StartTLS != smtp.StartTLSRequired || cfg.From != "f@x.y" {
		t.Fatalf("ParseURL = %+v, %v", cfg, err)
	}
	if cfg, _ := smtp.ParseURL("smtp://mail.example.com", "f@x.y"); cfg.Port != 587 || cfg.StartTLS != smtp.StartTLSAuto {
		t.Errorf("defaults = %+v", cfg)
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h:99999", "smtp://h?starttls=maybe", "::"} {
		if _, err := smtp.ParseURL(bad, "f@x.y"); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}
