package memory

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// The tables and id sequences of this file's repositories (see store.go).
var (
	sessionRows   = newTable[int64, domain.Session]("sessions")
	refreshGrants = newTable[string, domain.RefreshGrant]("refresh")
	sessionIDs    = sequence("session")
)

// SessionRepository implements ports.SessionRepository.
type SessionRepository struct{ s *Store }

var _ ports.SessionRepository = SessionRepository{}

// NewSessionRepository returns the store's session repository.
func NewSessionRepository(s *Store) SessionRepository { return SessionRepository{s: s} }

// Create implements ports.SessionRepository.
func (r SessionRepository) Create(ctx context.Context, s domain.Session, tokenHash []byte) (domain.Session, error) {
	defer r.s.lock(ctx)()
	if _, taken := refreshGrants.of(r.s)[string(tokenHash)]; taken {
		return domain.Session{}, errors.New("create session: refresh token hash already in use")
	}
	s.ID = sessionIDs.next(r.s)
	put(r.s, sessionRows.of(r.s), s.ID, s)
	put(r.s, refreshGrants.of(r.s), string(tokenHash), domain.RefreshGrant{SessionID: s.ID, UserID: s.UserID, IssuedAt: s.CreatedAt})
	return s, nil
}

// Grant implements ports.SessionRepository.
func (r SessionRepository) Grant(ctx context.Context, tokenHash []byte) (domain.RefreshGrant, error) {
	defer r.s.lock(ctx)()
	g, ok := refreshGrants.of(r.s)[string(tokenHash)]
	if !ok {
		return domain.RefreshGrant{}, domain.ErrNotFound
	}
	return g, nil
}

// Lock implements ports.SessionRepository: a transaction holds the whole store already.
func (r SessionRepository) Lock(ctx context.Context, id int64) (domain.Session, error) {
	defer r.s.lock(ctx)()
	s, ok := sessionRows.of(r.s)[id]
	if !ok {
		return domain.Session{}, domain.ErrNotFound
	}
	return s, nil
}

// Rotate implements ports.SessionRepository.
func (r SessionRepository) Rotate(ctx context.Context, s domain.Session, oldHash, newHash []byte, keepSpent int) error {
	defer r.s.lock(ctx)()
	cur, ok := sessionRows.of(r.s)[s.ID]
	g, found := refreshGrants.of(r.s)[string(oldHash)]
	if !ok || !found || g.SessionID != s.ID {
		return domain.ErrNotFound
	}
	cur.LastUsedAt, cur.IdleExpiresAt, cur.PreviousTokenHash = s.LastUsedAt, s.IdleExpiresAt, slices.Clone(s.PreviousTokenHash)
	put(r.s, sessionRows.of(r.s), s.ID, cur)
	g.SpentAt = s.LastUsedAt
	put(r.s, refreshGrants.of(r.s), string(oldHash), g)
	put(r.s, refreshGrants.of(r.s), string(newHash), domain.RefreshGrant{SessionID: s.ID, UserID: s.UserID, IssuedAt: s.LastUsedAt})
	type spentToken struct {
		hash string
		domain.RefreshGrant
	}
	var spent []spentToken
	for h, g := range refreshGrants.of(r.s) {
		if g.SessionID == s.ID && !g.SpentAt.IsZero() {
			spent = append(spent, spentToken{h, g})
		}
	}
	slices.SortFunc(spent, func(a, b spentToken) int {
		return cmp.Or(b.SpentAt.Compare(a.SpentAt), b.IssuedAt.Compare(a.IssuedAt), cmp.Compare(b.hash, a.hash))
	})
	for _, t := range spent[min(max(keepSpent, 0), len(spent)):] {
		del(r.s, refreshGrants.of(r.s), t.hash)
	}
	return nil
}

// ActiveUser implements ports.SessionRepository.
func (r SessionRepository) ActiveUser(ctx context.Context, userID, sessionID int64, now time.Time) (domain.User, error) {
	defer r.s.lock(ctx)()
	s, ok := sessionRows.of(r.s)[sessionID]
	u, found := userRows.of(r.s)[userID]
	if !ok || !found || u.deleted || s.UserID != userID || !s.Live(now) {
		return domain.User{}, domain.ErrNotFound
	}
	return u.User, nil
}

// ListByUser implements ports.SessionRepository.
func (r SessionRepository) ListByUser(ctx context.Context, userID int64, now time.Time, p domain.PageRequest) (domain.Page[domain.Session], error) {
	defer r.s.lock(ctx)()
	return pageOf(r.live(userID, now), p, domain.Session.Cursor), nil
}

// live returns userID's sessions live at now, newest first; call with the lock held.
func (r SessionRepository) live(userID int64, now time.Time) []domain.Session {
	var out []domain.Session
	for _, s := range sessionRows.of(r.s) {
		if s.UserID == userID && s.Live(now) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b domain.Session) int { return cmp.Compare(b.ID, a.ID) })
	return out
}

// Trim implements ports.SessionRepository.
func (r SessionRepository) Trim(ctx context.Context, userID int64, keep int, now time.Time) (int, error) {
	defer r.s.lock(ctx)()
	kept := map[int64]bool{}
	live := r.live(userID, now)
	for _, s := range live[:min(max(keep, 0), len(live))] {
		kept[s.ID] = true
	}
	n := 0
	for id, s := range sessionRows.of(r.s) {
		if s.UserID == userID && !kept[id] {
			r.end(id)
			n++
		}
	}
	return n, nil
}

// End implements ports.SessionRepository.
func (r SessionRepository) End(ctx context.Context, userID, id int64) error {
	defer r.s.lock(ctx)()
	if s, ok := sessionRows.of(r.s)[id]; !ok || s.UserID != userID {
		return domain.ErrNotFound
	}
	r.end(id)
	return nil
}

// end deletes session id and its tokens; call with the lock held.
func (r SessionRepository) end(id int64) {
	del(r.s, sessionRows.of(r.s), id)
	for h, g := range refreshGrants.of(r.s) {
		if g.SessionID == id {
			del(r.s, refreshGrants.of(r.s), h)
		}
	}
}

// EndAll implements ports.SessionRepository.
func (r SessionRepository) EndAll(ctx context.Context, userID, keep int64) (int, error) {
	defer r.s.lock(ctx)()
	n := 0
	for id, s := range sessionRows.of(r.s) {
		if s.UserID == userID && id != keep {
			r.end(id)
			n++
		}
	}
	return n, nil
}

// Sweep implements ports.SessionRepository.
func (r SessionRepository) Sweep(ctx context.Context, now time.Time) (int, error) {
	defer r.s.lock(ctx)()
	n := 0
	for id, s := range sessionRows.of(r.s) {
		if !s.Live(now) {
			r.end(id)
			n++
		}
	}
	return n, nil
}
