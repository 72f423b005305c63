package fibergate_test

import (
	"context"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jwtgate/jwtgate/conformance"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	"github.com/valyala/fasthttp"
)

func BenchmarkConformance(b *testing.B) { conformance.Benchmark(b, adaptorBuild) }

// BenchmarkNative measures the adapter without Fiber's net/http
// adaptor: app.Handler serves a prepared fasthttp context, as a Fiber
// listener does. The adapter's own cost is adapter minus bare minus
// core. An RS256 verification costs tens of microseconds and varies
// by more than the adapter costs, so the same pair runs again on a
// static HS256 key ("-hs256"), where the difference stands out.
func BenchmarkNative(b *testing.B) {
	iss, rs := newIssuer(b, nil)
	hs, hsToken := newStaticGate(b)
	gates := []struct {
		suffix string
		gate   *jwtgate.Gate
		token  string
	}{{"", rs, iss.Mint(nil)}, {"-hs256", hs, hsToken}}

	bare := newApp(conformance.Setup{NoAuth: true}, fiber.Config{})
	b.Run("bare", func(b *testing.B) { benchHandler(b, bare.Handler(), gates[0].token) })
	for _, gt := range gates {
		b.Run("core"+gt.suffix, func(b *testing.B) { benchValidate(b, gt.gate, gt.token) })
		app := newApp(conformance.Setup{Gate: gt.gate}, fiber.Config{})
		b.Run("adapter"+gt.suffix, func(b *testing.B) {
			benchHandler(b, app.Handler(), gt.token)
		})
	}
}

// benchValidate measures g.Validate of token alone.
func benchValidate(b *testing.B, g *jwtgate.Gate, token string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := g.Validate(ctx, token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// newStaticGate returns a Gate with one static HS256 key and a valid
// token signed with it.
func newStaticGate(b *testing.B) (*jwtgate.Gate, string) {
	b.Helper()
	const issuer = "https://static.fibergate.test"
	secret := []byte("0123456789abcdef0123456789abcdef")
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: issuer, Keys: []jwtgate.StaticKey{{Key: secret}}}},
		Audience: []string{gatetest.Audience},
	})
	if err != nil {
		b.Fatalf("jwtgate.New: %v", err)
	}
	b.Cleanup(func() { g.Close() })
	token, err := gatetest.Sign(map[string]any{"alg": "HS256", "typ": "JWT"}, map[string]any{
		"iss": issuer, "aud": gatetest.Audience, "sub": "user-1",
		"exp": time.Now().Add(time.Hour).Unix(),
	}, secret)
	if err != nil {
		b.Fatalf("Sign: %v", err)
	}
	return g, token
}

// benchHandler sends GET /me with token to h in parallel, one fasthttp
// context per goroutine, reset between requests as a server resets it.
func benchHandler(b *testing.B, h fasthttp.RequestHandler, token string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var req fasthttp.Request
		req.Header.SetMethod(fasthttp.MethodGet)
		req.SetRequestURI("/me")
		req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+token)
		var fctx fasthttp.RequestCtx
		fctx.Init(&req, nil, nil)
		for pb.Next() {
			h(&fctx)
			if status := fctx.Response.StatusCode(); status != fiber.StatusOK {
				b.Errorf("GET /me: status %d, want 200", status)
				return
			}
			fctx.Response.Reset()
			fctx.ResetUserValues()
		}
	})
}
