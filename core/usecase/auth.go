// Package usecase implements Hexashop's use cases (the driving ports) on top of the driven
// ports. It knows no HTTP, SQL, JWT or bcrypt: only the standard library, domain and ports.
package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Auth implements ports.Auth.
type Auth struct {
	users    ports.UserRepository
	hasher   ports.PasswordHasher
	tokens   ports.Tokens
	emails   ports.EmailNormalizer
	throttle *Throttle
	log      *slog.Logger
}

var _ ports.Auth = (*Auth)(nil)

// NewAuth builds the login use case.
func NewAuth(users ports.UserRepository, hasher ports.PasswordHasher, tokens ports.Tokens,
	emails ports.EmailNormalizer, throttle *Throttle, log *slog.Logger) *Auth {
	return &Auth{users: users, hasher: hasher, tokens: tokens, emails: emails, throttle: throttle, log: log}
}

// Login implements the password grant. Order matters: the throttle is asked first (a
// refused attempt costs no hash), then exactly one password comparison runs whether or
// not the account exists, then the outcome is counted.
func (a *Auth) Login(ctx context.Context, in ports.LoginInput) (ports.AccessToken, error) {
	username := a.emails.NormalizeEmail(in.Username)
	keys := keysFor(string(domain.CanonicalEmail(username)), in.ClientAddr)
	recs, err := a.throttle.checkLogin(ctx, keys)
	if err != nil {
		return ports.AccessToken{}, err
	}
	u, err := a.verify(ctx, username, in.Password)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		if cerr := a.throttle.loginFailed(ctx, keys); cerr != nil {
			return ports.AccessToken{}, fmt.Errorf("login: count failure: %w", cerr)
		}
		return ports.AccessToken{}, err
	}
	if err != nil {
		return ports.AccessToken{}, err
	}
	if err := a.throttle.loginSucceeded(ctx, keys, recs); err != nil {
		return ports.AccessToken{}, fmt.Errorf("login: clear failures: %w", err)
	}
	a.upgradeHash(ctx, u, in.Password)
	tok, err := a.tokens.Issue(u.ID)
	if err != nil {
		return ports.AccessToken{}, fmt.Errorf("login: issue token: %w", err)
	}
	return tok, nil
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

// Authenticate resolves a bearer token to its live user.
func (a *Auth) Authenticate(ctx context.Context, token string) (domain.User, error) {
	id, err := a.tokens.Verify(token)
	if err != nil {
		return domain.User{}, domain.ErrInvalidToken
	}
	u, err := a.users.ByID(ctx, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return domain.User{}, domain.ErrInvalidToken
	case err != nil:
		return domain.User{}, fmt.Errorf("authenticate: find user %d: %w", id, err)
	}
	return u, nil
}
