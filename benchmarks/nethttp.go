package benchmarks

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"

	jwtgate "github.com/jwtgate/jwtgate/core"
	httpgate "github.com/jwtgate/jwtgate/nethttp"
)

// errNoExp rejects a token without exp in stacks whose middleware
// would accept one.
var errNoExp = errors.New("benchmarks: token has no exp")

// netHTTPMux is a ServeMux with GET /me answered by me.
func netHTTPMux(me http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+route, me)
	return mux
}

// newNetHTTPBare is a ServeMux with no middleware.
func newNetHTTPBare(_ *Env, alg string) (*Stack, error) {
	mux := netHTTPMux(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, Subject)
	})
	return &Stack{
		Framework: FrameworkNetHTTP, Name: StackBare, Alg: alg, Kind: KindBare,
		Config:       "http.ServeMux, no middleware",
		newRequester: httpStack(mux),
	}, nil
}

// newNetHTTPJWTGate is the ServeMux behind httpgate.New with default
// Options.
func newNetHTTPJWTGate(e *Env, alg string, cached bool) (*Stack, error) {
	return e.gateStack(FrameworkNetHTTP, alg, cached, "httpgate.New(gate, Options{})",
		func(g *jwtgate.Gate) serving {
			mux := netHTTPMux(func(w http.ResponseWriter, r *http.Request) {
				c, _ := httpgate.Claims(r)
				io.WriteString(w, c.Subject)
			})
			return httpStack(httpgate.New(g, httpgate.Options{})(mux))
		})
}

// newNetHTTPAuth0 is the ServeMux behind auth0's go-jwt-middleware v2:
// its validator, which checks iss, aud, nbf, iat and exp when present,
// takes exactly one algorithm, and gets its keys from the JWKS caching
// provider (cache TTL default, one minute) or, for HS256, from a key
// function that returns the secret. go-jose accepts a token without
// exp, so the validation is wrapped to require one.
func newNetHTTPAuth0(e *Env, alg string) (*Stack, error) {
	keyFunc := func(context.Context) (any, error) { return e.Issuer.PublicKey(alg), nil }
	if alg != "HS256" {
		issuerURL, err := url.Parse(e.Issuer.URL)
		if err != nil {
			return nil, err
		}
		jwksURL, err := url.Parse(e.Issuer.JWKSURL())
		if err != nil {
			return nil, err
		}
		p := jwks.NewCachingProvider(issuerURL, 0, jwks.WithCustomJWKSURI(jwksURL))
		keyFunc = p.KeyFunc
	}
	v, err := validator.New(keyFunc, validator.SignatureAlgorithm(alg), e.Issuer.URL,
		[]string{Audience})
	if err != nil {
		return nil, err
	}
	mw := jwtmiddleware.New(requireExp(v))
	mux := netHTTPMux(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(jwtmiddleware.ContextKey{}).(*validator.ValidatedClaims)
		io.WriteString(w, c.RegisteredClaims.Subject)
	})
	src := "jwks.NewCachingProvider(issuer, JWKS URL)"
	if alg == "HS256" {
		src = "a key func returning the secret"
	}
	return &Stack{
		Framework: FrameworkNetHTTP, Name: StackAuth0, Alg: alg, Kind: KindPeer,
		Config: "jwtmiddleware.New(validator.New(" + src +
			", alg, issuer, [audience])) + exp required by a wrapper",
		newRequester: httpStack(mw.CheckJWT(mux)),
	}, nil
}

// requireExp wraps v's validation with a check that exp was present.
func requireExp(v *validator.Validator) jwtmiddleware.ValidateToken {
	return func(ctx context.Context, token string) (any, error) {
		c, err := v.ValidateToken(ctx, token)
		if err != nil {
			return nil, err
		}
		if vc, ok := c.(*validator.ValidatedClaims); !ok || vc.RegisteredClaims.Expiry == 0 {
			return nil, errNoExp
		}
		return c, nil
	}
}
