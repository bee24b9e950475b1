package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// sessionResponse is one of the caller's sessions.
type sessionResponse struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"` // the earlier of the idle and the absolute end
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current"` // the session of the token that asks
}

func (a accountsAPI) listSessions(c *gin.Context) {
	req, ok := pageRequest(c, domain.CursorSessions)
	if !ok {
		return
	}
	p := principal(c)
	list, err := a.sessions.List(c.Request.Context(), p, req)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPage(list, func(s domain.Session) sessionResponse {
		end := s.ExpiresAt
		if s.IdleExpiresAt.Before(end) {
			end = s.IdleExpiresAt
		}
		return sessionResponse{ID: s.ID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt,
			ExpiresAt: end, UserAgent: s.UserAgent, Current: s.ID == p.SessionID}
	}))
}

func (a accountsAPI) endSession(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := a.sessions.End(c.Request.Context(), principal(c), id); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a accountsAPI) endAllSessions(c *gin.Context) {
	if err := a.sessions.EndAll(c.Request.Context(), principal(c)); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type passwordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword answers 204; every other session of the caller has ended.
func (a accountsAPI) changePassword(c *gin.Context) {
	var req passwordChangeRequest
	if !bindJSON(c, &req) {
		return
	}
	err := a.users.ChangePassword(c.Request.Context(), principal(c), ports.ChangePasswordInput{
		Current: req.CurrentPassword, New: req.NewPassword, ClientAddr: c.ClientIP(),
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
