package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// tokenResponse is the OAuth2 (RFC 6749 §5.1) success body of POST /login.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// oauthError is the OAuth2 (RFC 6749 §5.2) error body of POST /login.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func oauthFail(c *gin.Context, status int, code, description string) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.AbortWithStatusJSON(status, oauthError{Error: code, Description: description})
}

// readForm reads an OAuth2 form body (token and revocation endpoints), answering the
// error itself and returning false when it cannot: only application/x-www-form-urlencoded,
// at most 8 KiB, no parameter twice (RFC 6749 §3.2).
func readForm(c *gin.Context) (url.Values, bool) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		oauthFail(c, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return nil, false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxLoginBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		oauthFail(c, http.StatusRequestEntityTooLarge, "invalid_request", "the body is too large")
		return nil, false
	}
	if err != nil {
		oauthFail(c, http.StatusBadRequest, "invalid_request", "the body could not be read")
		return nil, false
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		oauthFail(c, http.StatusBadRequest, "invalid_request", "the body is not valid form encoding")
		return nil, false
	}
	for name, vals := range form {
		if len(vals) > 1 {
			oauthFail(c, http.StatusBadRequest, "invalid_request", "parameter "+name+" is given more than once")
			return nil, false
		}
	}
	return form, true
}

// login is the OAuth2 token endpoint: the password grant (which starts a session) and the
// refresh_token grant (RFC 6749 §6, which rotates it). It reads only the form body:
// client_id names the client in the access token (RFC 9068; the configured default when
// absent), while client_secret, scope and any Authorization header (Swagger UI sends
// "Basic Og==", empty client credentials) are ignored, and no answer ever carries
// WWW-Authenticate: Basic, which would make a browser pop up a login prompt.
func (a *api) login(c *gin.Context) {
	form, ok := readForm(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var (
		pair ports.TokenPair
		err  error
	)
	switch form.Get("grant_type") {
	case "", "password":
		username, password := form.Get("username"), form.Get("password")
		if username == "" || password == "" {
			oauthFail(c, http.StatusBadRequest, "invalid_request", "username and password are required")
			return
		}
		clientID := form.Get("client_id")
		if clientID != "" && !domain.ValidClientID(clientID) {
			oauthFail(c, http.StatusBadRequest, "invalid_request", "client_id must be 1..64 characters of letters, digits and ._:-")
			return
		}
		pair, err = a.auth.Login(ctx, ports.LoginInput{
			Username: username, Password: password, ClientAddr: c.ClientIP(), UserAgent: c.GetHeader("User-Agent"),
			ClientID: clientID,
		})
	case "refresh_token":
		// Not throttled: a refresh token is 256 random bits, not a guessable password,
		// and throttling refreshes would log out users with several tabs.
		token := form.Get("refresh_token")
		if token == "" {
			oauthFail(c, http.StatusBadRequest, "invalid_request", "refresh_token is required")
			return
		}
		pair, err = a.auth.Refresh(ctx, domain.RefreshToken(token))
	default:
		oauthFail(c, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be password or refresh_token")
		return
	}
	if err != nil {
		a.loginFailed(c, err)
		return
	}
	//nolint:gosec // G117: this is the token endpoint; answering the token is its job
	body, _ := json.Marshal(tokenResponse{
		AccessToken: pair.Access.Value, TokenType: "bearer", ExpiresIn: int64(pair.Access.ExpiresIn.Seconds()),
		RefreshToken: string(pair.Refresh),
	})
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// revoke is the OAuth2 revocation endpoint (RFC 7009) for refresh tokens: the token's
// session ends. It answers 200 for any token, known or not, so that it tells nothing
// about tokens; token_type_hint is accepted and, as the RFC allows, not needed.
func (a *api) revoke(c *gin.Context) {
	form, ok := readForm(c)
	if !ok {
		return
	}
	token := form.Get("token")
	if token == "" {
		oauthFail(c, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	if err := a.auth.Revoke(c.Request.Context(), domain.RefreshToken(token)); err != nil {
		a.loginFailed(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
}

// loginFailed answers a failed token request in the OAuth2 error format (RFC 6749 §5.2).
// Throttling answers 429 with "slow_down", the token endpoint's registered error for a
// client that must wait (RFC 8628 §3.5); overload and an unreachable database answer 503
// "temporarily_unavailable". Both carry Retry-After.
func (a *api) loginFailed(c *gin.Context, err error) {
	ctx := c.Request.Context()
	de, ok := domainError(ctx, err)
	switch {
	case ok && errors.Is(de, domain.ErrInvalidCredentials):
		oauthFail(c, http.StatusBadRequest, "invalid_grant", "invalid username or password")
	case ok && errors.Is(de, domain.ErrInvalidGrant):
		oauthFail(c, http.StatusBadRequest, "invalid_grant", "the refresh token is invalid, expired or revoked")
	case ok && de.Kind == domain.KindThrottled:
		retryAfter(c, de)
		oauthFail(c, http.StatusTooManyRequests, "slow_down", "too many failed attempts; retry after "+c.Writer.Header().Get("Retry-After")+" s")
	case ok && de.Kind == domain.KindUnavailable:
		retryAfter(c, de)
		a.log.WarnContext(ctx, "login not served", slog.Any("error", err))
		oauthFail(c, http.StatusServiceUnavailable, "temporarily_unavailable", "the service is busy; retry after "+c.Writer.Header().Get("Retry-After")+" s")
	default:
		a.log.ErrorContext(ctx, "login failed", slog.Any("error", err))
		oauthFail(c, http.StatusInternalServerError, "server_error", "an unexpected error occurred; it has been logged")
	}
}

const principalKey = domain.ServiceName + ".principal"

// requireUser authenticates the bearer token and stores the user for the handler. The
// user, and so the role, is read from storage on every request: a deleted user's token
// stops working at once, and a demoted admin loses admin rights at once.
func (a *api) requireUser(c *gin.Context) {
	// Authenticated answers carry personal data (email, addresses, orders): no cache
	// may keep them.
	c.Header("Cache-Control", "no-store")
	fields := strings.Fields(c.GetHeader("Authorization"))
	if len(fields) != 2 || !strings.EqualFold(fields[0], "Bearer") {
		c.Header("WWW-Authenticate", bearerRealm)
		writeProblem(c, http.StatusUnauthorized, "unauthorized", "a bearer token is required")
		return
	}
	p, err := a.auth.Authenticate(c.Request.Context(), fields[1])
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

// currentUser returns the user requireUser stored.
func currentUser(c *gin.Context) domain.User { return principal(c).User }

// principal returns the user and session requireUser stored.
func principal(c *gin.Context) ports.Principal {
	return c.MustGet(principalKey).(ports.Principal)
}

// jwks serves the public keys that verify access tokens (RFC 7517), cacheable for
// JWKS_MAX_AGE, with a strong ETag: a verifier revalidates with If-None-Match and gets
// 304 while the set is the same.
func (a *api) jwks(c *gin.Context) {
	doc, etag, err := a.auth.PublishedKeys()
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", fmt.Sprintf("public, max-age=%d", int(a.opts.JWKSMaxAge.Seconds())))
	c.Header("ETag", etag)
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/jwk-set+json", doc)
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 §13.1.2) of a list against tag.
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

// metadata is the OAuth 2.0 Authorization Server Metadata (RFC 8414) of the token
// endpoint: what a standard client needs to find it and the keys of its tokens. There is
// no authorization endpoint (the password and refresh grants need none), so
// response_types_supported is empty.
func (a *api) metadata(c *gin.Context) {
	iss := a.opts.Issuer
	c.Header("Cache-Control", fmt.Sprintf("public, max-age=%d", int(a.opts.JWKSMaxAge.Seconds())))
	c.JSON(http.StatusOK, gin.H{
		"issuer":                                     iss,
		"token_endpoint":                             iss + "/login",
		"jwks_uri":                                   iss + "/.well-known/jwks.json",
		"revocation_endpoint":                        iss + "/revoke",
		"grant_types_supported":                      []string{"password", "refresh_token"},
		"response_types_supported":                   []string{},
		"token_endpoint_auth_methods_supported":      []string{"none"},
		"revocation_endpoint_auth_methods_supported": []string{"none"},
		"service_documentation":                      iss + "/docs",
	})
}
