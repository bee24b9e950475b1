package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Users implements ports.Users.
type Users struct {
	users    ports.UserRepository
	sessions ports.SessionRepository
	cleanups ports.AccountCleanups
	hasher   ports.PasswordHasher
	emails   ports.EmailNormalizer
	throttle *Throttle
	clock    ports.Clock
	tx       ports.Transactor
	recovery *Recovery // the verification mail of a new account, the notice of a changed password
}

var _ ports.Users = (*Users)(nil)

// NewUsers builds the account use cases.
// cleanups are what other features delete with an account (the cart feature: the cart).
func NewUsers(users ports.UserRepository, sessions ports.SessionRepository, cleanups ports.AccountCleanups,
	hasher ports.PasswordHasher, emails ports.EmailNormalizer, throttle *Throttle, clock ports.Clock, tx ports.Transactor,
	recovery *Recovery) *Users {
	return &Users{users: users, sessions: sessions, cleanups: cleanups, hasher: hasher, emails: emails, throttle: throttle,
		clock: clock, tx: tx, recovery: recovery}
}

// Register creates a customer account. Valid input counts against the address's
// registration budget before the (expensive) hash is made.
func (s *Users) Register(ctx context.Context, in ports.RegisterInput) (domain.User, error) {
	nu, err := domain.NewCustomer(in.Name, s.emails.NormalizeEmail(in.Email), in.Password)
	if err != nil {
		return domain.User{}, err
	}
	if err := s.throttle.registration(ctx, in.ClientAddr); err != nil {
		return domain.User{}, err
	}
	hash, err := s.hasher.Hash(ctx, nu.Password)
	if err != nil {
		return domain.User{}, fmt.Errorf("register: hash password: %w", err)
	}
	// The account and its verification mail, together.
	var u domain.User
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if u, err = s.store(ctx, nu, hash); err != nil {
			return err
		}
		return s.recovery.mailVerification(ctx, u)
	})
	if err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// store saves a new account whose password is already hashed.
func (s *Users) store(ctx context.Context, nu domain.NewUser, hash []byte) (domain.User, error) {
	now := s.clock.Now()
	var verified time.Time
	if nu.Role == domain.RoleAdmin {
		verified = now // an operator made it: the address is theirs to vouch for
	}
	u, err := s.users.Create(ctx, domain.User{
		Name: nu.Name, Email: nu.Email, Role: nu.Role, PasswordHash: hash, CreatedAt: now, EmailVerifiedAt: verified,
	})
	if err != nil {
		return domain.User{}, fmt.Errorf("register: %w", err)
	}
	return u, nil
}

// Get returns a user the actor may see.
func (s *Users) Get(ctx context.Context, actor domain.User, id int64) (domain.User, error) {
	if !actor.CanAccessUser(id) {
		return domain.User{}, domain.ErrNotFound
	}
	u, err := s.users.ByID(ctx, id)
	if err != nil {
		return domain.User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// List returns a page of all live users, for admins.
func (s *Users) List(ctx context.Context, actor domain.User, page domain.PageRequest) (domain.Page[domain.User], error) {
	if !actor.IsAdmin() {
		return domain.Page[domain.User]{}, domain.ErrForbidden
	}
	p, err := s.users.List(ctx, page)
	if err != nil {
		return p, fmt.Errorf("list users: %w", err)
	}
	return p, nil
}

// Delete deletes an account, its sessions and what the features delete with it (its
// cart), in one transaction. Its orders stay, for the shop's records.
func (s *Users) Delete(ctx context.Context, actor domain.User, id int64) error {
	if !actor.CanAccessUser(id) {
		return domain.ErrNotFound
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.users.Delete(ctx, id); err != nil {
			return err
		}
		if _, err := s.sessions.EndAll(ctx, id, 0); err != nil {
			return err
		}
		for _, clean := range s.cleanups {
			if err := clean(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return nil
}

// EnsureAdmin creates or promotes an admin account.
func (s *Users) EnsureAdmin(ctx context.Context, name, email, password string) (domain.User, bool, error) {
	nu, err := domain.NewCustomer(name, s.emails.NormalizeEmail(email), password)
	if err != nil {
		return domain.User{}, false, err
	}
	nu.Role = domain.RoleAdmin
	// Hash before the transaction: bcrypt is slow and must not hold a transaction open.
	hash, err := s.hasher.Hash(ctx, nu.Password)
	if err != nil {
		return domain.User{}, false, fmt.Errorf("ensure admin: hash password: %w", err)
	}
	var (
		u       domain.User
		created bool
	)
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		existing, err := s.users.ByEmail(ctx, nu.Email)
		if errors.Is(err, domain.ErrNotFound) {
			u, err = s.store(ctx, nu, hash)
			created = err == nil
			return err
		}
		if err != nil {
			return err
		}
		existing.Role, existing.PasswordHash = domain.RoleAdmin, hash
		if !existing.EmailVerified() {
			existing.EmailVerifiedAt = s.clock.Now()
		}
		u = existing
		if err := s.users.Update(ctx, existing); err != nil {
			return err
		}
		// A reset password must lock out whoever knew the old one.
		_, err = s.sessions.EndAll(ctx, existing.ID, 0)
		return err
	})
	if err != nil {
		return domain.User{}, false, fmt.Errorf("ensure admin %s: %w", nu.Email, err)
	}
	return u, created, nil
}

// ChangePassword implements ports.Users. The current password is checked like a login
// (throttled, and a wrong one counts as a failed login), so a stolen access token cannot
// be turned into a takeover by guessing.
func (s *Users) ChangePassword(ctx context.Context, p ports.Principal, in ports.ChangePasswordInput) error {
	var v domain.ValidationError
	if in.Current == "" {
		v.Add("current_password", "is required")
	}
	next, err := domain.ParsePassword(in.New)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			for _, f := range de.Fields {
				v.Add("new_password", f.Message)
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	att, err := s.throttle.reserveLogin(ctx, s.throttle.keysFor(string(p.User.Email), in.ClientAddr))
	if err != nil {
		return err
	}
	ok, err := s.hasher.Matches(ctx, p.User.PasswordHash, in.Current)
	if !ok || err != nil {
		if err == nil {
			return domain.ErrWrongPassword // counted already
		}
		_ = s.throttle.giveBack(ctx, att) // never compared: not a guess
		return fmt.Errorf("change password: %w", err)
	}
	// Right: this was not a failure after all.
	if err := s.throttle.giveBack(ctx, att); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		// Over the hash that was checked: a concurrent change makes this one fail.
		if err := s.users.ReplacePasswordHash(ctx, p.User.ID, p.User.PasswordHash, hash); err != nil {
			return err
		}
		if _, err := s.sessions.EndAll(ctx, p.User.ID, p.SessionID); err != nil {
			return err
		}
		return s.recovery.notify(ctx, passwordChangedMail(p.User, s.clock.Now()))
	})
	if errors.Is(err, domain.ErrNotFound) {
		return domain.ErrWrongPassword // changed meanwhile: the current password is not current any more
	}
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}
