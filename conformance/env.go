package conformance

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// Names of the suite's keys and issuers.
const (
	kidRS256   = "key-1" // the key every gatetest issuer starts with
	kidPS256   = "ps-1"
	kidES256   = "es-1"
	kidEdDSA   = "ed-1"
	kidHS256   = "hs-1"
	hsIssuer   = "https://static.conformance.invalid"
	otherRealm = "conformance"
)

// readyTimeout bounds every wait for a first key-set fetch.
const readyTimeout = 10 * time.Second

// env holds what the cases of one Run share: an issuer with a key for
// each asymmetric algorithm, a static HS256 secret, and gates over both.
type env struct {
	t      *testing.T
	cache  cacheMode // whether every gate keeps the verified-token cache
	iss    *gatetest.Issuer
	secret []byte

	gate      *jwtgate.Gate // iss and the HS256 issuer, default realm
	realmGate *jwtgate.Gate // the same issuers, realm otherRealm
	downGate  *jwtgate.Gate // an issuer that answers every fetch with 500

	// secrets is key material that no response may contain.
	secrets []string
}

// newEnv starts the shared issuers and gates, with the cache as m says,
// and waits for their keys.
func newEnv(t *testing.T, m cacheMode) *env {
	t.Helper()
	e := &env{t: t, cache: m, iss: gatetest.New(t),
		secret: []byte(strings.Repeat("s3cr3t-", 6))}
	e.iss.AddKey("PS256", kidPS256)
	e.iss.AddKey("ES256", kidES256)
	e.iss.AddKey("EdDSA", kidEdDSA)

	e.gate = e.newGate(jwtgate.Config{})
	e.realmGate = e.newGate(jwtgate.Config{Realm: otherRealm})
	ready(t, e.gate)
	ready(t, e.realmGate)

	down := gatetest.New(t)
	down.SetFault(gatetest.Fault{Status: 500})
	e.downGate = newGate(t, m, jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: down.URL, JWKSURL: down.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		HTTPClient: down.Client(),
	})

	e.collectSecrets()
	return e
}

// newGate returns a gate over the shared issuers with cfg's other
// settings and the env's cache mode.
func (e *env) newGate(cfg jwtgate.Config) *jwtgate.Gate {
	e.t.Helper()
	cfg.Issuers = []jwtgate.Issuer{
		{Name: e.iss.URL, JWKSURL: e.iss.JWKSURL()},
		{Name: hsIssuer, Keys: []jwtgate.StaticKey{{ID: kidHS256, Key: e.secret}}},
	}
	cfg.Audience = []string{gatetest.Audience}
	cfg.HTTPClient = e.iss.Client()
	return newGate(e.t, e.cache, cfg)
}

// newGate builds a gate of cfg, its token cache on or off as m says,
// that the test closes when it ends.
func newGate(t testing.TB, m cacheMode, cfg jwtgate.Config) *jwtgate.Gate {
	t.Helper()
	cfg.DisableTokenCache = m == cacheOff
	g, err := jwtgate.New(cfg)
	if err != nil {
		t.Fatalf("conformance: jwtgate.New: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// ready waits for g's first key sets.
func ready(t testing.TB, g *jwtgate.Gate) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		t.Fatalf("conformance: gate not ready: %v", err)
	}
}

// collectSecrets records the public and secret key material in the
// encodings a careless response could leak.
func (e *env) collectSecrets() {
	b64 := base64.RawURLEncoding.EncodeToString
	for _, kid := range []string{kidRS256, kidPS256, kidES256, kidEdDSA} {
		switch pub := e.iss.PublicKey(kid).(type) {
		case *rsa.PublicKey:
			e.secrets = append(e.secrets, b64(pub.N.Bytes()))
		case *ecdsa.PublicKey:
			if raw, err := pub.Bytes(); err == nil {
				e.secrets = append(e.secrets, b64(raw[1:33]))
			}
		case ed25519.PublicKey:
			e.secrets = append(e.secrets, b64(pub))
		}
	}
	e.secrets = append(e.secrets, string(e.secret), b64(e.secret))
}

// setup returns the Setup of a case on the shared gate.
func (e *env) setup() Setup { return Setup{Gate: e.gate} }

// claims returns the default claims of the shared issuer with more.
func (e *env) claims(more map[string]any) map[string]any {
	c := e.iss.Claims()
	for k, v := range more {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// rs256 mints a token of the shared issuer's RS256 key.
func (e *env) rs256(claims map[string]any, opts ...gatetest.TokenOption) string {
	e.t.Helper()
	opts = append([]gatetest.TokenOption{gatetest.WithKey(kidRS256)}, opts...)
	return e.iss.Mint(claims, opts...)
}

// hs256 signs claims with the static secret for the HS256 issuer.
func (e *env) hs256(claims map[string]any) string {
	e.t.Helper()
	c := e.claims(map[string]any{"iss": hsIssuer})
	for k, v := range claims {
		c[k] = v
	}
	header := map[string]any{"alg": "HS256", "typ": "JWT", "kid": kidHS256}
	tok, err := gatetest.Sign(header, c, e.secret)
	if err != nil {
		e.t.Fatalf("conformance: %v", err)
	}
	return tok
}

// signRaw is gatetest.SignRaw that fails the test on error.
func (e *env) signRaw(alg, header, payload string, key any) string {
	e.t.Helper()
	tok, err := gatetest.SignRaw(alg, []byte(header), []byte(payload), key)
	if err != nil {
		e.t.Fatalf("conformance: %v", err)
	}
	return tok
}
