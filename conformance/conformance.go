package conformance

import (
	"encoding/json"
	"net/http"
	"testing"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// Setup says what one case needs the adapter to build. A Build passes
// its fields to the adapter's Options as each field's comment says.
type Setup struct {
	// Gate validates the tokens; the suite owns and closes it.
	Gate *jwtgate.Gate

	// Extractor goes to Options.Extractor.
	Extractor jwtgate.Extractor

	// Optional goes to Options.Optional.
	Optional bool

	// SkipPrefix, when set, makes Options.Skip the framework's own
	// predicate "the URL path has this prefix".
	SkipPrefix string

	// SkipPreflight goes to Options.SkipPreflight.
	SkipPreflight bool

	// NoAuth builds the same routes, RequireScopes included, without
	// the middleware from New: the baseline of the benchmarks, and the
	// case where RequireScopes must fail closed with 401 because no
	// middleware stored a record.
	NoAuth bool
}

// Build builds the framework app for s and returns it as an
// http.Handler that goes through the framework's own request path
// (a gin.Engine, an echo.Echo, an http.ServeMux behind the middleware,
// adaptor.FiberApp for Fiber). The middleware from New applies to every
// route, and each Build registers these:
//
//	GET     /me           200, Body(typed claims, jwtgate.FromContext(request context))
//	GET     /admin        RequireScopes("admin"), then as /me
//	GET     /group/write  in a group with RequireScopes("read"); the route
//	                      adds RequireScopes("write"); then as /me
//	GET     /public/ping  as /me (skipped by the middleware with SkipPrefix "/public/")
//	OPTIONS /me           204, no body
//
// The GET handlers write status 200, Content-Type application/json and
// the bytes Body returns. The suite sends requests to the handler with
// ServeHTTP and an httptest.ResponseRecorder, not over a connection.
// Build reports setup failures through t.
type Build func(t testing.TB, s Setup) http.Handler

// body is the JSON shape of Body; its field order is the wire order.
type body struct {
	Authenticated bool     `json:"authenticated"`
	Sub           string   `json:"sub"`
	Scopes        []string `json:"scopes"`
	ContextSub    string   `json:"context_sub"`
	Same          bool     `json:"same"`
}

// Body returns the JSON the test handlers answer with, given the claims
// the adapter's typed accessor returned and those jwtgate.FromContext
// found in the request's context (nil for none):
//
//	{"authenticated":true,"sub":"user-1","scopes":["read"],"context_sub":"user-1","same":true}
//
// authenticated says typed is not nil, sub and scopes come from typed,
// context_sub from fromContext, and same says both are the same pointer
// (true as well when both are nil). Scopes is [] rather than null when
// empty.
func Body(typed, fromContext *jwtgate.Claims) []byte {
	b := body{Authenticated: typed != nil, Scopes: []string{}, Same: typed == fromContext}
	if typed != nil {
		b.Sub = typed.Subject
		if typed.Scopes != nil {
			b.Scopes = typed.Scopes
		}
	}
	if fromContext != nil {
		b.ContextSub = fromContext.Subject
	}
	out, err := json.Marshal(b)
	if err != nil {
		panic(err) // a struct of strings and bools always marshals
	}
	return out
}

// Run sends the whole case table through the apps build makes, one
// subtest per case, in groups: valid tokens of every algorithm (accept),
// requests without a token (missing, 401), unreadable credentials
// (malformed-request, 400), rejected tokens (bad-token, 401), route
// scopes (scope, 403), an issuer that is down (unavailable, 503),
// Optional, Skip, SkipPreflight, the token sources of the Extractor, the
// gate's realm, and a key rotation. Each case sends its request twice
// and checks that both answers are identical and have the expected
// status and the exact WWW-Authenticate, Retry-After, Content-Type,
// Cache-Control and body, and that neither headers nor body hold the
// token or key material. Build is called once per case, so it should
// be cheap.
//
// Run then sends the token catalogue of the security bar (subtest
// "catalogue"): a few hundred hostile and borderline tokens and request
// shapes, each of which must get the outcome class the bar assigns it
// and exactly the answer the core gives for the same request. No token
// may make a gate send a request to the attacker's issuer, which the
// gates can reach.
//
// Run does all of this twice, as subtests "cache=on" and "cache=off":
// once on gates that keep the verified-token cache (Config's default)
// and once on gates with Config.DisableTokenCache. With the cache on,
// every request whose token the gate accepted before must be answered
// from the cache, as Gate.Stats reports, and the rotation checks that
// a cached token of a withdrawn key is rejected.
func Run(t *testing.T, build Build) {
	t.Helper()
	eachCacheMode(t, func(t *testing.T, m cacheMode) {
		runCases(t, m, build)
		t.Run("catalogue", func(t *testing.T) { runCatalogue(t, m, build) })
	})
}

// RunRace sends 50 goroutines of 100 requests each through one app
// while the issuer rotates its keys three times, and checks every
// answer: tokens of the current and the previous key pass, forged and
// expired ones get 401. It does so twice, as subtests "cache=on" and
// "cache=off", and with the cache on requires that the tokens sent again
// were answered from it. Run it under the race detector.
func RunRace(t *testing.T, build Build) {
	t.Helper()
	eachCacheMode(t, func(t *testing.T, m cacheMode) { runRace(t, m, build) })
}

// Benchmark measures the adapter in three sub-benchmarks per algorithm
// (RS256 from a fetched key set, HS256 from a static secret), each with
// b.ReportAllocs and b.RunParallel:
//
//	ALG/core     gate.Validate of the token alone
//	ALG/bare     GET /me through the app built with NoAuth
//	ALG/adapter  GET /me with the middleware and the same token
//
// so that adapter minus bare minus core is the adapter's own cost. The
// HS256 pair makes that cost readable: an RSA verify varies by more
// than the adapter costs. Both gates keep the verified-token cache,
// Config's default, so once the token is cached the core's share is a
// cache hit for either algorithm.
func Benchmark(b *testing.B, build Build) {
	b.Helper()
	runBenchmarks(b, build)
}
