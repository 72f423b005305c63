package gingate

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	jwtgate "github.com/jwtgate/jwtgate/core"
)

// Options configures the middleware New returns. The zero value reads
// the Bearer token of the Authorization header, requires it on every
// request and answers failures with the Gate's response.
type Options struct {
	// Extractor says where the token is found. The zero value reads
	// the Bearer credentials of the Authorization header only.
	Extractor jwtgate.Extractor

	// Optional lets a request that carries no token at all through,
	// without claims. Malformed credentials and bad tokens are still
	// rejected. Default false: every request needs a valid token.
	Optional bool

	// Skip, when it returns true, passes the request through without
	// authentication and without claims, so that RequireScopes further
	// down rejects it. Matching the route pattern, c.FullPath(), is
	// safer than matching the raw URL path. Default nil: no request is
	// skipped.
	Skip func(c *gin.Context) bool

	// SkipPreflight passes CORS preflight requests through as Skip
	// does: OPTIONS requests with both an Origin and an
	// Access-Control-Request-Method header. Default false.
	SkipPreflight bool

	// ErrorHandler answers a rejected request; err is the Gate's
	// *jwtgate.Error. The chain is aborted after it returns, whatever
	// it does. Default nil: the Gate's response is written.
	ErrorHandler func(c *gin.Context, err error)
}

// recordKey is the context key of the per-request record.
type recordKey struct{}

// record is the request context the middleware passes on: its parent
// plus what Claims and RequireScopes read, the middleware that
// authenticated the request, to answer through its Gate and
// ErrorHandler, and the claims (nil without a token under Optional).
// One allocation holds the context layer and the record, and Gin's own
// key store, with its lock and map, is left alone.
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
func recordOf(c *gin.Context) *record {
	if c.Request == nil {
		return nil
	}
	rc, _ := c.Request.Context().Value(recordKey{}).(*record)
	return rc
}

// middleware is one configured instance of New. It is read-only after
// New, so requests share it without locking.
type middleware struct {
	gate    *jwtgate.Gate
	opts    Options
	onError func(*gin.Context, error)
}

// New returns Gin middleware that authenticates every request with g,
// which must not be nil. On success it stores the claims for Claims
// and jwtgate.FromContext and passes the request on; on failure it
// calls the error handler and aborts the chain.
func New(g *jwtgate.Gate, o Options) gin.HandlerFunc {
	m := &middleware{gate: g, opts: o, onError: o.ErrorHandler}
	if m.onError == nil {
		m.onError = m.respond
	}
	return m.handle
}

// handle authenticates one request.
func (m *middleware) handle(c *gin.Context) {
	if m.skip(c) {
		return
	}
	r := c.Request

	token, err := m.opts.Extractor.FromHTTP(r)
	if err != nil {
		if m.opts.Optional && errors.Is(err, jwtgate.ErrTokenMissing) {
			c.Request = r.WithContext(&record{Context: r.Context(), m: m})
			return
		}
		m.fail(c, err)
		return
	}

	claims, err := m.gate.Validate(r.Context(), token)
	if err != nil {
		m.fail(c, err)
		return
	}

	ctx := jwtgate.NewContext(r.Context(), claims)
	c.Request = r.WithContext(&record{Context: ctx, m: m, claims: claims})
}

// skip reports whether the request passes without authentication.
func (m *middleware) skip(c *gin.Context) bool {
	if m.opts.SkipPreflight && isPreflight(c.Request) {
		return true
	}
	return m.opts.Skip != nil && m.opts.Skip(c)
}

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// fail answers a rejected request and stops the chain, even when a
// custom ErrorHandler forgot to.
func (m *middleware) fail(c *gin.Context, err error) {
	m.onError(c, err)
	c.Abort()
}

// respond is the default ErrorHandler.
func (m *middleware) respond(c *gin.Context, err error) {
	write(c, m.gate.Response(err))
}

// write sends resp with Gin's own calls, setting the same headers as
// jwtgate.Response.Write, and aborts the chain.
func write(c *gin.Context, resp jwtgate.Response) {
	c.Header("WWW-Authenticate", resp.WWWAuthenticate)
	if resp.RetryAfter != "" {
		c.Header("Retry-After", resp.RetryAfter)
	}
	c.Header("Content-Type", jwtgate.ContentType)
	c.Header("Cache-Control", "no-store")
	c.Data(resp.Status, jwtgate.ContentType, resp.Body)
	c.Abort()
}

// RequireScopes returns Gin middleware that lets a request through
// only when the claims New stored for it grant every one of scopes;
// with no scopes it only requires a token. Several RequireScopes on
// one route, such as a group's and the route's own, all apply.
//
// A request without claims or scopes is answered through the error
// handler and realm of the middleware that authenticated it. A request
// that no middleware from New authenticated (none is installed, or it
// skipped the request) is answered 401 in the default realm.
func RequireScopes(scopes ...string) gin.HandlerFunc {
	scopes = slices.Clone(scopes)
	return func(c *gin.Context) {
		rc := recordOf(c)
		if rc == nil {
			missing := &jwtgate.Error{Reason: jwtgate.ErrTokenMissing}
			write(c, jwtgate.ResponseFor(missing, jwtgate.DefaultRealm))
			return
		}
		if err := rc.claims.RequireScopes(scopes...); err != nil {
			rc.m.fail(c, err)
		}
	}
}

// Claims returns the claims New stored in c, and whether there were
// any. A request let through by Optional without a token, or passed by
// Skip, has none.
func Claims(c *gin.Context) (*jwtgate.Claims, bool) {
	rc := recordOf(c)
	if rc == nil || rc.claims == nil {
		return nil, false
	}
	return rc.claims, true
}
