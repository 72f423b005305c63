// Package gatetest runs an OpenID Connect issuer inside a test process, so
// that code which validates JSON Web Tokens can be tested against a key set
// it fetches over HTTP.
//
// An [Issuer] publishes a discovery document and a JWKS, mints tokens with
// its own keys, and counts the requests it serves. Its keys can be added,
// removed and rotated while a test runs, and a [Fault] makes the next
// requests slow, broken or wrong, to test how a validator copes.
//
// [New] listens on a loopback port; [NewInMemory] has no listener at all and
// suits tests that run inside a testing/synctest bubble, where every delay
// the issuer injects passes on the bubble's fake clock. Both are reached
// in-process through [Issuer.Client].
//
// [Sign] and [SignRaw] build tokens from scratch, including malformed and
// unsigned ones, for tests of hostile input.
//
// The package does not import jwtgate; it only speaks the protocols.
package gatetest
