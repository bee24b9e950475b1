// Package httpapi is the HTTP transport of Hexashop, built on gin. It turns requests into
// calls of the use-case ports and their results into JSON, and is the only package that
// knows gin. See docs/openapi.yaml and the contract for what each route answers.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/cors"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// Deps are the use cases the transport drives, and its options.
type Deps struct {
	Auth      ports.Auth
	Readiness ports.Readiness
	// Features are the feature routes (AccountRoutes, CatalogRoutes, ...), each mounted
	// by its own handler file.
	Features []Feature
	OpenAPI  OpenAPIDocument
	Log      *slog.Logger
	Options  Options
}

// Options are the transport's settings.
type Options struct {
	// RequestTimeout is every request's deadline: what is not done by then answers 503.
	RequestTimeout time.Duration
	// ReadyTimeout bounds the database ping of GET /readyz (shorter, so that a probe
	// gets its answer before its own timeout).
	ReadyTimeout time.Duration
	// TrustedProxies are the CIDRs of reverse proxies whose X-Forwarded-For is believed
	// when telling the client's address; empty trusts none (the socket's peer is the
	// client).
	TrustedProxies []string
	// CORSOrigins, when not empty, are the browser origins allowed to call the API from
	// other sites (exact scheme://host[:port]); empty turns CORS off.
	CORSOrigins []string
	// Recorder, when set, is told of every request (for metrics).
	Recorder Recorder
	// TracerProvider, when set, makes a span per request (otelgin), continuing a W3C
	// traceparent the request carries.
	TracerProvider trace.TracerProvider
	// Issuer is the tokens' iss: the public base URL the discovery documents name.
	Issuer string
	// JWKSMaxAge is how long clients and caches may keep the key set.
	JWKSMaxAge time.Duration
	// shop:begin
	// CatalogMaxAge is how long shared caches and clients may keep a public catalog read
	// (Cache-Control max-age); 0 makes them revalidate every time (no-cache, with the
	// ETag). CatalogStale lets them serve it that much longer while they revalidate
	// (stale-while-revalidate); 0 leaves it out.
	CatalogMaxAge, CatalogStale time.Duration
	// CatalogRequireIfMatch makes If-Match required on changes of products and
	// categories (428 without one), so that no admin overwrites another's edit unseen.
	CatalogRequireIfMatch bool
	// shop:end
	// InFlight, when set, is kept equal to the number of requests being served that are
	// not password work (every route but the token endpoint, registration and password
	// change); the
	// password hasher reads it to leave cores to those requests.
	InFlight *atomic.Int64
}

// OpenAPIDocument is the API's OpenAPI document (docs/openapi.yaml), served as is.
type OpenAPIDocument []byte

type api struct {
	auth    ports.Auth
	ready   ports.Readiness
	openapi []byte
	log     *slog.Logger
	opts    Options
}

// Recorder receives each request as it starts and ends: route is the template
// (/user/{id}) or "unmatched".
type Recorder interface {
	Started()
	Finished(method, route string, status int, d time.Duration)
}

// Route is one registered method and path, in OpenAPI syntax (/user/{id}).
type Route struct{ Method, Path string }

// Handler is the whole HTTP API.
type Handler struct {
	http.Handler
	routes []Route
}

// Routes lists every route the handler serves; the drift test compares it with the
// OpenAPI document.
func (h *Handler) Routes() []Route { return h.routes }

func init() {
	// gin's debug mode prints every route at start-up; the service logs through slog.
	gin.SetMode(gin.ReleaseMode)
}

// New returns the HTTP handler of the whole API.
func New(d Deps) (*Handler, error) {
	a := &api{auth: d.Auth, ready: d.Readiness, openapi: d.OpenAPI, log: d.Log, opts: d.Options}
	r := gin.New()
	r.HandleMethodNotAllowed = true // 405 with Allow instead of 404
	r.RedirectTrailingSlash = false // trailing slashes are stripped before routing instead
	r.RedirectFixedPath = false
	r.ContextWithFallback = true
	// The client's address (for throttling and logs): the socket's peer, unless that
	// peer is a trusted proxy; then the right-most untrusted X-Forwarded-For entry.
	r.ForwardedByClientIP = true
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := r.SetTrustedProxies(d.Options.TrustedProxies); err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if tp := d.Options.TracerProvider; tp != nil {
		r.Use(otelgin.Middleware(domain.ServiceName, otelgin.WithTracerProvider(tp),
			otelgin.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))))
	}
	r.Use(requestID, a.accessLog, a.recover, securityHeaders, a.deadline)
	r.NoRoute(func(c *gin.Context) { writeProblem(c, http.StatusNotFound, "not_found", "no such resource") })
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, "method_not_allowed", c.Request.Method+" is not allowed here")
	})

	r.GET("/.well-known/jwks.json", a.jwks)
	r.GET("/.well-known/oauth-authorization-server", a.metadata)
	r.GET("/healthz", a.healthz)
	r.GET("/readyz", a.readyz)
	r.GET("/openapi.yaml", a.openAPI)
	r.GET("/docs", a.docsPage)
	r.GET("/docs/:asset", a.docsAsset)
	r.POST("/login", a.login)
	r.POST("/revoke", a.revoke)

	mounts := routes{public: r, signedIn: r.Group("", a.requireUser)}
	seen := map[string]bool{}
	for _, f := range d.Features {
		if f.mount == nil || seen[f.name] {
			return nil, fmt.Errorf("httpapi: feature %q is empty or given twice", f.name)
		}
		seen[f.name] = true
		f.mount(a, mounts)
	}

	h := &Handler{Handler: withCORS(d.Options.CORSOrigins, stripTrailingSlash(r))}
	for _, ri := range r.Routes() {
		h.routes = append(h.routes, Route{Method: ri.Method, Path: openAPIPath(ri.Path)})
	}
	return h, nil
}

// securityHeaders are sent with every answer. API answers are JSON that no browser should
// render, sniff or frame; /docs replaces the policy with one Swagger UI can run under.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	c.Next()
}

// withCORS lets the given origins call the API from a browser (rs/cors): preflights are
// answered, Authorization may be sent (bearer tokens, no cookies, so no credentials
// mode), and the headers a client needs to read are exposed. A request from any other
// origin is served as usual but without CORS headers, so the browser keeps its answer
// from the calling page. No origins: no CORS at all.
func withCORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
		AllowedHeaders: []string{"Authorization", "Content-Type",
			"Idempotency-Key", // shop
		},
		ExposedHeaders: []string{"Location", "Retry-After",
			"Idempotent-Replayed", // shop
		},
		AllowCredentials: false,
		MaxAge:           600,
	}).Handler(next)
}

// passwordRoute reports the routes whose work is mostly a password hash.
func passwordRoute(c *gin.Context) bool {
	switch c.Request.Method + " " + c.FullPath() {
	case "POST /login", "POST /user", "PUT /user/me/password":
		return true
	}
	return false
}

// deadline gives the request its deadline (the use cases and adapters end their work with
// it, and fail answers 503 when it has passed) and counts it in flight.
func (a *api) deadline(c *gin.Context) {
	if n := a.opts.InFlight; n != nil && !passwordRoute(c) {
		n.Add(1)
		defer n.Add(-1)
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), a.opts.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// openAPIPath turns gin's /user/:id into OpenAPI's /user/{id}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") || strings.HasPrefix(part, "*") {
			parts[i] = "{" + part[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// stripTrailingSlash serves "/user/" exactly like "/user", without a redirect.
func stripTrailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			r.URL.Path = strings.TrimRight(p, "/")
			if r.URL.Path == "" {
				r.URL.Path = "/"
			}
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}

// recover turns a panic into a logged 500 that reveals nothing to the client.
func (a *api) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			a.log.ErrorContext(c.Request.Context(), "panic in handler", slog.Any("panic", p),
				slog.String("route", route(c)))
			if !c.Writer.Written() {
				writeProblem(c, http.StatusInternalServerError, "internal", "an unexpected error occurred; it has been logged")
			}
		}
	}()
	c.Next()
}

func (a *api) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (a *api) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), a.opts.ReadyTimeout)
	defer cancel()
	if err := a.ready.Ready(ctx); err != nil {
		c.Header("Retry-After", "1")
		a.log.WarnContext(c.Request.Context(), "not ready", slog.Any("error", err))
		writeProblem(c, http.StatusServiceUnavailable, "not_ready", "the database does not answer")
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
