package gingate_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gin-gonic/gin"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	gingate "github.com/jwtgate/jwtgate/gin"
)

// testRealm differs from jwtgate.DefaultRealm, so that tests see which
// realm a response names.
const testRealm = "gin-test"

// newGate returns an in-memory issuer and a Gate that trusts it.
func newGate(t *testing.T) (*gatetest.Issuer, *jwtgate.Gate) {
	t.Helper()
	iss := gatetest.NewInMemory(t)
	return iss, gateFor(t, iss)
}

// gateFor returns a Gate that trusts iss and starts fetching its keys.
func gateFor(t *testing.T, iss *gatetest.Issuer) *jwtgate.Gate {
	t.Helper()
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		Realm:      testRealm,
		HTTPClient: iss.Client(),
	})
	if err != nil {
		t.Fatalf("jwtgate.New: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// serve sends one request through h. hdr holds header names and
// values in turn; a name given twice is sent twice.
func serve(h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// bearer returns the header pair of an Authorization Bearer token.
func bearer(token string) []string {
	return []string{"Authorization", "Bearer " + token}
}

// answer is what the me handler says about a request's claims.
type answer struct {
	Authenticated bool   `json:"authenticated"`
	Sub           string `json:"sub"`
	ContextSub    string `json:"context_sub"`
	Same          bool   `json:"same"`
}

// decode reads the me handler's answer from rec, failing the test when
// the request did not reach it.
func decode(t *testing.T, rec *httptest.ResponseRecorder) answer {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", rec.Code, rec.Body)
	}
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body, err)
	}
	return a
}

// wantResponse checks that rec holds exactly what the core writes for
// resp through net/http.
func wantResponse(t *testing.T, rec *httptest.ResponseRecorder, resp jwtgate.Response) {
	t.Helper()
	want := httptest.NewRecorder()
	resp.Write(want)
	if rec.Code != want.Code {
		t.Errorf("status %d, want %d", rec.Code, want.Code)
	}
	for _, h := range []string{"WWW-Authenticate", "Retry-After", "Content-Type", "Cache-Control"} {
		if got, exp := rec.Header().Values(h), want.Header().Values(h); !equal(got, exp) {
			t.Errorf("%s = %q, want %q", h, got, exp)
		}
	}
	if got, exp := rec.Body.String(), want.Body.String(); got != exp {
		t.Errorf("body %s, want %s", got, exp)
	}
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n") && len(a) == len(b)
}

// missing is the response to a request no middleware authenticated.
func missing() jwtgate.Response {
	err := &jwtgate.Error{Reason: jwtgate.ErrTokenMissing}
	return jwtgate.ResponseFor(err, jwtgate.DefaultRealm)
}

func TestClaims(t *testing.T) {
	iss, g := newGate(t)
	token := iss.Mint(map[string]any{"sub": "alice"})

	tests := []struct {
		name     string
		app      *gin.Engine
		hdr      []string
		wantAuth bool
	}{
		{"valid token", newApp(gingate.New(g, gingate.Options{})), bearer(token), true},
		{"optional without token",
			newApp(gingate.New(g, gingate.Options{Optional: true})), nil, false},
		{"no middleware", newApp(), bearer(token), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := decode(t, serve(tt.app, http.MethodGet, "/me", tt.hdr...))
			if a.Authenticated != tt.wantAuth || !a.Same {
				t.Fatalf("got %+v, want authenticated %v and same claims", a, tt.wantAuth)
			}
			if tt.wantAuth && (a.Sub != "alice" || a.ContextSub != "alice") {
				t.Errorf("sub %q, context sub %q, want alice", a.Sub, a.ContextSub)
			}
		})
	}
}

// TestClaimsCopy checks that a copy of the gin.Context, as handed to a
// goroutine, still carries the claims.
func TestClaimsCopy(t *testing.T) {
	iss, g := newGate(t)
	r := gin.New()
	r.Use(gingate.New(g, gingate.Options{}))
	got := make(chan string, 1)
	r.GET("/me", func(c *gin.Context) {
		cp := c.Copy()
		go func() {
			claims, _ := gingate.Claims(cp)
			fromCtx, _ := jwtgate.FromContext(cp.Request.Context())
			if claims == nil || claims != fromCtx {
				got <- "claims lost in the copy"
				return
			}
			got <- claims.Subject
		}()
	})
	serve(r, http.MethodGet, "/me", bearer(iss.Mint(nil))...)
	if sub := <-got; sub != "user-1" {
		t.Errorf("copy says %q, want user-1", sub)
	}
}

func TestErrorHandler(t *testing.T) {
	iss, g := newGate(t)
	valid := iss.Mint(map[string]any{"scope": "read"})
	expired := iss.Mint(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})
	iss.AddKey("RS256", "key-2")
	forged := iss.Mint(nil, gatetest.WithKID("key-1"))

	tests := []struct {
		name string
		path string
		hdr  []string
		want error
	}{
		{"no token", "/me", nil, jwtgate.ErrTokenMissing},
		{"two headers", "/me", append(bearer(valid), bearer(valid)...),
			jwtgate.ErrRequestMalformed},
		{"expired", "/me", bearer(expired), jwtgate.ErrTokenExpired},
		{"forged", "/me", bearer(forged), jwtgate.ErrSignatureInvalid},
		{"scope", "/group/write", bearer(valid), jwtgate.ErrInsufficientScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			onError := func(c *gin.Context, err error) {
				got = err
				c.String(http.StatusTeapot, "custom") // and no Abort
			}
			app := newApp(gingate.New(g, gingate.Options{ErrorHandler: onError}))

			rec := serve(app, http.MethodGet, tt.path, tt.hdr...)
			if !errors.Is(got, tt.want) {
				t.Errorf("handler got %v, want %v", got, tt.want)
			}
			var jerr *jwtgate.Error
			if !errors.As(got, &jerr) {
				t.Errorf("handler got %T, want *jwtgate.Error", got)
			}
			if rec.Code != http.StatusTeapot || rec.Body.String() != "custom" {
				t.Errorf("got %d %q: the chain went on after the error handler",
					rec.Code, rec.Body)
			}
		})
	}
}

func TestResponse(t *testing.T) {
	iss, g := newGate(t)
	valid := iss.Mint(map[string]any{"scope": "read"})
	expired := iss.Mint(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})

	// An earlier middleware's Content-Type must not leak into the answer.
	dirty := func(c *gin.Context) { c.Header("Content-Type", "text/html") }
	app := newApp(dirty, gingate.New(g, gingate.Options{}))

	tests := []struct {
		name string
		path string
		hdr  []string
	}{
		{"no token", "/me", nil},
		{"basic", "/me", []string{"Authorization", "Basic dXNlcjpwYXNz"}},
		{"empty bearer", "/me", []string{"Authorization", "Bearer "}},
		{"two headers", "/me", append(bearer(valid), bearer(valid)...)},
		{"garbage", "/me", bearer("a.b.c")},
		{"expired", "/me", bearer(expired)},
		{"scope", "/admin", bearer(valid)},
		{"group scope", "/group/write", bearer(valid)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := g.Response(coreError(t, g, tt.path, tt.hdr))
			wantResponse(t, serve(app, http.MethodGet, tt.path, tt.hdr...), want)
		})
	}
}

// TestResponseKeysDown runs in a bubble, so that the Retry-After the
// core computes is the same for the test and for the middleware.
func TestResponseKeysDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.SetFault(gatetest.Fault{Status: http.StatusInternalServerError})
		g := gateFor(t, iss)
		hdr := bearer(iss.Mint(nil))
		app := newApp(gingate.New(g, gingate.Options{}))

		err := coreError(t, g, "/me", hdr)
		if !errors.Is(err, jwtgate.ErrKeysUnavailable) {
			t.Fatalf("core says %v, want ErrKeysUnavailable", err)
		}
		wantResponse(t, serve(app, http.MethodGet, "/me", hdr...), g.Response(err))
	})
}

// coreError returns the error the core gives for a request to path
// with headers hdr, as the middleware and the scopes of the routes
// that newApp registers would meet it.
func coreError(t *testing.T, g *jwtgate.Gate, path string, hdr []string) error {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	token, err := jwtgate.Extractor{}.FromHTTP(req)
	if err != nil {
		return err
	}
	claims, err := g.Validate(t.Context(), token)
	if err != nil {
		return err
	}
	scopes := map[string][]string{"/admin": {"admin"}, "/group/write": {"read", "write"}}
	if err := claims.RequireScopes(scopes[path]...); err != nil {
		return err
	}
	t.Fatalf("request to %s with %q is valid", path, hdr)
	return nil
}

func TestRequireScopesUnauthenticated(t *testing.T) {
	iss, g := newGate(t)
	token := iss.Mint(map[string]any{"scope": "admin read write"})
	skipAll := func(*gin.Context) bool { return true }
	preflight := []string{
		"Origin", "https://app.example",
		"Access-Control-Request-Method", "GET",
	}

	tests := []struct {
		name   string
		app    *gin.Engine
		method string
		hdr    []string
	}{
		{"no middleware", scopedApp(), http.MethodGet, bearer(token)},
		{"skipped", scopedApp(gingate.New(g, gingate.Options{Skip: skipAll})),
			http.MethodGet, bearer(token)},
		{"preflight", scopedApp(gingate.New(g, gingate.Options{SkipPreflight: true})),
			http.MethodOptions, append(bearer(token), preflight...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/admin", "/group/write"} {
				wantResponse(t, serve(tt.app, tt.method, path, tt.hdr...), missing())
			}
		})
	}
}

// scopedApp registers the scoped routes of newApp for every method.
func scopedApp(middleware ...gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(middleware...)
	r.Any("/admin", gingate.RequireScopes("admin"), me)
	g := r.Group("/group", gingate.RequireScopes("read"))
	g.Any("/write", gingate.RequireScopes("write"), me)
	return r
}

func TestScopes(t *testing.T) {
	iss, g := newGate(t)
	app := newApp(gingate.New(g, gingate.Options{}))

	tests := []struct {
		scope string
		want  int
	}{
		{"", http.StatusForbidden},
		{"read", http.StatusForbidden},
		{"write", http.StatusForbidden},
		{"read write", http.StatusOK},
		{"write admin read", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run("scope="+tt.scope, func(t *testing.T) {
			token := iss.Mint(map[string]any{"scope": tt.scope})
			rec := serve(app, http.MethodGet, "/group/write", bearer(token)...)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

func TestOptional(t *testing.T) {
	iss, g := newGate(t)
	app := newApp(gingate.New(g, gingate.Options{Optional: true}))
	valid := iss.Mint(map[string]any{"scope": "admin"})

	tests := []struct {
		name     string
		path     string
		hdr      []string
		want     int
		wantAuth bool
	}{
		{"no token", "/me", nil, http.StatusOK, false},
		{"basic", "/me", []string{"Authorization", "Basic dXNlcjpwYXNz"}, http.StatusOK, false},
		{"valid", "/me", bearer(valid), http.StatusOK, true},
		{"garbage", "/me", bearer("a.b.c"), http.StatusUnauthorized, false},
		{"empty bearer", "/me", []string{"Authorization", "Bearer "}, http.StatusBadRequest, false},
		{"scope without token", "/admin", nil, http.StatusUnauthorized, false},
		{"scope with token", "/admin", bearer(valid), http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(app, http.MethodGet, tt.path, tt.hdr...)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
			if rec.Code == http.StatusOK && decode(t, rec).Authenticated != tt.wantAuth {
				t.Errorf("authenticated = %v, want %v", !tt.wantAuth, tt.wantAuth)
			}
			if rec.Code != http.StatusOK && !strings.Contains(
				rec.Header().Get("WWW-Authenticate"), `realm="`+testRealm+`"`) {
				t.Errorf("challenge %q names another realm",
					rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

func TestSkip(t *testing.T) {
	iss, g := newGate(t)
	valid := iss.Mint(nil)
	skip := func(c *gin.Context) bool { return c.FullPath() == "/public/ping" }
	app := newApp(gingate.New(g, gingate.Options{Skip: skip}))

	tests := []struct {
		name string
		path string
		hdr  []string
		want int
	}{
		{"skipped without token", "/public/ping", nil, http.StatusOK},
		{"skipped with bad token", "/public/ping", bearer("a.b.c"), http.StatusOK},
		{"skipped with valid token", "/public/ping", bearer(valid), http.StatusOK},
		{"other route without token", "/me", nil, http.StatusUnauthorized},
		{"other route with bad token", "/me", bearer("a.b.c"), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(app, http.MethodGet, tt.path, tt.hdr...)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
			if rec.Code == http.StatusOK && decode(t, rec).Authenticated {
				t.Errorf("a skipped request carries claims")
			}
		})
	}
}

func TestSkipPreflight(t *testing.T) {
	_, g := newGate(t)
	origin := []string{"Origin", "https://app.example"}
	method := []string{"Access-Control-Request-Method", "GET"}

	tests := []struct {
		name   string
		on     bool
		method string
		hdr    []string
		want   int
	}{
		{"preflight", true, http.MethodOptions, append(origin, method...), http.StatusNoContent},
		{"preflight, option off", false, http.MethodOptions, append(origin, method...),
			http.StatusUnauthorized},
		{"no origin", true, http.MethodOptions, method, http.StatusUnauthorized},
		{"no request method", true, http.MethodOptions, origin, http.StatusUnauthorized},
		{"plain options", true, http.MethodOptions, nil, http.StatusUnauthorized},
		{"get with cors headers", true, http.MethodGet, append(origin, method...),
			http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(gingate.New(g, gingate.Options{SkipPreflight: tt.on}))
			if rec := serve(app, tt.method, "/me", tt.hdr...); rec.Code != tt.want {
				t.Errorf("status %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

func TestExtractor(t *testing.T) {
	iss, g := newGate(t)
	token := iss.Mint(nil)
	x := jwtgate.Extractor{Cookie: "at", NoAuthorization: true}
	app := newApp(gingate.New(g, gingate.Options{Extractor: x}))

	tests := []struct {
		name string
		hdr  []string
		want int
	}{
		{"cookie", []string{"Cookie", "at=" + token}, http.StatusOK},
		{"header ignored", bearer(token), http.StatusUnauthorized},
		{"two cookies", []string{"Cookie", "at=" + token + "; at=" + token},
			http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rec := serve(app, http.MethodGet, "/me", tt.hdr...); rec.Code != tt.want {
				t.Errorf("status %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}
