package benchmarks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"

	"github.com/golang-jwt/jwt/v5"
)

// Audience is the aud claim of every token the Env mints, and the one
// audience every stack accepts.
const Audience = "https://api.jwtgate-bench.invalid"

// Subject is the sub claim of the tokens; a protected handler answers
// it as the body, proving that the claims reached the handler.
const Subject = "user-1"

// jwksPath is where the issuer serves its key set.
const jwksPath = "/.well-known/jwks.json"

// key is one signing key of an algorithm: the private half signs, the
// public half is what a verifier holds (for HS256 both are the secret).
type key struct {
	alg    string
	kid    string
	method jwt.SigningMethod
	priv   any
	pub    any
}

// Issuer is a token issuer on a loopback HTTP server. It publishes the
// public keys of RS256, ES256 and EdDSA as a JWKS and signs tokens with
// them; it also holds a static HS256 secret, never published, and for
// every algorithm a second key of the same kind that it never
// publishes, to forge signatures with.
type Issuer struct {
	// URL is the issuer identifier, the iss of its tokens: the base URL
	// of the server, such as http://127.0.0.1:41234.
	URL string

	srv    *httptest.Server
	jwks   []byte
	keys   map[string]*key // by alg
	forged map[string]*key // by alg: same kid, unpublished key
}

// NewIssuer makes fresh keys and starts the issuer's server. Close
// stops it.
func NewIssuer() (*Issuer, error) {
	iss := &Issuer{keys: map[string]*key{}, forged: map[string]*key{}}
	for _, alg := range Algorithms() {
		k, err := newKey(alg)
		if err != nil {
			return nil, err
		}
		f, err := newKey(alg)
		if err != nil {
			return nil, err
		}
		iss.keys[alg], iss.forged[alg] = k, f
	}
	jwks, err := iss.marshalJWKS()
	if err != nil {
		return nil, err
	}
	iss.jwks = jwks
	iss.srv = httptest.NewServer(http.HandlerFunc(iss.serveJWKS))
	iss.URL = iss.srv.URL
	return iss, nil
}

// Close stops the server.
func (iss *Issuer) Close() { iss.srv.Close() }

// JWKSURL returns the URL of the key set.
func (iss *Issuer) JWKSURL() string { return iss.URL + jwksPath }

// KeyID returns the kid of the issuer's key for alg.
func (iss *Issuer) KeyID(alg string) string { return iss.keys[alg].kid }

// PublicKey returns what verifies alg: an *rsa.PublicKey,
// *ecdsa.PublicKey or ed25519.PublicKey, or the []byte HS256 secret.
func (iss *Issuer) PublicKey(alg string) any { return iss.keys[alg].pub }

func (iss *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != jwksPath {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Write(iss.jwks)
}

// newKey makes a key for alg under the kid "<alg>-1", lower case.
func newKey(alg string) (*key, error) {
	k := &key{alg: alg, kid: kidOf(alg)}
	var err error
	switch alg {
	case "RS256":
		var p *rsa.PrivateKey
		p, err = rsa.GenerateKey(rand.Reader, 2048)
		if err == nil {
			k.method, k.priv, k.pub = jwt.SigningMethodRS256, p, &p.PublicKey
		}
	case "ES256":
		var p *ecdsa.PrivateKey
		p, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err == nil {
			k.method, k.priv, k.pub = jwt.SigningMethodES256, p, &p.PublicKey
		}
	case "EdDSA":
		var pub ed25519.PublicKey
		var p ed25519.PrivateKey
		pub, p, err = ed25519.GenerateKey(rand.Reader)
		if err == nil {
			k.method, k.priv, k.pub = jwt.SigningMethodEdDSA, p, pub
		}
	case "HS256":
		secret := make([]byte, 32)
		rand.Read(secret)
		k.method, k.priv, k.pub = jwt.SigningMethodHS256, secret, secret
	default:
		return nil, fmt.Errorf("benchmarks: no key for algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("benchmarks: making a %s key: %w", alg, err)
	}
	return k, nil
}

// kidOf is the kid of the issuer's key for alg.
func kidOf(alg string) string {
	switch alg {
	case "RS256":
		return "rs256-1"
	case "ES256":
		return "es256-1"
	case "EdDSA":
		return "eddsa-1"
	}
	return "hs256-1"
}

// marshalJWKS encodes the published keys: every asymmetric one.
func (iss *Issuer) marshalJWKS() ([]byte, error) {
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	for _, alg := range Algorithms() {
		k := iss.keys[alg]
		if alg == "HS256" {
			continue
		}
		jwk, err := publicJWK(k)
		if err != nil {
			return nil, err
		}
		set.Keys = append(set.Keys, jwk)
	}
	return json.Marshal(set)
}

// publicJWK returns the JWK members of k's public half.
func publicJWK(k *key) (map[string]string, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	jwk := map[string]string{"kid": k.kid, "alg": k.alg, "use": "sig"}
	switch pub := k.pub.(type) {
	case *rsa.PublicKey:
		jwk["kty"] = "RSA"
		jwk["n"] = b64(pub.N.Bytes())
		jwk["e"] = b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		raw, err := pub.Bytes() // 0x04 || X || Y, each padded to 32 bytes
		if err != nil {
			return nil, err
		}
		jwk["kty"], jwk["crv"] = "EC", "P-256"
		jwk["x"], jwk["y"] = b64(raw[1:33]), b64(raw[33:])
	case ed25519.PublicKey:
		jwk["kty"], jwk["crv"], jwk["x"] = "OKP", "Ed25519", b64(pub)
	default:
		return nil, fmt.Errorf("benchmarks: cannot publish a %T", k.pub)
	}
	return jwk, nil
}

// sign returns a compact JWS of claims signed by k, with typ JWT and
// the given kid in the header.
func sign(k *key, kid string, claims jwt.MapClaims) (string, error) {
	t := jwt.NewWithClaims(k.method, claims)
	t.Header["kid"] = kid
	return t.SignedString(k.priv)
}
