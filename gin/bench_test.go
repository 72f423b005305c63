package gingate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	gingate "github.com/jwtgate/jwtgate/gin"
)

// BenchmarkOverhead measures the adapter on a static HS256 key, whose
// validation costs so little that the adapter's own share shows:
// adapter minus bare minus core.
func BenchmarkOverhead(b *testing.B) {
	g := exampleGate()
	b.Cleanup(func() { g.Close() })
	token := exampleToken("alice", "")

	b.Run("core", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := g.Validate(context.Background(), token); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("bare", func(b *testing.B) { benchGet(b, newApp(), token) })
	b.Run("adapter", func(b *testing.B) {
		benchGet(b, newApp(gingate.New(g, gingate.Options{})), token)
	})
}

// benchGet sends GET /me with token through h, reusing one request and
// one writer per goroutine.
func benchGet(b *testing.B, h http.Handler, token string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := sink{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(&w, req)
			if w.code != http.StatusOK {
				b.Fatalf("status %d, want 200", w.code)
			}
		}
	})
}

// sink is a ResponseWriter that drops the body and keeps the status.
type sink struct {
	h    http.Header
	code int
}

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) WriteHeader(code int)        { s.code = code }
func (s *sink) Write(p []byte) (int, error) { return len(p), nil }
