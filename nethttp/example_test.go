package httpgate_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	httpgate "github.com/jwtgate/jwtgate/nethttp"
)

// The examples use a static HMAC secret, so they need no network. A real
// service names its OpenID Connect issuer instead and lets the Gate
// fetch the keys.
var (
	exampleSecret = []byte("an example secret, 32 bytes or more")
	exampleIssuer = "https://issuer.example"
	exampleAPI    = "https://api.example"
)

// exampleGate returns a Gate that trusts tokens signed with
// exampleSecret.
func exampleGate() *jwtgate.Gate {
	g, err := jwtgate.New(jwtgate.Config{
		Issuers: []jwtgate.Issuer{{
			Name: exampleIssuer,
			Keys: []jwtgate.StaticKey{{Key: exampleSecret}},
		}},
		Audience: []string{exampleAPI},
	})
	if err != nil {
		panic(err)
	}
	return g
}

// exampleToken signs a token for sub with the given scope, valid until
// 2100.
func exampleToken(sub, scope string) string {
	claims := map[string]any{
		"iss": exampleIssuer, "aud": exampleAPI, "sub": sub,
		"iat": 1700000000, "exp": 4102444800, "scope": scope,
	}
	tok, err := gatetest.Sign(map[string]any{"alg": "HS256", "typ": "JWT"}, claims, exampleSecret)
	if err != nil {
		panic(err)
	}
	return tok
}

// exampleGet sends GET target through h, with tok as a bearer token
// unless it is empty, and prints the status, any challenge and the
// body.
func exampleGet(h http.Handler, target, tok string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ch := rec.Header().Get("WWW-Authenticate"); ch != "" {
		fmt.Println(rec.Code, ch)
	} else {
		fmt.Println(rec.Code)
	}
	fmt.Println(rec.Body)
}

// New protects every route of a mux; handlers read the claims with
// Claims.
func Example() {
	gate := exampleGate()
	defer gate.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		claims, _ := httpgate.Claims(r)
		fmt.Fprintf(w, "hello, %s", claims.Subject)
	})
	handler := httpgate.New(gate, httpgate.Options{})(mux)

	exampleGet(handler, "/hello", "")
	exampleGet(handler, "/hello", exampleToken("alice", ""))

	// Output:
	// 401 Bearer realm="api"
	// {"error":"unauthorized","error_description":"a bearer token is required"}
	// 200
	// hello, alice
}

// RequireScopes guards single routes behind New, which answers 403
// insufficient_scope for a token without the scope.
func ExampleRequireScopes() {
	gate := exampleGate()
	defer gate.Close()

	reports := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "the reports")
	})
	mux := http.NewServeMux()
	mux.Handle("GET /reports", httpgate.RequireScopes("reports:read")(reports))
	handler := httpgate.New(gate, httpgate.Options{})(mux)

	exampleGet(handler, "/reports", exampleToken("bob", "profile"))
	exampleGet(handler, "/reports", exampleToken("carol", "profile reports:read"))

	// Output:
	// 403 Bearer realm="api", error="insufficient_scope", error_description="the token lacks a required scope", scope="reports:read"
	// {"error":"insufficient_scope","error_description":"the token lacks a required scope","scope":"reports:read"}
	// 200
	// the reports
}

// With Optional, anonymous requests get through without claims, while a
// bad token is still refused; jwtgate.FromContext reads the claims in
// code that does not know about net/http.
func ExampleOptions_optional() {
	gate := exampleGate()
	defer gate.Close()

	greet := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if claims, ok := jwtgate.FromContext(r.Context()); ok {
			fmt.Fprintf(w, "welcome back, %s", claims.Subject)
			return
		}
		fmt.Fprint(w, "welcome, guest")
	})
	handler := httpgate.New(gate, httpgate.Options{Optional: true})(greet)

	exampleGet(handler, "/", "")
	exampleGet(handler, "/", exampleToken("dave", ""))
	exampleGet(handler, "/", "not-a-token")

	// Output:
	// 200
	// welcome, guest
	// 200
	// welcome back, dave
	// 401 Bearer realm="api", error="invalid_token", error_description="not a compact JWS"
	// {"error":"invalid_token","error_description":"not a compact JWS"}
}
