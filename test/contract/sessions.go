package contract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() {
	suite("SessionRepository", testSessions)
	pagedList("sessions of a user", func() list {
		ctx := context.Background()
		var owner atomic.Int64
		create := func(s Store, userID int64) (int64, error) {
			ss, err := s.Sessions().Create(ctx, newSession(userID, t0), domain.RefreshToken(uniqueName("tok")).Hash())
			return ss.ID, err
		}
		return list{
			kind: domain.CursorSessions,
			seed: func(t *testing.T, s Store) ([]int64, []int64) {
				owner.Store(mustCreate(t, s, "sessions-owner@example.com").ID)
				other := mustCreate(t, s, "sessions-other@example.com").ID
				return split(30, func() int64 {
					if _, err := create(s, other); err != nil { // interleaved, never listed
						t.Fatal(err)
					}
					id, err := create(s, owner.Load())
					if err != nil {
						t.Fatal(err)
					}
					return id
				})
			},
			page: func(s Store, p domain.PageRequest) ([]domain.Cursor, domain.Cursor, error) {
				return keysOf(s.Sessions().ListByUser(ctx, owner.Load(), t0.Add(time.Minute), p))
			},
			churn: func(s Store, i int, volatile []int64) error {
				if i%2 == 0 && i/2 < len(volatile) {
					return s.Sessions().End(ctx, owner.Load(), volatile[i/2])
				}
				_, err := create(s, owner.Load())
				return err
			},
		}
	})
}

// Sessions is the backend's session repository.
func (s Store) Sessions() ports.SessionRepository { return port[ports.SessionRepository](s) }

var firstPage = domain.PageRequest{Limit: domain.MaxPageLimit}

func newSession(userID int64, at time.Time) domain.Session {
	return domain.Session{UserID: userID, CreatedAt: at, LastUsedAt: at, IdleExpiresAt: at.Add(time.Hour),
		ExpiresAt: at.Add(24 * time.Hour), UserAgent: "agent/1.0"}
}

func testSessions(t *testing.T, newStore NewStore) {
	ctx := context.Background()

	t.Run("create, grant, rotate, active user", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "s@example.com")
		h1, h2 := domain.RefreshToken("one").Hash(), domain.RefreshToken("two").Hash()
		sess, err := s.Sessions().Create(ctx, newSession(u.ID, t0), h1)
		if err != nil || sess.ID <= 0 || sess.UserID != u.ID || !sess.CreatedAt.Equal(t0) || sess.UserAgent != "agent/1.0" {
			t.Fatalf("Create = %+v, %v", sess, err)
		}
		g, err := s.Sessions().Grant(ctx, h1)
		if err != nil || g.SessionID != sess.ID || g.UserID != u.ID || !g.SpentAt.IsZero() || !g.IssuedAt.Equal(t0) {
			t.Fatalf("Grant = %+v, %v", g, err)
		}
		if _, err := s.Sessions().Grant(ctx, domain.RefreshToken("never").Hash()); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		got, err := s.Sessions().ActiveUser(ctx, u.ID, sess.ID, t0.Add(time.Minute))
		equalUser(t, got, u)
		if err != nil {
			t.Fatal(err)
		}
		later := t0.Add(30 * time.Minute)
		sess.LastUsedAt, sess.IdleExpiresAt, sess.PreviousTokenHash = later, later.Add(time.Hour), h1
		err = s.Tx.InTx(ctx, func(ctx context.Context) error {
			if _, err := s.Sessions().Lock(ctx, sess.ID); err != nil {
				return err
			}
			return s.Sessions().Rotate(ctx, sess, h1, h2, 8)
		})
		if err != nil {
			t.Fatal(err)
		}
		if g, _ := s.Sessions().Grant(ctx, h1); !g.SpentAt.Equal(later) {
			t.Fatalf("old token after rotation: %+v", g)
		}
		if g, _ := s.Sessions().Grant(ctx, h2); g.SessionID != sess.ID || !g.SpentAt.IsZero() || !g.IssuedAt.Equal(later) {
			t.Fatalf("new token after rotation: %+v", g)
		}
		locked, err := s.Sessions().Lock(ctx, sess.ID)
		if err != nil || !locked.LastUsedAt.Equal(later) || !locked.IdleExpiresAt.Equal(later.Add(time.Hour)) ||
			string(locked.PreviousTokenHash) != string(h1) || !locked.ExpiresAt.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("session after rotation = %+v, %v", locked, err)
		}
		// The idle end moved; the absolute end did not.
		if _, err := s.Sessions().ActiveUser(ctx, u.ID, sess.ID, t0.Add(80*time.Minute)); err != nil {
			t.Fatalf("within the moved idle end: %v", err)
		}
		for name, at := range map[string]time.Time{"idle": later.Add(time.Hour), "absolute": t0.Add(24 * time.Hour)} {
			if _, err := s.Sessions().ActiveUser(ctx, u.ID, sess.ID, at); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("past the %s end: %v, want ErrNotFound", name, err)
			}
		}
		if _, err := s.Sessions().ActiveUser(ctx, u.ID+1, sess.ID, t0); !errors.Is(err, domain.ErrNotFound) {
			t.Error("a session answers for another user")
		}
		if err := s.Users().Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sessions().ActiveUser(ctx, u.ID, sess.ID, t0); !errors.Is(err, domain.ErrNotFound) {
			t.Error("a deleted user's session still gives the user")
		}
	})

	t.Run("Lock holds a session until the transaction ends: a second locker sees the first one's rotation", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "locked-session@example.com")
		h1, h2 := domain.RefreshToken("one").Hash(), domain.RefreshToken("two").Hash()
		sess, err := s.Sessions().Create(ctx, newSession(u.ID, t0), h1)
		if err != nil {
			t.Fatal(err)
		}
		later := t0.Add(time.Minute)
		holdsLock(t, s,
			func(ctx context.Context) error { _, err := s.Sessions().Lock(ctx, sess.ID); return err },
			func(ctx context.Context) error {
				rotated := sess
				rotated.LastUsedAt, rotated.PreviousTokenHash = later, h1
				return s.Sessions().Rotate(ctx, rotated, h1, h2, 8)
			},
			func(ctx context.Context) (int64, error) {
				cur, err := s.Sessions().Lock(ctx, sess.ID)
				return cur.LastUsedAt.UnixMicro(), err
			}, later.UnixMicro())
	})

	t.Run("list, end, end all, sweep", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a, b := mustCreate(t, s, "a@example.com"), mustCreate(t, s, "b@example.com")
		var ids []int64
		for i := range 3 {
			ss, err := s.Sessions().Create(ctx, newSession(a.ID, t0.Add(time.Duration(i)*time.Minute)), domain.RefreshToken(fmt.Sprintf("a%d", i)).Hash())
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ss.ID)
		}
		bs, _ := s.Sessions().Create(ctx, newSession(b.ID, t0), domain.RefreshToken("b").Hash())
		list, err := s.Sessions().ListByUser(ctx, a.ID, t0.Add(5*time.Minute), firstPage)
		if err != nil || len(list.Items) != 3 || list.Items[0].ID != ids[2] || list.Items[2].ID != ids[0] || !list.Next.IsZero() {
			t.Fatalf("ListByUser = %+v, %v; want 3, newest first", list, err)
		}
		if err := s.Sessions().End(ctx, b.ID, ids[0]); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("ending another user's session: %v", err)
		}
		if err := s.Sessions().End(ctx, a.ID, ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sessions().Grant(ctx, domain.RefreshToken("a0").Hash()); !errors.Is(err, domain.ErrNotFound) {
			t.Fatal("an ended session's token is still granted")
		}
		if n, err := s.Sessions().EndAll(ctx, a.ID, ids[2]); err != nil || n != 1 {
			t.Fatalf("EndAll keeping one = %d, %v; want 1", n, err)
		}
		if list, _ := s.Sessions().ListByUser(ctx, a.ID, t0, firstPage); len(list.Items) != 1 || list.Items[0].ID != ids[2] {
			t.Fatalf("after EndAll: %+v", list)
		}
		if list, _ := s.Sessions().ListByUser(ctx, a.ID, t0.Add(2*time.Hour), firstPage); len(list.Items) != 0 {
			t.Fatal("ListByUser shows an expired session")
		}
		n, err := s.Sessions().Sweep(ctx, t0.Add(90*time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("Sweep = %d, %v; want 2 (a's last and b's)", n, err)
		}
		if _, err := s.Sessions().Lock(ctx, bs.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatal("a swept session is still there")
		}
	})

	t.Run("trim keeps the newest live sessions", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a, b := mustCreate(t, s, "trim-a@example.com"), mustCreate(t, s, "trim-b@example.com")
		var ids []int64
		for i := range 5 {
			ss, err := s.Sessions().Create(ctx, newSession(a.ID, t0.Add(time.Duration(i)*time.Minute)), domain.RefreshToken(fmt.Sprintf("t%d", i)).Hash())
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ss.ID)
		}
		// An expired one, newer than all: it ends, and does not take a live one's place.
		old := newSession(a.ID, t0.Add(10*time.Minute))
		old.IdleExpiresAt = t0.Add(11 * time.Minute)
		if _, err := s.Sessions().Create(ctx, old, domain.RefreshToken("expired").Hash()); err != nil {
			t.Fatal(err)
		}
		other, _ := s.Sessions().Create(ctx, newSession(b.ID, t0), domain.RefreshToken("b").Hash())
		n, err := s.Sessions().Trim(ctx, a.ID, 3, t0.Add(20*time.Minute))
		if err != nil || n != 3 {
			t.Fatalf("Trim = %d, %v; want 3 (the two oldest and the expired one)", n, err)
		}
		list, _ := s.Sessions().ListByUser(ctx, a.ID, t0.Add(20*time.Minute), firstPage)
		if len(list.Items) != 3 || list.Items[0].ID != ids[4] || list.Items[2].ID != ids[2] {
			t.Fatalf("after Trim: %+v; want the three newest", list.Items)
		}
		if _, err := s.Sessions().Grant(ctx, domain.RefreshToken("t0").Hash()); !errors.Is(err, domain.ErrNotFound) {
			t.Fatal("a trimmed session's token is still granted")
		}
		if _, err := s.Sessions().Lock(ctx, other.ID); err != nil {
			t.Fatalf("another user's session was trimmed: %v", err)
		}
	})

	t.Run("rotation keeps a bounded record of spent tokens", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "spent@example.com")
		tok := func(i int) []byte { return domain.RefreshToken(fmt.Sprintf("r%d", i)).Hash() }
		sess, err := s.Sessions().Create(ctx, newSession(u.ID, t0), tok(0))
		if err != nil {
			t.Fatal(err)
		}
		const keep = 3
		for i := 1; i <= 10; i++ {
			err := s.Tx.InTx(ctx, func(ctx context.Context) error {
				cur, err := s.Sessions().Lock(ctx, sess.ID)
				if err != nil {
					return err
				}
				cur.LastUsedAt = t0.Add(time.Duration(i) * time.Second)
				cur.PreviousTokenHash = tok(i - 1)
				return s.Sessions().Rotate(ctx, cur, tok(i-1), tok(i), keep)
			})
			if err != nil {
				t.Fatalf("rotation %d: %v", i, err)
			}
		}
		// r10 is live, r7..r9 spent and remembered, r0..r6 forgotten.
		for i := 0; i <= 10; i++ {
			g, err := s.Sessions().Grant(ctx, tok(i))
			switch {
			case i < 10-keep:
				if !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("r%d: %+v %v; want forgotten", i, g, err)
				}
			case i < 10:
				if err != nil || g.SpentAt.IsZero() {
					t.Errorf("r%d: %+v %v; want spent and remembered", i, g, err)
				}
			default:
				if err != nil || !g.SpentAt.IsZero() {
					t.Errorf("r%d: %+v %v; want live", i, g, err)
				}
			}
		}
	})

	t.Run("concurrent rotations of one token: one wins", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		u := mustCreate(t, s, "c@example.com")
		h := domain.RefreshToken("shared").Hash()
		sess, err := s.Sessions().Create(ctx, newSession(u.ID, t0), h)
		if err != nil {
			t.Fatal(err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				err := s.Tx.InTx(ctx, func(ctx context.Context) error {
					cur, err := s.Sessions().Lock(ctx, sess.ID)
					if err != nil {
						return err
					}
					g, err := s.Sessions().Grant(ctx, h) // read under the lock
					if err != nil || !g.SpentAt.IsZero() {
						return err
					}
					cur.LastUsedAt = t0.Add(time.Minute)
					if err := s.Sessions().Rotate(ctx, cur, h, domain.RefreshToken(string(rune('A'+i))).Hash(), 8); err != nil {
						return err
					}
					wins.Add(1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d rotations of one token, want 1", wins.Load())
		}
	})

	t.Run("sweeps of sent mail", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, to := range []string{"sent@example.com", "failed@example.com", "due@example.com"} {
			if err := s.Outbox().Add(ctx, domain.Mail{To: domain.Email(to), Subject: "s", Body: "b"}, t0); err != nil {
				t.Fatal(err)
			}
		}
		msgs, err := s.Outbox().Claim(ctx, t0, time.Minute, 10)
		if err != nil || len(msgs) != 3 {
			t.Fatalf("claim: %v %v", msgs, err)
		}
		for _, m := range msgs {
			switch m.Mail.To {
			case "sent@example.com":
				err = s.Outbox().MarkSent(ctx, m.ID, t0)
			case "failed@example.com":
				err = s.Outbox().GiveUp(ctx, m.ID, t0.Add(time.Hour), "no")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.Outbox().Sweep(ctx, t0.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("outbox sweep = %d, %v; want 1 (the sent one)", n, err)
		}
		if n, err := s.Outbox().Sweep(ctx, t0.Add(48*time.Hour)); err != nil || n != 1 {
			t.Fatalf("outbox sweep = %d, %v; want 1 (the given-up one), never a due one", n, err)
		}
	})

	t.Run("outbox leases are renewed while they last", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, to := range []string{"kept@example.com", "lost@example.com"} {
			if err := s.Outbox().Add(ctx, domain.Mail{To: domain.Email(to), Subject: "s", Body: "b"}, t0); err != nil {
				t.Fatal(err)
			}
		}
		msgs, err := s.Outbox().Claim(ctx, t0, time.Minute, 10)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("claim: %v %v", msgs, err)
		}
		kept, lost := msgs[0].ID, msgs[1].ID
		// Renewed in time: still leased after the first lease would have ended.
		if err := s.Outbox().Renew(ctx, []int64{kept}, t0.Add(30*time.Second), t0.Add(90*time.Second)); err != nil {
			t.Fatal(err)
		}
		// Too late: the lease had run out, the renewal does nothing.
		if err := s.Outbox().Renew(ctx, []int64{lost}, t0.Add(61*time.Second), t0.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		due, err := s.Outbox().Claim(ctx, t0.Add(70*time.Second), time.Minute, 10)
		if err != nil || len(due) != 1 || due[0].ID != lost {
			t.Fatalf("claim after the first lease = %v, %v; want only the unrenewed message", due, err)
		}
		if err := s.Outbox().MarkSent(ctx, kept, t0.Add(80*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.Outbox().Renew(ctx, []int64{kept}, t0.Add(85*time.Second), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.Outbox().Claim(ctx, t0.Add(2*time.Hour), time.Minute, 10); len(due) != 1 || due[0].ID != lost {
			t.Fatalf("a sent message came back: %v", due)
		}
	})
}
