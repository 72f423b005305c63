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
// on the same RS256 token.
func runBenchmarks(b *testing.B, build Build) {
	iss := gatetest.New(b)
	g := newGate(b, jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		HTTPClient: iss.Client(),
	})
	ready(b, g)
	tok := iss.Mint(nil, gatetest.WithKey(kidRS256))

	b.Run("core", func(b *testing.B) {
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
	})
	b.Run("bare", func(b *testing.B) { benchServe(b, build(b, Setup{Gate: g, NoAuth: true}), tok) })
	b.Run("adapter", func(b *testing.B) { benchServe(b, build(b, Setup{Gate: g}), tok) })
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
