package echogate_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	echogate "github.com/jwtgate/jwtgate/echo"
	"github.com/labstack/echo/v4"
)

// The examples trust a service's own issuer, which signs with a static
// HMAC secret, so that they need no network.
const (
	exampleIssuer   = "https://auth.example.com"
	exampleAudience = "https://orders.example.com"
)

var exampleSecret = []byte("an example secret of 32 bytes or more")

// exampleGate returns a Gate for the example issuer.
func exampleGate() *jwtgate.Gate {
	g, err := jwtgate.New(jwtgate.Config{
		Issuers: []jwtgate.Issuer{{
			Name: exampleIssuer,
			Keys: []jwtgate.StaticKey{{Key: exampleSecret}},
		}},
		Audience: []string{exampleAudience},
	})
	if err != nil {
		panic(err)
	}
	return g
}

// exampleToken returns a token of the example issuer for sub with scope.
func exampleToken(sub, scope string) string {
	token, err := gatetest.Sign(map[string]any{"alg": "HS256", "typ": "JWT"},
		map[string]any{
			"iss":   exampleIssuer,
			"aud":   exampleAudience,
			"sub":   sub,
			"scope": scope,
			"exp":   time.Now().Add(time.Hour).Unix(),
		}, exampleSecret)
	if err != nil {
		panic(err)
	}
	return token
}

// exampleGet sends a GET for target through e with the bearer token,
// if any, and prints the status and the body, the body cut after its
// first member when longer than a line.
func exampleGet(e *echo.Echo, target, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	body := w.Body.String()
	if len(body) > 80 {
		first, _, _ := strings.Cut(body, ",")
		body = first + ",…"
	}
	fmt.Println(w.Code, body)
	return w
}

// New protects every route of an Echo; handlers read the claims from
// the echo.Context, or from the request's context in code that does not
// know Echo.
func ExampleNew() {
	g := exampleGate()
	defer g.Close()

	e := echo.New()
	e.Use(echogate.New(g, echogate.Options{}))
	e.GET("/me", func(c echo.Context) error {
		claims, _ := echogate.Claims(c)
		same, _ := jwtgate.FromContext(c.Request().Context())
		return c.String(http.StatusOK, claims.Subject+" "+same.Subject)
	})

	exampleGet(e, "/me", exampleToken("alice", "orders:read"))
	w := exampleGet(e, "/me", "")
	fmt.Println(w.Header().Get("WWW-Authenticate"))
	// Output:
	// 200 alice alice
	// 401 {"error":"unauthorized","error_description":"a bearer token is required"}
	// Bearer realm="api"
}

// RequireScopes guards a group and, in addition, one of its routes.
func ExampleRequireScopes() {
	g := exampleGate()
	defer g.Close()

	e := echo.New()
	e.Use(echogate.New(g, echogate.Options{}))
	orders := e.Group("/orders", echogate.RequireScopes("orders:read"))
	orders.GET("", func(c echo.Context) error {
		return c.String(http.StatusOK, "the orders")
	})
	orders.DELETE("/:id", func(c echo.Context) error {
		return c.NoContent(http.StatusNoContent)
	}, echogate.RequireScopes("orders:write"))

	exampleGet(e, "/orders", exampleToken("alice", "orders:read"))
	w := exampleGet(e, "/orders", exampleToken("bob", "profile"))
	fmt.Println(strings.ReplaceAll(w.Header().Get("WWW-Authenticate"), ", ", ",\n  "))
	// Output:
	// 200 the orders
	// 403 {"error":"insufficient_scope",…
	// Bearer realm="api",
	//   error="insufficient_scope",
	//   error_description="the token lacks a required scope",
	//   scope="orders:read"
}

// Optional authentication serves anonymous requests too, and tells
// them apart from signed-in ones; a bad token is still refused.
func ExampleOptions_optional() {
	g := exampleGate()
	defer g.Close()

	e := echo.New()
	e.Use(echogate.New(g, echogate.Options{Optional: true}))
	e.GET("/greeting", func(c echo.Context) error {
		if claims, ok := echogate.Claims(c); ok {
			return c.String(http.StatusOK, "hello "+claims.Subject)
		}
		return c.String(http.StatusOK, "hello stranger")
	})

	exampleGet(e, "/greeting", exampleToken("alice", ""))
	exampleGet(e, "/greeting", "")
	exampleGet(e, "/greeting", "not-a-token")
	// Output:
	// 200 hello alice
	// 200 hello stranger
	// 401 {"error":"invalid_token","error_description":"not a compact JWS"}
}

// An ErrorHandler that returns the error hands it to the Echo's
// HTTPErrorHandler, where an application may already format its
// errors. Skip leaves health checks open.
func ExampleOptions_errorHandler() {
	g := exampleGate()
	defer g.Close()

	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		_ = c.JSON(g.Response(err).Status, map[string]string{"problem": err.Error()})
	}
	e.Use(echogate.New(g, echogate.Options{
		Skip: func(c echo.Context) bool { return c.Path() == "/healthz" },
		ErrorHandler: func(c echo.Context, err error) error {
			return err
		},
	}))
	h := func(c echo.Context) error { return c.String(http.StatusOK, "fine") }
	e.GET("/healthz", h)
	e.GET("/me", h)

	exampleGet(e, "/healthz", "")
	exampleGet(e, "/me", "")
	// Output:
	// 200 fine
	// 401 {"problem":"jwtgate: no token in request"}
}
