// Package jwtgate validates JSON Web Tokens for HTTP services: bearer
// access and ID tokens signed by an OpenID Connect provider or by the
// service's own issuer.
//
// A Gate holds each issuer's keys, fetched from a JWKS URL, found by
// OpenID Connect discovery, or configured statically, and checks every
// token against them: size and encoding, an algorithm allow-list, the
// signature, then the claims (exp, nbf, iat, iss, aud, typ, scopes).
// It decodes a token's claims only after its signature verified, so
// forged tokens cost little.
//
// Fetched key sets are immutable snapshots behind an atomic pointer:
// validation never takes a lock and never waits for a refresh. One
// goroutine per issuer refreshes in the background, honouring
// Cache-Control max-age within bounds, backing off with jitter when the
// issuer fails, and keeping the last good keys up to a maximum stale
// age. A token with an unknown kid causes at most one shared refresh
// per cooldown, so a key rotation is picked up at once while a flood of
// made-up kids costs the issuer almost nothing.
//
// Every rejection is an *Error that wraps one documented sentinel (see
// the Err variables), and ResponseFor maps it to the RFC 6750 response
// every adapter sends. The adapters for net/http, Gin, Echo and Fiber
// live in sibling packages and only translate between their framework
// and this package.
package jwtgate
