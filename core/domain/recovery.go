package domain

import "time"

// TokenPurpose is what a mailed account token is for.
type TokenPurpose string

// The purposes of mailed account tokens.
const (
	PurposePasswordReset     TokenPurpose = "password_reset"
	PurposeEmailVerification TokenPurpose = "email_verification"
)

// MailToken is a single-use token sent to an account's address (a password reset or an
// email verification): 256 random bits, base64url, stored only as its SHA-256, exactly as
// a refresh token (NewRefreshToken makes one, Hash hashes it, String hides it).
type MailToken = RefreshToken

// AccountToken is what the store keeps of a mailed token: its hash, whose and what for,
// the address it was sent to (a verification proves that address, not a later one), and
// its lifetime. An account has at most one live token per purpose: a new one supersedes.
type AccountToken struct {
	Hash      []byte
	UserID    int64
	Purpose   TokenPurpose
	Email     Email
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Live reports whether t can still be used at now.
func (t AccountToken) Live(now time.Time) bool { return now.Before(t.ExpiresAt) }

// EmailVerified reports whether u proved they own their current address.
func (u User) EmailVerified() bool { return !u.EmailVerifiedAt.IsZero() }

// Account recovery errors. An unknown, spent, superseded and expired token are one error,
// so that an answer says nothing about which.
var (
	ErrInvalidResetToken = &Error{Kind: KindRejected, Code: "invalid_reset_token",
		Detail: "the password reset token is invalid, used, replaced by a newer one or expired: ask for a new one"}
	ErrInvalidVerificationToken = &Error{Kind: KindRejected, Code: "invalid_verification_token",
		Detail: "the verification token is invalid, used, replaced by a newer one or expired: ask for a new one"}
	ErrEmailUnverified = &Error{Kind: KindForbidden, Code: "email_unverified",
		Detail: "verify your email address first: POST /user/me/email/verification sends a new link"}
	ErrAlreadyVerified = &Error{Kind: KindConflict, Code: "already_verified", Detail: "your email address is verified already"}
)
