package contract

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() { suite("Transactor", testTransactor) }

// Readiness is the backend's readiness check (the transactor's store).
func (s Store) Readiness() ports.Readiness { return port[ports.Readiness](s) }

func testTransactor(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	boom := errors.New("boom")

	t.Run("commit keeps every write", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		var id int64
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			u, err := s.Users().Create(ctx, newUser("tx@example.com"))
			id = u.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users().ByID(ctx, id); err != nil {
			t.Fatalf("committed user not found: %v", err)
		}
	})

	t.Run("an error rolls back every write", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		keep := mustCreate(t, s, "keep@example.com")
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			if _, err := s.Users().Create(ctx, newUser("rolled@example.com")); err != nil {
				return err
			}
			if err := s.Users().Delete(ctx, keep.ID); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want the function's error", err)
		}
		if _, err := s.Users().ByEmail(ctx, "rolled@example.com"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("create inside failed tx survived: %v", err)
		}
		if _, err := s.Users().ByID(ctx, keep.ID); err != nil {
			t.Errorf("delete inside failed tx survived: %v", err)
		}
	})

	t.Run("a panic rolls back and propagates", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic was swallowed")
				}
			}()
			_ = s.Tx.InTx(ctx, func(ctx context.Context) error {
				if _, err := s.Users().Create(ctx, newUser("panic@example.com")); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if _, err := s.Users().ByEmail(ctx, "panic@example.com"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("create inside panicked tx survived: %v", err)
		}
	})

	t.Run("a nested call joins the outer transaction", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			if err := s.Tx.InTx(ctx, func(ctx context.Context) error {
				_, err := s.Users().Create(ctx, newUser("nested@example.com"))
				return err
			}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v", err)
		}
		if _, err := s.Users().ByEmail(ctx, "nested@example.com"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("inner write survived the outer rollback: %v", err)
		}
	})

	t.Run("a store that answers is ready", func(t *testing.T) {
		t.Parallel()
		if err := newStore(t).Readiness().Ready(ctx); err != nil {
			t.Fatalf("Ready: %v", err)
		}
	})
}

// holdsLock checks a repository's row lock (SELECT ... FOR UPDATE): a first transaction
// takes it with lock and, while a second transaction waits for the same lock, changes the
// row with change; the second then reads (under its lock) and must see want. It fails
// when the second locker did not wait.
func holdsLock[T comparable](t *testing.T, s Store, lock func(ctx context.Context) error,
	change func(ctx context.Context) error, read func(ctx context.Context) (T, error), want T) {
	t.Helper()
	ctx := context.Background()
	locked, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.Tx.InTx(ctx, func(ctx context.Context) error {
			if err := lock(ctx); err != nil {
				return err
			}
			close(locked)
			time.Sleep(100 * time.Millisecond) // the second locker is waiting by now
			return change(ctx)
		})
	}()
	<-locked
	var seen T
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := lock(ctx); err != nil {
			return err
		}
		var err error
		seen, err = read(ctx)
		return err
	})
	if first := <-done; err != nil || first != nil {
		t.Fatalf("first locker: %v; second locker: %v", first, err)
	}
	if seen != want {
		t.Fatalf("the second locker saw %v, want %v: the lock did not wait for the first transaction", seen, want)
	}
}
