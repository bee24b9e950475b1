package usecase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// ThrottleConfig is the brute-force and sign-up spam policy.
type ThrottleConfig struct {
	// AccountFailures failed logins for one account identifier are free; after that each
	// attempt must wait a delay that starts at BaseDelay and doubles with every further
	// failure, up to MaxDelay. The identifier counts whether or not an account has it.
	AccountFailures int
	// AddressFailures is the same budget per client address (larger: one address may
	// stand for many people behind a NAT).
	AddressFailures int
	BaseDelay       time.Duration
	MaxDelay        time.Duration
	// Window: failures are forgotten this long after the latest one. It must outlast the
	// longest delay (NewThrottle makes it at least 2×MaxDelay), or a patient guesser would
	// find the count reset each time a capped delay ends.
	Window time.Duration
	// KnownAddressFor: a successful login makes its address known to that account for
	// this long. From a known address only the failures of that account at that address
	// count, so an attacker elsewhere cannot lock the owner out.
	KnownAddressFor time.Duration
	// Registrations per client address are allowed within RegistrationWindow of the
	// latest one; more are refused until the window has passed.
	Registrations      int
	RegistrationWindow time.Duration
}

// DefaultThrottleConfig is the policy documented in docs/decisions.md.
var DefaultThrottleConfig = ThrottleConfig{
	AccountFailures: 5, AddressFailures: 100,
	BaseDelay: time.Second, MaxDelay: 15 * time.Minute, Window: time.Hour,
	KnownAddressFor: 30 * 24 * time.Hour,
	Registrations:   20, RegistrationWindow: time.Hour,
}

// Throttle decides, from counts kept behind ports.AttemptCounter, whether a login or a
// registration may go ahead. It runs before any password work, so a refused attempt costs
// one indexed read and no hash.
type Throttle struct {
	store ports.AttemptCounter
	clock ports.Clock
	cfg   ThrottleConfig
}

// NewThrottle builds the throttling policy.
func NewThrottle(store ports.AttemptCounter, clock ports.Clock, cfg ThrottleConfig) *Throttle {
	cfg.Window = max(cfg.Window, 2*cfg.MaxDelay)
	return &Throttle{store: store, clock: clock, cfg: cfg}
}

// loginKeys are the counters one login attempt touches.
type loginKeys struct {
	account, address, pair, known string // address, pair and known are "" without an address
}

// keysFor names the counters of a login for account identifier id from addr. The
// identifier is hashed: the table never holds emails, and any bytes a client sends make a
// short, storable key.
func keysFor(id, addr string) loginKeys {
	sum := sha256.Sum256([]byte(id))
	acct := hex.EncodeToString(sum[:16])
	k := loginKeys{account: "a:" + acct}
	if addr != "" {
		k.address, k.pair, k.known = "i:"+addr, "p:"+acct+"|"+addr, "k:"+acct+"|"+addr
	}
	return k
}

func nonEmpty(keys ...string) []string {
	out := keys[:0:0]
	for _, k := range keys {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// delayEnd is when the next attempt is allowed after rec, with free attempts free.
func (t *Throttle) delayEnd(rec ports.AttemptRecord, free int) time.Time {
	if rec.Count < free {
		return time.Time{}
	}
	delay := t.cfg.MaxDelay
	if n := rec.Count - free; n < 32 {
		delay = min(t.cfg.BaseDelay<<n, t.cfg.MaxDelay)
	}
	return rec.Last.Add(delay)
}

// checkLogin returns domain.ErrThrottled (with the wait) when the attempt must wait, and
// otherwise the records it read, for loginSucceeded.
func (t *Throttle) checkLogin(ctx context.Context, k loginKeys) (map[string]ports.AttemptRecord, error) {
	now := t.clock.Now()
	recs, err := t.store.Get(ctx, nonEmpty(k.account, k.address, k.pair, k.known), now)
	if err != nil {
		return nil, fmt.Errorf("throttle: %w", err)
	}
	var until time.Time
	if _, known := recs[k.known]; known {
		until = t.delayEnd(recs[k.pair], t.cfg.AccountFailures)
	} else {
		until = t.delayEnd(recs[k.account], t.cfg.AccountFailures)
	}
	if k.address != "" {
		if end := t.delayEnd(recs[k.address], t.cfg.AddressFailures); end.After(until) {
			until = end
		}
	}
	return recs, throttledUntil(now, until)
}

func throttledUntil(now, until time.Time) error {
	if !now.Before(until) {
		return nil
	}
	return domain.Throttled(until.Sub(now))
}

// loginFailed counts a failed login.
func (t *Throttle) loginFailed(ctx context.Context, k loginKeys) error {
	return t.store.Add(ctx, nonEmpty(k.account, k.address, k.pair), t.clock.Now(), t.cfg.Window)
}

// loginSucceeded clears the account's failures and makes the address known to it. The
// address's own count stays: logging in to one's own account must not reset a budget
// that guards every other account. recs are what checkLogin read: the common case (no
// failures to clear, an address known since less than a day) writes nothing.
func (t *Throttle) loginSucceeded(ctx context.Context, k loginKeys, recs map[string]ports.AttemptRecord) error {
	var clear []string
	for _, key := range nonEmpty(k.account, k.pair) {
		if _, ok := recs[key]; ok {
			clear = append(clear, key)
		}
	}
	if len(clear) > 0 {
		if err := t.store.Delete(ctx, clear...); err != nil {
			return err
		}
	}
	now := t.clock.Now()
	if known, ok := recs[k.known]; k.known == "" || (ok && now.Sub(known.Last) < knownRefresh) {
		return nil
	}
	return t.store.Add(ctx, []string{k.known}, now, t.cfg.KnownAddressFor)
}

// knownRefresh: a known address's record is renewed at most this often.
const knownRefresh = 24 * time.Hour

// registration counts a registration attempt from addr, or refuses it with
// domain.ErrThrottled when the address used up its budget.
func (t *Throttle) registration(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	key, now := "r:"+addr, t.clock.Now()
	recs, err := t.store.Get(ctx, []string{key}, now)
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	if rec, ok := recs[key]; ok && rec.Count >= t.cfg.Registrations {
		return throttledUntil(now, rec.Last.Add(t.cfg.RegistrationWindow))
	}
	return t.store.Add(ctx, []string{key}, now, t.cfg.RegistrationWindow)
}
