package benchmarks

import (
	"context"
	"fmt"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// The configuration every stack shares. jwtgate checks, by default and
// with no way to turn them off short of SkipAudience and ExpOptional:
// the algorithm against an allow-list, the signature with the key the
// kid names, exp (required), nbf and iat against the clock, iss
// exactly, aud exactly. Each peer below is set up to check the same,
// with its own settings where it has them and with the smallest
// addition where it does not; every addition is named in the stack's
// comment.

// readyTimeout bounds the wait for a Gate's first key set.
const readyTimeout = 10 * time.Second

// newGate returns a Gate for alg: the issuer's JWKS URL, or for HS256
// its static secret, the one audience, and alg alone allowed. With
// cached false its token cache is off, so that every request is a full
// validation; with cached true it is the default configuration, whose
// cache answers a token seen before. It waits for the key set, so that
// no benchmark times the first fetch.
func (e *Env) newGate(alg string, cached bool) (*jwtgate.Gate, error) {
	iss := jwtgate.Issuer{Name: e.Issuer.URL}
	if alg == "HS256" {
		iss.Keys = []jwtgate.StaticKey{{ID: e.Issuer.KeyID(alg), Key: e.Issuer.PublicKey(alg)}}
	} else {
		iss.JWKSURL = e.Issuer.JWKSURL()
	}
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:           []jwtgate.Issuer{iss},
		Audience:          []string{Audience},
		Algorithms:        []string{alg},
		DisableTokenCache: !cached,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// gateConfig describes newGate's configuration.
func gateConfig(alg string, cached bool) string {
	src := "JWKS URL"
	if alg == "HS256" {
		src = "static secret"
	}
	cache := ", DisableTokenCache: true} (full validation on every request; "
	if cached {
		cache = "} (token cache on, default size: a token seen before skips the signature; "
	}
	return fmt.Sprintf("jwtgate.Config{issuer + %s, Audience, Algorithms: [alg]%s"+
		"exp required, iss and aud exact, nbf and iat checked: the defaults)", src, cache)
}

// parserOptions are golang-jwt's options for jwtgate's checks: alg
// alone allowed, the issuer and audience compared exactly, exp
// required, iat not in the future (nbf and exp are always checked when
// present).
func (e *Env) parserOptions(alg string) []jwt.ParserOption {
	return []jwt.ParserOption{
		jwt.WithValidMethods([]string{alg}),
		jwt.WithIssuer(e.Issuer.URL),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	}
}

// parserConfig describes parserOptions.
const parserConfig = "jwt.NewParser(WithValidMethods([alg]), WithIssuer, WithAudience, " +
	"WithExpirationRequired, WithIssuedAt)"

// newKeyfunc returns a keyfunc v3 Keyfunc for alg and what stops it.
//
// For the asymmetric algorithms it is keyfunc's default HTTP storage on
// the issuer's JWKS URL (first fetch at construction, hourly refresh,
// unknown kids refreshed at most once per 5 minutes) with one change:
// RateLimitWaitMax is cut from a minute to 100 ms. With the default, a
// request with an unknown kid that comes four to five minutes after the
// last unknown-kid refresh sleeps in the rate limiter for up to a
// minute, which would stall a benchmark run (and such a request in
// production). jwkset bounds the refresh that follows with the same
// context, so the limit must leave room for a loopback fetch.
//
// For HS256 it is a memory storage holding the secret as a JWK with its
// kid and alg, the way keyfunc takes a given HMAC key.
func (e *Env) newKeyfunc(alg string) (keyfunc.Keyfunc, func(), error) {
	if alg == "HS256" {
		kf, err := e.hmacKeyfunc()
		return kf, func() {}, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{e.Issuer.JWKSURL()},
		keyfunc.Override{RateLimitWaitMax: 100 * time.Millisecond})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return kf, cancel, nil
}

// hmacKeyfunc is a keyfunc v3 Keyfunc over the HS256 secret alone.
func (e *Env) hmacKeyfunc() (keyfunc.Keyfunc, error) {
	jwk, err := jwkset.NewJWKFromKey(e.Issuer.PublicKey("HS256"), jwkset.JWKOptions{
		Marshal:  jwkset.JWKMarshalOptions{Private: true},
		Metadata: jwkset.JWKMetadataOptions{KID: e.Issuer.KeyID("HS256"), ALG: jwkset.AlgHS256},
	})
	if err != nil {
		return nil, err
	}
	store := jwkset.NewMemoryStorage()
	if err := store.KeyWrite(context.Background(), jwk); err != nil {
		return nil, err
	}
	return keyfunc.New(keyfunc.Options{Storage: store})
}

// keyfuncConfig describes newKeyfunc's configuration.
func keyfuncConfig(alg string) string {
	if alg == "HS256" {
		return "keyfunc v3 over a memory JWK set holding the secret (kid, alg HS256)"
	}
	return "keyfunc v3 NewDefaultOverrideCtx(JWKS URL, RateLimitWaitMax 100ms)"
}
