package jwtgate_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// A gate for a service's own issuer, with a static HMAC secret. Remote
// issuers are configured the same way with a Name (for discovery) or a
// JWKSURL instead of Keys.
func Example() {
	secret := []byte("an example secret of 32 bytes!!!")
	gate, err := jwtgate.New(jwtgate.Config{
		Issuers: []jwtgate.Issuer{{
			Name: "https://auth.example.com",
			Keys: []jwtgate.StaticKey{{ID: "2026-12", Key: secret}},
		}},
		Audience: []string{"https://api.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer gate.Close()

	token, _ := gatetest.Sign(
		map[string]any{"alg": "HS256", "kid": "2026-12"},
		map[string]any{
			"iss":   "https://auth.example.com",
			"aud":   "https://api.example.com",
			"sub":   "user-42",
			"exp":   time.Now().Add(time.Hour).Unix(),
			"scope": "orders:read orders:write",
		}, secret)

	claims, err := gate.Validate(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Subject, claims.Scopes)
	fmt.Println(claims.RequireScopes("orders:read") == nil)
	// Output:
	// user-42 [orders:read orders:write]
	// true
}

// Rejections wrap documented sentinels, and ResponseFor turns any of
// them into the RFC 6750 answer.
func ExampleResponseFor() {
	secret := []byte("an example secret of 32 bytes!!!")
	gate, _ := jwtgate.New(jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: "https://auth.example.com", Keys: []jwtgate.StaticKey{{Key: secret}}}},
		Audience: []string{"https://api.example.com"},
	})
	defer gate.Close()

	expired, _ := gatetest.Sign(map[string]any{"alg": "HS256"}, map[string]any{
		"iss": "https://auth.example.com",
		"aud": "https://api.example.com",
		"exp": time.Now().Add(-time.Minute).Unix(),
	}, secret)

	_, err := gate.Validate(context.Background(), expired)
	fmt.Println(errors.Is(err, jwtgate.ErrTokenExpired))

	resp := gate.Response(err)
	fmt.Println(resp.Status)
	fmt.Println(resp.WWWAuthenticate)
	fmt.Println(string(resp.Body))
	// Output:
	// true
	// 401
	// Bearer realm="api", error="invalid_token", error_description="token is expired"
	// {"error":"invalid_token","error_description":"token is expired"}
}

// Custom claims decode into the caller's own struct.
func ExampleClaims_Decode() {
	secret := []byte("an example secret of 32 bytes!!!")
	gate, _ := jwtgate.New(jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: "https://auth.example.com", Keys: []jwtgate.StaticKey{{Key: secret}}}},
		Audience: []string{"https://api.example.com"},
	})
	defer gate.Close()
	token, _ := gatetest.Sign(map[string]any{"alg": "HS256"}, map[string]any{
		"iss":    "https://auth.example.com",
		"aud":    "https://api.example.com",
		"exp":    time.Now().Add(time.Hour).Unix(),
		"tenant": "acme",
		"roles":  []string{"billing", "support"},
	}, secret)

	claims, err := gate.Validate(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	var custom struct {
		Tenant string   `json:"tenant"`
		Roles  []string `json:"roles"`
	}
	if err := claims.Decode(&custom); err != nil {
		log.Fatal(err)
	}
	fmt.Println(custom.Tenant, custom.Roles)
	// Output: acme [billing support]
}
