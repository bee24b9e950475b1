package usecase

import (
	"context"
	"fmt"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Sessions implements ports.Sessions.
type Sessions struct {
	sessions ports.SessionRepository
	clock    ports.Clock
}

var _ ports.Sessions = (*Sessions)(nil)

// NewSessions builds the session use cases.
func NewSessions(sessions ports.SessionRepository, clock ports.Clock) *Sessions {
	return &Sessions{sessions: sessions, clock: clock}
}

// List returns a page of the caller's live sessions, newest first.
func (s *Sessions) List(ctx context.Context, p ports.Principal, page domain.PageRequest) (domain.Page[domain.Session], error) {
	l, err := s.sessions.ListByUser(ctx, p.User.ID, s.clock.Now(), page)
	if err != nil {
		return l, fmt.Errorf("list sessions: %w", err)
	}
	return l, nil
}

// End ends one of the caller's sessions.
func (s *Sessions) End(ctx context.Context, p ports.Principal, id int64) error {
	if err := s.sessions.End(ctx, p.User.ID, id); err != nil {
		return fmt.Errorf("end session %d: %w", id, err)
	}
	return nil
}

// EndAll ends all of the caller's sessions, the current one included.
func (s *Sessions) EndAll(ctx context.Context, p ports.Principal) error {
	if _, err := s.sessions.EndAll(ctx, p.User.ID, 0); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}
