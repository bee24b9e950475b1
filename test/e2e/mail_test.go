package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hexashop/hexashop/test/smtptest"
)

// mailsAbout returns the messages srv accepted whose Subject contains about (accounts
// get mail of their own, such as verification links, beside what a test looks for).
func mailsAbout(srv *smtptest.Server, about string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range srv.Messages() {
		if strings.Contains(m.Header("Subject"), about) {
			out = append(out, m)
		}
	}
	return out
}

// waitMailAbout waits (up to 20 s) until at least n messages about about arrived, and
// returns them.
func waitMailAbout(t *testing.T, srv *smtptest.Server, about string, n int) []smtptest.Message {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for len(mailsAbout(srv, about)) < n {
		select {
		case <-srv.Arrived():
		case <-deadline:
			t.Fatalf("%d mails about %q arrived within 20s, want %d", len(mailsAbout(srv, about)), about, n)
		}
	}
	return mailsAbout(srv, about)
}

// withSMTP sends mail to the given test SMTP server.
func withSMTP(addr string) option {
	return func(env map[string]string) {
		env["SMTP_URL"] = "smtp://" + addr
		env["MAIL_FROM"] = "shop@hexashop.test"
	}
}
