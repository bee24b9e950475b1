package usecase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
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
	// IPv6Prefix: IPv6 clients count per network of this many leading bits (one host
	// usually has a /64 to choose addresses from); IPv4 clients per address.
	IPv6Prefix int
	// Mail a client can make the service send (a password reset, a new verification
	// link): MailRequests per account identifier and MailRequestsPerAddress per client
	// address within MailWindow of the latest. TokenAttempts: mailed tokens presented
	// (reset and verification confirmations) per address within MailWindow.
	MailRequests, MailRequestsPerAddress, TokenAttempts int
	MailWindow                                          time.Duration
}

// DefaultThrottleConfig is the policy documented in docs/decisions.md.
var DefaultThrottleConfig = ThrottleConfig{
	AccountFailures: 5, AddressFailures: 100,
	BaseDelay: time.Second, MaxDelay: 15 * time.Minute, Window: time.Hour,
	KnownAddressFor: 30 * 24 * time.Hour,
	Registrations:   20, RegistrationWindow: time.Hour,
	IPv6Prefix:   64,
	MailRequests: 3, MailRequestsPerAddress: 20, TokenAttempts: 30, MailWindow: time.Hour,
}

// Throttle decides, from counts kept behind ports.AttemptCounter, whether a login or a
// registration may go ahead. It runs before any password work, so a refused attempt costs
// a few indexed statements and no hash.
//
// An admitted login attempt is counted as a failure before its password is compared
// (ports.AttemptCounter.Reserve checks and counts in one atomic step), and given back
// when the comparison succeeds or never ran. Were it counted after the comparison, every
// attempt of a parallel burst would pass the check before the first was counted, and a
// burst could test any number of passwords at once.
type Throttle struct {
	store ports.AttemptCounter
	clock ports.Clock
	cfg   ThrottleConfig
}

// NewThrottle builds the throttling policy.
func NewThrottle(store ports.AttemptCounter, clock ports.Clock, cfg ThrottleConfig) *Throttle {
	cfg.Window = max(cfg.Window, 2*cfg.MaxDelay)
	if cfg.IPv6Prefix <= 0 || cfg.IPv6Prefix > 128 {
		cfg.IPv6Prefix = DefaultThrottleConfig.IPv6Prefix
	}
	if cfg.MailWindow <= 0 { // a policy from before the mailed-token flows: their defaults
		d := DefaultThrottleConfig
		cfg.MailRequests, cfg.MailRequestsPerAddress, cfg.TokenAttempts, cfg.MailWindow =
			d.MailRequests, d.MailRequestsPerAddress, d.TokenAttempts, d.MailWindow
	}
	return &Throttle{store: store, clock: clock, cfg: cfg}
}

// loginKeys are the counters one login attempt touches.
type loginKeys struct {
	account, address, pair, known string // address, pair and known are "" without an address
}

// keysFor names the counters of a login for account identifier id from the client
// address addr. The identifier is hashed: the table never holds emails, and any bytes a
// client sends make a short, storable key.
func (t *Throttle) keysFor(id, addr string) loginKeys {
	sum := sha256.Sum256([]byte(id))
	acct := hex.EncodeToString(sum[:16])
	k := loginKeys{account: "a:" + acct}
	if a := t.addressKey(addr); a != "" {
		k.address, k.pair, k.known = "i:"+a, "p:"+acct+"|"+a, "k:"+acct+"|"+a
	}
	return k
}

// addressKey is the budget an address counts against: its canonical text for IPv4 (and
// IPv4-mapped IPv6, which is the same host), and its IPv6Prefix-bit network for IPv6,
// since one host usually has a whole /64 to pick addresses from. Text that is no address
// at all (a transport without one) counts as is.
func (t *Throttle) addressKey(addr string) string {
	if addr == "" {
		return ""
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		return netip.PrefixFrom(ip, t.cfg.IPv6Prefix).Masked().String()
	}
	return ip.String()
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

// attempt is an admitted login attempt, already counted as a failure.
type attempt struct {
	keys loginKeys
	recs map[string]ports.AttemptRecord // as they were when it was admitted
}

// reserveLogin admits a login attempt and counts it as failed at once, or returns
// domain.ErrThrottled (with the wait) and counts nothing.
func (t *Throttle) reserveLogin(ctx context.Context, k loginKeys) (attempt, error) {
	now := t.clock.Now()
	admit := func(recs map[string]ports.AttemptRecord) error {
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
		return throttledUntil(now, until)
	}
	recs, err := t.store.Reserve(ctx, nonEmpty(k.known), nonEmpty(k.account, k.address, k.pair), now, t.cfg.Window, admit)
	if err != nil {
		if errors.Is(err, domain.ErrThrottled) {
			return attempt{}, err
		}
		return attempt{}, fmt.Errorf("throttle: %w", err)
	}
	return attempt{keys: k, recs: recs}, nil
}

func throttledUntil(now, until time.Time) error {
	if !now.Before(until) {
		return nil
	}
	return domain.Throttled(until.Sub(now))
}

// giveBack takes back an admitted attempt whose password was never compared (the hasher
// was busy, the store failed): it was not a guess. It runs even when ctx has ended.
func (t *Throttle) giveBack(ctx context.Context, a attempt) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), giveBackTimeout)
	defer cancel()
	counts := map[string]int{}
	for _, key := range nonEmpty(a.keys.account, a.keys.address, a.keys.pair) {
		counts[key] = 1
	}
	return t.store.Forget(ctx, counts)
}

// loginSucceeded settles an admitted attempt whose password was right. It clears what
// belongs to this account at this address: the pair's failures, and the same number
// (with this attempt) from the account's count, so the owner's own typos stop counting.
// Failures from other addresses stay in the account's count: the owner logging in must
// not hand a guesser elsewhere a fresh budget. The address's count only gets this
// attempt back: logging in to one's own account must not reset a budget that guards
// every other account. Then the address becomes known to the account.
func (t *Throttle) loginSucceeded(ctx context.Context, a attempt) error {
	k := a.keys
	counts := map[string]int{k.account: 1 + a.recs[k.pair].Count}
	if k.address != "" {
		counts[k.address], counts[k.pair] = 1, 1+a.recs[k.pair].Count
	}
	if err := t.store.Forget(ctx, counts); err != nil {
		return err
	}
	now := t.clock.Now()
	if known, ok := a.recs[k.known]; k.known == "" || (ok && now.Sub(known.Last) < knownRefresh) {
		return nil
	}
	return t.store.Add(ctx, []string{k.known}, now, t.cfg.KnownAddressFor)
}

// giveBackTimeout bounds giving an attempt back, after the request may have timed out.
const giveBackTimeout = time.Second

// knownRefresh: a known address's record is renewed at most this often.
const knownRefresh = 24 * time.Hour

// registration counts a registration attempt from addr, or refuses it with
// domain.ErrThrottled when the address used up its budget: one atomic step, so a
// parallel burst gets no more than the budget.
func (t *Throttle) registration(ctx context.Context, addr string) error {
	return t.spend(ctx, t.cfg.RegistrationWindow, budget{prefixed("r:", t.addressKey(addr)), t.cfg.Registrations})
}

// budget is a fixed number of attempts per key within a window (of the latest one).
type budget struct {
	key   string
	limit int
}

// spend counts one attempt against each budget, or refuses with domain.ErrThrottled (and
// counts nothing) when any of them is used up: one atomic step, so a parallel burst gets
// no more than the budget. Budgets with an empty key are skipped.
func (t *Throttle) spend(ctx context.Context, window time.Duration, budgets ...budget) error {
	var keys []string
	limits := map[string]int{}
	for _, b := range budgets {
		if b.key != "" {
			keys = append(keys, b.key)
			limits[b.key] = b.limit
		}
	}
	if len(keys) == 0 {
		return nil
	}
	now := t.clock.Now()
	_, err := t.store.Reserve(ctx, nil, keys, now, window, func(recs map[string]ports.AttemptRecord) error {
		for _, k := range keys {
			if rec, ok := recs[k]; ok && rec.Count >= limits[k] {
				return throttledUntil(now, rec.Last.Add(window))
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, domain.ErrThrottled) {
		return fmt.Errorf("throttle: %w", err)
	}
	return err
}

// prefixed is key with prefix, or "" for an empty key.
func prefixed(prefix, key string) string {
	if key == "" {
		return ""
	}
	return prefix + key
}

// resetRequest spends a password-reset request for the account identifier email from
// addr. The identifier is hashed as for logins, and counts whether or not an account has
// it.
func (t *Throttle) resetRequest(ctx context.Context, email, addr string) error {
	return t.spend(ctx, t.cfg.MailWindow,
		budget{"pr:i:" + t.keysFor(email, "").account, t.cfg.MailRequests},
		budget{prefixed("pr:a:", t.addressKey(addr)), t.cfg.MailRequestsPerAddress})
}

// verificationRequest spends a request for a new verification mail by account userID.
func (t *Throttle) verificationRequest(ctx context.Context, userID int64) error {
	return t.spend(ctx, t.cfg.MailWindow, budget{fmt.Sprintf("vr:%d", userID), t.cfg.MailRequests})
}

// tokenAttempt spends one presented mailed token from addr.
func (t *Throttle) tokenAttempt(ctx context.Context, addr string) error {
	return t.spend(ctx, t.cfg.MailWindow, budget{prefixed("tk:", t.addressKey(addr)), t.cfg.TokenAttempts})
}
