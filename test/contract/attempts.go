package contract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hexashop/hexashop/ports"
)

func init() { suite("AttemptCounter", testAttemptCounter) }

// Attempts is the backend's attempt counter.
func (s Store) Attempts() ports.AttemptCounter { return port[ports.AttemptCounter](s) }

func testAttemptCounter(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	now := t0

	t.Run("counts per key until the record expires", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts()
		if err := a.Add(ctx, []string{"a:1", "i:10.0.0.1"}, now, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := a.Add(ctx, []string{"a:1"}, now.Add(time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		got, err := a.Get(ctx, []string{"a:1", "i:10.0.0.1", "a:absent"}, now.Add(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["a:1"].Count != 2 || !got["a:1"].Last.Equal(now.Add(time.Second)) ||
			got["i:10.0.0.1"].Count != 1 {
			t.Fatalf("records = %+v", got)
		}
		// Expired at last + keep: gone, and counting starts again at 1.
		later := now.Add(time.Second + time.Minute)
		if got, _ := a.Get(ctx, []string{"a:1"}, later); len(got) != 0 {
			t.Fatalf("expired record still there: %+v", got)
		}
		if err := a.Add(ctx, []string{"a:1"}, later, time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.Get(ctx, []string{"a:1"}, later); got["a:1"].Count != 1 {
			t.Fatalf("count after expiry = %d, want 1", got["a:1"].Count)
		}
	})

	t.Run("delete and sweep", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts()
		_ = a.Add(ctx, []string{"k1", "k2"}, now, time.Minute)
		_ = a.Add(ctx, []string{"k3"}, now, time.Hour)
		if err := a.Delete(ctx, "k1", "never-there"); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.Get(ctx, []string{"k1", "k2"}, now); len(got) != 1 || got["k2"].Count != 1 {
			t.Fatalf("after delete: %+v", got)
		}
		n, err := a.Sweep(ctx, now.Add(2*time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v; want 1 (k2)", n, err)
		}
		if got, _ := a.Get(ctx, []string{"k3"}, now.Add(2*time.Minute)); got["k3"].Count != 1 {
			t.Fatalf("sweep removed a live record: %+v", got)
		}
	})

	t.Run("concurrent adds all count", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts()
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				keys := []string{"shared", "b"}
				if i%2 == 0 {
					keys = []string{"b", "shared", "shared"} // any order, even repeated
				}
				if err := a.Add(ctx, keys, now, time.Minute); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, _ := a.Get(ctx, []string{"shared", "b"}, now)
		if got["shared"].Count != 40 || got["b"].Count != 40 {
			t.Fatalf("after 40 concurrent adds: %+v", got)
		}
	})

	t.Run("reserve counts only what admit lets through, one at a time", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts()
		const budget = 5
		refused := errors.New("over budget")
		admit := func(recs map[string]ports.AttemptRecord) error {
			if recs["acct"].Count >= budget {
				return refused
			}
			return nil
		}
		var admitted atomic.Int32
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				// Overlapping keys in any order: reservations queue, never deadlock.
				add := []string{"acct", fmt.Sprintf("addr%d", i%3), "shared"}
				if i%2 == 0 {
					add = []string{"shared", fmt.Sprintf("addr%d", i%3), "acct"}
				}
				_, err := a.Reserve(ctx, []string{"known"}, add, now, time.Minute, admit)
				switch {
				case err == nil:
					admitted.Add(1)
				case !errors.Is(err, refused):
					t.Errorf("reserve: %v", err)
				}
			})
		}
		wg.Wait()
		if admitted.Load() != budget {
			t.Fatalf("%d of 30 concurrent reservations admitted, want exactly %d", admitted.Load(), budget)
		}
		got, _ := a.Get(ctx, []string{"acct", "shared", "known"}, now)
		if got["acct"].Count != budget || got["shared"].Count != budget {
			t.Fatalf("records = %+v; refused reservations must count nothing", got)
		}
		if _, ok := got["known"]; ok {
			t.Fatal("a key only read got a record")
		}
		// admit sees the records as they were, read keys included.
		_ = a.Add(ctx, []string{"known"}, now, time.Minute)
		recs, err := a.Reserve(ctx, []string{"known"}, []string{"fresh"}, now, time.Minute,
			func(map[string]ports.AttemptRecord) error { return nil })
		if err != nil || recs["known"].Count != 1 || len(recs) != 1 {
			t.Fatalf("records given to admit = %+v, %v; want only known, counted once", recs, err)
		}
		// An expired record starts again at 1.
		if _, err := a.Reserve(ctx, nil, []string{"acct"}, now.Add(2*time.Minute), time.Minute, admit); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.Get(ctx, []string{"acct"}, now.Add(2*time.Minute)); got["acct"].Count != 1 {
			t.Fatalf("after expiry: %+v", got)
		}
	})

	t.Run("forget takes counts back, and deletes what reaches zero", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts()
		for range 3 {
			_ = a.Add(ctx, []string{"x", "y"}, now, time.Minute)
		}
		if err := a.Forget(ctx, map[string]int{"x": 1, "y": 5, "absent": 2}); err != nil {
			t.Fatal(err)
		}
		got, _ := a.Get(ctx, []string{"x", "y", "absent"}, now)
		if len(got) != 1 || got["x"].Count != 2 || !got["x"].Last.Equal(now) {
			t.Fatalf("after forget: %+v; want x at 2 (last unchanged), y gone", got)
		}
	})

	t.Run("keys may hold any bytes a client sends", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts()
		key := "i:2001:db8::1|p:é"
		if err := a.Add(ctx, []string{key}, now, time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, err := a.Get(ctx, []string{key}, now); err != nil || got[key].Count != 1 {
			t.Fatalf("get %q: %+v %v", key, got, err)
		}
	})
}
