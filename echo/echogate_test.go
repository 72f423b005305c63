package echogate_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/conformance"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	echogate "github.com/jwtgate/jwtgate/echo"
	"github.com/labstack/echo/v4"
)

// build is the conformance.Build of this adapter. With s.NoAuth it
// leaves out New but keeps the routes' RequireScopes, which then fail
// closed.
func build(t testing.TB, s conformance.Setup) http.Handler {
	t.Helper()
	e := echo.New()
	if !s.NoAuth {
		e.Use(echogate.New(s.Gate, options(s)))
	}
	e.GET("/me", me)
	e.GET("/admin", me, echogate.RequireScopes("admin"))
	e.Group("/group", echogate.RequireScopes("read")).
		GET("/write", me, echogate.RequireScopes("write"))
	e.GET("/public/ping", me)
	e.OPTIONS("/me", noContent)
	return e
}

// options returns the Options s asks for.
func options(s conformance.Setup) echogate.Options {
	o := echogate.Options{
		Extractor:     s.Extractor,
		Optional:      s.Optional,
		SkipPreflight: s.SkipPreflight,
	}
	if prefix := s.SkipPrefix; prefix != "" {
		o.Skip = func(c echo.Context) bool {
			return strings.HasPrefix(c.Request().URL.Path, prefix)
		}
	}
	return o
}

// me answers with the claims the adapter and the request context hold.
func me(c echo.Context) error {
	typed, _ := echogate.Claims(c)
	fromCtx, _ := jwtgate.FromContext(c.Request().Context())
	return c.Blob(http.StatusOK, jwtgate.ContentType, conformance.Body(typed, fromCtx))
}

func noContent(c echo.Context) error { return c.NoContent(http.StatusNoContent) }

func TestConformance(t *testing.T) { conformance.Run(t, build) }

func TestRace(t *testing.T) { conformance.RunRace(t, build) }

func BenchmarkConformance(b *testing.B) { conformance.Benchmark(b, build) }

// newGate returns an in-memory issuer and a ready Gate for it whose
// challenges name realm.
func newGate(t *testing.T, realm string) (*gatetest.Issuer, *jwtgate.Gate) {
	t.Helper()
	iss := gatetest.NewInMemory(t)
	g := gateFor(t, iss, realm)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	return iss, g
}

// gateFor returns a Gate for iss, closed when the test ends.
func gateFor(t *testing.T, iss *gatetest.Issuer, realm string) *jwtgate.Gate {
	t.Helper()
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		Realm:      realm,
		HTTPClient: iss.Client(),
	})
	if err != nil {
		t.Fatalf("jwtgate.New: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// seen is what the protected handler observed for one request.
type seen struct {
	called  bool
	typed   *jwtgate.Claims
	typedOK bool
	fromCtx *jwtgate.Claims
}

// app builds an Echo with New(g, o) on every route and a recording
// handler on /me, /admin (scope admin) and /group/write (read + write).
func app(g *jwtgate.Gate, o echogate.Options, got *seen) *echo.Echo {
	h := func(c echo.Context) error {
		got.called = true
		got.typed, got.typedOK = echogate.Claims(c)
		got.fromCtx, _ = jwtgate.FromContext(c.Request().Context())
		return c.String(http.StatusOK, "ok")
	}
	e := echo.New()
	e.Use(echogate.New(g, o))
	e.GET("/me", h)
	e.OPTIONS("/me", h)
	e.GET("/public/ping", h)
	e.GET("/admin", h, echogate.RequireScopes("admin"))
	e.Group("/group", echogate.RequireScopes("read")).
		GET("/write", h, echogate.RequireScopes("write"))
	return e
}

// request returns a request for target with the given header pairs.
func request(method, target string, header ...string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

// serve runs r through h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestNew(t *testing.T) {
	iss, g := newGate(t, "orders")
	valid := "Bearer " + iss.Mint(nil)
	expired := "Bearer " + iss.Mint(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})
	skipPublic := func(c echo.Context) bool {
		return strings.HasPrefix(c.Request().URL.Path, "/public/")
	}
	const (
		bare      = `Bearer realm="orders"`
		malformed = `Bearer realm="orders", error="invalid_request"`
		invalid   = `Bearer realm="orders", error="invalid_token"`
	)

	tests := []struct {
		name      string
		opts      echogate.Options
		req       *http.Request
		status    int
		challenge string // prefix of WWW-Authenticate; "" for none
		sub       string // subject the handler sees; "" for no claims
	}{
		{"valid", echogate.Options{}, request("GET", "/me", "Authorization", valid),
			200, "", "user-1"},
		{"no token", echogate.Options{}, request("GET", "/me"), 401, bare, ""},
		{"basic scheme", echogate.Options{},
			request("GET", "/me", "Authorization", "Basic dTpw"), 401, bare, ""},
		{"two headers", echogate.Options{},
			request("GET", "/me", "Authorization", valid, "Authorization", valid),
			400, malformed, ""},
		{"empty bearer", echogate.Options{},
			request("GET", "/me", "Authorization", "Bearer "), 400, malformed, ""},
		{"garbage token", echogate.Options{},
			request("GET", "/me", "Authorization", "Bearer abc"), 401, invalid, ""},
		{"expired", echogate.Options{},
			request("GET", "/me", "Authorization", expired), 401, invalid, ""},
		{"optional without token", echogate.Options{Optional: true},
			request("GET", "/me"), 200, "", ""},
		{"optional with valid token", echogate.Options{Optional: true},
			request("GET", "/me", "Authorization", valid), 200, "", "user-1"},
		{"optional with bad token", echogate.Options{Optional: true},
			request("GET", "/me", "Authorization", expired), 401, invalid, ""},
		{"optional with malformed", echogate.Options{Optional: true},
			request("GET", "/me", "Authorization", "Bearer a,b"), 400, malformed, ""},
		{"skipped", echogate.Options{Skip: skipPublic},
			request("GET", "/public/ping", "Authorization", "Bearer abc"), 200, "", ""},
		{"not skipped", echogate.Options{Skip: skipPublic},
			request("GET", "/me"), 401, bare, ""},
		{"cookie source", echogate.Options{Extractor: jwtgate.Extractor{Cookie: "at"}},
			request("GET", "/me", "Cookie", "at="+iss.Mint(nil)), 200, "", "user-1"},
		{"preflight skipped", echogate.Options{SkipPreflight: true},
			request("OPTIONS", "/me", "Origin", "https://a.example",
				"Access-Control-Request-Method", "GET"), 200, "", ""},
		{"preflight not skipped", echogate.Options{},
			request("OPTIONS", "/me", "Origin", "https://a.example",
				"Access-Control-Request-Method", "GET"), 401, bare, ""},
		{"options without request method", echogate.Options{SkipPreflight: true},
			request("OPTIONS", "/me", "Origin", "https://a.example"), 401, bare, ""},
		{"options without origin", echogate.Options{SkipPreflight: true},
			request("OPTIONS", "/me", "Access-Control-Request-Method", "GET"),
			401, bare, ""},
		{"unknown path without token", echogate.Options{},
			request("GET", "/nowhere"), 401, bare, ""},
		{"unknown path with token", echogate.Options{},
			request("GET", "/nowhere", "Authorization", valid), 404, "", ""},
		{"preflight method is GET", echogate.Options{SkipPreflight: true},
			request("GET", "/me", "Origin", "https://a.example",
				"Access-Control-Request-Method", "GET"), 401, bare, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got seen
			w := serve(app(g, tt.opts, &got), tt.req)
			checkResponse(t, w, tt.status, tt.challenge)
			if got.called != (tt.status == http.StatusOK) {
				t.Errorf("handler called = %v, want %v", got.called, !got.called)
			}
			checkClaims(t, got, tt.sub)
		})
	}
}

// checkResponse checks the status and the start of the challenge.
func checkResponse(t *testing.T, w *httptest.ResponseRecorder, status int, challenge string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status = %d, want %d (body %s)", w.Code, status, w.Body)
	}
	ch := w.Header().Get("WWW-Authenticate")
	if challenge == "" && ch != "" || !strings.HasPrefix(ch, challenge) {
		t.Errorf("WWW-Authenticate = %q, want prefix %q", ch, challenge)
	}
}

// checkClaims checks that the handler saw claims for sub ("" for none),
// the same through Claims and through the request context.
func checkClaims(t *testing.T, got seen, sub string) {
	t.Helper()
	if got.typed != got.fromCtx {
		t.Errorf("Claims = %p, FromContext = %p: want the same claims", got.typed, got.fromCtx)
	}
	if got.typedOK != (got.typed != nil) {
		t.Errorf("Claims ok = %v with claims %v", got.typedOK, got.typed)
	}
	var have string
	if got.typed != nil {
		have = got.typed.Subject
	}
	if have != sub || (sub == "") != (got.typed == nil) {
		t.Errorf("claims subject = %q (claims %v), want %q", have, got.typed != nil, sub)
	}
}

func TestRequireScopes(t *testing.T) {
	iss, g := newGate(t, "orders")
	token := func(scope string) string { return "Bearer " + iss.Mint(map[string]any{"scope": scope}) }
	noScope := `Bearer realm="orders", error="insufficient_scope"`

	tests := []struct {
		name      string
		opts      echogate.Options
		req       *http.Request
		status    int
		challenge string
	}{
		{"admin granted", echogate.Options{},
			request("GET", "/admin", "Authorization", token("admin")), 200, ""},
		{"admin missing", echogate.Options{},
			request("GET", "/admin", "Authorization", token("read")), 403, noScope},
		{"group and route granted", echogate.Options{},
			request("GET", "/group/write", "Authorization", token("read write")), 200, ""},
		{"route scope missing", echogate.Options{},
			request("GET", "/group/write", "Authorization", token("read")), 403, noScope},
		{"group scope missing", echogate.Options{},
			request("GET", "/group/write", "Authorization", token("write")), 403, noScope},
		{"optional without token", echogate.Options{Optional: true},
			request("GET", "/admin"), 401, `Bearer realm="orders"`},
		{"skipped", echogate.Options{Skip: func(echo.Context) bool { return true }},
			request("GET", "/admin", "Authorization", token("admin")),
			401, `Bearer realm="api"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got seen
			w := serve(app(g, tt.opts, &got), tt.req)
			checkResponse(t, w, tt.status, tt.challenge)
			if got.called != (tt.status == http.StatusOK) {
				t.Errorf("handler called = %v", got.called)
			}
		})
	}
}

func TestRequireScopesWithoutMiddleware(t *testing.T) {
	e := echo.New()
	called := false
	e.GET("/admin", func(c echo.Context) error {
		called = true
		return c.NoContent(http.StatusOK)
	}, echogate.RequireScopes("admin"))

	w := serve(e, request("GET", "/admin", "Authorization", "Bearer abc"))

	want := httptest.NewRecorder()
	jwtgate.ResponseFor(&jwtgate.Error{Reason: jwtgate.ErrTokenMissing}, jwtgate.DefaultRealm).
		Write(want)
	sameResponse(t, w, want)
	if called {
		t.Error("handler called without authentication")
	}
	if w.Code != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", w.Code)
	}
}

// sameResponse checks that got has the status, headers and body of want.
func sameResponse(t *testing.T, got, want *httptest.ResponseRecorder) {
	t.Helper()
	if got.Code != want.Code {
		t.Errorf("status = %d, want %d", got.Code, want.Code)
	}
	for name, vals := range want.Header() {
		if !slices.Equal(got.Header()[name], vals) {
			t.Errorf("header %s = %q, want %q", name, got.Header()[name], vals)
		}
	}
	for name := range got.Header() {
		if _, ok := want.Header()[name]; !ok {
			t.Errorf("unexpected header %s = %q", name, got.Header()[name])
		}
	}
	if got.Body.String() != want.Body.String() {
		t.Errorf("body = %s, want %s", got.Body, want.Body)
	}
}

// TestResponseMatchesCore checks that the default answer is, header for
// header and byte for byte, what jwtgate.Response.Write sends.
func TestResponseMatchesCore(t *testing.T) {
	iss, g := newGate(t, "orders")
	down := gatetest.NewInMemory(t)
	down.SetFault(gatetest.Fault{Status: http.StatusInternalServerError})
	downGate := gateFor(t, down, "orders")

	tests := []struct {
		name   string
		gate   *jwtgate.Gate
		req    *http.Request
		status int
	}{
		{"missing", g, request("GET", "/me"), 401},
		{"malformed", g, request("GET", "/me", "Authorization", "Bearer a b"), 400},
		{"invalid", g, request("GET", "/me", "Authorization", "Bearer abc"), 401},
		{"scope", g, request("GET", "/admin", "Authorization", "Bearer "+iss.Mint(nil)), 403},
		{"unavailable", downGate,
			request("GET", "/me", "Authorization", "Bearer "+down.Mint(nil)), 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			capture := echogate.Options{ErrorHandler: func(c echo.Context, e error) error {
				err = e
				return nil
			}}
			serve(app(tt.gate, capture, &seen{}), tt.req.Clone(t.Context()))
			if err == nil {
				t.Fatal("request was not rejected")
			}

			got := serve(app(tt.gate, echogate.Options{}, &seen{}), tt.req)
			want := httptest.NewRecorder()
			tt.gate.Response(err).Write(want)
			sameResponse(t, got, want)
			if got.Code != tt.status {
				t.Errorf("status = %d, want %d", got.Code, tt.status)
			}
		})
	}
}

func TestErrorHandler(t *testing.T) {
	iss, g := newGate(t, "orders")
	reader := "Bearer " + iss.Mint(map[string]any{"scope": "read"})
	teapot := errors.New("teapot")

	tests := []struct {
		name   string
		req    *http.Request
		ret    error // what the ErrorHandler returns
		reason error // the sentinel the ErrorHandler must get
		status int
	}{
		{"writes its own", request("GET", "/me"), nil, jwtgate.ErrTokenMissing, 418},
		{"returns to echo", request("GET", "/me", "Authorization", "Bearer abc"),
			teapot, jwtgate.ErrTokenMalformed, 599},
		{"scope writes its own", request("GET", "/admin", "Authorization", reader),
			nil, jwtgate.ErrInsufficientScope, 418},
		{"scope returns to echo", request("GET", "/admin", "Authorization", reader),
			teapot, jwtgate.ErrInsufficientScope, 599},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			o := echogate.Options{ErrorHandler: func(c echo.Context, err error) error {
				got = err
				if tt.ret != nil {
					return tt.ret
				}
				return c.NoContent(http.StatusTeapot)
			}}
			var s seen
			e := app(g, o, &s)
			var toEcho error
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				toEcho = err
				_ = c.NoContent(599)
			}

			w := serve(e, tt.req)
			if !errors.Is(got, tt.reason) {
				t.Errorf("ErrorHandler got %v, want %v", got, tt.reason)
			}
			if toEcho != tt.ret {
				t.Errorf("HTTPErrorHandler got %v, want %v", toEcho, tt.ret)
			}
			if w.Code != tt.status || s.called {
				t.Errorf("status = %d, handler called %v; want %d and not called",
					w.Code, s.called, tt.status)
			}
		})
	}
}

func TestClaimsWithoutMiddleware(t *testing.T) {
	e := echo.New()
	c := e.NewContext(request("GET", "/"), httptest.NewRecorder())
	if claims, ok := echogate.Claims(c); ok || claims != nil {
		t.Errorf("Claims = %v, %v; want nil, false", claims, ok)
	}
	c.Set("claims", &jwtgate.Claims{Subject: "mallory"})
	if _, ok := echogate.Claims(c); ok {
		t.Error("Claims found claims the middleware did not store")
	}
}

func TestClaimsAreTheValidated(t *testing.T) {
	iss, g := newGate(t, "orders")
	token := iss.Mint(map[string]any{"sub": "alice", "scope": "read write"})

	var got seen
	r := request("GET", "/me", "Authorization", "Bearer "+token)
	w := serve(app(g, echogate.Options{}, &got), r)
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", w.Code)
	}
	want, err := g.Validate(t.Context(), token)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	checkClaims(t, got, "alice")
	if !slices.Equal(got.typed.Scopes, want.Scopes) || got.typed.KeyID != want.KeyID {
		t.Errorf("claims = %+v, want %+v", got.typed, want)
	}
}
