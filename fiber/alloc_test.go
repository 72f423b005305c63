//go:build !race

package fibergate_test

import (
	"context"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	fibergate "github.com/jwtgate/jwtgate/fiber"
)

// maxExtraAllocs is the adapter's allocation budget per request, above
// the Gate's own validation and Fiber's own cost without the
// middleware.
const maxExtraAllocs = 5

// TestAllocations bounds what the middleware allocates per request,
// served by app.Handler on a reused fasthttp context as a Fiber
// listener serves it. The race detector changes allocation counts, so
// the test runs only without it (CI runs it so).
func TestAllocations(t *testing.T) {
	g := exampleGate()
	defer g.Close()
	token := exampleToken("alice", map[string]any{"scope": "read"})
	ctx := context.Background()

	ok := func(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusOK) }
	bare := fiber.New()
	bare.Get("/me", ok)
	guarded := fiber.New()
	guarded.Use(fibergate.New(g, fibergate.Options{}))
	guarded.Get("/me", fibergate.RequireScopes("read"), ok)

	core := testing.AllocsPerRun(200, func() { _, _ = g.Validate(ctx, token) })
	base := allocsPerGet(t, bare.Handler(), token)
	adapter := allocsPerGet(t, guarded.Handler(), token)
	t.Logf("core %.0f, bare %.0f, adapter %.0f allocations", core, base, adapter)
	if extra := adapter - base - core; extra > maxExtraAllocs {
		t.Errorf("the middleware allocates %.0f times per request beyond Fiber's %.0f and the Gate's %.0f, want <= %d",
			extra, base, core, maxExtraAllocs)
	}
}

// allocsPerGet counts the allocations of GET /me with token through h
// on one fasthttp context, reset between requests as a server resets
// it, after checking the answer.
func allocsPerGet(t *testing.T, h fasthttp.RequestHandler, token string) float64 {
	t.Helper()
	var req fasthttp.Request
	req.Header.SetMethod(fasthttp.MethodGet)
	req.SetRequestURI("/me")
	req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+token)
	var fctx fasthttp.RequestCtx
	fctx.Init(&req, nil, nil)
	serve := func() int {
		h(&fctx)
		status := fctx.Response.StatusCode()
		fctx.Response.Reset()
		fctx.ResetUserValues()
		return status
	}
	if status := serve(); status != fiber.StatusOK {
		t.Fatalf("GET /me: status %d, want 200", status)
	}
	return testing.AllocsPerRun(200, func() { serve() })
}
