package contract

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() { suite("AccountTokenRepository", testAccountTokens) }

// AccountTokens is the backend's mailed-token repository.
func (s Store) AccountTokens() ports.AccountTokenRepository {
	return port[ports.AccountTokenRepository](s)
}

func accountToken(u domain.User, purpose domain.TokenPurpose, secret string, at time.Time) domain.AccountToken {
	return domain.AccountToken{Hash: domain.MailToken(secret).Hash(), UserID: u.ID, Purpose: purpose, Email: u.Email,
		CreatedAt: at, ExpiresAt: at.Add(30 * time.Minute)}
}

func testAccountTokens(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("put, find, take once; a new token supersedes; purposes are apart", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "tokens@example.com")
		first := accountToken(u, domain.PurposePasswordReset, "first", t0)
		if err := s.AccountTokens().Put(ctx, first); err != nil {
			t.Fatal(err)
		}
		got, err := s.AccountTokens().Find(ctx, domain.PurposePasswordReset, first.Hash)
		if err != nil || !bytes.Equal(got.Hash, first.Hash) || got.UserID != u.ID || got.Email != u.Email ||
			!got.CreatedAt.Equal(t0) || !got.ExpiresAt.Equal(first.ExpiresAt) || got.Purpose != domain.PurposePasswordReset {
			t.Fatalf("Find = %+v, %v", got, err)
		}
		if _, err := s.AccountTokens().Find(ctx, domain.PurposeEmailVerification, first.Hash); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a reset token found as a verification token: %v", err)
		}
		verify := accountToken(u, domain.PurposeEmailVerification, "verify", t0)
		if err := s.AccountTokens().Put(ctx, verify); err != nil {
			t.Fatal(err)
		}
		second := accountToken(u, domain.PurposePasswordReset, "second", t0.Add(time.Minute))
		if err := s.AccountTokens().Put(ctx, second); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AccountTokens().Take(ctx, domain.PurposePasswordReset, first.Hash); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a superseded token was taken: %v", err)
		}
		if _, err := s.AccountTokens().Find(ctx, domain.PurposeEmailVerification, verify.Hash); err != nil {
			t.Fatalf("a reset token superseded the verification token: %v", err)
		}
		if got, err := s.AccountTokens().Take(ctx, domain.PurposePasswordReset, second.Hash); err != nil || got.UserID != u.ID {
			t.Fatalf("Take = %+v, %v", got, err)
		}
		if _, err := s.AccountTokens().Take(ctx, domain.PurposePasswordReset, second.Hash); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a token was taken twice: %v", err)
		}
	})

	t.Run("a rolled-back take leaves the token; concurrent takes: one wins", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "race@example.com")
		tok := accountToken(u, domain.PurposePasswordReset, "race", t0)
		if err := s.AccountTokens().Put(ctx, tok); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			if _, err := s.AccountTokens().Take(ctx, domain.PurposePasswordReset, tok.Hash); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 6 {
			wg.Go(func() {
				err := s.Tx.InTx(ctx, func(ctx context.Context) error {
					_, err := s.AccountTokens().Take(ctx, domain.PurposePasswordReset, tok.Hash)
					return err
				})
				if err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				} else if !errors.Is(err, domain.ErrNotFound) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d concurrent takes of one token won, want 1", won)
		}
	})

	t.Run("sweep deletes expired tokens only", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a, b := mustCreate(t, s, "a@example.com"), mustCreate(t, s, "b@example.com")
		old := accountToken(a, domain.PurposePasswordReset, "old", t0)
		fresh := accountToken(b, domain.PurposePasswordReset, "fresh", t0.Add(time.Hour))
		for _, tok := range []domain.AccountToken{old, fresh} {
			if err := s.AccountTokens().Put(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.AccountTokens().Sweep(ctx, t0.Add(45*time.Minute)); err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v; want 1", n, err)
		}
		if _, err := s.AccountTokens().Find(ctx, domain.PurposePasswordReset, fresh.Hash); err != nil {
			t.Fatalf("the live token went: %v", err)
		}
	})

	t.Run("SetEmailVerified needs the address the token went to", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "verify@example.com")
		at := t0.Add(time.Hour)
		if err := s.Users().SetEmailVerified(ctx, u.ID, "other@example.com", at); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("verified through another address: %v", err)
		}
		if err := s.Users().SetEmailVerified(ctx, u.ID, u.Email, at); err != nil {
			t.Fatal(err)
		}
		got, err := s.Users().ByID(ctx, u.ID)
		if err != nil || !got.EmailVerifiedAt.Equal(at) {
			t.Fatalf("after SetEmailVerified: %+v, %v", got, err)
		}
		// Create and Update keep the time too.
		admin := newUser("admin@example.com")
		admin.EmailVerifiedAt = t0
		created, err := s.Users().Create(ctx, admin)
		if err != nil || !created.EmailVerifiedAt.Equal(t0) {
			t.Fatalf("Create with a verified address: %+v, %v", created, err)
		}
		created.EmailVerifiedAt = time.Time{}
		if err := s.Users().Update(ctx, created); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Users().ByID(ctx, created.ID); !got.EmailVerifiedAt.IsZero() {
			t.Fatalf("Update kept EmailVerifiedAt: %+v", got)
		}
		if err := s.Users().Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Users().SetEmailVerified(ctx, u.ID, u.Email, at); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a deleted account verified: %v", err)
		}
	})
}
