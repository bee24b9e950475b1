package usecase

import (
	"fmt"
	"strings"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// The account mails: tokens for a password reset and an email verification, and notices
// of security events. Notices carry no secret; token mails carry the token twice, as a
// link (when a front-end URL is configured) and bare, for API clients.

// tokenMail writes a mail that hands the account a token.
func tokenMail(u domain.User, subject, intro, linkBase, path string, token domain.MailToken, ttl time.Duration, endpoint string) domain.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\r\n\r\n%s\r\n\r\n", u.Name, intro)
	if linkBase != "" {
		// The token travels in the fragment: browsers send it to no server, and it stays
		// out of access logs and Referer headers; the page posts it to the API.
		fmt.Fprintf(&b, "Open this link within %s:\r\n\r\n  %s%s#token=%s\r\n\r\n", ttlText(ttl), linkBase, path, string(token))
	}
	send := "Or send"
	if linkBase == "" {
		send = "Send"
	}
	fmt.Fprintf(&b, "%s this token to %s within %s:\r\n\r\n  %s\r\n\r\n", send, endpoint, ttlText(ttl), string(token))
	b.WriteString("If you did not ask for this, ignore this mail: nothing changes.\r\n\r\n" + domain.DisplayName + "\r\n")
	return domain.Mail{To: u.Email, Subject: subject, Body: b.String()}
}

// ttlText is a lifetime in words: "30 minutes", "24 hours".
func ttlText(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d/time.Second), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// resetMail hands the account a password-reset token.
func resetMail(u domain.User, linkBase string, token domain.MailToken, ttl time.Duration) domain.Mail {
	return tokenMail(u, fmt.Sprintf("Reset your %s password", domain.DisplayName),
		"someone (we hope you) asked to reset the password of your account.", linkBase, "/reset-password", token, ttl,
		"POST /password-reset/confirm with a new password")
}

// verificationMail hands the account a token that proves it receives mail at u.Email.
func verificationMail(u domain.User, linkBase string, token domain.MailToken, ttl time.Duration) domain.Mail {
	return tokenMail(u, fmt.Sprintf("Verify your email address for %s", domain.DisplayName),
		"please confirm that this is your address.", linkBase, "/verify-email", token, ttl,
		"POST /email-verification/confirm")
}

// noticeMail tells the account of a security event; it carries no secret.
func noticeMail(u domain.User, at time.Time, subject, what string) domain.Mail {
	body := fmt.Sprintf("Hello %s,\r\n\r\n%s on %s.\r\n\r\nIf this was not you, reset your password at once "+
		"(POST /password-reset) and contact us.\r\n\r\n%s\r\n", u.Name, what, at.UTC().Format("2006-01-02 15:04 UTC"), domain.DisplayName)
	return domain.Mail{To: u.Email, Subject: subject, Body: body}
}

// The security notices.
func passwordChangedMail(u domain.User, at time.Time) domain.Mail {
	return noticeMail(u, at, fmt.Sprintf("Your %s password was changed", domain.DisplayName),
		"the password of your account was changed, and every other session signed out,")
}

func passwordResetDoneMail(u domain.User, at time.Time) domain.Mail {
	return noticeMail(u, at, fmt.Sprintf("Your %s password was reset", domain.DisplayName),
		"the password of your account was reset with a link we mailed you, and every session signed out,")
}

func refreshReuseMail(u domain.User, at time.Time) domain.Mail {
	return noticeMail(u, at, fmt.Sprintf("A %s session of yours was ended", domain.DisplayName),
		"a sign-in token of your account that had already been used was presented again (a copy of it may have "+
			"been stolen), so we ended that session,")
}
