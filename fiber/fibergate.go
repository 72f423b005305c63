package fibergate

import (
	"slices"

	"github.com/gofiber/fiber/v2"
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

	// Skip, when it returns true, passes the request on without
	// authentication and without claims, so that a RequireScopes
	// further down rejects it. Default nil: no request is skipped.
	Skip func(c *fiber.Ctx) bool

	// SkipPreflight passes CORS preflight requests on as Skip does:
	// OPTIONS requests with both an Origin and an
	// Access-Control-Request-Method header. Default false.
	SkipPreflight bool

	// ErrorHandler answers a rejected request; err is the Gate's
	// *jwtgate.Error, and what it returns the middleware returns, so
	// returning err hands the request to the app's own ErrorHandler.
	// Default nil: the Gate's response is written and nil returned.
	ErrorHandler fiber.ErrorHandler
}

// stateKey and claimsKey are the private c.Locals keys of the
// per-request record: the middleware that passed the request, to answer
// through its Gate and ErrorHandler, and the claims it validated.
type (
	stateKey  struct{}
	claimsKey struct{}
)

// middleware is one configured instance of New. It is read-only after
// New, so requests share it without locking.
type middleware struct {
	gate    *jwtgate.Gate
	opts    Options
	onError fiber.ErrorHandler
}

// New returns Fiber middleware that authenticates every request with
// g, which must not be nil. On success it stores the claims for Claims
// and jwtgate.FromContext(c.UserContext()) and calls c.Next; on failure
// it returns what the error handler returns, without calling c.Next.
//
// The Gate validates with c.UserContext(), so a Check hook sees what
// earlier middleware put there. fasthttp does not cancel that context
// when a client goes away: a request that waits for keys (the first
// fetch, or a refresh for an unknown kid) waits at most the Gate's
// FetchTimeout.
func New(g *jwtgate.Gate, o Options) fiber.Handler {
	m := &middleware{gate: g, opts: o, onError: o.ErrorHandler}
	if m.onError == nil {
		m.onError = m.respond
	}
	return m.handle
}

// handle authenticates one request.
func (m *middleware) handle(c *fiber.Ctx) error {
	if m.skip(c) {
		return c.Next()
	}

	token, err := m.opts.Extractor.Extract(carrier{c})
	if err != nil {
		if m.opts.Optional && jwtgate.Reason(err) == jwtgate.ErrTokenMissing {
			c.Locals(stateKey{}, m)
			return c.Next()
		}
		return m.onError(c, err)
	}

	ctx := c.UserContext()
	claims, err := m.gate.Validate(ctx, token)
	if err != nil {
		return m.onError(c, err)
	}

	c.Locals(stateKey{}, m)
	c.Locals(claimsKey{}, claims)
	c.SetUserContext(jwtgate.NewContext(ctx, claims))
	return c.Next()
}

// skip reports whether the request passes without authentication.
func (m *middleware) skip(c *fiber.Ctx) bool {
	if m.opts.SkipPreflight && isPreflight(c) {
		return true
	}
	return m.opts.Skip != nil && m.opts.Skip(c)
}

// isPreflight reports whether c is a CORS preflight request.
func isPreflight(c *fiber.Ctx) bool {
	h := &c.Request().Header
	return c.Method() == fiber.MethodOptions &&
		len(h.Peek(fiber.HeaderOrigin)) > 0 &&
		len(h.Peek(fiber.HeaderAccessControlRequestMethod)) > 0
}

// respond is the default ErrorHandler.
func (m *middleware) respond(c *fiber.Ctx, err error) error {
	return write(c, m.gate.Response(err))
}

// write sends resp with Fiber's own calls, setting the same headers as
// jwtgate.Response.Write.
func write(c *fiber.Ctx, resp jwtgate.Response) error {
	c.Set(fiber.HeaderWWWAuthenticate, resp.WWWAuthenticate)
	if resp.RetryAfter != "" {
		c.Set(fiber.HeaderRetryAfter, resp.RetryAfter)
	}
	c.Set(fiber.HeaderContentType, jwtgate.ContentType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(resp.Status).Send(resp.Body)
}

// RequireScopes returns Fiber middleware that lets a request through
// only when the claims New stored for it grant every one of scopes;
// with no scopes it only requires a token. Several RequireScopes on one
// route, such as a group's and the route's own, all apply.
//
// A refusal is answered through the error handler and realm of the New
// that passed the request: 403 for a missing scope, 401 when optional
// authentication let it through without a token. A request that no
// New passed (none mounted before it, or Skip said so) is refused with
// 401 and jwtgate.DefaultRealm: RequireScopes fails closed.
func RequireScopes(scopes ...string) fiber.Handler {
	scopes = slices.Clone(scopes)
	return func(c *fiber.Ctx) error {
		m, _ := c.Locals(stateKey{}).(*middleware)
		claims, _ := Claims(c)
		if m == nil {
			claims = nil
		}

		err := claims.RequireScopes(scopes...)
		switch {
		case err == nil:
			return c.Next()
		case m == nil:
			return write(c, jwtgate.ResponseFor(err, jwtgate.DefaultRealm))
		}
		return m.onError(c, err)
	}
}

// Claims returns the claims New validated for this request, and
// whether there are any: none when the middleware did not run, skipped
// the request, or let it through without a token under
// Options.Optional. jwtgate.FromContext(c.UserContext()) returns the
// same pointer.
func Claims(c *fiber.Ctx) (*jwtgate.Claims, bool) {
	claims, _ := c.Locals(claimsKey{}).(*jwtgate.Claims)
	return claims, claims != nil
}
