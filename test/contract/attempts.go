package contract

import (
	"context"
	"sync"
	"testing"
	"time"
)

func testAttemptCounter(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	now := t0

	t.Run("counts per key until the record expires", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts
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
		a := newStore(t).Attempts
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
		a := newStore(t).Attempts
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

	t.Run("keys may hold any bytes a client sends", func(t *testing.T) {
		t.Parallel()
		a := newStore(t).Attempts
		key := "i:2001:db8::1|p:é"
		if err := a.Add(ctx, []string{key}, now, time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, err := a.Get(ctx, []string{key}, now); err != nil || got[key].Count != 1 {
			t.Fatalf("get %q: %+v %v", key, got, err)
		}
	})
}
