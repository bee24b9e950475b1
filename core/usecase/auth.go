// Package usecase implements Hexashop's use cases (the driving ports) on top of the driven
// ports. It knows no HTTP, SQL, JWT or bcrypt: only the standard library, domain and ports.
package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Auth implements ports.Auth.
type Auth struct {
	users  ports.UserRepository
	hasher ports.PasswordHasher
	tokens ports.Tokens
	// dummyHash is compared against when the email is unknown, so that a login for an
	// unknown account costs one bcrypt comparison just like a wrong password does.
	dummyHash []byte
}

var _ ports.Auth = (*Auth)(nil)

// NewAuth builds the login use case. It hashes a throwaway password once, with the
// hasher's own cost, to equalise the timing of failed logins.
func NewAuth(users ports.UserRepository, hasher ports.PasswordHasher, tokens ports.Tokens) (*Auth, error) {
	dummy, err := hasher.Hash("timing-equaliser-not-a-real-password")
	if err != nil {
		return nil, fmt.Errorf("new auth: hash dummy password: %w", err)
	}
	return &Auth{users: users, hasher: hasher, tokens: tokens, dummyHash: dummy}, nil
}

// Login implements the password grant.
func (a *Auth) Login(ctx context.Context, username, password string) (ports.AccessToken, error) {
	email, err := domain.ParseEmail(username)
	if err != nil {
		// No account can have a malformed email: answer as for an unknown one, at the
		// same cost, and never hand storage bytes it cannot hold (NUL, invalid UTF-8).
		a.hasher.Matches(a.dummyHash, password)
		return ports.AccessToken{}, domain.ErrInvalidCredentials
	}
	u, err := a.users.ByEmail(ctx, email)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		a.hasher.Matches(a.dummyHash, password)
		return ports.AccessToken{}, domain.ErrInvalidCredentials
	case err != nil:
		return ports.AccessToken{}, fmt.Errorf("login: find user: %w", err)
	}
	if !a.hasher.Matches(u.PasswordHash, password) {
		return ports.AccessToken{}, domain.ErrInvalidCredentials
	}
	tok, err := a.tokens.Issue(u.ID)
	if err != nil {
		return ports.AccessToken{}, fmt.Errorf("login: issue token: %w", err)
	}
	return tok, nil
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
