//go:build !race

package gingate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	gingate "github.com/jwtgate/jwtgate/gin"
)

// maxExtraAllocs is the adapter's allocation budget per request, above
// the Gate's own validation and Gin's own cost without the middleware.
const maxExtraAllocs = 5

// TestAllocations bounds what the middleware allocates per request.
// The race detector changes allocation counts, so the test runs only
// without it (CI runs it so).
func TestAllocations(t *testing.T) {
	g := exampleGate()
	defer g.Close()
	token := exampleToken("alice", "read")
	ctx := context.Background()

	// The same route with no middleware, and behind New and a scope
	// requirement.
	app := func(handlers ...gin.HandlerFunc) *gin.Engine {
		r := gin.New()
		r.GET("/me", append(handlers, func(c *gin.Context) { c.Status(http.StatusOK) })...)
		return r
	}
	core := testing.AllocsPerRun(200, func() { _, _ = g.Validate(ctx, token) })
	bare := allocsPerGet(t, app(), token)
	adapter := allocsPerGet(t, app(gingate.New(g, gingate.Options{}), gingate.RequireScopes("read")), token)
	t.Logf("core %.0f, bare %.0f, adapter %.0f allocations", core, bare, adapter)
	if extra := adapter - bare - core; extra > maxExtraAllocs {
		t.Errorf("the middleware allocates %.0f times per request beyond Gin's %.0f and the Gate's %.0f, want <= %d",
			extra, bare, core, maxExtraAllocs)
	}
}

// allocsPerGet counts the allocations of GET /me with token through h,
// with one request and one writer reused, after checking the answer.
func allocsPerGet(t *testing.T, h http.Handler, token string) float64 {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := sink{h: http.Header{}}
	h.ServeHTTP(&w, req)
	if w.code != http.StatusOK {
		t.Fatalf("GET /me: status %d, want 200", w.code)
	}
	return testing.AllocsPerRun(200, func() {
		clear(w.h)
		h.ServeHTTP(&w, req)
	})
}
