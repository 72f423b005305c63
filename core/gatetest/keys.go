package gatetest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"slices"
)

// issuerKey is one signing key of an issuer.
type issuerKey struct {
	kid       string
	alg       string
	signer    crypto.Signer
	jwk       []byte // the JWK object the issuer publishes
	published bool
}

// AddKey generates a fresh key for alg, publishes it under kid and makes
// it the default signing key. An empty kid is replaced by a generated one
// of the form "key-N". A key already using kid is replaced. AddKey returns
// the kid.
//
// RS256, RS384, RS512, PS256, PS384 and PS512 get a 2048-bit RSA key;
// ES256, ES384 and ES512 get a P-256, P-384 and P-521 key; EdDSA gets an
// Ed25519 key. Any other alg fails the test.
//
// The published JWK has the members kty, kid, use ("sig"), alg and the
// public key: n and e for RSA, crv, x and y for EC, crv and x for Ed25519.
// They are base64url without padding; EC coordinates are left-padded to
// the full size of the field.
func (i *Issuer) AddKey(alg, kid string) string {
	i.t.Helper()
	signer := i.generate(alg)

	i.mu.Lock()
	defer i.mu.Unlock()
	return i.addLocked(alg, kid, signer)
}

// AddKeyRSA is AddKey with an RSA key of the given size in bits, for tests
// of weak or unusual keys. The crypto/rsa package refuses sizes under 1024
// bits unless GODEBUG allows them. alg must be an RS or PS algorithm.
func (i *Issuer) AddKeyRSA(alg, kid string, bits int) string {
	i.t.Helper()
	if !isRSA(alg) {
		i.t.Fatalf("gatetest: AddKeyRSA: %q is not an RSA algorithm", alg)
	}
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		i.t.Fatalf("gatetest: AddKeyRSA: %v", err)
	}

	i.mu.Lock()
	defer i.mu.Unlock()
	return i.addLocked(alg, kid, key)
}

// RemoveKey stops publishing the key kid. The issuer can still sign with
// it, through WithKey, to test tokens whose key has been withdrawn.
// Removing an unknown kid does nothing.
func (i *Issuer) RemoveKey(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, k := range i.keys {
		if k.kid == kid {
			k.published = false
		}
	}
}

// Rotate adds a fresh key for alg under a generated kid, as AddKey does,
// and in the same step stops publishing every other key, including those
// added with AddRawJWK. It returns the new kid.
func (i *Issuer) Rotate(alg string) string {
	i.t.Helper()
	signer := i.generate(alg)

	i.mu.Lock()
	defer i.mu.Unlock()
	kid := i.addLocked(alg, "", signer)
	for _, k := range i.keys {
		k.published = k.kid == kid
	}
	i.rawKeys = nil
	return kid
}

// AddRawJWK publishes raw as one more member of the key set, byte for
// byte, for tests of hostile or malformed keys. It cannot sign.
func (i *Issuer) AddRawJWK(raw json.RawMessage) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rawKeys = append(i.rawKeys, bytes.Clone(raw))
}

// SetRawJWKS makes the issuer serve exactly body as its key set. A nil
// body returns to the key set built from the issuer's keys.
func (i *Issuer) SetRawJWKS(body []byte) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rawJWKS = bytes.Clone(body)
}

// PublicKey returns the public half of the key kid, published or not. An
// unknown kid fails the test.
func (i *Issuer) PublicKey(kid string) crypto.PublicKey {
	i.t.Helper()
	return i.key(kid).signer.Public()
}

// PrivateKey returns the key kid, published or not: an *rsa.PrivateKey,
// *ecdsa.PrivateKey or ed25519.PrivateKey. An unknown kid fails the test.
func (i *Issuer) PrivateKey(kid string) crypto.Signer {
	i.t.Helper()
	return i.key(kid).signer
}

// key returns the key kid, or fails the test.
func (i *Issuer) key(kid string) *issuerKey {
	i.t.Helper()
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, k := range i.keys {
		if k.kid == kid {
			return k
		}
	}
	i.t.Fatalf("gatetest: no key with kid %q", kid)
	return nil
}

// generate returns a fresh private key for alg, or fails the test.
func (i *Issuer) generate(alg string) crypto.Signer {
	i.t.Helper()
	signer, err := generateKey(alg)
	if err != nil {
		i.t.Fatalf("gatetest: %v", err)
	}
	return signer
}

// addLocked publishes signer under kid as the newest key and returns the
// kid, generated if empty. The caller holds i.mu.
func (i *Issuer) addLocked(alg, kid string, signer crypto.Signer) string {
	i.t.Helper()
	i.added++
	if kid == "" {
		kid = i.freeKID()
	}
	jwk, err := encodeJWK(alg, kid, signer.Public())
	if err != nil {
		i.t.Fatalf("gatetest: %v", err)
	}

	i.keys = slices.DeleteFunc(i.keys, func(k *issuerKey) bool { return k.kid == kid })
	i.keys = append(i.keys, &issuerKey{
		kid:       kid,
		alg:       alg,
		signer:    signer,
		jwk:       jwk,
		published: true,
	})
	return kid
}

// freeKID returns the first kid of the form "key-N", counting from the
// number of keys added, that no key uses. The caller holds i.mu.
func (i *Issuer) freeKID() string {
	for n := i.added; ; n++ {
		kid := fmt.Sprintf("key-%d", n)
		if !slices.ContainsFunc(i.keys, func(k *issuerKey) bool { return k.kid == kid }) {
			return kid
		}
	}
}

// newestFor returns the newest key that can sign alg, or nil. The caller
// holds i.mu.
func (i *Issuer) newestFor(alg string) *issuerKey {
	for _, k := range slices.Backward(i.keys) {
		if canSign(alg, k.signer.Public()) {
			return k
		}
	}
	return nil
}

// generateKey returns a fresh private key suited to alg.
func generateKey(alg string) (crypto.Signer, error) {
	switch {
	case isRSA(alg):
		return rsa.GenerateKey(rand.Reader, 2048)
	case curveFor(alg) != nil:
		return ecdsa.GenerateKey(curveFor(alg), rand.Reader)
	case alg == "EdDSA":
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
}

// isRSA reports whether alg signs with an RSA key.
func isRSA(alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return true
	}
	return false
}

// curveFor returns the curve of an ECDSA alg, or nil for any other alg.
func curveFor(alg string) elliptic.Curve {
	switch alg {
	case "ES256":
		return elliptic.P256()
	case "ES384":
		return elliptic.P384()
	case "ES512":
		return elliptic.P521()
	}
	return nil
}

// canSign reports whether the private half of pub can sign for alg.
func canSign(alg string, pub crypto.PublicKey) bool {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		return isRSA(alg)
	case *ecdsa.PublicKey:
		return curveFor(alg) != nil && pub.Curve == curveFor(alg)
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}
