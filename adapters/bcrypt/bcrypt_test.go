package bcrypt_test

import (
	"strings"
	"testing"

	"github.com/hexashop/hexashop/adapters/bcrypt"
	"github.com/hexashop/hexashop/core/domain"
)

func TestHashAndMatch(t *testing.T) {
	h, err := bcrypt.New(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(hash), "correct horse") {
		t.Fatal("hash contains the password")
	}
	if !h.Matches(hash, "correct horse") || h.Matches(hash, "correct horsf") || h.Matches([]byte("junk"), "correct horse") {
		t.Fatal("Matches disagrees with the password")
	}
	again, _ := h.Hash("correct horse")
	if string(again) == string(hash) {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestPasswordsPast72BytesNeverMatch(t *testing.T) {
	h, _ := bcrypt.New(bcrypt.MinCost)
	p72 := strings.Repeat("a", 72)
	hash, err := h.Hash(domain.Password(p72))
	if err != nil {
		t.Fatal(err)
	}
	if h.Matches(hash, p72+"suffix") {
		t.Fatal("bcrypt truncation lets a longer password match")
	}
}

func TestCostBounds(t *testing.T) {
	for _, c := range []int{3, 32} {
		if _, err := bcrypt.New(c); err == nil {
			t.Errorf("cost %d accepted", c)
		}
	}
}
