// Command nethttp serves the jwtgate example routes with net/http and
// the httpgate middleware: GET /healthz is public, GET /me needs a
// valid token and GET /admin one with the "admin" scope.
//
// Run it with no flags to get an embedded issuer and tokens to try,
// or point it at an issuer:
//
//	go run ./examples/nethttp -issuer https://issuer.example -audience my-api
package main

import (
	"net/http"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/examples/internal/demo"
	httpgate "github.com/jwtgate/jwtgate/nethttp"
)

func main() {
	demo.Main("nethttp", newServer)
}

// newServer routes the example's endpoints, guarding all but /healthz
// with g.
func newServer(g *jwtgate.Gate) demo.Server {
	auth := httpgate.New(g, httpgate.Options{})
	admin := httpgate.RequireScopes("admin")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health)
	mux.Handle("GET /me", auth(http.HandlerFunc(me)))
	mux.Handle("GET /admin", auth(admin(http.HandlerFunc(me))))
	return demo.HTTPServer(mux)
}

func health(w http.ResponseWriter, _ *http.Request) {
	demo.WriteJSON(w, demo.Healthy())
}

// me answers with the caller's subject and scopes.
func me(w http.ResponseWriter, r *http.Request) {
	claims, _ := httpgate.Claims(r)
	demo.WriteJSON(w, demo.Identify(claims))
}
