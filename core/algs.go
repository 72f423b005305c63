package jwtgate

import (
	"crypto"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// keyKind is the type of a verification key.
type keyKind uint8

const (
	kindRSA keyKind = iota + 1
	kindEC
	kindEd25519
	kindHMAC
)

// algorithm is one supported JWS algorithm.
type algorithm struct {
	name   string
	method jwt.SigningMethod
	kind   keyKind
	curve  elliptic.Curve // ES* only
	size   int            // HS*: least secret length; ES*: signature length
	pss    bool           // PS*: RSASSA-PSS rather than PKCS #1 v1.5
}

// algSet is a set of algorithms, one bit per index of algorithms.
type algSet uint16

// algorithms lists what the Gate supports. PS* verify with the salt
// length equal to the hash length, as RFC 7518 §3.5 requires, rather
// than golang-jwt's lenient default.
var algorithms = [...]algorithm{
	{name: "RS256", method: jwt.SigningMethodRS256, kind: kindRSA},
	{name: "RS384", method: jwt.SigningMethodRS384, kind: kindRSA},
	{name: "RS512", method: jwt.SigningMethodRS512, kind: kindRSA},
	{name: "PS256", method: strictPSS(jwt.SigningMethodPS256), kind: kindRSA, pss: true},
	{name: "PS384", method: strictPSS(jwt.SigningMethodPS384), kind: kindRSA, pss: true},
	{name: "PS512", method: strictPSS(jwt.SigningMethodPS512), kind: kindRSA, pss: true},
	{name: "ES256", method: jwt.SigningMethodES256, kind: kindEC, curve: elliptic.P256(), size: 64},
	{name: "ES384", method: jwt.SigningMethodES384, kind: kindEC, curve: elliptic.P384(), size: 96},
	{name: "ES512", method: jwt.SigningMethodES512, kind: kindEC, curve: elliptic.P521(), size: 132},
	{name: "EdDSA", method: jwt.SigningMethodEdDSA, kind: kindEd25519},
	{name: "HS256", method: jwt.SigningMethodHS256, kind: kindHMAC, size: 32},
	{name: "HS384", method: jwt.SigningMethodHS384, kind: kindHMAC, size: 48},
	{name: "HS512", method: jwt.SigningMethodHS512, kind: kindHMAC, size: 64},
}

// asymmetricAlgs are the default allow-list for remote key sets.
const asymmetricAlgs algSet = 1<<10 - 1

func strictPSS(m *jwt.SigningMethodRSAPSS) *jwt.SigningMethodRSAPSS {
	strict := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
	return &jwt.SigningMethodRSAPSS{
		SigningMethodRSA: m.SigningMethodRSA,
		Options:          strict,
		VerifyOptions:    strict,
	}
}

// hash returns the hash function of the algorithm's golang-jwt method.
func (a *algorithm) hash() crypto.Hash {
	switch m := a.method.(type) {
	case *jwt.SigningMethodRSA:
		return m.Hash
	case *jwt.SigningMethodRSAPSS:
		return m.Hash
	case *jwt.SigningMethodECDSA:
		return m.Hash
	case *jwt.SigningMethodHMAC:
		return m.Hash
	}
	return 0 // EdDSA hashes inside the signature scheme
}

// algIndex finds the algorithm named by a header's raw alg bytes.
func algIndex(name []byte) (int, bool) {
	switch string(name) {
	case "RS256":
		return 0, true
	case "RS384":
		return 1, true
	case "RS512":
		return 2, true
	case "PS256":
		return 3, true
	case "PS384":
		return 4, true
	case "PS512":
		return 5, true
	case "ES256":
		return 6, true
	case "ES384":
		return 7, true
	case "ES512":
		return 8, true
	case "EdDSA":
		return 9, true
	case "HS256":
		return 10, true
	case "HS384":
		return 11, true
	case "HS512":
		return 12, true
	}
	return 0, false
}

// parseAlgs turns an allow-list into a set.
func parseAlgs(names []string) (algSet, error) {
	var set algSet
	for _, n := range names {
		i, ok := algIndex([]byte(n))
		if !ok {
			return 0, fmt.Errorf("jwtgate: unsupported algorithm %q", n)
		}
		set |= 1 << i
	}
	return set, nil
}

// algsFor returns the algorithms a key of kind may verify, limited to
// jwkAlg when it is set; an empty set means the key fits none.
func algsFor(kind keyKind, curve elliptic.Curve, secretLen int, jwkAlg string) algSet {
	var set algSet
	for i, a := range algorithms {
		if a.kind != kind {
			continue
		}
		if kind == kindEC && a.curve != curve {
			continue
		}
		if kind == kindHMAC && secretLen < a.size {
			continue
		}
		if jwkAlg != "" && jwkAlg != a.name {
			continue
		}
		set |= 1 << i
	}
	return set
}
