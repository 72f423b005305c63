package gingate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gin-gonic/gin"
	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
	gingate "github.com/jwtgate/jwtgate/gin"
)

// The examples trust one issuer with a static HS256 secret, so that
// they need no network. A real service names its issuer and lets the
// Gate find the keys by OpenID Connect discovery.
const (
	exampleIssuer   = "https://issuer.example"
	exampleAudience = "https://api.example"
)

var exampleSecret = []byte("an example secret of 32 bytes!!!")

// exampleGate returns a Gate that trusts the example issuer.
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

// exampleToken stands in for a token the issuer would hand a client.
func exampleToken(sub, scope string) string {
	token, err := gatetest.Sign(
		map[string]any{"alg": "HS256", "typ": "JWT"},
		map[string]any{
			"iss":   exampleIssuer,
			"aud":   exampleAudience,
			"sub":   sub,
			"scope": scope,
			"exp":   time.Now().Add(time.Hour).Unix(),
		},
		exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	return token
}

// get sends a GET request for path through h, with token as its Bearer
// credentials unless it is empty.
func get(h http.Handler, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func ExampleNew() {
	g := exampleGate()
	defer g.Close()

	r := gin.New()
	r.Use(gingate.New(g, gingate.Options{}))
	r.GET("/hello", func(c *gin.Context) {
		claims, _ := gingate.Claims(c)
		c.String(http.StatusOK, "hello, %s", claims.Subject)
	})

	rec := get(r, "/hello", exampleToken("alice", ""))
	fmt.Println(rec.Code, rec.Body)

	rec = get(r, "/hello", "")
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 200 hello, alice
	// 401 Bearer realm="api"
}

func ExampleRequireScopes() {
	g := exampleGate()
	defer g.Close()

	r := gin.New()
	r.Use(gingate.New(g, gingate.Options{}))
	orders := r.Group("/orders", gingate.RequireScopes("orders:read"))
	orders.GET("", func(c *gin.Context) { c.String(http.StatusOK, "the orders") })
	orders.POST("", gingate.RequireScopes("orders:write"), func(c *gin.Context) {
		c.Status(http.StatusCreated)
	})

	reader := exampleToken("alice", "orders:read")
	fmt.Println(get(r, "/orders", reader).Body)

	req := httptest.NewRequest(http.MethodPost, "/orders", nil)
	req.Header.Set("Authorization", "Bearer "+reader)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	var body struct{ Error, Scope string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, body.Error, body.Scope)
	// Output:
	// the orders
	// 403 insufficient_scope orders:write
}

func ExampleOptions_optional() {
	g := exampleGate()
	defer g.Close()

	r := gin.New()
	r.Use(gingate.New(g, gingate.Options{Optional: true}))
	r.GET("/greeting", func(c *gin.Context) {
		if claims, ok := gingate.Claims(c); ok {
			c.String(http.StatusOK, "welcome back, %s", claims.Subject)
			return
		}
		c.String(http.StatusOK, "welcome, stranger")
	})

	fmt.Println(get(r, "/greeting", exampleToken("bob", "")).Body)
	fmt.Println(get(r, "/greeting", "").Body)
	fmt.Println(get(r, "/greeting", "not-a-token").Code)
	// Output:
	// welcome back, bob
	// welcome, stranger
	// 401
}

func ExampleOptions_errorHandler() {
	g := exampleGate()
	defer g.Close()

	r := gin.New()
	r.Use(gingate.New(g, gingate.Options{
		ErrorHandler: func(c *gin.Context, err error) {
			if errors.Is(err, jwtgate.ErrTokenExpired) {
				c.JSON(http.StatusUnauthorized, gin.H{"hint": "refresh your token"})
				return
			}
			g.Response(err).Write(c.Writer)
		},
	}))
	r.GET("/me", func(c *gin.Context) { c.Status(http.StatusNoContent) })

	expired, _ := gatetest.Sign(
		map[string]any{"alg": "HS256"},
		map[string]any{
			"iss": exampleIssuer,
			"aud": exampleAudience,
			"exp": time.Now().Add(-time.Minute).Unix(),
		},
		exampleSecret)
	rec := get(r, "/me", expired)
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 401 {"hint":"refresh your token"}
}

func ExampleClaims() {
	g := exampleGate()
	defer g.Close()

	r := gin.New()
	r.Use(gingate.New(g, gingate.Options{}))
	r.GET("/whoami", func(c *gin.Context) {
		claims, _ := gingate.Claims(c)

		// Code that knows nothing of Gin finds the same claims in the
		// request's context.
		fromCtx, _ := jwtgate.FromContext(c.Request.Context())
		c.String(http.StatusOK, "%s %v", claims.Subject, claims == fromCtx)
	})

	fmt.Println(get(r, "/whoami", exampleToken("carol", "")).Body)
	// Output:
	// carol true
}
