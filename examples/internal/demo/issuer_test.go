package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/examples/internal/demo"
)

// startIssuer starts an embedded issuer that the test closes.
func startIssuer(t *testing.T, audience string) *demo.Issuer {
	t.Helper()
	iss, err := demo.StartIssuer(audience)
	if err != nil {
		t.Fatalf("StartIssuer: %v", err)
	}
	t.Cleanup(func() {
		if err := iss.Close(); err != nil {
			t.Errorf("Issuer.Close: %v", err)
		}
	})
	return iss
}

// newGate returns a Gate that trusts iss through discovery.
func newGate(t *testing.T, iss *demo.Issuer) *jwtgate.Gate {
	t.Helper()
	f := demo.Flags{Issuer: iss.URL, Audience: iss.Audience}
	g, err := jwtgate.New(f.GateConfig(nil))
	if err != nil {
		t.Fatalf("jwtgate.New: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestIssuerTokensValidate(t *testing.T) {
	iss := startIssuer(t, "api")
	g := newGate(t, iss)
	tests := []struct {
		name   string
		scopes []string
	}{
		{name: "two scopes", scopes: []string{"read", "admin"}},
		{name: "one scope", scopes: []string{"read"}},
		{name: "no scope", scopes: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := iss.Mint("alice", tt.scopes, time.Minute)
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			c, err := g.Validate(context.Background(), tok)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if c.Subject != "alice" || c.Issuer != iss.URL || c.Algorithm != "RS256" {
				t.Errorf("claims sub %q iss %q alg %q, want alice %q RS256",
					c.Subject, c.Issuer, c.Algorithm, iss.URL)
			}
			if !slices.Equal(c.Scopes, tt.scopes) {
				t.Errorf("scopes = %q, want %q", c.Scopes, tt.scopes)
			}
		})
	}
}

func TestIssuerRejections(t *testing.T) {
	iss := startIssuer(t, "api")
	other := startIssuer(t, "api")
	g := newGate(t, iss)

	foreign, err := other.Mint("alice", nil, time.Minute)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	if _, err := g.Validate(context.Background(), foreign); err == nil {
		t.Error("a token of another issuer validated")
	}
	if _, err := iss.Mint("alice", nil, 0); err == nil {
		t.Error("Mint with a zero lifetime succeeded")
	}
}

func TestIssuerDocuments(t *testing.T) {
	iss := startIssuer(t, "api")
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, iss.URL+"/.well-known/openid-configuration", &doc)
	if doc.Issuer != iss.URL || doc.JWKSURI != iss.JWKSURL() {
		t.Errorf("discovery = %+v, want issuer %q and jwks_uri %q", doc, iss.URL, iss.JWKSURL())
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	getJSON(t, iss.JWKSURL(), &set)
	if len(set.Keys) != 1 || set.Keys[0]["kty"] != "RSA" || set.Keys[0]["e"] != "AQAB" {
		t.Errorf("key set = %v, want one RSA key with e AQAB", set.Keys)
	}
}

// getJSON fetches url and decodes its JSON body into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
