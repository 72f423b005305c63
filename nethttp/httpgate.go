package httpgate

import (
	"context"
	"errors"
	"net/http"
	"slices"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// Options configures the middleware New returns. The zero value reads a
// Bearer token from the Authorization header, requires it on every
// request and answers failures with the Gate's response.
type Options struct {
	// Extractor says where the token may be. Zero value: the
	// Authorization header's Bearer credentials only.
	Extractor jwtgate.Extractor

	// Optional lets a request without any token through, with no claims
	// attached. A request with a malformed or invalid token is still
	// rejected. Default false: a token is required.
	Optional bool

	// Skip, when set and true for a request, passes the request on
	// without looking for a token; it carries no claims, and
	// RequireScopes behind it rejects it. Default nil: skip nothing.
	Skip func(r *http.Request) bool

	// SkipPreflight passes CORS preflight requests on unauthenticated:
	// OPTIONS requests with both an Origin and an
	// Access-Control-Request-Method header. Browsers never send
	// credentials with a preflight. Default false.
	SkipPreflight bool

	// ErrorHandler answers a rejected request, from New or from
	// RequireScopes. err is the *jwtgate.Error of the rejection. Default
	// nil: the Gate's response, g.Response(err).Write(w).
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
}

// New returns middleware that authenticates every request with g, which
// must not be nil. A request whose token validates goes on with its
// claims, for Claims and jwtgate.FromContext; any other request is
// answered by o.ErrorHandler, except as o.Optional, o.Skip and
// o.SkipPreflight allow.
func New(g *jwtgate.Gate, o Options) func(http.Handler) http.Handler {
	m := &middleware{gate: g, opts: o}
	if m.opts.ErrorHandler == nil {
		m.opts.ErrorHandler = m.writeResponse
	}
	return func(next http.Handler) http.Handler {
		return &authHandler{m: m, next: next}
	}
}

// RequireScopes returns middleware that lets a request through only if
// the token that New accepted grants every scope, and otherwise answers
// 403 insufficient_scope through New's ErrorHandler. With no scopes it
// requires a token, which matters under Options.Optional.
//
// It must run behind New. A request that New did not authenticate,
// because New is missing or skipped the request, is answered 401 with
// a bare challenge for jwtgate.DefaultRealm: the check fails closed.
// Nested uses compose, so a group's requirement and a route's both hold.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	scopes = slices.Clone(scopes)
	return func(next http.Handler) http.Handler {
		return &scopeHandler{scopes: scopes, next: next}
	}
}

// Claims returns the claims of the token New accepted for r, and false
// when there are none: no middleware, a skipped request, or no token
// under Options.Optional.
func Claims(r *http.Request) (*jwtgate.Claims, bool) {
	rc := recordOf(r.Context())
	if rc == nil || rc.claims == nil {
		return nil, false
	}
	return rc.claims, true
}

// middleware is the configuration New closes over, shared by every
// request and by the records that RequireScopes reads.
type middleware struct {
	gate *jwtgate.Gate
	opts Options
}

// writeResponse is the default ErrorHandler.
func (m *middleware) writeResponse(w http.ResponseWriter, _ *http.Request, err error) {
	m.gate.Response(err).Write(w)
}

// skip reports whether r passes without authentication.
func (m *middleware) skip(r *http.Request) bool {
	if m.opts.SkipPreflight && r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		return true
	}
	return m.opts.Skip != nil && m.opts.Skip(r)
}

// authHandler is New's middleware around one handler.
type authHandler struct {
	m    *middleware
	next http.Handler
}

func (h *authHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	if m.skip(r) {
		h.next.ServeHTTP(w, r)
		return
	}

	var claims *jwtgate.Claims
	token, err := m.opts.Extractor.FromHTTP(r)
	switch {
	case err == nil:
		claims, err = m.gate.Validate(r.Context(), token)
	case m.opts.Optional && errors.Is(err, jwtgate.ErrTokenMissing):
		err = nil
	}
	if err != nil {
		m.opts.ErrorHandler(w, r, err)
		return
	}

	ctx := r.Context()
	if claims != nil {
		ctx = jwtgate.NewContext(ctx, claims)
	}
	h.next.ServeHTTP(w, r.WithContext(&recordCtx{Context: ctx, claims: claims, m: m}))
}

// scopeHandler is RequireScopes' middleware around one handler.
type scopeHandler struct {
	scopes []string
	next   http.Handler
}

func (h *scopeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := recordOf(r.Context())
	if rc == nil {
		err := &jwtgate.Error{Reason: jwtgate.ErrTokenMissing}
		jwtgate.ResponseFor(err, jwtgate.DefaultRealm).Write(w)
		return
	}
	if err := rc.claims.RequireScopes(h.scopes...); err != nil {
		rc.m.opts.ErrorHandler(w, r, err)
		return
	}
	h.next.ServeHTTP(w, r)
}

// recordKey is the context key of the per-request record.
type recordKey struct{}

// recordCtx is the request context New passes on: its parent plus the
// record of the authentication, the claims (nil without a token under
// Options.Optional) and the middleware that accepted the request. One
// allocation holds both the context layer and the record.
type recordCtx struct {
	context.Context
	claims *jwtgate.Claims
	m      *middleware
}

// Value returns the record itself for recordKey and defers every other
// key to the parent.
func (c *recordCtx) Value(key any) any {
	if key == (recordKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// recordOf returns the innermost record in ctx, or nil.
func recordOf(ctx context.Context) *recordCtx {
	rc, _ := ctx.Value(recordKey{}).(*recordCtx)
	return rc
}
