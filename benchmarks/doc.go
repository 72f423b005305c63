// Package benchmarks measures what authenticating a request costs: the
// jwtgate adapters for net/http, Gin, Echo and Fiber beside the
// middleware people use with those frameworks today, a no-middleware
// baseline per framework, and the raw floors under all of them (the
// signature check alone, and golang-jwt's parsing with a fixed key).
//
// An Env runs one issuer on a loopback HTTP server, with keys made at
// start for RS256, ES256 and EdDSA and a static HS256 secret, and mints
// a token for every case: valid, expired, forged, signed under an
// unknown kid, forged and close to 8 KiB, and, for the sanity checks
// only, issued by or for someone else. Env.Stacks builds, for one
// algorithm, every stack of the chosen frameworks; each stack serves a
// prepared request through its framework's own request path and is
// configured to check what jwtgate checks: issuer, audience, algorithm
// and a required exp. Check proves that a stack accepts the valid token
// and rejects every bad one, and Bench turns a stack and a case into a
// benchmark function for the testing package.
//
// jwtgate's stacks come in pairs, because a Gate caches the tokens it
// verified by default and a benchmark sends the same token again and
// again: "jwtgate" and "jwtgate-core" turn the token cache off, so
// that each request is a full validation, the one to set against the
// peers; "jwtgate-cached" and "jwtgate-core-cached" keep the default
// configuration and, for the valid token, time cache hits.
//
// KeyLookup is the concurrent key-lookup benchmark: fifty readers look
// up a key while another goroutine refreshes the key set back to back,
// through jwtgate's Gate.Key or through a map behind a sync.RWMutex.
//
// The package's tests run the sanity checks and hold the go test
// benchmarks; the compare command (cmd/compare) runs the whole suite
// in-process and prints tables, a verdict, Markdown and an SVG chart.
package benchmarks
