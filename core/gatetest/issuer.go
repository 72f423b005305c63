package gatetest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Audience is the default "aud" claim of minted tokens.
const Audience = "https://api.gatetest.invalid"

// inMemoryURL is the URL of every issuer made by NewInMemory. The .invalid
// top-level domain guarantees that no real host answers to it.
const inMemoryURL = "https://issuer.gatetest.invalid"

// Paths of the two documents an Issuer serves.
const (
	jwksPath      = "/.well-known/jwks.json"
	discoveryPath = "/.well-known/openid-configuration"
)

// Issuer is an OpenID Connect issuer that lives inside a test. It serves
// a discovery document and a JWKS, and signs tokens with its keys.
//
// All methods are safe for concurrent use with each other and with the
// requests the issuer serves. Methods that report failure through the test
// (AddKey, Mint and others) call t.Fatalf, so call them from the goroutine
// running the test.
type Issuer struct {
	// URL is the issuer identifier and the base URL of its documents,
	// without a trailing slash.
	URL string

	t testing.TB

	mu sync.Mutex // guards every field below

	// keys holds every key ever added, oldest first, including keys no
	// longer published. The last one is the default signing key.
	keys []*issuerKey

	// rawKeys are JWK objects published verbatim after the issuer's keys.
	rawKeys []json.RawMessage

	// rawJWKS, when not nil, is served instead of the generated key set.
	rawJWKS []byte

	// cacheControl is the Cache-Control header of the JWKS; "" omits it.
	cacheControl string

	// advertisedIssuer and advertisedJWKS override the members of the
	// discovery document; "" means the default.
	advertisedIssuer string
	advertisedJWKS   string

	fault            Fault
	fetches          int // JWKS requests received
	discoveryFetches int // discovery requests received
	added            int // keys added so far, to name generated kids
}

// New starts an issuer on a loopback httptest.Server speaking plain HTTP.
// The server is closed by t.Cleanup; requests still waiting on a fault
// then see their context end. The issuer starts with one RS256 key whose
// kid is "key-1".
func New(t testing.TB) *Issuer {
	t.Helper()

	i := &Issuer{t: t}
	stop, cancel := context.WithCancel(context.Background())
	srv := httptest.NewUnstartedServer(i.Handler())
	srv.Config.BaseContext = func(net.Listener) context.Context { return stop }
	srv.Start()
	t.Cleanup(func() {
		cancel()
		srv.Close()
	})

	i.URL = srv.URL
	i.AddKey("RS256", "key-1")
	return i
}

// NewInMemory makes an issuer with no listener. Its URL is
// "https://issuer.gatetest.invalid" and it can be reached only through
// [Issuer.Client]. It starts no goroutines of its own and opens no sockets,
// so it is safe inside a testing/synctest bubble. It starts with one RS256
// key whose kid is "key-1".
func NewInMemory(t testing.TB) *Issuer {
	t.Helper()

	i := &Issuer{URL: inMemoryURL, t: t}
	i.AddKey("RS256", "key-1")
	return i
}

// JWKSURL returns the URL of the issuer's key set.
func (i *Issuer) JWKSURL() string { return i.URL + jwksPath }

// DiscoveryURL returns the URL of the issuer's OpenID Connect discovery
// document.
func (i *Issuer) DiscoveryURL() string { return i.URL + discoveryPath }

// SetDiscovery changes the "issuer" and "jwks_uri" members the discovery
// document advertises, to test a validator against a mismatched or
// misleading document. An empty argument restores that member's default:
// URL for the issuer and JWKSURL for jwks_uri.
func (i *Issuer) SetDiscovery(issuer, jwksURI string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.advertisedIssuer = issuer
	i.advertisedJWKS = jwksURI
}

// SetCacheControl sets the Cache-Control header sent with the key set.
// An empty value, the default, sends no such header.
func (i *Issuer) SetCacheControl(v string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.cacheControl = v
}

// Fetches returns how many requests for the key set the issuer has
// received, counting those a fault then delayed, broke or refused.
func (i *Issuer) Fetches() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.fetches
}

// DiscoveryFetches returns how many requests for the discovery document
// the issuer has received, counting those a fault then delayed, broke or
// refused.
func (i *Issuer) DiscoveryFetches() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.discoveryFetches
}

// Handler returns the HTTP handler behind the issuer, to mount it in a
// server of the test's own. It serves GET requests for DiscoveryURL and
// JWKSURL, answers other methods on those paths with 405 and every other
// path with 404.
func (i *Issuer) Handler() http.Handler { return http.HandlerFunc(i.serveHTTP) }
