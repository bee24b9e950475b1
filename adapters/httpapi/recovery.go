package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// acceptedResponse is the answer to a request whose mail (if any) goes out later.
type acceptedResponse struct {
	Detail string `json:"detail"`
}

// resetAccepted is the one answer to every admitted reset request: it says nothing about
// whether an account has the address.
var resetAccepted = acceptedResponse{Detail: "if an account has this address, a password reset link is on its way to it"}

// requestPasswordReset answers 202 whether or not an account has the address.
func (a accountsAPI) requestPasswordReset(c *gin.Context) {
	var req struct {
		Email string `json:"email"`
	}
	if !bindJSON(c, &req) {
		return
	}
	err := a.recovery.RequestPasswordReset(c.Request.Context(), ports.ResetRequestInput{Email: req.Email, ClientAddr: c.ClientIP()})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, resetAccepted)
}

// confirmPasswordReset answers 204: the password is set and every session ended.
func (a accountsAPI) confirmPasswordReset(c *gin.Context) {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if !bindJSON(c, &req) {
		return
	}
	err := a.recovery.ResetPassword(c.Request.Context(), ports.ResetPasswordInput{
		Token: domain.MailToken(req.Token), Password: req.Password, ClientAddr: c.ClientIP(),
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// confirmEmail answers 204: the address the token was sent to is verified.
func (a accountsAPI) confirmEmail(c *gin.Context) {
	var req struct {
		Token string `json:"token"`
	}
	if !bindJSON(c, &req) {
		return
	}
	if err := a.recovery.VerifyEmail(c.Request.Context(), domain.MailToken(req.Token), c.ClientIP()); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// resendVerification answers 202: a new verification mail is recorded.
func (a accountsAPI) resendVerification(c *gin.Context) {
	if err := a.recovery.ResendVerification(c.Request.Context(), principal(c)); err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, acceptedResponse{Detail: "a new verification link is on its way to " + string(currentUser(c).Email)})
}
