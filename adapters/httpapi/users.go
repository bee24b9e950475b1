package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// accountsAPI serves accounts and their sessions.
type accountsAPI struct {
	*api
	users    ports.Users
	sessions ports.Sessions
	recovery ports.Recovery
}

// AccountRoutes are the accounts feature: registration, the caller's account, password
// and sessions, the admin's user list, password reset and email verification.
func AccountRoutes(users ports.Users, sessions ports.Sessions, recovery ports.Recovery) Feature {
	return Feature{name: "accounts", mount: func(base *api, r routes) {
		a := accountsAPI{api: base, users: users, sessions: sessions, recovery: recovery}
		r.public.POST("/user", a.registerUser)
		r.public.POST("/password-reset", a.requestPasswordReset)
		r.public.POST("/password-reset/confirm", a.confirmPasswordReset)
		r.public.POST("/email-verification/confirm", a.confirmEmail)
		r.signedIn.POST("/user/me/email/verification", a.resendVerification)
		r.signedIn.GET("/user", a.listUsers)
		r.signedIn.GET("/user/me", a.me)
		r.signedIn.PUT("/user/me/password", a.changePassword)
		r.signedIn.GET("/user/me/sessions", a.listSessions)
		r.signedIn.DELETE("/user/me/sessions", a.endAllSessions)
		r.signedIn.DELETE("/user/me/sessions/:id", a.endSession)
		r.signedIn.GET("/user/:id", a.getUser)
		r.signedIn.DELETE("/user/:id", a.deleteUser)
	}}
}

type registerRequest struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// userResponse is the public view of an account: never a password or hash.
type userResponse struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	// EmailVerified: the owner proved they receive mail at Email, at EmailVerifiedAt.
	EmailVerified   bool       `json:"email_verified"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
}

func toUserResponse(u domain.User) userResponse {
	r := userResponse{ID: u.ID, Name: u.Name, Email: string(u.Email), Role: string(u.Role), CreatedAt: u.CreatedAt.UTC(),
		EmailVerified: u.EmailVerified()}
	if u.EmailVerified() {
		at := u.EmailVerifiedAt.UTC()
		r.EmailVerifiedAt = &at
	}
	return r
}

func (a accountsAPI) registerUser(c *gin.Context) {
	var req registerRequest
	if !bindJSON(c, &req) {
		return
	}
	u, err := a.users.Register(c.Request.Context(), ports.RegisterInput{
		Name: req.Name, Email: req.Email, Password: req.Password, ClientAddr: c.ClientIP(),
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Location", "/user/"+itoa(u.ID))
	c.JSON(http.StatusCreated, toUserResponse(u))
}

func (a accountsAPI) me(c *gin.Context) {
	c.JSON(http.StatusOK, toUserResponse(currentUser(c)))
}

func (a accountsAPI) getUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	u, err := a.users.Get(c.Request.Context(), currentUser(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUserResponse(u))
}

func (a accountsAPI) listUsers(c *gin.Context) {
	p, ok := pageRequest(c, domain.CursorUsers)
	if !ok {
		return
	}
	page, err := a.users.List(c.Request.Context(), currentUser(c), p)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPage(page, toUserResponse))
}

func (a accountsAPI) deleteUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := a.users.Delete(c.Request.Context(), currentUser(c), id); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
