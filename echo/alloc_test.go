//go:build !race

package echogate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	echogate "github.com/jwtgate/jwtgate/echo"
)

// maxExtraAllocs is the adapter's allocation budget per request, above
// the Gate's own validation and Echo's own cost without the middleware.
const maxExtraAllocs = 5

// TestAllocations bounds what the middleware allocates per request.
// The race detector changes allocation counts, so the test runs only
// without it (CI runs it so).
func TestAllocations(t *testing.T) {
	g := exampleGate()
	defer g.Close()
	token := exampleToken("alice", "read")
	ctx := context.Background()

	ok := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	bare := echo.New()
	bare.GET("/me", ok)
	guarded := echo.New()
	guarded.Use(echogate.New(g, echogate.Options{}))
	guarded.GET("/me", ok, echogate.RequireScopes("read"))

	core := testing.AllocsPerRun(200, func() { _, _ = g.Validate(ctx, token) })
	base := allocsPerGet(t, bare, token)
	adapter := allocsPerGet(t, guarded, token)
	t.Logf("core %.0f, bare %.0f, adapter %.0f allocations", core, base, adapter)
	if extra := adapter - base - core; extra > maxExtraAllocs {
		t.Errorf("the middleware allocates %.0f times per request beyond Echo's %.0f and the Gate's %.0f, want <= %d",
			extra, base, core, maxExtraAllocs)
	}
}

// allocsPerGet counts the allocations of GET /me with token through h,
// with one request and one writer reused, after checking the answer.
func allocsPerGet(t *testing.T, h http.Handler, token string) float64 {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := &statusWriter{header: http.Header{}}
	h.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		t.Fatalf("GET /me: status %d, want 200", w.status)
	}
	return testing.AllocsPerRun(200, func() {
		clear(w.header)
		h.ServeHTTP(w, req)
	})
}

// statusWriter is a ResponseWriter that keeps the status and drops the
// body.
type statusWriter struct {
	header http.Header
	status int
}

func (w *statusWriter) Header() http.Header         { return w.header }
func (w *statusWriter) WriteHeader(status int)      { w.status = status }
func (w *statusWriter) Write(p []byte) (int, error) { return len(p), nil }
