package fibergate_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"time"

	"github.com/gofiber/fiber/v2"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	fibergate "github.com/jwtgate/jwtgate/fiber"
)

// The examples trust a static HMAC key, so that they run without an
// issuer. A real service names its issuer and lets the Gate fetch the
// keys: jwtgate.Issuer{Name: "https://login.example.com"}.
const (
	exampleIssuer   = "https://issuer.example"
	exampleAudience = "https://api.example"
)

var exampleSecret = []byte("an example secret of 32 bytes...")

// exampleGate returns a Gate that trusts the examples' static key.
func exampleGate() *jwtgate.Gate {
	g, err := jwtgate.New(jwtgate.Config{
		Issuers: []jwtgate.Issuer{{
			Name: exampleIssuer,
			Keys: []jwtgate.StaticKey{{Key: exampleSecret}},
		}},
		Audience: []string{exampleAudience},
	})
	if err != nil {
		log.Fatal(err)
	}
	return g
}

// exampleToken signs a token for sub with the given extra claims.
func exampleToken(sub string, extra map[string]any) string {
	claims := map[string]any{
		"iss": exampleIssuer,
		"aud": exampleAudience,
		"sub": sub,
		"exp": time.Now().Add(time.Hour).Unix(),
	}
	for k, v := range extra {
		claims[k] = v
	}
	tok, err := gatetest.Sign(map[string]any{"alg": "HS256", "typ": "JWT"}, claims, exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	return tok
}

// exampleGet sends a request with token, if any, and prints the status,
// the challenge and the body.
func exampleGet(app *fiber.App, method, path, token string) {
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	line := fmt.Sprint(resp.StatusCode)
	if ch := resp.Header.Get("WWW-Authenticate"); ch != "" {
		line += " " + ch
	}
	fmt.Println(line)
	fmt.Println(string(body))
}

func ExampleNew() {
	g := exampleGate()
	defer g.Close()

	app := fiber.New(fiber.Config{ReadBufferSize: 16 << 10})
	app.Use(fibergate.New(g, fibergate.Options{}))
	app.Get("/me", func(c *fiber.Ctx) error {
		claims, _ := fibergate.Claims(c)
		return c.SendString("hello " + claims.Subject)
	})

	exampleGet(app, "GET", "/me", exampleToken("alice", nil))
	exampleGet(app, "GET", "/me", "")
	// Output:
	// 200
	// hello alice
	// 401 Bearer realm="api"
	// {"error":"unauthorized","error_description":"a bearer token is required"}
}

func ExampleRequireScopes() {
	g := exampleGate()
	defer g.Close()

	app := fiber.New()
	app.Use(fibergate.New(g, fibergate.Options{}))
	orders := app.Group("/orders", fibergate.RequireScopes("orders"))
	orders.Get("/", func(c *fiber.Ctx) error { return c.SendString("all orders") })
	orders.Delete("/:id", fibergate.RequireScopes("admin"), func(c *fiber.Ctx) error {
		return c.SendString("deleted " + c.Params("id"))
	})

	token := exampleToken("alice", map[string]any{"scope": "orders"})
	exampleGet(app, "GET", "/orders", token)
	exampleGet(app, "DELETE", "/orders/7", token)
	// Output:
	// 200
	// all orders
	// 403 Bearer realm="api", error="insufficient_scope", error_description="the token lacks a required scope", scope="admin"
	// {"error":"insufficient_scope","error_description":"the token lacks a required scope","scope":"admin"}
}

func ExampleClaims() {
	g := exampleGate()
	defer g.Close()

	app := fiber.New()
	app.Use(fibergate.New(g, fibergate.Options{Optional: true}))
	app.Get("/", func(c *fiber.Ctx) error {
		claims, ok := fibergate.Claims(c)
		if !ok {
			return c.SendString("hello, guest")
		}
		var custom struct {
			Tenant string `json:"tenant"`
		}
		if err := claims.Decode(&custom); err != nil {
			return err
		}
		return c.SendString("hello " + claims.Subject + " of " + custom.Tenant)
	})

	exampleGet(app, "GET", "/", exampleToken("bob", map[string]any{"tenant": "acme"}))
	exampleGet(app, "GET", "/", "")
	// Output:
	// 200
	// hello bob of acme
	// 200
	// hello, guest
}

// An ErrorHandler that returns the error hands the request to the
// app's own error handler, which can branch on the reason.
func ExampleOptions_errorHandler() {
	g := exampleGate()
	defer g.Close()

	app := fiber.New(fiber.Config{
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			var e *jwtgate.Error
			if errors.As(err, &e) && errors.Is(err, jwtgate.ErrTokenExpired) {
				return c.Status(e.Status()).SendString("please sign in again")
			}
			return fiber.DefaultErrorHandler(c, err)
		},
	})
	app.Use(fibergate.New(g, fibergate.Options{
		ErrorHandler: func(_ *fiber.Ctx, err error) error { return err },
	}))
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("welcome") })

	expired := exampleToken("carol", map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})
	exampleGet(app, "GET", "/", expired)
	// Output:
	// 401
	// please sign in again
}
