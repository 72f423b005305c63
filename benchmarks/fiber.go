package benchmarks

import (
	"context"
	"net"

	jwtware "github.com/gofiber/contrib/jwt"
	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
	"github.com/valyala/fasthttp"

	jwtgate "github.com/jwtgate/jwtgate/core"
	fibergate "github.com/jwtgate/jwtgate/fiber"
)

// fiberRequester serves one prepared request through a Fiber app's
// fasthttp handler, the way Fiber's server calls it for each request on
// a connection: the same RequestCtx, its response and user values
// reset in between. It does not go through app.Test, whose in-memory
// connection costs far more than the middleware.
type fiberRequester struct {
	h   fasthttp.RequestHandler
	ctx fasthttp.RequestCtx
}

// newFiberRequester prepares GET /me with token as Bearer credentials.
func newFiberRequester(h fasthttp.RequestHandler, token string) *fiberRequester {
	q := &fiberRequester{h: h}
	q.ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	q.ctx.Request.SetRequestURI(route)
	q.ctx.Request.Header.Set(fiber.HeaderAuthorization, "Bearer "+token)
	return q
}

// Do serves the request once.
func (q *fiberRequester) Do() int {
	q.ctx.Response.Reset()
	q.h(&q.ctx)
	q.ctx.ResetUserValues()
	return q.ctx.Response.StatusCode()
}

// Body returns the last response's body.
func (q *fiberRequester) Body() []byte { return q.ctx.Response.Body() }

// fiberStack returns the serving of app: Requesters over its
// handler, and its own server.
func fiberStack(app *fiber.App) serving {
	h := app.Handler()
	return serving{
		requester: func(token string) Requester { return newFiberRequester(h, token) },
		serve: func(ctx context.Context, ln net.Listener) error {
			return serveFiber(ctx, ln, app)
		},
	}
}

// fiberApp returns an app that prints nothing at start.
func fiberApp() *fiber.App {
	return fiber.New(fiber.Config{DisableStartupMessage: true})
}

// newFiberBare is an app with no middleware.
func newFiberBare(_ *Env, alg string) (*Stack, error) {
	app := fiberApp()
	app.Get(route, func(c *fiber.Ctx) error { return c.SendString(Subject) })
	return &Stack{
		Framework: FrameworkFiber, Name: StackBare, Alg: alg, Kind: KindBare,
		Config:       "fiber.New(), no middleware",
		newRequester: fiberStack(app),
	}, nil
}

// newFiberJWTGate is an app using fibergate.New with default Options.
func newFiberJWTGate(e *Env, alg string, cached bool) (*Stack, error) {
	return e.gateStack(FrameworkFiber, alg, cached, "fibergate.New(gate, Options{})",
		func(g *jwtgate.Gate) serving {
			app := fiberApp()
			app.Use(fibergate.New(g, fibergate.Options{}))
			app.Get(route, func(c *fiber.Ctx) error {
				cl, _ := fibergate.Claims(c)
				return c.SendString(cl.Subject)
			})
			return fiberStack(app)
		})
}

// newFiberContrib is an app using gofiber/contrib/jwt with its own key
// handling: JWKSetURLs (keyfunc v2 inside: hourly refresh, unknown kids
// refreshed at most every 5 minutes, the JWK's alg checked against the
// token's), or for HS256 SigningKeys with the secret under its kid and
// JWTAlg HS256. contrib/jwt parses with jwt.Parse and no parser options
// and has no setting for the issuer, audience or a required exp, so a
// SuccessHandler, its hook for accepted tokens, checks them with a
// golang-jwt Validator of parserOptions, and the alg, and answers like
// its default error handler. Its keyfunc v2 refresh goroutine cannot be
// stopped through contrib/jwt and lives as long as the process.
func newFiberContrib(e *Env, alg string) (*Stack, error) {
	cfg := jwtware.Config{JWKSetURLs: []string{e.Issuer.JWKSURL()}}
	if alg == "HS256" {
		cfg = jwtware.Config{SigningKeys: map[string]jwtware.SigningKey{
			e.Issuer.KeyID(alg): {JWTAlg: jwtware.HS256, Key: e.Issuer.PublicKey(alg)},
		}}
	}
	v := jwt.NewValidator(e.parserOptions(alg)...)
	cfg.SuccessHandler = func(c *fiber.Ctx) error {
		tok := c.Locals("user").(*jwt.Token)
		if tok.Method.Alg() != alg || v.Validate(tok.Claims) != nil {
			return c.Status(fiber.StatusUnauthorized).SendString("Invalid or expired JWT")
		}
		return c.Next()
	}
	app := fiberApp()
	app.Use(jwtware.New(cfg))
	app.Get(route, func(c *fiber.Ctx) error {
		sub, _ := c.Locals("user").(*jwt.Token).Claims.GetSubject()
		return c.SendString(sub)
	})
	src := "JWKSetURLs: [JWKS URL]"
	if alg == "HS256" {
		src = "SigningKeys: {kid: {HS256, secret}}"
	}
	return &Stack{
		Framework: FrameworkFiber, Name: StackContribJWT, Alg: alg, Kind: KindPeer,
		Config: "jwtware.New(Config{" + src + ", SuccessHandler: alg check + " +
			"jwt.NewValidator(WithIssuer, WithAudience, WithExpirationRequired, WithIssuedAt)})",
		newRequester: fiberStack(app),
	}, nil
}
