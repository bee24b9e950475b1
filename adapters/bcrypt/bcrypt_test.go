package bcrypt_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	xbcrypt "golang.org/x/crypto/bcrypt"

	"github.com/hexashop/hexashop/adapters/bcrypt"
	"github.com/hexashop/hexashop/core/domain"
)

var ctx = context.Background()

func newHasher(t *testing.T, cfg bcrypt.Config) *bcrypt.Hasher {
	t.Helper()
	if cfg.Cost == 0 {
		cfg.Cost = bcrypt.MinCost
	}
	if cfg.QueueTimeout == 0 {
		cfg.QueueTimeout = time.Second
	}
	h, err := bcrypt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

func matches(t *testing.T, h *bcrypt.Hasher, hash []byte, pw string) bool {
	t.Helper()
	ok, err := h.Matches(ctx, hash, pw)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestHashAndMatch(t *testing.T) {
	h := newHasher(t, bcrypt.Config{})
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(hash), "correct horse") {
		t.Fatal("hash contains the password")
	}
	if !matches(t, h, hash, "correct horse") || matches(t, h, hash, "correct horsf") ||
		matches(t, h, []byte("junk"), "correct horse") || matches(t, h, nil, "correct horse") {
		t.Fatal("Matches disagrees with the password")
	}
	again, _ := h.Hash(ctx, "correct horse")
	if string(again) == string(hash) {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestPasswordsPast72BytesNeverMatch(t *testing.T) {
	h := newHasher(t, bcrypt.Config{})
	p72 := strings.Repeat("a", 72)
	hash, err := h.Hash(ctx, domain.Password(p72))
	if err != nil {
		t.Fatal(err)
	}
	if matches(t, h, hash, p72+"suffix") {
		t.Fatal("bcrypt truncation lets a longer password match")
	}
}

func TestConfigBounds(t *testing.T) {
	for _, cfg := range []bcrypt.Config{
		{Cost: 3, QueueTimeout: time.Second}, {Cost: 32, QueueTimeout: time.Second},
		{Cost: 4}, {Cost: 4, QueueTimeout: time.Second, Nice: 20}, {Cost: 4, QueueTimeout: time.Second, Nice: -1},
	} {
		if h, err := bcrypt.New(cfg); err == nil {
			h.Close()
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestNeedsRehashWhenTheCostChanged(t *testing.T) {
	old := newHasher(t, bcrypt.Config{Cost: 4})
	cur := newHasher(t, bcrypt.Config{Cost: 5})
	hash4, _ := old.Hash(ctx, "12345678")
	hash5, _ := cur.Hash(ctx, "12345678")
	if !cur.NeedsRehash(hash4) || cur.NeedsRehash(hash5) || !cur.NeedsRehash([]byte("not bcrypt")) || !old.NeedsRehash(hash5) {
		t.Fatal("NeedsRehash does not follow the configured cost")
	}
	if !matches(t, cur, hash4, "12345678") {
		t.Fatal("a hash of another cost no longer matches")
	}
}

// BenchmarkCompare measures comparisons per cost with every CPU comparing at once (run it
// with -cpu set to the CPU count): 1e9 / ns/op is the machine's bound on logins per
// second, which test/load/flood.sh compares the service with.
func BenchmarkCompare(b *testing.B) {
	for _, cost := range []int{4, 10, 12} {
		b.Run("cost="+strconv.Itoa(cost), func(b *testing.B) {
			hash, err := xbcrypt.GenerateFromPassword([]byte("12345678"), cost)
			if err != nil {
				b.Fatal(err)
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_ = xbcrypt.CompareHashAndPassword(hash, []byte("12345678"))
				}
			})
		})
	}
}
