package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a user may do. Everyone who registers is a Customer; admins are made by an
// operator command or by the demo seed, never by registration.
type Role string

// The roles.
const (
	RoleCustomer Role = "customer"
	RoleAdmin    Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleCustomer || r == RoleAdmin }

// Email is a canonical email address: trimmed and lower-cased, so that lookups and the
// uniqueness rule see "Ann@X.org " and "ann@x.org" as one address. Use cases first pass
// input through ports.EmailNormalizer, which folds Unicode look-alikes (fullwidth letters,
// compatibility characters) that this standard-library-only package cannot.
type Email string

const maxEmailLen = 254

// CanonicalEmail returns the canonical form of s without validating it. Login uses it so
// that a malformed username simply finds nobody (and gets invalid_grant).
func CanonicalEmail(s string) Email { return Email(strings.ToLower(strings.TrimSpace(s))) }

// ParseEmail canonicalises and validates an address: a plain addr-spec (no display name),
// at most 254 bytes, with a dot-free-or-dotted domain part.
func ParseEmail(s string) (Email, error) {
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		// Checked before lower-casing, which would turn the bad bytes into U+FFFD; and
		// U+FFFD itself is what a JSON decoder makes of a lone surrogate (\ud800).
		return "", Invalid("email", "must be valid UTF-8 text")
	}
	e := CanonicalEmail(s)
	if e == "" {
		return "", Invalid("email", "is required")
	}
	if len(e) > maxEmailLen {
		return "", Invalid("email", "must be at most 254 bytes")
	}
	if strings.IndexFunc(string(e), isControlOrFormat) >= 0 {
		return "", Invalid("email", "must be a valid email address like name@example.com")
	}
	addr, err := mail.ParseAddress(string(e))
	if err != nil || addr.Name != "" || addr.Address != string(e) {
		return "", Invalid("email", "must be a valid email address like name@example.com")
	}
	at := strings.LastIndexByte(string(e), '@')
	if at <= 0 || at == len(e)-1 {
		return "", Invalid("email", "must be a valid email address like name@example.com")
	}
	return e, nil
}

// isControlOrFormat reports control characters and invisible format characters (soft
// hyphen, zero-width joiner, bidi marks), which would let two addresses look the same.
func isControlOrFormat(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// Password limits, in bytes of UTF-8: bcrypt reads at most 72 bytes, so a longer password
// would be silently truncated; we refuse it instead.
const (
	MinPasswordBytes = 8
	MaxPasswordBytes = 72
)

// Password is a plain-text password that satisfies the password rule. It only travels
// from the request to the hasher; it is never stored or logged.
type Password string

// ParsePassword checks the password rule.
func ParsePassword(s string) (Password, error) {
	switch {
	case !utf8.ValidString(s):
		return "", Invalid("password", "must be valid UTF-8 text")
	case len(s) < MinPasswordBytes:
		return "", Invalid("password", "must be at least 8 bytes long")
	case len(s) > MaxPasswordBytes:
		return "", Invalid("password", "must be at most 72 bytes long (UTF-8)")
	}
	return Password(s), nil
}

// String hides the password from accidental formatting.
func (Password) String() string { return "********" }

// ParseName trims a display name and checks it is 1..max characters without control
// characters. field names the input field in the error.
func ParseName(field, s string, max int) (string, error) {
	n := strings.TrimSpace(s)
	switch c := utf8.RuneCountInString(n); {
	case !utf8.ValidString(n):
		return "", Invalid(field, "must be valid UTF-8 text")
	case c == 0:
		return "", Invalid(field, "is required")
	case c > max:
		return "", Invalid(field, "is too long")
	}
	if strings.IndexFunc(n, unicode.IsControl) >= 0 {
		return "", Invalid(field, "must not contain control characters")
	}
	return n, nil
}

// MaxUserNameChars is the longest user name accepted.
const MaxUserNameChars = 100

// User is a registered account. PasswordHash never leaves the core and the driven
// adapters: transports map User to their own types field by field.
type User struct {
	ID           int64
	Name         string
	Email        Email
	Role         Role
	PasswordHash []byte
	CreatedAt    time.Time
	// EmailVerifiedAt is when the owner proved they receive mail at Email (zero: not
	// yet). Admin accounts made by an operator count as verified from their creation.
	EmailVerifiedAt time.Time
}

// IsAdmin reports whether u has the admin role.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// CanAccessUser reports whether u may read or delete the account with id target:
// only their own, unless they are an admin.
func (u User) CanAccessUser(target int64) bool { return u.ID == target || u.IsAdmin() }

// NewUser is a validated registration, ready to be stored once its password is hashed.
type NewUser struct {
	Name     string
	Email    Email
	Password Password
	Role     Role
}

// NewCustomer validates registration input. Every rule is checked so that a client sees
// all its mistakes at once.
func NewCustomer(name, email, password string) (NewUser, error) {
	var v ValidationError
	n, err := ParseName("name", name, MaxUserNameChars)
	v.Merge(err)
	e, err := ParseEmail(email)
	v.Merge(err)
	p, err := ParsePassword(password)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return NewUser{}, err
	}
	return NewUser{Name: n, Email: e, Password: p, Role: RoleCustomer}, nil
}

// CursorUsers is the user list's kind: by id.
var CursorUsers = NewCursorKind('u', IDAscending)

// Cursor is the position after u in the user list.
func (u User) Cursor() Cursor { return AfterID(CursorUsers, u.ID) }
