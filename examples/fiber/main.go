// Command fiber serves the jwtgate example routes with Fiber and the
// fibergate middleware: GET /healthz is public, GET /me needs a valid
// token and GET /admin one with the "admin" scope.
//
// Run it with no flags to get an embedded issuer and tokens to try,
// or point it at an issuer:
//
//	go run ./examples/fiber -issuer https://issuer.example -audience my-api
package main

import (
	"context"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/examples/internal/demo"
	fibergate "github.com/jwtgate/jwtgate/fiber"
)

func main() {
	demo.Main("fiber", newServer)
}

// newServer routes the example's endpoints, guarding all but /healthz
// with g.
func newServer(g *jwtgate.Gate) demo.Server {
	app := fiber.New(fiber.Config{
		// fasthttp reads a request's headers into a buffer of this
		// size, 4 KiB by default, and answers 431 when they do not
		// fit, before any handler runs. 16 KiB holds a token up to the
		// core's 8 KiB cap plus the other headers, so that a large
		// token gets the Gate's answer rather than 431.
		ReadBufferSize:        16 << 10,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		DisableStartupMessage: true,
	})
	auth := fibergate.New(g, fibergate.Options{})

	app.Get("/healthz", health)
	app.Get("/me", auth, me)
	app.Get("/admin", auth, fibergate.RequireScopes("admin"), me)
	return server{app}
}

func health(c *fiber.Ctx) error {
	return c.JSON(demo.Healthy())
}

// me answers with the caller's subject and scopes.
func me(c *fiber.Ctx) error {
	claims, _ := fibergate.Claims(c)
	return c.JSON(demo.Identify(claims))
}

// server runs a Fiber app as a demo.Server.
type server struct {
	app *fiber.App
}

func (s server) Serve(ln net.Listener) error {
	return s.app.Listener(ln)
}

func (s server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}
