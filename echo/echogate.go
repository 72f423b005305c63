package echogate

import (
	"context"
	"errors"
	"net/http"
	"slices"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/labstack/echo/v4"
)

// recordKey is the context key of the per-request record.
type recordKey struct{}

// record is the request context the middleware passes on: its parent
// plus what Claims and RequireScopes read, the middleware that
// authenticated the request, to answer through its ErrorHandler, and
// the claims (nil without a token under Options.Optional). One
// allocation holds the context layer and the record, and the
// echo.Context's own store, with its lock and map, is left to the
// application.
type record struct {
	context.Context
	m      *middleware
	claims *jwtgate.Claims
}

// Value returns the record itself for recordKey and defers every other
// key to the parent.
func (rc *record) Value(key any) any {
	if key == (recordKey{}) {
		return rc
	}
	return rc.Context.Value(key)
}

// recordOf returns the innermost record of c's request, or nil.
func recordOf(c echo.Context) *record {
	r := c.Request()
	if r == nil {
		return nil
	}
	rc, _ := r.Context().Value(recordKey{}).(*record)
	return rc
}

// Options configures the middleware New returns. The zero value
// requires a Bearer token in the Authorization header on every request
// and answers failures with the Gate's response.
type Options struct {
	// Extractor says where requests carry the token. Its zero value
	// reads the Bearer credentials of the Authorization header only.
	Extractor jwtgate.Extractor

	// Optional lets a request with no token through, without claims.
	// Malformed credentials and bad tokens are still rejected. Default
	// false: a token is required.
	Optional bool

	// Skip, when set, is asked about every request first; true passes
	// the request on without authentication and without claims, so
	// RequireScopes rejects it. Default nil: nothing is skipped.
	Skip func(c echo.Context) bool

	// SkipPreflight passes CORS preflight requests on without
	// authentication: OPTIONS requests with both an Origin and an
	// Access-Control-Request-Method header. Default false.
	SkipPreflight bool

	// ErrorHandler answers a request that New or RequireScopes rejects,
	// with err from the core (an *jwtgate.Error). Its return value is
	// the handler chain's: nil ends the request, an error goes on to
	// the Echo's HTTPErrorHandler. Default nil: write the Gate's
	// response (jwtgate.Gate.Response) and return nil.
	ErrorHandler func(c echo.Context, err error) error
}

// middleware is one configured instance of New. RequireScopes finds it
// in the echo.Context of every request it authenticated and answers
// through it.
type middleware struct {
	gate *jwtgate.Gate
	opts Options
}

// New returns middleware that authenticates every request with g as o
// says. g must not be nil. A request that passes goes on with its
// claims in the echo.Context (see Claims) and in the request's context
// (see jwtgate.FromContext); a request without a token under
// o.Optional goes on without claims; any other request is rejected.
func New(g *jwtgate.Gate, o Options) echo.MiddlewareFunc {
	m := &middleware{gate: g, opts: o}
	return m.wrap
}

// wrap binds m to the next handler. Echo calls it for every request.
func (m *middleware) wrap(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return m.serve(c, next) }
}

// serve authenticates one request and calls next unless it rejects it.
func (m *middleware) serve(c echo.Context, next echo.HandlerFunc) error {
	if m.skip(c) {
		return next(c)
	}

	r := c.Request()
	token, err := m.opts.Extractor.FromHTTP(r)
	if err != nil {
		if m.opts.Optional && errors.Is(err, jwtgate.ErrTokenMissing) {
			c.SetRequest(r.WithContext(&record{Context: r.Context(), m: m}))
			return next(c)
		}
		return m.reject(c, err)
	}

	claims, err := m.gate.Validate(r.Context(), token)
	if err != nil {
		return m.reject(c, err)
	}

	ctx := jwtgate.NewContext(r.Context(), claims)
	c.SetRequest(r.WithContext(&record{Context: ctx, m: m, claims: claims}))
	return next(c)
}

// skip reports whether the request passes without authentication.
func (m *middleware) skip(c echo.Context) bool {
	if m.opts.Skip != nil && m.opts.Skip(c) {
		return true
	}
	return m.opts.SkipPreflight && isPreflight(c.Request())
}

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions &&
		r.Header.Get(echo.HeaderOrigin) != "" &&
		r.Header.Get(echo.HeaderAccessControlRequestMethod) != ""
}

// reject answers a rejected request through the ErrorHandler, or with
// the Gate's response.
func (m *middleware) reject(c echo.Context, err error) error {
	if m.opts.ErrorHandler != nil {
		return m.opts.ErrorHandler(c, err)
	}
	write(c, m.gate.Response(err))
	return nil
}

// write sends r with Echo's own calls, with the headers
// jwtgate.Response.Write sets. A failed write has nowhere to go, as
// the status is sent by then, so it is dropped.
func write(c echo.Context, r jwtgate.Response) {
	h := c.Response().Header()
	h.Set(echo.HeaderWWWAuthenticate, r.WWWAuthenticate)
	if r.RetryAfter != "" {
		h.Set(echo.HeaderRetryAfter, r.RetryAfter)
	}
	h.Set(echo.HeaderCacheControl, "no-store")
	_ = c.Blob(r.Status, jwtgate.ContentType, r.Body)
}

// RequireScopes returns middleware that lets a request on only when its
// token grants every one of scopes, and otherwise answers 403 through
// the ErrorHandler of the New that authenticated the request. Use it on
// routes and groups behind New.
//
// A request that New did not authenticate (no New in the chain, or
// skipped) is answered 401 with the default realm, jwtgate.DefaultRealm;
// one that passed without a token under Options.Optional is answered
// 401 through New's ErrorHandler.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	s := scopeGuard(slices.Clone(scopes))
	return s.wrap
}

// scopeGuard holds the scopes of one RequireScopes.
type scopeGuard []string

// wrap binds s to the next handler. Echo calls it for every request.
func (s scopeGuard) wrap(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return s.serve(c, next) }
}

// serve checks the scopes of one request and calls next if they suffice.
func (s scopeGuard) serve(c echo.Context, next echo.HandlerFunc) error {
	rc := recordOf(c)
	if rc == nil {
		missing := &jwtgate.Error{Reason: jwtgate.ErrTokenMissing}
		write(c, jwtgate.ResponseFor(missing, jwtgate.DefaultRealm))
		return nil
	}

	if err := rc.claims.RequireScopes(s...); err != nil {
		return rc.m.reject(c, err)
	}
	return next(c)
}

// Claims returns the claims New stored in c, and whether there are
// any. A request that was skipped, or passed without a token under
// Options.Optional, has none.
func Claims(c echo.Context) (*jwtgate.Claims, bool) {
	rc := recordOf(c)
	if rc == nil || rc.claims == nil {
		return nil, false
	}
	return rc.claims, true
}
