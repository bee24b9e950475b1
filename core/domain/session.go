package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Session is one sign-in of a user: created by a password login, extended by each
// refresh, ended by sign-out, revocation, a password change or reuse of a spent refresh
// token. Access tokens name their session (sid) and die with it.
type Session struct {
	ID            int64
	UserID        int64
	CreatedAt     time.Time
	LastUsedAt    time.Time // the login or the latest refresh
	IdleExpiresAt time.Time // LastUsedAt + the idle timeout
	ExpiresAt     time.Time // CreatedAt + the absolute lifetime; refreshes never move it
	UserAgent     string
	ClientID      string // the OAuth2 client_id of the login, carried by its access tokens
	// PreviousTokenHash is the hash of the refresh token the latest rotation spent (nil
	// before the first): the only spent token that gets the reuse grace.
	PreviousTokenHash []byte
}

// Live reports whether s may still be used at now.
func (s Session) Live(now time.Time) bool {
	return now.Before(s.IdleExpiresAt) && now.Before(s.ExpiresAt)
}

// ValidClientID accepts an OAuth2 client_id of 1..64 letters, digits and . _ : - (what a
// client registry hands out; nothing a log or a token reader could misread).
func ValidClientID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// MaxUserAgentChars bounds the user agent kept with a session.
const MaxUserAgentChars = 200

// CleanUserAgent makes a client's User-Agent storable: valid UTF-8 without control
// characters, at most MaxUserAgentChars characters.
func CleanUserAgent(s string) string {
	out := make([]rune, 0, min(len(s), MaxUserAgentChars))
	for _, r := range s {
		if len(out) == MaxUserAgentChars {
			break
		}
		if r == '\uFFFD' || isControlOrFormat(r) {
			continue // also drops the U+FFFD that ranging over invalid UTF-8 yields
		}
		out = append(out, r)
	}
	return string(out)
}

// RefreshToken is an opaque refresh token as the client holds it: 256 random bits,
// base64url. The service keeps only its hash.
type RefreshToken string

// NewRefreshToken draws a fresh token.
func NewRefreshToken() RefreshToken {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go >= 1.24)
	return RefreshToken(base64.RawURLEncoding.EncodeToString(b[:]))
}

// Hash is what storage keeps of the token: its SHA-256. A stolen database copy yields no
// usable token; SHA-256 suffices (no salt or slow hash) because the token is 256 random
// bits, not a guessable password.
func (t RefreshToken) Hash() []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// String hides the token from accidental formatting (logs).
func (RefreshToken) String() string { return "********" }

// RefreshGrant is what the store knows of a presented refresh token.
type RefreshGrant struct {
	SessionID int64
	UserID    int64
	IssuedAt  time.Time
	SpentAt   time.Time // zero while unspent
}

// Session errors.
var (
	// ErrInvalidGrant: an unknown, spent, revoked or expired refresh token (OAuth2
	// invalid_grant, as for bad credentials).
	ErrInvalidGrant = &Error{Kind: KindUnauthenticated, Code: "invalid_refresh_token", Detail: "the refresh token is invalid, expired or revoked"}
	// ErrWrongPassword: the current password given to change it is not the account's.
	ErrWrongPassword = &Error{Kind: KindForbidden, Code: "wrong_password", Detail: "current_password is not your password"}
)

// CursorSessions is a user's session list's kind: newest first.
var CursorSessions = NewCursorKind('s', IDDescending)

// Cursor is the position after s in a user's session list (newest first).
func (s Session) Cursor() Cursor { return AfterID(CursorSessions, s.ID) }
