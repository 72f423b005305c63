// Command gin serves the jwtgate example routes with Gin and the
// gingate middleware: GET /healthz is public, GET /me needs a valid
// token and GET /admin one with the "admin" scope.
//
// Run it with no flags to get an embedded issuer and tokens to try,
// or point it at an issuer:
//
//	go run ./examples/gin -issuer https://issuer.example -audience my-api
package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/examples/internal/demo"
	gingate "github.com/jwtgate/jwtgate/gin"
)

func main() {
	// Release mode keeps Gin from printing its routes on stdout.
	gin.SetMode(gin.ReleaseMode)
	demo.Main("gin", newServer)
}

// newServer routes the example's endpoints, guarding all but /healthz
// with g.
func newServer(g *jwtgate.Gate) demo.Server {
	r := gin.New()
	r.GET("/healthz", health)

	api := r.Group("/", gingate.New(g, gingate.Options{}))
	api.GET("/me", me)
	api.GET("/admin", gingate.RequireScopes("admin"), me)
	return demo.HTTPServer(r)
}

func health(c *gin.Context) {
	c.JSON(http.StatusOK, demo.Healthy())
}

// me answers with the caller's subject and scopes.
func me(c *gin.Context) {
	claims, _ := gingate.Claims(c)
	c.JSON(http.StatusOK, demo.Identify(claims))
}
