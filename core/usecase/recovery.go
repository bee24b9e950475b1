package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// RecoveryConfig sets the mailed-token flows.
type RecoveryConfig struct {
	ResetTTL        time.Duration // how long a password-reset token works (30 min)
	VerificationTTL time.Duration // how long an email-verification token works (24 h)
	// LinkBase is the front end the mailed links open (ACCOUNT_LINK_URL), e.g.
	// https://shop.example.com: links are <LinkBase>/reset-password#token=… and
	// <LinkBase>/verify-email#token=… (no trailing slash). Empty: the mails carry the bare
	// token only.
	LinkBase string
	// ResetAnswerTime (PASSWORD_RESET_ANSWER_TIME): a reset request is answered no
	// sooner than this after it arrived, whether or not the account exists, so that
	// the time of the answer does not tell (the work for an existing account, a token
	// and a mail, takes longer). 0: no floor.
	ResetAnswerTime time.Duration
}

// DefaultRecoveryConfig is the policy documented in docs/decisions.md.
var DefaultRecoveryConfig = RecoveryConfig{ResetTTL: 30 * time.Minute, VerificationTTL: 24 * time.Hour,
	ResetAnswerTime: 250 * time.Millisecond}

// Recovery implements ports.Recovery: password reset and email verification by mailed,
// single-use tokens, and the security notices. Every mail goes through the outbox, in the
// transaction of the change it reports.
type Recovery struct {
	users     ports.UserRepository
	sessions  ports.SessionRepository
	tokens    ports.AccountTokenRepository
	outbox    ports.Outbox
	hasher    ports.PasswordHasher
	emails    ports.EmailNormalizer
	throttle  *Throttle
	clock     ports.Clock
	tx        ports.Transactor
	cfg       RecoveryConfig
	telemetry ports.Telemetry
}

var _ ports.Recovery = (*Recovery)(nil)

// NewRecovery builds the mailed-token flows.
func NewRecovery(users ports.UserRepository, sessions ports.SessionRepository, tokens ports.AccountTokenRepository,
	outbox ports.Outbox, hasher ports.PasswordHasher, emails ports.EmailNormalizer, throttle *Throttle,
	clock ports.Clock, tx ports.Transactor, cfg RecoveryConfig, telemetry ports.Telemetry) *Recovery {
	if cfg.ResetTTL <= 0 {
		cfg.ResetTTL = DefaultRecoveryConfig.ResetTTL
	}
	if cfg.VerificationTTL <= 0 {
		cfg.VerificationTTL = DefaultRecoveryConfig.VerificationTTL
	}
	return &Recovery{users: users, sessions: sessions, tokens: tokens, outbox: outbox, hasher: hasher, emails: emails,
		throttle: throttle, clock: clock, tx: tx, cfg: cfg, telemetry: telemetry}
}

// RequestPasswordReset implements ports.Recovery. The throttle comes first (the same for
// every address, existing or not); then the lookup, and for a live account its token and
// mail, in one transaction; then the answer waits until ResetAnswerTime has passed since
// the request arrived, so that an existing account (more work) and an unknown address
// answer in the same time. The floor is measured on the wall clock, not the clock
// port: it is about what a prober measures.
func (r *Recovery) RequestPasswordReset(ctx context.Context, in ports.ResetRequestInput) error {
	arrived := time.Now()
	email := domain.CanonicalEmail(r.emails.NormalizeEmail(in.Email))
	if email == "" {
		return domain.Invalid("email", "is required")
	}
	if err := r.throttle.resetRequest(ctx, string(email), in.ClientAddr); err != nil {
		return err
	}
	r.telemetry.RecoveryEvent("reset_requested")
	var err error
	if _, bad := domain.ParseEmail(string(email)); bad == nil { // else no account can have it
		err = r.recordReset(ctx, email)
	}
	if wait := r.cfg.ResetAnswerTime - time.Since(arrived); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	if err != nil {
		return fmt.Errorf("password reset request: %w", err)
	}
	return nil
}

// recordReset issues a reset token for the live account with email, if there is one,
// and records its mail, in one transaction.
func (r *Recovery) recordReset(ctx context.Context, email domain.Email) error {
	return r.tx.InTx(ctx, func(ctx context.Context) error {
		u, err := r.users.ByEmail(ctx, email)
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return r.mailToken(ctx, u, domain.PurposePasswordReset, r.cfg.ResetTTL, resetMail, "reset_mailed")
	})
}

// mailToken stores a new token of purpose for u (superseding the last) and records the
// mail that hands it over (write makes it), then counts event; call it inside the
// transaction of the change that asks for the mail.
func (r *Recovery) mailToken(ctx context.Context, u domain.User, purpose domain.TokenPurpose, ttl time.Duration,
	write func(domain.User, string, domain.MailToken, time.Duration) domain.Mail, event string) error {
	token, now := domain.NewRefreshToken(), r.clock.Now()
	err := r.tokens.Put(ctx, domain.AccountToken{Hash: token.Hash(), UserID: u.ID, Purpose: purpose, Email: u.Email,
		CreatedAt: now, ExpiresAt: now.Add(ttl)})
	if err != nil {
		return fmt.Errorf("issue %s token: %w", purpose, err)
	}
	if err := r.outbox.Add(ctx, write(u, r.cfg.LinkBase, token, ttl), now); err != nil {
		return err
	}
	r.telemetry.RecoveryEvent(event)
	return nil
}

// ResetPassword implements ports.Recovery. The token is looked up by its hash (an
// indexed equality, no comparison of secrets in this code), checked before the slow
// hash is made, and spent in the transaction that sets the password, so two concurrent
// confirmations with one token set one password.
func (r *Recovery) ResetPassword(ctx context.Context, in ports.ResetPasswordInput) error {
	if err := r.throttle.tokenAttempt(ctx, in.ClientAddr); err != nil {
		return err
	}
	next, err := domain.ParsePassword(in.Password)
	if err != nil {
		return err
	}
	refuse := func() error {
		r.telemetry.RecoveryEvent("reset_refused")
		return domain.ErrInvalidResetToken
	}
	if in.Token == "" {
		return refuse()
	}
	hash := in.Token.Hash()
	t, err := r.tokens.Find(ctx, domain.PurposePasswordReset, hash)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !t.Live(r.clock.Now()) {
		return refuse()
	}
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	newHash, err := r.hasher.Hash(ctx, next)
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	err = r.tx.InTx(ctx, func(ctx context.Context) error {
		t, err := r.tokens.Take(ctx, domain.PurposePasswordReset, hash)
		if err != nil {
			return err
		}
		now := r.clock.Now()
		u, err := r.users.ByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		if !t.Live(now) || u.Email != t.Email {
			return domain.ErrNotFound // expired meanwhile, or sent to an address the account no longer has
		}
		if err := r.users.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, newHash); err != nil {
			return err
		}
		if _, err := r.sessions.EndAll(ctx, u.ID, 0); err != nil {
			return err
		}
		return r.outbox.Add(ctx, passwordResetDoneMail(u, now), now)
	})
	if errors.Is(err, domain.ErrNotFound) {
		return refuse()
	}
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	r.telemetry.RecoveryEvent("reset_completed")
	return nil
}

// VerifyEmail implements ports.Recovery.
func (r *Recovery) VerifyEmail(ctx context.Context, token domain.MailToken, clientAddr string) error {
	if err := r.throttle.tokenAttempt(ctx, clientAddr); err != nil {
		return err
	}
	refuse := func() error {
		r.telemetry.RecoveryEvent("verification_refused")
		return domain.ErrInvalidVerificationToken
	}
	if token == "" {
		return refuse()
	}
	err := r.tx.InTx(ctx, func(ctx context.Context) error {
		t, err := r.tokens.Take(ctx, domain.PurposeEmailVerification, token.Hash())
		if err != nil {
			return err
		}
		now := r.clock.Now()
		if !t.Live(now) {
			return domain.ErrNotFound
		}
		return r.users.SetEmailVerified(ctx, t.UserID, t.Email, now)
	})
	if errors.Is(err, domain.ErrNotFound) {
		return refuse()
	}
	if err != nil {
		return fmt.Errorf("verify email: %w", err)
	}
	r.telemetry.RecoveryEvent("email_verified")
	return nil
}

// ResendVerification implements ports.Recovery.
func (r *Recovery) ResendVerification(ctx context.Context, p ports.Principal) error {
	if p.User.EmailVerified() {
		return domain.ErrAlreadyVerified
	}
	if err := r.throttle.verificationRequest(ctx, p.User.ID); err != nil {
		return err
	}
	if err := r.tx.InTx(ctx, func(ctx context.Context) error { return r.mailVerification(ctx, p.User) }); err != nil {
		return fmt.Errorf("resend verification: %w", err)
	}
	return nil
}

// mailVerification issues u a verification token and records its mail; call it inside
// the transaction that created the account (or asked for the mail).
func (r *Recovery) mailVerification(ctx context.Context, u domain.User) error {
	return r.mailToken(ctx, u, domain.PurposeEmailVerification, r.cfg.VerificationTTL, verificationMail, "verification_mailed")
}

// notify records the security notice m; call it inside the transaction of the event.
func (r *Recovery) notify(ctx context.Context, m domain.Mail) error {
	return r.outbox.Add(ctx, m, r.clock.Now())
}

// TokenSweep is the flows' housekeeping: it deletes expired tokens (spent ones are
// deleted when spent).
func (r *Recovery) TokenSweep() Sweep { return Sweep{What: "account_tokens", Run: r.tokens.Sweep} }
