package gatetest_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtgate/jwtgate/core/gatetest"
)

// exampleT stands in for the *testing.T a real test would pass. It
// supports only what an Issuer uses; any other method panics.
type exampleT struct {
	testing.TB
	cleanups []func()
}

// Helper does nothing: an example has no failure lines to report.
func (t *exampleT) Helper() {}

// Cleanup registers f to run when the example ends.
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

// Fatalf stops the example with a panic.
func (t *exampleT) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// cleanup runs the registered cleanups, newest first, as testing does.
func (t *exampleT) cleanup() {
	for n := len(t.cleanups) - 1; n >= 0; n-- {
		t.cleanups[n]()
	}
}

// The test of a validator starts an issuer, finds its key set the way a
// validator would, and checks a token the issuer minted.
func Example() {
	t := &exampleT{} // in a test: the test's *testing.T
	defer t.cleanup()

	iss := gatetest.NewInMemory(t)
	token := iss.Mint(map[string]any{"sub": "alice"})

	// Discover the key set through the issuer's in-process client.
	resp, err := iss.Client().Get(iss.DiscoveryURL())
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		panic(err)
	}
	fmt.Println(doc.JWKSURI)

	// Verify the token with the key its header names.
	parsed, err := jwt.Parse(token, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		return iss.PublicKey(kid), nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(iss.URL),
		jwt.WithAudience(gatetest.Audience))
	if err != nil {
		panic(err)
	}
	sub, _ := parsed.Claims.GetSubject()
	fmt.Println(parsed.Header["kid"], sub)

	// Output:
	// https://issuer.gatetest.invalid/.well-known/jwks.json
	// key-1 alice
}

// A fault makes the key set unavailable until it is cleared, while the
// issuer counts every attempt.
func ExampleIssuer_SetFault() {
	t := &exampleT{}
	defer t.cleanup()

	iss := gatetest.NewInMemory(t)
	iss.SetFault(gatetest.Fault{Status: 503})
	for range 2 {
		resp, err := iss.Client().Get(iss.JWKSURL())
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}

	iss.ClearFault()
	resp, err := iss.Client().Get(iss.JWKSURL())
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, iss.Fetches())

	// Output:
	// 503
	// 503
	// 200 3
}

// Sign builds tokens no honest issuer would mint, such as an unsigned one.
func ExampleSign() {
	token, err := gatetest.Sign(
		map[string]any{"alg": "none"},
		map[string]any{"sub": "mallory"},
		nil,
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(token)

	// Output:
	// eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.
}
