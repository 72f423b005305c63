package conformance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// runBenchmarks measures the core, the bare framework and the adapter
// on the same token: RS256 from a fetched key set, where the signature
// dominates, and HS256 from a static secret, where the adapter's own
// cost is large enough to read.
func runBenchmarks(b *testing.B, build Build) {
	iss := gatetest.New(b)
	rs := newGate(b, cacheOn, jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		HTTPClient: iss.Client(),
	})
	ready(b, rs)

	secret := []byte("conformance benchmark secret 32b")
	hs := newGate(b, cacheOn, jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: iss.URL, Keys: []jwtgate.StaticKey{{Key: secret}}}},
		Audience: []string{gatetest.Audience},
	})
	hsToken, err := gatetest.Sign(map[string]any{"alg": "HS256", "typ": "JWT"}, iss.Claims(), secret)
	if err != nil {
		b.Fatal(err)
	}

	for _, c := range []struct {
		alg   string
		gate  *jwtgate.Gate
		token string
	}{
		{"RS256", rs, iss.Mint(nil, gatetest.WithKey(kidRS256))},
		{"HS256", hs, hsToken},
	} {
		b.Run(c.alg+"/core", func(b *testing.B) { benchCore(b, c.gate, c.token) })
		b.Run(c.alg+"/bare", func(b *testing.B) {
			benchServe(b, build(b, Setup{Gate: c.gate, NoAuth: true}), c.token)
		})
		b.Run(c.alg+"/adapter", func(b *testing.B) {
			benchServe(b, build(b, Setup{Gate: c.gate}), c.token)
		})
	}
}

// benchCore validates tok with g in parallel.
func benchCore(b *testing.B, g *jwtgate.Gate, tok string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := g.Validate(ctx, tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchServe sends GET /me with tok through h in parallel. Each
// goroutine reuses one request and one response writer, so that the
// allocations counted are the framework's and the adapter's.
func benchServe(b *testing.B, h http.Handler, tok string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := &discardWriter{header: http.Header{}}
		for pb.Next() {
			clear(w.header)
			w.status = 0
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Errorf("GET /me: status %d, want 200", w.status)
				return
			}
		}
	})
}

// discardWriter is an http.ResponseWriter that keeps only the status.
type discardWriter struct {
	header http.Header
	status int
}

// Header returns the response header map.
func (w *discardWriter) Header() http.Header { return w.header }

// WriteHeader records the status of the first call.
func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// Write discards p, recording status 200 if no status was written.
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
