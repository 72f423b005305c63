package fibergate_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/jwtgate/jwtgate/conformance"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	fibergate "github.com/jwtgate/jwtgate/fiber"
)

// readBufferSize fits the core's largest token (8 KiB) and the other
// headers of a request.
const readBufferSize = 16 << 10

// build is the conformance.Build of Run and RunRace: the suite's routes
// on a Fiber app, each request served as a Fiber listener serves it.
// Fiber's adaptor package would keep only the last of two Authorization
// headers (it copies headers with Header.Set), hiding the very requests
// the suite must see rejected, so build goes through app.Test instead:
// the request is written out as HTTP/1.1 and read back by fasthttp with
// the app's ReadBufferSize.
func build(t testing.TB, s conformance.Setup) http.Handler {
	t.Helper()
	return listener(newApp(s, fiber.Config{ReadBufferSize: readBufferSize}))
}

// adaptorBuild is the conformance.Build of the benchmarks: the same app
// behind adaptor.FiberApp, which is cheaper than a round trip through
// the HTTP/1.1 parser and fine for requests with single headers.
func adaptorBuild(t testing.TB, s conformance.Setup) http.Handler {
	t.Helper()
	return adaptor.FiberApp(newApp(s, fiber.Config{ReadBufferSize: readBufferSize}))
}

// listener turns app into an http.Handler that serves each request
// through fasthttp's own connection handling, with app.Test.
func listener(app *fiber.App) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := app.Test(r, -1)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		maps.Copy(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
}

// newApp registers the suite's routes on a Fiber app made with cfg,
// behind the middleware that s describes.
func newApp(s conformance.Setup, cfg fiber.Config) *fiber.App {
	app := fiber.New(cfg)
	if !s.NoAuth {
		app.Use(fibergate.New(s.Gate, options(s)))
	}
	app.Get("/me", me)
	app.Get("/admin", fibergate.RequireScopes("admin"), me)
	group := app.Group("/group", fibergate.RequireScopes("read"))
	group.Get("/write", fibergate.RequireScopes("write"), me)
	app.Get("/public/ping", me)
	app.Options("/me", func(c *fiber.Ctx) error {
		c.Status(fiber.StatusNoContent)
		return nil
	})
	return app
}

// options turns a conformance.Setup into the adapter's Options.
func options(s conformance.Setup) fibergate.Options {
	o := fibergate.Options{
		Extractor:     s.Extractor,
		Optional:      s.Optional,
		SkipPreflight: s.SkipPreflight,
	}
	if prefix := s.SkipPrefix; prefix != "" {
		o.Skip = func(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), prefix) }
	}
	return o
}

// me answers with the claims the adapter stored, read both ways.
func me(c *fiber.Ctx) error {
	typed, _ := fibergate.Claims(c)
	fromContext, _ := jwtgate.FromContext(c.UserContext())
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(fiber.StatusOK).Send(conformance.Body(typed, fromContext))
}

// newIssuer returns an in-memory issuer and a ready Gate that trusts
// it. mod, when not nil, adjusts the Gate's configuration.
func newIssuer(t testing.TB, mod func(*jwtgate.Config)) (*gatetest.Issuer, *jwtgate.Gate) {
	t.Helper()
	iss := gatetest.NewInMemory(t)
	cfg := jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		HTTPClient: iss.Client(),
	}
	if mod != nil {
		mod(&cfg)
	}
	g, err := jwtgate.New(cfg)
	if err != nil {
		t.Fatalf("jwtgate.New: %v", err)
	}
	t.Cleanup(func() { g.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	return iss, g
}
