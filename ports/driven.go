package ports

import (
	"context"
	"crypto"
	"errors"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

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
	// Update overwrites name, role and password hash of the live account u.ID.
	Update(ctx context.Context, u domain.User) error
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

// Clock tells the time; the core never calls time.Now itself so tests can pin it.
type Clock interface {
	Now() time.Time
}

// Transactor runs fn so that every repository call made with the ctx it passes to fn
// commits together or not at all. fn's error (or a panic) rolls back.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// CategoryRepository stores product categories.
type CategoryRepository interface {
	// Create returns domain.ErrCategoryNameTaken when the name exists in any letter case.
	Create(ctx context.Context, name string) (domain.Category, error)
	ByID(ctx context.Context, id int64) (domain.Category, error)
	// List returns categories ordered by id.
	List(ctx context.Context, page domain.PageRequest) (domain.Page[domain.Category], error)
	// Delete returns domain.ErrCategoryInUse while a catalog product belongs to it.
	Delete(ctx context.Context, id int64) error
}

// ProductFilter narrows a product list.
type ProductFilter struct {
	CategoryID int64 // 0: every category
}

// ProductRepository stores the catalog. A deleted product leaves the catalog (and every
// cart) but its row stays for the order history.
type ProductRepository interface {
	// Create returns domain.UnknownCategory for a missing category.
	Create(ctx context.Context, f domain.ProductFields, createdAt time.Time) (domain.Product, error)
	ByID(ctx context.Context, id int64) (domain.Product, error)
	// List returns catalog products ordered by id.
	List(ctx context.Context, filter ProductFilter, page domain.PageRequest) (domain.Page[domain.Product], error)
	// Update overwrites the fields of product id (domain.UnknownCategory as for Create).
	Update(ctx context.Context, id int64, f domain.ProductFields) (domain.Product, error)
	// Delete takes the product out of the catalog and out of every cart.
	Delete(ctx context.Context, id int64) error
	// TakeStock removes quantity items from the stock of product id if it has that many,
	// atomically under any concurrency, and returns the product as it is after the
	// change. It returns domain.ErrInsufficientStock when the stock is short (and changes
	// nothing), domain.ErrNotFound when the product left the catalog.
	TakeStock(ctx context.Context, id int64, quantity int) (domain.Product, error)
}

// CatalogReader answers the public catalog reads: browsing, not deciding. An
// implementation may answer from a read replica or a cache, so an answer may be older
// than the latest committed write by a bounded time (docs/operations.md). Whatever
// decides a write (a price at checkout, a product before it is patched) reads through
// ProductRepository and CategoryRepository inside the writing transaction instead.
type CatalogReader interface {
	// Category returns category id, or domain.ErrNotFound.
	Category(ctx context.Context, id int64) (domain.Category, error)
	// Categories returns categories ordered by id.
	Categories(ctx context.Context, page domain.PageRequest) (domain.Page[domain.Category], error)
	// Product returns catalog product id, or domain.ErrNotFound.
	Product(ctx context.Context, id int64) (domain.Product, error)
	// Products returns catalog products ordered by id.
	Products(ctx context.Context, filter ProductFilter, page domain.PageRequest) (domain.Page[domain.Product], error)
}

// CartRepository stores one cart per user. Every method is scoped by the owner: a line id
// of another user's cart is domain.ErrNotFound.
type CartRepository interface {
	// Cart returns userID's cart (empty if there is none yet).
	Cart(ctx context.Context, userID int64) (domain.Cart, error)
	// Lock holds userID's cart until the transaction in ctx ends, so that two checkouts
	// of one cart run one after the other (the second then finds it empty).
	Lock(ctx context.Context, userID int64) error
	// Add puts quantity of productID into userID's cart, adding to an existing line, and
	// returns the line.
	Add(ctx context.Context, userID, productID int64, quantity int) (domain.CartLine, error)
	// SetQuantity sets the quantity of a line.
	SetQuantity(ctx context.Context, userID, lineID int64, quantity int) (domain.CartLine, error)
	// Remove deletes a line.
	Remove(ctx context.Context, userID, lineID int64) error
	// Clear empties userID's cart.
	Clear(ctx context.Context, userID int64) error
}

// OrderRepository stores orders; they are never deleted.
type OrderRepository interface {
	// Create stores o (ID ignored) and returns it with its ID.
	Create(ctx context.Context, o domain.Order) (domain.Order, error)
	ByID(ctx context.Context, id int64) (domain.Order, error)
	// ListByUser returns userID's orders, newest first.
	ListByUser(ctx context.Context, userID int64, page domain.PageRequest) (domain.Page[domain.Order], error)
}

// IdempotencyRecord is what a used Idempotency-Key remembers.
type IdempotencyRecord struct {
	Fingerprint string // identifies the request body
	OrderID     int64
}

// IdempotencyRepository remembers Idempotency-Keys of placed orders, per user.
type IdempotencyRepository interface {
	// Reserve claims (userID, key) for the running transaction. When another
	// transaction holds or has committed the key, Reserve waits for it and then returns
	// its record (found=true); the caller must not place another order.
	Reserve(ctx context.Context, userID int64, key, fingerprint string) (rec IdempotencyRecord, found bool, err error)
	// Complete records the order placed under a reserved key.
	Complete(ctx context.Context, userID int64, key string, orderID int64) error
	// Sweep forgets keys reserved before before; returns how many.
	Sweep(ctx context.Context, before time.Time) (int, error)
}

// Outbox holds mails recorded in business transactions until the dispatcher delivers
// them. Several dispatchers may share one outbox.
type Outbox interface {
	// Add records m; call it inside the transaction whose change m reports.
	Add(ctx context.Context, m domain.Mail, now time.Time) error
	// Claim leases up to limit due messages to the caller until now+lease: no other
	// Claim returns them meanwhile. A message whose lease runs out unmarked (its
	// dispatcher died) is due again.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]domain.OutboxMessage, error)
	// Renew extends to until the leases of those of ids whose lease has not run out at
	// now and that are not finished: a dispatcher still working on them keeps them, one
	// that died lets them come due again when the lease ends.
	Renew(ctx context.Context, ids []int64, now, until time.Time) error
	// MarkSent records delivery: the message is never claimed again.
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// Retry makes the message due again at next, recording why the attempt failed.
	Retry(ctx context.Context, id int64, next time.Time, reason string) error
	// GiveUp stops delivering the message.
	GiveUp(ctx context.Context, id int64, at time.Time, reason string) error
	// Sweep deletes messages sent or given up before before; returns how many.
	Sweep(ctx context.Context, before time.Time) (int, error)
	// Backlog counts the messages not yet sent nor given up, and when the oldest of them
	// was recorded (zero when there is none).
	Backlog(ctx context.Context) (n int, oldest time.Time, err error)
}

// Telemetry counts what the use cases do, for metrics. Implementations are cheap and
// never fail; NoTelemetry is the one that counts nothing.
type Telemetry interface {
	// LoginOutcome counts a password login: "success", "invalid", "throttled" or "busy".
	LoginOutcome(outcome string)
	// MailOutcome counts a delivery attempt: "sent", "failed" (will be retried) or
	// "given_up".
	MailOutcome(outcome string)
	// SessionEvent counts what happens to sessions outside a password login: "refreshed",
	// "refresh_invalid" (unknown token), "refresh_expired", "refresh_retried" (the previous
	// token within the grace), "reuse_detected" (a spent token: the session ended) and
	// "revoked".
	SessionEvent(event string)
}

// NoTelemetry counts nothing.
type NoTelemetry struct{}

// LoginOutcome implements Telemetry.
func (NoTelemetry) LoginOutcome(string) {}

// MailOutcome implements Telemetry.
func (NoTelemetry) MailOutcome(string) {}

// SessionEvent implements Telemetry.
func (NoTelemetry) SessionEvent(string) {}

// Mailer delivers a mail. A nil error means the mail server accepted it. An error that
// wraps ErrMailRejected means the server refused this message for good (say, no such
// recipient): retrying it cannot help. Any other error is worth retrying.
type Mailer interface {
	Send(ctx context.Context, m domain.Mail) error
}

// ErrMailRejected marks a permanent refusal of one message by the mail server.
var ErrMailRejected = errors.New("mail rejected permanently")
