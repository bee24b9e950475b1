package contract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() {
	suite("UserRepository", testUserRepository)
	pagedList("users", func() list {
		ctx := context.Background()
		return list{
			kind: domain.CursorUsers,
			seed: func(t *testing.T, s Store) ([]int64, []int64) {
				return split(30, func() int64 { return mustCreate(t, s, uniqueName("u")+"@example.com").ID })
			},
			page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
				return keysOf(s.Users().List(ctx, p))
			},
			churn: func(s Store, i int, volatile []int64) error {
				if i%2 == 0 && i/2 < len(volatile) {
					return s.Users().Delete(ctx, volatile[i/2])
				}
				_, err := s.Users().Create(ctx, newUser(uniqueName("new")+"@example.com"))
				return err
			},
		}
	})
}

// Users is the backend's user repository.
func (s Store) Users() ports.UserRepository { return port[ports.UserRepository](s) }

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

func newUser(email string) domain.User {
	return domain.User{
		Name: "User " + email, Email: domain.Email(email), Role: domain.RoleCustomer,
		PasswordHash: []byte("hash-of-" + email), CreatedAt: t0,
	}
}

func mustCreate(t *testing.T, s Store, email string) domain.User {
	t.Helper()
	u, err := s.Users().Create(context.Background(), newUser(email))
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func equalUser(t *testing.T, got, want domain.User) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Email != want.Email || got.Role != want.Role ||
		string(got.PasswordHash) != string(want.PasswordHash) || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("user mismatch:\n got  %+v\n want %+v", got, want)
	}
}

func testUserRepository(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("create then read back by id and email", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a := mustCreate(t, s, "a@example.com")
		b := mustCreate(t, s, "b@example.com")
		if a.ID <= 0 || b.ID <= a.ID {
			t.Fatalf("ids must be positive and increasing: %d, %d", a.ID, b.ID)
		}
		want := newUser("a@example.com")
		want.ID = a.ID
		equalUser(t, a, want)
		got, err := s.Users().ByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		equalUser(t, got, want)
		if got.CreatedAt.Location() != time.UTC {
			t.Errorf("created_at location = %v, want UTC", got.CreatedAt.Location())
		}
		got, err = s.Users().ByEmail(ctx, "a@example.com")
		if err != nil {
			t.Fatal(err)
		}
		equalUser(t, got, want)
	})

	t.Run("unknown id and email are ErrNotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := s.Users().ByID(ctx, 424242); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByID: err = %v, want ErrNotFound", err)
		}
		if _, err := s.Users().ByEmail(ctx, "nobody@example.com"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByEmail: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("duplicate email is ErrEmailTaken", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		mustCreate(t, s, "dup@example.com")
		if _, err := s.Users().Create(ctx, newUser("dup@example.com")); !errors.Is(err, domain.ErrEmailTaken) {
			t.Fatalf("err = %v, want ErrEmailTaken", err)
		}
	})

	t.Run("concurrent registrations of one email: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		var (
			wg         sync.WaitGroup
			mu         sync.Mutex
			ok, taken  int
			unexpected []error
		)
		for range 10 {
			wg.Go(func() {
				_, err := s.Users().Create(ctx, newUser("race@example.com"))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, domain.ErrEmailTaken):
					taken++
				default:
					unexpected = append(unexpected, err)
				}
			})
		}
		wg.Wait()
		if ok != 1 || taken != 9 || len(unexpected) > 0 {
			t.Fatalf("ok=%d taken=%d unexpected=%v; want 1, 9, none", ok, taken, unexpected)
		}
	})

	t.Run("deleted users are invisible and free their email", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "gone@example.com")
		if err := s.Users().Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users().ByID(ctx, u.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByID after delete: %v, want ErrNotFound", err)
		}
		if _, err := s.Users().ByEmail(ctx, u.Email); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByEmail after delete: %v, want ErrNotFound", err)
		}
		if err := s.Users().Delete(ctx, u.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("second delete: %v, want ErrNotFound", err)
		}
		if err := s.Users().Update(ctx, u); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("update of deleted: %v, want ErrNotFound", err)
		}
		again := mustCreate(t, s, "gone@example.com")
		if again.ID == u.ID {
			t.Errorf("re-registration reused id %d: old tokens would work for the new account", u.ID)
		}
	})

	t.Run("update changes name, role and hash", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "up@example.com")
		u.Name, u.Role, u.PasswordHash = "Boss", domain.RoleAdmin, []byte("new-hash")
		if err := s.Users().Update(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := s.Users().ByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		equalUser(t, got, u)
		if err := s.Users().Update(ctx, domain.User{ID: 999999, Role: domain.RoleAdmin}); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("update missing: %v, want ErrNotFound", err)
		}
	})

	t.Run("replace password hash only over the hash it was read with", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "rehash@example.com")
		if err := s.Users().ReplacePasswordHash(ctx, u.ID, []byte("stale-hash"), []byte("lost")); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("replace over another hash: %v, want ErrNotFound", err)
		}
		if err := s.Users().ReplacePasswordHash(ctx, u.ID, u.PasswordHash, []byte("upgraded")); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Users().ByID(ctx, u.ID)
		u.PasswordHash = []byte("upgraded")
		equalUser(t, got, u)
		if err := s.Users().Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Users().ReplacePasswordHash(ctx, u.ID, u.PasswordHash, []byte("x")); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("replace on a deleted account: %v, want ErrNotFound", err)
		}
	})

	t.Run("emails of any script round-trip", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		// Case-folded forms Postgres' lower() may disagree with (Cherokee folds to upper).
		for _, e := range []string{"ꭰꭱ@example.com", "ᎠᎡ@example.com", "élise@example.com"} {
			u, err := s.Users().Create(ctx, newUser(e))
			if err != nil {
				t.Fatalf("create %q: %v", e, err)
			}
			if got, err := s.Users().ByEmail(ctx, domain.Email(e)); err != nil || got.ID != u.ID {
				t.Fatalf("by email %q: %+v %v", e, got, err)
			}
		}
	})

	t.Run("list pages live users in id order", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		var ids []int64
		for i := range 5 {
			ids = append(ids, mustCreate(t, s, fmt.Sprintf("u%d@example.com", i)).ID)
		}
		if err := s.Users().Delete(ctx, ids[1]); err != nil {
			t.Fatal(err)
		}
		live := []int64{ids[0], ids[2], ids[3], ids[4]}
		// After the first live user: the deleted one is skipped, the page is full, and
		// its Next is the last user on it.
		p, err := s.Users().List(ctx, domain.PageRequest{Limit: 2, After: domain.AfterID(domain.CursorUsers, live[0])})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 2 || p.Items[0].ID != live[1] || p.Items[1].ID != live[2] || p.Next.ID() != live[2] {
			t.Fatalf("page = items %v next %v; want ids %v", userIDs(p.Items), p.Next, live[1:3])
		}
		p, err = s.Users().List(ctx, domain.PageRequest{Limit: 2, After: p.Next})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != live[3] || !p.Next.IsZero() {
			t.Fatalf("last page = items %v next %v, %v; want [%d] and no next", userIDs(p.Items), p.Next, err, live[3])
		}
		p, err = s.Users().List(ctx, domain.PageRequest{Limit: 10, After: domain.AfterID(domain.CursorUsers, live[3])})
		if err != nil || len(p.Items) != 0 || p.Items == nil || !p.Next.IsZero() {
			t.Fatalf("past the end: %+v, %v; want an empty, non-nil page", p, err)
		}
	})
}

func userIDs(us []domain.User) []int64 {
	ids := make([]int64, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}
