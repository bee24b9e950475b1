// Package usecase implements Hexashop's use cases (the driving ports) on top of the driven
// ports. It knows no HTTP, SQL, JWT or bcrypt: only the standard library, domain and ports.
package usecase

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// SessionConfig is the session policy.
type SessionConfig struct {
	IdleTimeout time.Duration // a session not refreshed for this long ends
	MaxLifetime time.Duration // a session ends this long after its login, refreshed or not
	// ReuseGrace: the immediately previous refresh token presented again within this
	// time of its rotation is refused without ending the session (a client retrying a
	// refresh whose answer it lost, two tabs refreshing at once). Any other spent token
	// ends the session. 0 is strict.
	ReuseGrace time.Duration
	// PerAccount bounds an account's live sessions: a login beyond it ends the oldest.
	PerAccount int
	// ReuseHistory spent refresh tokens are kept per session, the most recently spent:
	// presenting one of them again is detected as reuse and ends the session. An older
	// one is forgotten, and refused like any unknown token (the session goes on).
	ReuseHistory int
	// DefaultClientID is the client_id of a login whose client named none.
	DefaultClientID string
}

// DefaultSessionConfig is the policy documented in docs/decisions.md.
var DefaultSessionConfig = SessionConfig{IdleTimeout: 7 * 24 * time.Hour, MaxLifetime: 30 * 24 * time.Hour,
	ReuseGrace: 10 * time.Second, PerAccount: 50, ReuseHistory: 32}

// Auth implements ports.Auth.
type Auth struct {
	users    ports.UserRepository
	sessions ports.SessionRepository
	hasher   ports.PasswordHasher
	tokens   ports.Tokens
	emails   ports.EmailNormalizer
	throttle *Throttle
	clock    ports.Clock
	tx       ports.Transactor
	cfg      SessionConfig
	metrics  ports.Telemetry
	log      *slog.Logger
	recovery *Recovery // the notice of a detected refresh-token reuse
}

var _ ports.Auth = (*Auth)(nil)

// NewAuth builds the login use case.
func NewAuth(users ports.UserRepository, sessions ports.SessionRepository, hasher ports.PasswordHasher,
	tokens ports.Tokens, emails ports.EmailNormalizer, throttle *Throttle, clock ports.Clock,
	tx ports.Transactor, cfg SessionConfig, metrics ports.Telemetry, log *slog.Logger, recovery *Recovery) *Auth {
	return &Auth{users: users, sessions: sessions, hasher: hasher, tokens: tokens, emails: emails,
		throttle: throttle, clock: clock, tx: tx, cfg: cfg, metrics: metrics, log: log, recovery: recovery}
}

// Login implements the password grant. Order matters: the throttle admits the attempt
// and counts it as failed in one atomic step (a refused attempt costs no hash, and a
// parallel burst is admitted one by one), then exactly one password comparison runs
// whether or not the account exists; a right password takes the failure back. Success
// starts a session.
func (a *Auth) Login(ctx context.Context, in ports.LoginInput) (ports.TokenPair, error) {
	p, err := a.login(ctx, in)
	switch {
	case err == nil:
		a.metrics.LoginOutcome("success")
	case errors.Is(err, domain.ErrInvalidCredentials):
		a.metrics.LoginOutcome("invalid")
	case errors.Is(err, domain.ErrThrottled):
		a.metrics.LoginOutcome("throttled")
	case errors.Is(err, domain.ErrBusy):
		a.metrics.LoginOutcome("busy")
	}
	return p, err
}

func (a *Auth) login(ctx context.Context, in ports.LoginInput) (ports.TokenPair, error) {
	username := a.emails.NormalizeEmail(in.Username)
	att, err := a.throttle.reserveLogin(ctx, a.throttle.keysFor(string(domain.CanonicalEmail(username)), in.ClientAddr))
	if err != nil {
		return ports.TokenPair{}, err
	}
	// The attempt is counted as failed already; only a right password or a comparison
	// that never ran undoes that.
	u, err := a.verify(ctx, username, in.Password)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		return ports.TokenPair{}, err
	}
	if err != nil {
		if gerr := a.throttle.giveBack(ctx, att); gerr != nil {
			a.log.WarnContext(ctx, "login attempt not given back", slog.Any("error", gerr))
		}
		return ports.TokenPair{}, err
	}
	if err := a.throttle.loginSucceeded(ctx, att); err != nil {
		return ports.TokenPair{}, fmt.Errorf("login: clear failures: %w", err)
	}
	a.upgradeHash(ctx, u, in.Password)

	now := a.clock.Now()
	refresh := domain.NewRefreshToken()
	var s domain.Session
	err = a.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		s, err = a.sessions.Create(ctx, domain.Session{
			UserID: u.ID, CreatedAt: now, LastUsedAt: now, IdleExpiresAt: now.Add(a.cfg.IdleTimeout),
			ExpiresAt: now.Add(a.cfg.MaxLifetime), UserAgent: domain.CleanUserAgent(in.UserAgent),
			ClientID: cmp.Or(in.ClientID, a.cfg.DefaultClientID),
		}, refresh.Hash())
		if err != nil {
			return err
		}
		if a.cfg.PerAccount > 0 {
			_, err = a.sessions.Trim(ctx, u.ID, a.cfg.PerAccount, now)
		}
		return err
	})
	if err != nil {
		return ports.TokenPair{}, fmt.Errorf("login: start session: %w", err)
	}
	return a.pair(s, refresh)
}

func (a *Auth) pair(s domain.Session, refresh domain.RefreshToken) (ports.TokenPair, error) {
	tok, err := a.tokens.Issue(ports.TokenClaims{UserID: s.UserID, SessionID: s.ID, ClientID: s.ClientID})
	if err != nil {
		return ports.TokenPair{}, fmt.Errorf("issue token: %w", err)
	}
	return ports.TokenPair{Access: tok, Refresh: refresh}, nil
}

// verify returns the live account with that username and password, or
// domain.ErrInvalidCredentials after one comparison either way.
func (a *Auth) verify(ctx context.Context, username, password string) (domain.User, error) {
	var u domain.User
	email, err := domain.ParseEmail(username)
	if err == nil {
		u, err = a.users.ByEmail(ctx, email)
	} else {
		// No account can have a malformed email: answer as for an unknown one, and never
		// hand storage bytes it cannot hold (NUL, invalid UTF-8).
		err = domain.ErrNotFound
	}
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return domain.User{}, fmt.Errorf("login: find user: %w", err)
	}
	// A nil hash (unknown account) is compared against the hasher's dummy, at full cost.
	ok, herr := a.hasher.Matches(ctx, u.PasswordHash, password)
	switch {
	case herr != nil:
		return domain.User{}, fmt.Errorf("login: %w", herr)
	case err != nil || !ok:
		return domain.User{}, domain.ErrInvalidCredentials
	}
	return u, nil
}

// upgradeHash stores a fresh hash when u's was made with other parameters (an older
// BCRYPT_COST). It is best effort: the login has succeeded whatever happens here.
func (a *Auth) upgradeHash(ctx context.Context, u domain.User, password string) {
	if !a.hasher.NeedsRehash(u.PasswordHash) {
		return
	}
	hash, err := a.hasher.Hash(ctx, domain.Password(password))
	if err == nil {
		err = a.users.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, hash)
	}
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		a.log.WarnContext(ctx, "password hash not upgraded; will retry at the next login",
			slog.Int64("user_id", u.ID), slog.Any("error", err))
	}
}

// refreshOutcome is how a refresh that returns no error inside its transaction ended.
type refreshOutcome int

const (
	rotated refreshOutcome = iota
	expired                // the session had run out: ended
	retried                // the previous token again, within the grace: refused, session kept
	reused                 // a spent token: the session is ended
)

// Refresh implements ports.Auth (RFC 6749 §6, with the rotation and reuse detection of
// RFC 9700 §4.14.2). The session row is locked for the whole rotation, and the token is
// read again under the lock: of two refreshes with one token, the second sees it spent.
// Ending a session (expiry, reuse) commits even though the answer is an error.
func (a *Auth) Refresh(ctx context.Context, token domain.RefreshToken) (ports.TokenPair, error) {
	if token == "" {
		return ports.TokenPair{}, domain.ErrInvalidGrant
	}
	now := a.clock.Now()
	old, next := token.Hash(), domain.NewRefreshToken()
	var (
		s       domain.Session
		outcome refreshOutcome
	)
	err := a.tx.InTx(ctx, func(ctx context.Context) error {
		g, err := a.sessions.Grant(ctx, old)
		if err != nil {
			return err
		}
		if s, err = a.sessions.Lock(ctx, g.SessionID); err != nil {
			return err
		}
		if g, err = a.sessions.Grant(ctx, old); err != nil { // as it is now that we hold the lock
			return err
		}
		switch {
		case !s.Live(now):
			outcome = expired
		case !g.SpentAt.IsZero() && bytes.Equal(old, s.PreviousTokenHash) && now.Sub(g.SpentAt) < a.cfg.ReuseGrace:
			outcome = retried
			return nil
		case !g.SpentAt.IsZero():
			outcome = reused
		default:
			s.LastUsedAt, s.IdleExpiresAt, s.PreviousTokenHash = now, now.Add(a.cfg.IdleTimeout), old
			return a.sessions.Rotate(ctx, s, old, next.Hash(), max(a.cfg.ReuseHistory, 1))
		}
		if err := a.sessions.End(ctx, s.UserID, s.ID); err != nil {
			return err
		}
		if outcome != reused {
			return nil
		}
		u, err := a.users.ByID(ctx, s.UserID)
		if errors.Is(err, domain.ErrNotFound) {
			return nil // the account is gone: nobody to tell
		}
		if err != nil {
			return err
		}
		return a.recovery.notify(ctx, refreshReuseMail(u, now))
	})
	if errors.Is(err, domain.ErrNotFound) {
		a.metrics.SessionEvent("refresh_invalid")
		return ports.TokenPair{}, domain.ErrInvalidGrant
	}
	if err != nil {
		return ports.TokenPair{}, fmt.Errorf("refresh: %w", err)
	}
	switch outcome {
	case reused:
		a.metrics.SessionEvent("reuse_detected")
		a.log.WarnContext(ctx, "spent refresh token presented again: session ended",
			slog.Int64("user_id", s.UserID), slog.Int64("session_id", s.ID))
		return ports.TokenPair{}, domain.ErrInvalidGrant
	case expired:
		a.metrics.SessionEvent("refresh_expired")
		return ports.TokenPair{}, domain.ErrInvalidGrant
	case retried:
		a.metrics.SessionEvent("refresh_retried")
		return ports.TokenPair{}, domain.ErrInvalidGrant
	}
	if _, err := a.sessions.ActiveUser(ctx, s.UserID, s.ID, now); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return ports.TokenPair{}, domain.ErrInvalidGrant
		}
		return ports.TokenPair{}, fmt.Errorf("refresh: %w", err)
	}
	a.metrics.SessionEvent("refreshed")
	return a.pair(s, next)
}

// Revoke implements ports.Auth (RFC 7009): the token's session ends.
func (a *Auth) Revoke(ctx context.Context, token domain.RefreshToken) error {
	g, err := a.sessions.Grant(ctx, token.Hash())
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if err := a.sessions.End(ctx, g.UserID, g.SessionID); err != nil && !errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("revoke: %w", err)
	}
	a.metrics.SessionEvent("revoked")
	return nil
}

// PublishedKeys implements ports.Auth.
func (a *Auth) PublishedKeys() ([]byte, string, error) {
	doc, tag, err := a.tokens.PublishedKeys()
	if err != nil {
		return nil, "", fmt.Errorf("published keys: %w", err)
	}
	return doc, tag, nil
}

// Authenticate resolves a bearer token to its live user and session, in one lookup.
func (a *Auth) Authenticate(ctx context.Context, token string) (ports.Principal, error) {
	c, err := a.tokens.Verify(token)
	if err != nil {
		return ports.Principal{}, domain.ErrInvalidToken
	}
	u, err := a.sessions.ActiveUser(ctx, c.UserID, c.SessionID, a.clock.Now())
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return ports.Principal{}, domain.ErrInvalidToken
	case err != nil:
		return ports.Principal{}, fmt.Errorf("authenticate: user %d session %d: %w", c.UserID, c.SessionID, err)
	}
	return ports.Principal{User: u, SessionID: c.SessionID}, nil
}
