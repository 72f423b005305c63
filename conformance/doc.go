// Package conformance is the shared test suite of the jwtgate adapters.
//
// Every adapter (net/http, Gin, Echo, Fiber) builds the same small app
// for a Setup and hands it to Run, RunRace and Benchmark as an
// http.Handler that goes through the framework's own request path. The
// suite then sends one table of requests through it and holds every
// adapter to the same bytes: status, WWW-Authenticate, Retry-After,
// Content-Type and JSON body are literals in the table, so an adapter
// that maps an error differently, or lets a bad token through, fails.
//
// The routes a Build registers are listed in the Build documentation.
// Handlers answer with Body, which shows whether the request was
// authenticated, as whom, with which scopes, and whether the claims read
// through the adapter's accessor are the very claims that
// jwtgate.FromContext finds in the request's context.
//
// The suite runs its own issuers: gatetest issuers, whose key sets the
// gates fetch through each issuer's own HTTP client, for the asymmetric
// algorithms, and a static HS256 secret for the symmetric positive
// control. Each Gate is closed when its test ends.
//
// Run and RunRace go through everything twice, with the gates'
// verified-token cache on and off, so that a cached answer is held to
// the same bytes as a full validation.
package conformance
