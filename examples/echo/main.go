// Command echo serves the jwtgate example routes with Echo and the
// echogate middleware: GET /healthz is public, GET /me needs a valid
// token and GET /admin one with the "admin" scope.
//
// Run it with no flags to get an embedded issuer and tokens to try,
// or point it at an issuer:
//
//	go run ./examples/echo -issuer https://issuer.example -audience my-api
package main

import (
	"net/http"

	jwtgate "github.com/jwtgate/jwtgate/core"
	echogate "github.com/jwtgate/jwtgate/echo"
	"github.com/jwtgate/jwtgate/examples/internal/demo"
	"github.com/labstack/echo/v4"
)

func main() {
	demo.Main("echo", newServer)
}

// newServer routes the example's endpoints, guarding all but /healthz
// with g. The middleware goes on the routes rather than on the Echo,
// whose Use would also cover /healthz.
func newServer(g *jwtgate.Gate) demo.Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	auth := echogate.New(g, echogate.Options{})

	e.GET("/healthz", health)
	e.GET("/me", me, auth)
	e.GET("/admin", me, auth, echogate.RequireScopes("admin"))
	return demo.HTTPServer(e)
}

func health(c echo.Context) error {
	return c.JSON(http.StatusOK, demo.Healthy())
}

// me answers with the caller's subject and scopes.
func me(c echo.Context) error {
	claims, _ := echogate.Claims(c)
	return c.JSON(http.StatusOK, demo.Identify(claims))
}
