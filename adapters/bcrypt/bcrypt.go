// Package bcrypt adapts golang.org/x/crypto/bcrypt to ports.PasswordHasher.
package bcrypt

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Cost limits accepted by New.
const (
	MinCost     = bcrypt.MinCost // 4: for tests only
	MaxCost     = bcrypt.MaxCost // 31
	DefaultCost = 12
)

// Hasher hashes with a fixed cost.
type Hasher struct{ cost int }

var _ ports.PasswordHasher = Hasher{}

// New returns a hasher of the given cost (MinCost..MaxCost).
func New(cost int) (Hasher, error) {
	if cost < MinCost || cost > MaxCost {
		return Hasher{}, fmt.Errorf("bcrypt cost %d outside %d..%d", cost, MinCost, MaxCost)
	}
	return Hasher{cost: cost}, nil
}

// Hash implements ports.PasswordHasher.
func (h Hasher) Hash(p domain.Password) ([]byte, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(p), h.cost)
	if err != nil {
		return nil, fmt.Errorf("bcrypt hash: %w", err)
	}
	return hash, nil
}

// Matches implements ports.PasswordHasher. A password over bcrypt's 72-byte limit never
// matches (it could not have been registered), but is still compared, to keep the timing.
func (h Hasher) Matches(hash []byte, password string) bool {
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	return err == nil && len(password) <= domain.MaxPasswordBytes
}
