package httpgate_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtgate/jwtgate/conformance"
	jwtgate "github.com/jwtgate/jwtgate/core"
	httpgate "github.com/jwtgate/jwtgate/nethttp"
)

// build is the conformance Build for net/http: a ServeMux behind the
// middleware, with the /group/ subtree in a mux of its own behind the
// group's scope check.
func build(t testing.TB, s conformance.Setup) http.Handler {
	t.Helper()
	me := http.HandlerFunc(serveMe)

	group := http.NewServeMux()
	group.Handle("GET /group/write", httpgate.RequireScopes("write")(me))

	mux := http.NewServeMux()
	mux.Handle("GET /me", me)
	mux.HandleFunc("OPTIONS /me", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("GET /admin", httpgate.RequireScopes("admin")(me))
	mux.Handle("/group/", httpgate.RequireScopes("read")(group))
	mux.Handle("GET /public/ping", me)
	if s.NoAuth {
		return mux
	}

	o := httpgate.Options{
		Extractor:     s.Extractor,
		Optional:      s.Optional,
		SkipPreflight: s.SkipPreflight,
	}
	if p := s.SkipPrefix; p != "" {
		o.Skip = func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, p) }
	}
	return httpgate.New(s.Gate, o)(mux)
}

// serveMe answers with the claims the request carries.
func serveMe(w http.ResponseWriter, r *http.Request) {
	typed, _ := httpgate.Claims(r)
	fromCtx, _ := jwtgate.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(conformance.Body(typed, fromCtx))
}

func TestConformance(t *testing.T) { conformance.Run(t, build) }

func TestConformanceRace(t *testing.T) { conformance.RunRace(t, build) }

func BenchmarkConformance(b *testing.B) { conformance.Benchmark(b, build) }

// TestErrorHandler checks that every rejection, from New and from
// RequireScopes, reaches a custom ErrorHandler with its reason.
func TestErrorHandler(t *testing.T) {
	gate := exampleGate()
	defer gate.Close()

	var got error
	handler := httpgate.New(gate, httpgate.Options{
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			got = err
			w.WriteHeader(http.StatusTeapot)
		},
	})(httpgate.RequireScopes("admin")(http.HandlerFunc(serveMe)))

	tests := []struct {
		name string
		auth string
		want error
	}{
		{"no token", "", jwtgate.ErrTokenMissing},
		{"Bearer alone", "Bearer", jwtgate.ErrRequestMalformed},
		{"garbage", "Bearer garbage", jwtgate.ErrTokenMalformed},
		{"missing scope", "Bearer " + exampleToken("erin", "read"), jwtgate.ErrInsufficientScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			rec := serveWith(handler, tt.auth)
			if rec.Code != http.StatusTeapot {
				t.Errorf("status = %d, want %d", rec.Code, http.StatusTeapot)
			}
			if !errors.Is(got, tt.want) {
				t.Errorf("ErrorHandler got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRequireScopesFailsClosed checks RequireScopes without New, and
// RequireScopes with no scopes behind optional authentication.
func TestRequireScopesFailsClosed(t *testing.T) {
	gate := exampleGate()
	defer gate.Close()
	me := http.HandlerFunc(serveMe)
	optional := httpgate.New(gate, httpgate.Options{Optional: true})

	tests := []struct {
		name    string
		handler http.Handler
		auth    string
		want    int
	}{
		{"no middleware", httpgate.RequireScopes()(me), "Bearer " + exampleToken("f", ""), 401},
		{"optional without token", optional(httpgate.RequireScopes()(me)), "", 401},
		{"optional with token", optional(httpgate.RequireScopes()(me)),
			"Bearer " + exampleToken("f", ""), 200},
		{"all scopes granted", optional(httpgate.RequireScopes("a", "b")(me)),
			"Bearer " + exampleToken("f", "b a"), 200},
		{"one scope missing", optional(httpgate.RequireScopes("a", "b")(me)),
			"Bearer " + exampleToken("f", "b"), 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rec := serveWith(tt.handler, tt.auth); rec.Code != tt.want {
				t.Errorf("status = %d, want %d (body %s)", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

// TestClaimsWithoutMiddleware checks the accessor on a request that no
// middleware saw.
func TestClaimsWithoutMiddleware(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if c, ok := httpgate.Claims(req); ok || c != nil {
		t.Errorf("Claims = %v, %v; want nil, false", c, ok)
	}
}

// TestAllocations bounds what the middleware allocates beyond the
// Gate's own validation of the same token.
func TestAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	gate := exampleGate()
	defer gate.Close()
	tok := exampleToken("grace", "read")
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	handler := httpgate.New(gate, httpgate.Options{})(httpgate.RequireScopes("read")(noop))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()

	core := testing.AllocsPerRun(100, func() { gate.Validate(req.Context(), tok) })
	total := testing.AllocsPerRun(100, func() { handler.ServeHTTP(w, req) })
	if extra := total - core; extra > maxExtraAllocs {
		t.Errorf("the middleware allocates %v times per request beyond the Gate's %v, want <= %d",
			extra, core, maxExtraAllocs)
	}
}

// maxExtraAllocs is the middleware's allocation budget per request.
const maxExtraAllocs = 3

// serveWith sends GET /admin with the Authorization header auth, if
// not empty, through h.
func serveWith(h http.Handler, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/admin", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
