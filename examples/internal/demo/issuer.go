package demo

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"
)

// Paths the embedded issuer serves.
const (
	discoveryPath = "/.well-known/openid-configuration"
	jwksPath      = "/jwks.json"
)

// Issuer is a minimal token issuer for trying the examples: one RSA
// key made at start, a discovery document and a key set served on a
// loopback port over plain HTTP, and RS256 tokens minted in process.
// It is no identity provider: it authenticates nobody.
type Issuer struct {
	// URL is the issuer identifier, http://127.0.0.1:PORT, and the base
	// of its documents.
	URL string

	// Audience is the aud claim of the tokens it mints.
	Audience string

	key  *rsa.PrivateKey
	kid  string
	srv  *http.Server
	done chan struct{} // closed when the serving goroutine returns
}

// StartIssuer makes a key and starts serving the issuer's documents on
// a free loopback port. Close stops it.
func StartIssuer(audience string) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(key.N.Bytes())
	iss := &Issuer{
		URL:      "http://" + ln.Addr().String(),
		Audience: audience,
		key:      key,
		kid:      "demo-" + hex.EncodeToString(sum[:4]),
		done:     make(chan struct{}),
	}
	h, err := iss.handler()
	if err != nil {
		ln.Close()
		return nil, err
	}
	iss.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go iss.serve(ln)
	return iss, nil
}

// serve runs the server until Close.
func (i *Issuer) serve(ln net.Listener) {
	defer close(i.done)
	// Serve returns http.ErrServerClosed after Close, and nothing else
	// can end it, so its error tells nothing.
	_ = i.srv.Serve(ln)
}

// Close stops the server and waits for it.
func (i *Issuer) Close() error {
	err := i.srv.Close()
	<-i.done
	return err
}

// JWKSURL returns the URL of the issuer's key set.
func (i *Issuer) JWKSURL() string {
	return i.URL + jwksPath
}

// handler serves the discovery document and the key set.
func (i *Issuer) handler() (http.Handler, error) {
	discovery, err := json.Marshal(map[string]any{
		"issuer":                                i.URL,
		"jwks_uri":                              i.JWKSURL(),
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
	if err != nil {
		return nil, err
	}
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"kid": i.kid,
		"use": "sig",
		"alg": "RS256",
		"n":   b64(i.key.N.Bytes()),
		"e":   b64(big.NewInt(int64(i.key.E)).Bytes()),
	}}})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+discoveryPath, jsonDoc(discovery))
	mux.Handle("GET "+jwksPath, jsonDoc(jwks))
	return mux, nil
}

// jsonDoc is a handler that answers with itself as a JSON document.
type jsonDoc []byte

func (d jsonDoc) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(d)
}

// tokenClaims are the claims of a minted token.
type tokenClaims struct {
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
	Audience  string `json:"aud"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
	Scope     string `json:"scope,omitempty"`
}

// Mint returns an RS256 token for subject, granting scopes and valid
// for ttl from now.
func (i *Issuer) Mint(subject string, scopes []string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errors.New("demo: token lifetime must be positive")
	}
	now := time.Now()
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": i.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(tokenClaims{
		Issuer:    i.URL,
		Subject:   subject,
		Audience:  i.Audience,
		IssuedAt:  now.Unix(),
		ExpiresAt: now.Add(ttl).Unix(),
		Scope:     strings.Join(scopes, " "),
	})
	if err != nil {
		return "", err
	}
	signingInput := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(nil, i.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signingInput + "." + b64(sig), nil
}

// b64 is base64url without padding, as JOSE encodes.
func b64(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}
