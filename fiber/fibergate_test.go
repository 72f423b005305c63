package fibergate_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/jwtgate/jwtgate/conformance"
	jwtgate "github.com/jwtgate/jwtgate/core"
	fibergate "github.com/jwtgate/jwtgate/fiber"
	"github.com/valyala/fasthttp/fasthttputil"
)

func TestConformance(t *testing.T) { conformance.Run(t, build) }

func TestRace(t *testing.T) { conformance.RunRace(t, build) }

// Responses of the default error handler, byte for byte.
const (
	challengeMissing = `Bearer realm="api"`
	bodyMissing      = `{"error":"unauthorized","error_description":"a bearer token is required"}`
	anonymous        = `{"authenticated":false,"sub":"","scopes":[],"context_sub":"","same":true}`
)

// result is what a test request got back.
type result struct {
	status int
	header http.Header
	body   string
}

// serve sends req through the whole fasthttp request path of app, the
// raw request bytes included.
func serve(t *testing.T, app *fiber.App, req *http.Request) result {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("app.Test: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// request builds a request with header name and value pairs, added in
// order so that a name may repeat.
func request(method, target string, header ...string) *http.Request {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return req
}

// challenge reports whether res carries the RFC 6750 error code.
func challenge(res result, code string) bool {
	return strings.Contains(res.header.Get("WWW-Authenticate"), `error="`+code+`"`)
}

func TestClaims(t *testing.T) {
	iss, g := newIssuer(t, nil)
	app := newApp(conformance.Setup{Gate: g, Optional: true}, fiber.Config{})
	token := iss.Mint(map[string]any{"sub": "alice", "scope": "read write"})
	authed := `{"authenticated":true,"sub":"alice","scopes":["read","write"],` +
		`"context_sub":"alice","same":true}`

	tests := []struct {
		name   string
		header []string
		status int
		body   string
	}{
		{"valid token", []string{"Authorization", "Bearer " + token}, 200, authed},
		{"scheme in lower case", []string{"Authorization", "bearer " + token}, 200, authed},
		{"no token", nil, 200, anonymous},
		{"basic credentials", []string{"Authorization", "Basic dTpw"}, 200, anonymous},
		{"bad token", []string{"Authorization", "Bearer " + token + "x"}, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serve(t, app, request("GET", "/me", tt.header...))
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", res.status, tt.status, res.body)
			}
			if tt.body != "" && res.body != tt.body {
				t.Errorf("body = %s\nwant   %s", res.body, tt.body)
			}
		})
	}
}

// ctxKey marks a value an earlier middleware put in the user context.
type ctxKey struct{}

func TestUserContext(t *testing.T) {
	var seen any
	iss, g := newIssuer(t, func(cfg *jwtgate.Config) {
		cfg.Check = func(ctx context.Context, _ *jwtgate.Claims) error {
			seen = ctx.Value(ctxKey{})
			return nil
		}
	})
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		c.SetUserContext(context.WithValue(c.UserContext(), ctxKey{}, "outer"))
		return c.Next()
	})
	app.Use(fibergate.New(g, fibergate.Options{}))
	app.Get("/", func(c *fiber.Ctx) error {
		claims, _ := jwtgate.FromContext(c.UserContext())
		typed, _ := fibergate.Claims(c)
		if claims == nil || claims != typed {
			return c.SendString("claims differ")
		}
		return c.SendString(c.UserContext().Value(ctxKey{}).(string))
	})

	res := serve(t, app, request("GET", "/", "Authorization", "Bearer "+iss.Mint(nil)))
	if res.status != 200 || res.body != "outer" {
		t.Fatalf("got %d %q, want 200 \"outer\"", res.status, res.body)
	}
	if seen != "outer" {
		t.Errorf("Check saw %v in its context, want the user context's value", seen)
	}
}

func TestDefaultResponse(t *testing.T) {
	_, g := newIssuer(t, nil)
	app := newApp(conformance.Setup{Gate: g}, fiber.Config{})
	res := serve(t, app, request("GET", "/me"))

	want := map[string]string{
		"WWW-Authenticate": challengeMissing,
		"Content-Type":     jwtgate.ContentType,
		"Cache-Control":    "no-store",
		"Retry-After":      "",
	}
	if res.status != 401 {
		t.Errorf("status = %d, want 401", res.status)
	}
	for name, v := range want {
		if got := res.header.Get(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if res.body != bodyMissing {
		t.Errorf("body = %s, want %s", res.body, bodyMissing)
	}
}

func TestErrorHandler(t *testing.T) {
	iss, g := newIssuer(t, nil)
	token := iss.Mint(map[string]any{"scope": "read"})

	// Both handlers answer with the reason the middleware passed.
	reply := func(c *fiber.Ctx, err error) error {
		var e *jwtgate.Error
		if !errors.As(err, &e) {
			return c.Status(500).SendString("not a *jwtgate.Error")
		}
		return c.Status(e.Status()).SendString(jwtgate.Reason(err).Error())
	}
	passOn := func(_ *fiber.Ctx, err error) error { return err }

	tests := []struct {
		name    string
		handler fiber.ErrorHandler
		app     fiber.ErrorHandler
		path    string
		header  []string
		status  int
		reason  error
	}{
		{"custom, no token", reply, nil, "/me", nil, 401, jwtgate.ErrTokenMissing},
		{"custom, bad header", reply, nil, "/me",
			[]string{"Authorization", "Bearer a b"}, 400, jwtgate.ErrRequestMalformed},
		{"custom, missing scope", reply, nil, "/admin",
			[]string{"Authorization", "Bearer " + token}, 403, jwtgate.ErrInsufficientScope},
		{"returned to the app", passOn, reply, "/me", nil, 401, jwtgate.ErrTokenMissing},
		{"scope returned to the app", passOn, reply, "/group/write",
			[]string{"Authorization", "Bearer " + token}, 403, jwtgate.ErrInsufficientScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := fiber.New(fiber.Config{ErrorHandler: tt.app})
			app.Use(fibergate.New(g, fibergate.Options{ErrorHandler: tt.handler}))
			app.Get("/me", me)
			app.Get("/admin", fibergate.RequireScopes("admin"), me)
			app.Group("/group", fibergate.RequireScopes("read")).
				Get("/write", fibergate.RequireScopes("write"), me)

			res := serve(t, app, request("GET", tt.path, tt.header...))
			if res.status != tt.status || res.body != tt.reason.Error() {
				t.Errorf("got %d %q, want %d %q", res.status, res.body, tt.status, tt.reason)
			}
		})
	}
}

func TestRequireScopes(t *testing.T) {
	iss, g := newIssuer(t, func(cfg *jwtgate.Config) { cfg.Realm = "shop" })
	read := "Bearer " + iss.Mint(map[string]any{"scope": "read"})
	both := "Bearer " + iss.Mint(map[string]any{"scope": "write read"})

	guarded := fiber.New()
	guarded.Use(fibergate.New(g, fibergate.Options{
		Optional: true,
		Skip:     func(c *fiber.Ctx) bool { return c.Path() == "/g/skipped" },
	}))
	bare := fiber.New()
	for _, app := range []*fiber.App{guarded, bare} {
		group := app.Group("/g", fibergate.RequireScopes("read"))
		group.Get("/write", fibergate.RequireScopes("write"), me)
		group.Get("/skipped", me)
		app.Get("/any", fibergate.RequireScopes(), me)
	}

	tests := []struct {
		name      string
		app       *fiber.App
		path      string
		auth      string
		status    int
		challenge string
	}{
		{"both scopes", guarded, "/g/write", both, 200, ""},
		{"group scope only", guarded, "/g/write", read, 403,
			`Bearer realm="shop", error="insufficient_scope", ` +
				`error_description="the token lacks a required scope", scope="write"`},
		{"no scopes, token", guarded, "/any", read, 200, ""},
		{"no scopes, optional without token", guarded, "/any", "", 401, `Bearer realm="shop"`},
		{"skipped request", guarded, "/g/skipped", both, 401, challengeMissing},
		{"no middleware", bare, "/g/write", both, 401, challengeMissing},
		{"no middleware, no scopes", bare, "/any", both, 401, challengeMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.auth != "" {
				header = []string{"Authorization", tt.auth}
			}
			res := serve(t, tt.app, request("GET", tt.path, header...))
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", res.status, tt.status, res.body)
			}
			if got := res.header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate = %q\nwant                %q", got, tt.challenge)
			}
		})
	}
}

func TestSkip(t *testing.T) {
	iss, g := newIssuer(t, nil)
	app := newApp(conformance.Setup{Gate: g, SkipPrefix: "/public/", SkipPreflight: true},
		fiber.Config{})
	auth := "Bearer " + iss.Mint(nil)
	cors := []string{"Origin", "https://a.example", "Access-Control-Request-Method", "GET"}

	tests := []struct {
		name   string
		method string
		path   string
		header []string
		status int
		body   string
	}{
		{"skipped prefix", "GET", "/public/ping", nil, 200, anonymous},
		{"skipped prefix ignores a bad token", "GET", "/public/ping",
			[]string{"Authorization", "Bearer x"}, 200, anonymous},
		{"skipped prefix sets no claims", "GET", "/public/ping",
			[]string{"Authorization", auth}, 200, anonymous},
		{"prefix elsewhere", "GET", "/me/public/", nil, 401, bodyMissing},
		{"protected", "GET", "/me", nil, 401, bodyMissing},
		{"preflight", "OPTIONS", "/me", cors, 204, ""},
		{"options without request method", "OPTIONS", "/me", cors[:2], 401, bodyMissing},
		{"options without origin", "OPTIONS", "/me", cors[2:], 401, bodyMissing},
		{"preflight headers on GET", "GET", "/me", cors, 401, bodyMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := serve(t, app, request(tt.method, tt.path, tt.header...))
			if res.status != tt.status || res.body != tt.body {
				t.Errorf("got %d %s, want %d %s", res.status, res.body, tt.status, tt.body)
			}
		})
	}
}

// TestRequestShape sends raw requests through fasthttp's own parser,
// which Fiber's adaptor bypasses: repeated headers and header name case.
func TestRequestShape(t *testing.T) {
	iss, g := newIssuer(t, nil)
	auth := "Bearer " + iss.Mint(nil)
	setup := conformance.Setup{Gate: g}
	sized := newApp(setup, fiber.Config{ReadBufferSize: readBufferSize})
	verbatim := newApp(setup, fiber.Config{DisableHeaderNormalizing: true})

	tests := []struct {
		name   string
		app    *fiber.App
		header []string
		status int
		code   string
	}{
		{"one header", sized, []string{"Authorization", auth}, 200, ""},
		{"repeated header", sized,
			[]string{"Authorization", auth, "Authorization", auth}, 400, "invalid_request"},
		{"repeated, second not bearer", sized,
			[]string{"Authorization", auth, "Authorization", "Basic dTpw"}, 400, "invalid_request"},
		{"verbatim names, lower case", verbatim, []string{"authorization", auth}, 200, ""},
		{"verbatim names, two cases", verbatim,
			[]string{"Authorization", auth, "authorization", auth}, 400, "invalid_request"},
		{"verbatim names, none", verbatim, nil, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("GET", "/me")
			for i := 0; i < len(tt.header); i += 2 {
				// Set directly to keep the name's case as written.
				req.Header[tt.header[i]] = append(req.Header[tt.header[i]], tt.header[i+1])
			}
			res := serve(t, tt.app, req)
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", res.status, tt.status, res.body)
			}
			if tt.code != "" && !challenge(res, tt.code) {
				t.Errorf("WWW-Authenticate = %q, want error %q",
					res.header.Get("WWW-Authenticate"), tt.code)
			}
		})
	}
}

// TestReadBufferSize serves a token near the core's size limit on a
// real (in-memory) listener, where fasthttp's read buffer decides
// whether the request reaches any handler.
func TestReadBufferSize(t *testing.T) {
	iss, g := newIssuer(t, nil)
	large := "Bearer " + iss.Mint(map[string]any{"pad": strings.Repeat("x", 5000)})
	if len(large) < 6<<10 || len(large) > jwtgate.DefaultMaxTokenSize {
		t.Fatalf("token of %d bytes, want 6 KiB to the core's limit", len(large))
	}

	tests := []struct {
		name   string
		size   int
		status int
	}{
		{"default buffer", 0, fiber.StatusRequestHeaderFieldsTooLarge},
		{"sized buffer", readBufferSize, fiber.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(conformance.Setup{Gate: g}, fiber.Config{
				ReadBufferSize:        tt.size,
				DisableStartupMessage: true,
			})
			client := listen(t, app)
			req := request("GET", "http://fiber.test/me", "Authorization", large)
			req.RequestURI = ""
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

// listen serves app on an in-memory listener until the test ends and
// returns a client connected to it.
func listen(t *testing.T, app *fiber.App) *http.Client {
	t.Helper()
	ln := fasthttputil.NewInmemoryListener()
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Listener: %v", err)
		}
	})
	return &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return ln.Dial()
		},
	}}
}
