package ports

// Accounts and sessions: registration, login, tokens, throttling.

import (
	"context"
	"crypto"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

// LoginInput is a password login as a client sent it.
type LoginInput struct {
	Username   string
	Password   string
	ClientAddr string // the client's network address, as far as the transport can tell
	UserAgent  string // kept with the session, for the user's list of sessions
	ClientID   string // the OAuth2 client_id the client named ("": the configured default)
}

// TokenPair is what a login or a refresh gives: an access token and the session's new
// refresh token.
type TokenPair struct {
	Access  AccessToken
	Refresh domain.RefreshToken
}

// Principal is the caller an access token stands for: the user and the session.
type Principal struct {
	User      domain.User
	SessionID int64
}

// RegisterInput is a registration as a client sent it.
type RegisterInput struct {
	Name       string
	Email      string
	Password   string
	ClientAddr string
}

// Auth is the login use case (OAuth2 password grant) and the resolution of a bearer token
// to the user it belongs to.
type Auth interface {
	// Login returns a token for valid credentials, or domain.ErrInvalidCredentials for an
	// unknown email, a wrong password or a deleted account alike, taking the same time.
	// Too many recent failures for the account or from the address give an error
	// matching domain.ErrThrottled, decided before any password work.
	// A successful login starts a session.
	Login(ctx context.Context, in LoginInput) (TokenPair, error)
	// Refresh spends a refresh token and returns new tokens of its session. An unknown,
	// expired or spent token is domain.ErrInvalidGrant; a spent one (past a short grace
	// for the immediately previous token) also ends its whole session.
	Refresh(ctx context.Context, token domain.RefreshToken) (TokenPair, error)
	// Revoke ends the session of a refresh token; an unknown token is no error.
	Revoke(ctx context.Context, token domain.RefreshToken) error
	// Authenticate returns the live user and live session an access token names, with
	// the role read from storage, or domain.ErrInvalidToken (also when the user was
	// deleted or the session ended since the token was issued).
	Authenticate(ctx context.Context, token string) (Principal, error)
	// PublishedKeys is the public key set that verifies access tokens (a JWK Set
	// document) and a strong validator of it.
	PublishedKeys() (doc []byte, etag string, err error)
}

// Sessions are the caller's own sessions.
type Sessions interface {
	// List returns a page of the caller's live sessions, newest first.
	List(ctx context.Context, p Principal, page domain.PageRequest) (domain.Page[domain.Session], error)
	// End ends one of them (the current one too); domain.ErrNotFound for any other id.
	End(ctx context.Context, p Principal, id int64) error
	// EndAll ends every one of them, the current one included.
	EndAll(ctx context.Context, p Principal) error
}

// ChangePasswordInput is a password change as the client sent it.
type ChangePasswordInput struct {
	Current, New string
	ClientAddr   string
}

// Users are the account use cases. actor is the authenticated caller.
type Users interface {
	// Register creates a customer account. Too many registrations from one address give
	// domain.ErrThrottled.
	Register(ctx context.Context, in RegisterInput) (domain.User, error)
	// Get returns the user id if actor is that user or an admin; otherwise ErrNotFound,
	// exactly as for a missing id.
	Get(ctx context.Context, actor domain.User, id int64) (domain.User, error)
	// List is admin-only (ErrForbidden otherwise).
	List(ctx context.Context, actor domain.User, page domain.PageRequest) (domain.Page[domain.User], error)
	// Delete deletes the account id (self or admin; ErrNotFound otherwise) together with
	// what belongs only to it, sessions included; its tokens stop working at once.
	Delete(ctx context.Context, actor domain.User, id int64) error
	// ChangePassword sets the caller's password after checking the current one (a wrong
	// one is domain.ErrWrongPassword and counts as a failed login) and ends every other
	// session of the caller.
	ChangePassword(ctx context.Context, p Principal, in ChangePasswordInput) error
	// EnsureAdmin creates an admin account, or promotes the live account with that email
	// and sets its password (ending its sessions). created tells which happened.
	EnsureAdmin(ctx context.Context, name, email, password string) (u domain.User, created bool, err error)
}

// UserRepository stores accounts. Deleted accounts are invisible to every method: they
// are kept only so that past orders keep their owner, and their email can register again.
type UserRepository interface {
	// Create stores u (ID is ignored) and returns it with its new ID.
	// It returns domain.ErrEmailTaken if a live account has the same email.
	Create(ctx context.Context, u domain.User) (domain.User, error)
	// ByID returns the live account with id, or domain.ErrNotFound.
	ByID(ctx context.Context, id int64) (domain.User, error)
	// ByEmail returns the live account with email, or domain.ErrNotFound.
	ByEmail(ctx context.Context, email domain.Email) (domain.User, error)
	// List returns live accounts ordered by id.
	List(ctx context.Context, page domain.PageRequest) (domain.Page[domain.User], error)
	// Update overwrites name, role, password hash and EmailVerifiedAt of the live account u.ID.
	Update(ctx context.Context, u domain.User) error
	// SetEmailVerified marks the live account id verified at at, if its email is still
	// email (a token sent to an earlier address proves nothing now); it returns
	// domain.ErrNotFound otherwise.
	SetEmailVerified(ctx context.Context, id int64, email domain.Email, at time.Time) error
	// ReplacePasswordHash sets the password hash of the live account id to newHash if it
	// is still oldHash (so an upgrade never undoes a concurrent password change); it
	// returns domain.ErrNotFound when no live account id has oldHash.
	ReplacePasswordHash(ctx context.Context, id int64, oldHash, newHash []byte) error
	// Delete marks the account deleted, or returns domain.ErrNotFound.
	Delete(ctx context.Context, id int64) error
}

// PasswordHasher turns passwords into slow, salted hashes and checks them. Hashing is the
// most expensive thing the service does, so implementations admit a bounded number of
// hashes at a time: when no slot frees up in time, Hash and Matches return an error
// matching domain.ErrBusy (with a retry advice) and do no work.
type PasswordHasher interface {
	Hash(ctx context.Context, p domain.Password) ([]byte, error)
	// Matches reports whether password is the one hash was made from. A nil hash stands
	// for an unknown account: it is compared against a dummy hash and never matches. Every
	// answer takes at least the time of one comparison at the configured cost, whatever
	// the cost stored in hash, so that no account answers faster than an unknown one.
	Matches(ctx context.Context, hash []byte, password string) (bool, error)
	// NeedsRehash reports whether hash was made with other parameters than the current
	// ones, so that a successful login should store a fresh hash.
	NeedsRehash(hash []byte) bool
}

// EmailNormalizer maps the many Unicode spellings of one address (fullwidth letters,
// compatibility characters, letter case) to one form, before validation, uniqueness and
// lookup. Invalid UTF-8 is returned unchanged, for validation to refuse.
type EmailNormalizer interface {
	NormalizeEmail(s string) string
}

// AttemptRecord is the recent history of one throttling key.
type AttemptRecord struct {
	Count int       // attempts counted since the record was created
	Last  time.Time // when the latest one was counted
}

// AttemptCounter counts attempts (failed logins, registrations) per key, for throttling.
// Keys are opaque strings chosen by the core. It is shared by every process on one store.
type AttemptCounter interface {
	// Get returns the records of keys that are still kept at now; absent keys have none.
	Get(ctx context.Context, keys []string, now time.Time) (map[string]AttemptRecord, error)
	// Add counts one attempt at now for each distinct key (starting at 1 when its record
	// was gone) and keeps each record until now+keep. It is atomic per key under any
	// concurrency.
	Add(ctx context.Context, keys []string, now time.Time, keep time.Duration) error
	// Reserve is a check and an Add in one atomic step: it reads the records of read and
	// add kept at now, calls admit with them, and only when admit returns nil counts one
	// attempt for each key of add, as Add does. No other Reserve, Add or Forget of any of
	// these keys, in this process or another on the same store, runs in between, so a
	// burst of concurrent attempts is admitted one by one. It returns the records admit
	// saw, and admit's error unchanged. admit must be quick and touch nothing else: it
	// runs while the keys are locked.
	Reserve(ctx context.Context, read, add []string, now time.Time, keep time.Duration,
		admit func(map[string]AttemptRecord) error) (map[string]AttemptRecord, error)
	// Forget takes back attempts: n from the count of each key (a record whose count
	// falls to zero or below is deleted; Last is left as it was). Absent keys are skipped.
	Forget(ctx context.Context, counts map[string]int) error
	// Delete forgets keys.
	Delete(ctx context.Context, keys ...string) error
	// Sweep deletes the records no longer kept at now and returns how many it deleted.
	Sweep(ctx context.Context, now time.Time) (int, error)
}

// AccessToken is a signed bearer token and how long it lives.
type AccessToken struct {
	Value     string
	ExpiresIn time.Duration
}

// TokenClaims are what an access token says: whose it is, of which session, for which
// client.
type TokenClaims struct {
	UserID    int64
	SessionID int64
	ClientID  string // the OAuth2 client the session was started by ("" in tokens from before)
}

// Tokens issues and verifies access tokens that name a user and a session.
type Tokens interface {
	Issue(c TokenClaims) (AccessToken, error)
	// Verify returns the claims of a valid token, or domain.ErrInvalidToken.
	Verify(token string) (TokenClaims, error)
	// PublishedKeys is the public key set other services verify tokens with (a JWK Set
	// document) and a strong validator of it (changes when the document does).
	PublishedKeys() (doc []byte, etag string, err error)
}

// TokenKey is one key of the access-token signer, with the times that drive its life:
// it is published (and verifies) from the moment it is in the set, signs from SignFrom
// (of the keys whose SignFrom has come, the latest signs), and stops verifying and
// leaves the published set at RetireAt (zero: while it is in the set).
type TokenKey struct {
	ID        string        // the RFC 7638 thumbprint of the public key
	Algorithm string        // ES256 or RS256
	Private   crypto.Signer // *ecdsa.PrivateKey or *rsa.PrivateKey
	SignFrom  time.Time
	RetireAt  time.Time
}

// TokenKeys is where the signer's keys come from: a file or an environment variable in
// this template, a KMS or a table in a fork. Every replica loads the same set, and the
// times in it switch them to a new key at the same moment without coordination.
type TokenKeys interface {
	Load(ctx context.Context) ([]TokenKey, error)
}

// SessionRepository stores sessions and their refresh tokens (by hash only).
type SessionRepository interface {
	// Create stores s (ID ignored) with its first refresh token and returns it.
	Create(ctx context.Context, s domain.Session, tokenHash []byte) (domain.Session, error)
	// Grant finds a refresh token by hash: domain.ErrNotFound when no live session has
	// it (never issued, or its session ended).
	Grant(ctx context.Context, tokenHash []byte) (domain.RefreshGrant, error)
	// Lock returns session id and holds it until the transaction in ctx ends, so that
	// rotations of one session run one after the other; domain.ErrNotFound if it ended.
	Lock(ctx context.Context, id int64) (domain.Session, error)
	// Rotate spends oldHash (at s.LastUsedAt), adds newHash, and stores s's
	// LastUsedAt, IdleExpiresAt and PreviousTokenHash. Of the session's spent tokens it
	// keeps the keepSpent most recently spent (oldHash among them when keepSpent >= 1)
	// and forgets the others, so a session's record stays bounded however often it is
	// refreshed. Call it with the session locked.
	Rotate(ctx context.Context, s domain.Session, oldHash, newHash []byte, keepSpent int) error
	// ActiveUser returns the live user of a session that is live at now, in one lookup:
	// domain.ErrNotFound when the user or the session is gone or expired.
	ActiveUser(ctx context.Context, userID, sessionID int64, now time.Time) (domain.User, error)
	// ListByUser returns a page of userID's sessions live at now, newest first.
	ListByUser(ctx context.Context, userID int64, now time.Time, page domain.PageRequest) (domain.Page[domain.Session], error)
	// Trim ends userID's sessions except the keep newest of those live at now (sessions
	// no longer live end too); returns how many it ended.
	Trim(ctx context.Context, userID int64, keep int, now time.Time) (int, error)
	// End ends session id of userID (with its tokens); domain.ErrNotFound if there is none.
	End(ctx context.Context, userID, id int64) error
	// EndAll ends every session of userID except keep (0: none kept); returns how many.
	EndAll(ctx context.Context, userID, keep int64) (int, error)
	// Sweep deletes sessions no longer live at now; returns how many.
	Sweep(ctx context.Context, now time.Time) (int, error)
}

// AccountCleanup deletes what a feature keeps for an account that is being deleted; it
// runs inside the deleting transaction, so the account and its data go together.
type AccountCleanup func(ctx context.Context, userID int64) error

// AccountCleanups are every feature's AccountCleanup, run in order.
type AccountCleanups []AccountCleanup

// ResetRequestInput is a password-reset request as the client sent it.
type ResetRequestInput struct {
	Email      string
	ClientAddr string
}

// ResetPasswordInput is a password-reset confirmation as the client sent it.
type ResetPasswordInput struct {
	Token      domain.MailToken
	Password   string
	ClientAddr string
}

// Recovery are the mailed-token flows: password reset and email verification.
type Recovery interface {
	// RequestPasswordReset mails a reset token to the live account with that email, if
	// there is one. Its answer is the same, in the same time, whether there is or not:
	// nil, or domain.ErrThrottled (decided before any lookup) past the budget of the
	// address or of the email.
	RequestPasswordReset(ctx context.Context, in ResetRequestInput) error
	// ResetPassword sets a new password with a reset token, spends the token, ends every
	// session of the account and mails it a notice. Any token that cannot be used is
	// domain.ErrInvalidResetToken; attempts are throttled per address.
	ResetPassword(ctx context.Context, in ResetPasswordInput) error
	// VerifyEmail marks the address a verification token was sent to as verified, if it
	// is still the account's: domain.ErrInvalidVerificationToken otherwise.
	VerifyEmail(ctx context.Context, token domain.MailToken, clientAddr string) error
	// ResendVerification mails the caller a new verification token (superseding the
	// last): domain.ErrAlreadyVerified when there is nothing to verify, throttled per
	// account.
	ResendVerification(ctx context.Context, p Principal) error
}

// AccountTokenRepository stores the single-use tokens mailed to accounts, by hash only.
type AccountTokenRepository interface {
	// Put stores t as the one live token of t.Purpose for t.UserID, replacing any earlier
	// one (which stops working).
	Put(ctx context.Context, t domain.AccountToken) error
	// Find returns the token of purpose with hash, without spending it; domain.ErrNotFound
	// when there is none (never issued, spent, superseded or swept).
	Find(ctx context.Context, purpose domain.TokenPurpose, hash []byte) (domain.AccountToken, error)
	// Take spends the token of purpose with hash: it returns it and deletes it, atomically
	// (of two concurrent Takes one gets it); domain.ErrNotFound as for Find.
	Take(ctx context.Context, purpose domain.TokenPurpose, hash []byte) (domain.AccountToken, error)
	// Sweep deletes the tokens expired at now and returns how many.
	Sweep(ctx context.Context, now time.Time) (int, error)
}
