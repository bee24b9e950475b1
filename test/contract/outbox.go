package contract

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

func init() { suite("Outbox", testOutbox) }

// Outbox is the backend's mail outbox.
func (s Store) Outbox() ports.Outbox { return port[ports.Outbox](s) }

func testOutbox(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	mail := func(i int) domain.Mail {
		return domain.Mail{To: domain.Email(fmt.Sprintf("u%d@example.com", i)), Subject: fmt.Sprintf("s%d", i), Body: "body ✓"}
	}

	t.Run("claim leases due mail; sent mail never returns; retry waits; lease expiry re-offers", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i := range 3 {
			if err := s.Outbox().Add(ctx, mail(i), t0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Outbox().Claim(ctx, t0, time.Minute, 2)
		if err != nil || len(got) != 2 || got[0].Mail != mail(0) || got[1].Mail != mail(1) || got[0].Attempts != 1 {
			t.Fatalf("first claim = %+v, %v", got, err)
		}
		rest, _ := s.Outbox().Claim(ctx, t0, time.Minute, 10)
		if len(rest) != 1 || rest[0].Mail != mail(2) {
			t.Fatalf("second claim = %+v; leased mail was offered again", rest)
		}
		if err := s.Outbox().MarkSent(ctx, got[0].ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.Outbox().Retry(ctx, got[1].ID, t0.Add(10*time.Second), "451 try later"); err != nil {
			t.Fatal(err)
		}
		if none, _ := s.Outbox().Claim(ctx, t0.Add(5*time.Second), time.Minute, 10); len(none) != 0 {
			t.Fatalf("claim before retry time = %+v", none)
		}
		again, _ := s.Outbox().Claim(ctx, t0.Add(10*time.Second), time.Minute, 10)
		if len(again) != 1 || again[0].ID != got[1].ID || again[0].Attempts != 2 {
			t.Fatalf("claim at retry time = %+v", again)
		}
		// rest[0] was claimed and never marked: its dispatcher died. After the lease it is due.
		expired, _ := s.Outbox().Claim(ctx, t0.Add(2*time.Minute), time.Minute, 10)
		ids := map[int64]bool{}
		for _, m := range expired {
			ids[m.ID] = true
		}
		if !ids[rest[0].ID] || ids[got[0].ID] {
			t.Fatalf("after lease expiry = %+v; want the abandoned one, never the sent one", expired)
		}
		if err := s.Outbox().GiveUp(ctx, rest[0].ID, t0, "550 no such user"); err != nil {
			t.Fatal(err)
		}
		if late, _ := s.Outbox().Claim(ctx, t0.Add(time.Hour), time.Minute, 10); len(late) != 1 || late[0].ID != got[1].ID {
			t.Fatalf("claim much later = %+v; want only the retried one", late)
		}
	})

	t.Run("concurrent claims never share a message", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for i := range 30 {
			if err := s.Outbox().Add(ctx, mail(i), t0); err != nil {
				t.Fatal(err)
			}
		}
		var (
			mu    sync.Mutex
			count = map[int64]int{}
			wg    sync.WaitGroup
		)
		for range 6 {
			wg.Go(func() {
				for {
					msgs, err := s.Outbox().Claim(ctx, t0, time.Minute, 4)
					if err != nil {
						t.Error(err)
						return
					}
					if len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						count[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(count) != 30 {
			t.Fatalf("%d distinct messages claimed, want 30", len(count))
		}
		for id, n := range count {
			if n != 1 {
				t.Fatalf("message %d claimed %d times", id, n)
			}
		}
	})

	t.Run("Backlog counts what is neither sent nor given up, and the oldest", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if n, oldest, err := s.Outbox().Backlog(ctx); err != nil || n != 0 || !oldest.IsZero() {
			t.Fatalf("empty Backlog = %d, %v, %v", n, oldest, err)
		}
		for i := range 3 {
			if err := s.Outbox().Add(ctx, mail(i), t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := s.Outbox().Claim(ctx, t0.Add(time.Hour), time.Minute, 2)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("Claim = %v, %v", claimed, err)
		}
		if err := s.Outbox().MarkSent(ctx, claimed[0].ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.Outbox().GiveUp(ctx, claimed[1].ID, t0.Add(time.Hour), "bounced"); err != nil {
			t.Fatal(err)
		}
		n, oldest, err := s.Outbox().Backlog(ctx)
		if err != nil || n != 1 || !oldest.Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("Backlog = %d, %v, %v; want 1 message recorded at %v", n, oldest, err, t0.Add(2*time.Minute))
		}
	})
}
