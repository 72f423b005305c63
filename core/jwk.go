package jwtgate

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// b64 is the only base64 accepted anywhere: URL alphabet, no padding,
// no stray trailing bits.
var b64 = base64.RawURLEncoding.Strict()

// jwk holds the members of one JSON Web Key that the Gate reads. They
// are read by their exact names: "ALG" or "Use" are other members.
type jwk struct {
	Kty, Kid, Use, Alg, Crv, N, E, X, Y string
	KeyOps                              []string
	hasKeyOps                           bool
	members                             []string // every member name
}

// readJWK reads the members of a JWK object. A member the Gate uses
// that has the wrong JSON type makes the key unusable.
func readJWK(raw []byte) (jwk, error) {
	var j jwk
	err := scanObject(raw, func(name, value []byte) error {
		n := string(name)
		j.members = append(j.members, n)
		var dst *string
		switch n {
		case "kty":
			dst = &j.Kty
		case "kid":
			dst = &j.Kid
		case "use":
			dst = &j.Use
		case "alg":
			dst = &j.Alg
		case "crv":
			dst = &j.Crv
		case "n":
			dst = &j.N
		case "e":
			dst = &j.E
		case "x":
			dst = &j.X
		case "y":
			dst = &j.Y
		case "key_ops":
			ops, ok := jsonStringArray(value)
			if !ok {
				return fmt.Errorf("member %q of the wrong type", n)
			}
			j.KeyOps, j.hasKeyOps = ops, true
			return nil
		default:
			return nil
		}
		str, ok := rawString(value)
		if !ok {
			return fmt.Errorf("member %q is not a string", n)
		}
		*dst = string(str)
		return nil
	})
	return j, err
}

// jsonStringArray reads a JSON array of strings.
func jsonStringArray(value []byte) ([]string, bool) {
	t := claimText{raw: value, str: string(value)}
	return t.strings(value)
}

// privateMembers are JWK members that only private or symmetric keys
// have (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// parseJWKS reads a key set document. Each key that cannot be used is
// skipped and counted, with the reason passed to skip; the document as
// a whole fails only when it is not a JSON object with a "keys" array.
func parseJWKS(body []byte, skip func(kid string, reason error)) ([]*verifyKey, int, error) {
	var rawKeys []byte
	err := scanOuterObject(body, func(name, value []byte) error {
		if string(name) == "keys" {
			rawKeys = value
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("jwtgate: key set: %w", err)
	}
	entries, ok := jsonArrayValues(rawKeys)
	if !ok {
		return nil, 0, errors.New(`jwtgate: key set has no "keys" array`)
	}

	keys := make([]*verifyKey, 0, len(entries))
	skipped := 0
	for _, raw := range entries {
		k, kid, err := parseJWK(raw)
		if err == nil && duplicateKey(keys, k) {
			err = errors.New("duplicate kid for this key type")
		}
		if err != nil {
			skipped++
			if skip != nil {
				skip(kid, err)
			}
			continue
		}
		keys = append(keys, k)
	}
	return keys, skipped, nil
}

func duplicateKey(keys []*verifyKey, k *verifyKey) bool {
	return slices.ContainsFunc(keys, func(o *verifyKey) bool {
		return o.kid == k.kid && o.kind == k.kind
	})
}

// jsonArrayValues returns the raw elements of a JSON array that
// scanOuterObject has already validated; each element is read strictly
// on its own later.
func jsonArrayValues(value []byte) ([][]byte, bool) {
	if len(value) < 2 || value[0] != '[' {
		return nil, false
	}
	var out [][]byte
	s := jsonScanner{data: value, pos: 1, dupDepth: -1}
	for {
		s.space()
		if s.data[s.pos] == ']' {
			return out, true
		}
		v, err := s.value()
		if err != nil {
			return nil, false
		}
		out = append(out, v)
		s.space()
		if s.data[s.pos] == ',' {
			s.pos++
		}
	}
}

// parseJWK turns one JWK into a verification key, or says why not.
func parseJWK(raw []byte) (*verifyKey, string, error) {
	j, err := readJWK(raw)
	if err != nil {
		return nil, j.Kid, err
	}
	if len(j.Kid) > maxKeyIDSize {
		return nil, "", errors.New("kid too long")
	}
	for _, m := range privateMembers {
		if slices.Contains(j.members, m) {
			return nil, j.Kid, errors.New("private or symmetric key material")
		}
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, j.Kid, fmt.Errorf("use %q is not sig", j.Use)
	}
	if j.hasKeyOps && !slices.Contains(j.KeyOps, "verify") {
		return nil, j.Kid, errors.New("key_ops lacks verify")
	}
	if j.Alg != "" {
		if _, ok := algIndex([]byte(j.Alg)); !ok {
			return nil, j.Kid, fmt.Errorf("unsupported alg %q", j.Alg)
		}
	}

	k := &verifyKey{kid: j.Kid}
	var curve elliptic.Curve
	switch j.Kty {
	case "RSA":
		k.kind = kindRSA
		k.pub, err = jwkRSA(j)
	case "EC":
		k.kind = kindEC
		var pub *ecdsa.PublicKey
		pub, err = jwkEC(j)
		if pub != nil {
			k.pub, curve = pub, pub.Curve
		}
	case "OKP":
		k.kind = kindEd25519
		k.pub, err = jwkEd25519(j)
	case "oct":
		err = errors.New("symmetric key in a remote key set")
	default:
		err = fmt.Errorf("unsupported kty %q", j.Kty)
	}
	if err != nil {
		return nil, j.Kid, err
	}
	k.algs = algsFor(k.kind, curve, 0, j.Alg)
	if k.algs == 0 {
		return nil, j.Kid, fmt.Errorf("alg %q does not fit the key", j.Alg)
	}
	return k, j.Kid, nil
}

func jwkRSA(j jwk) (*rsa.PublicKey, error) {
	n, err1 := b64.DecodeString(j.N)
	e, err2 := b64.DecodeString(j.E)
	if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("invalid RSA members")
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	if err := checkRSA(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

func jwkEC(j jwk) (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch j.Crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, fmt.Errorf("unsupported curve %q", j.Crv)
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err1 := b64.DecodeString(j.X)
	y, err2 := b64.DecodeString(j.Y)
	if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
		return nil, errors.New("invalid EC coordinates")
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, errors.New("EC point is not on the curve")
	}
	return pub, nil
}

func jwkEd25519(j jwk) (ed25519.PublicKey, error) {
	if j.Crv != "Ed25519" {
		return nil, fmt.Errorf("unsupported curve %q", j.Crv)
	}
	x, err := b64.DecodeString(j.X)
	if err != nil || len(x) != ed25519.PublicKeySize {
		return nil, errors.New("invalid Ed25519 key")
	}
	return ed25519.PublicKey(x), nil
}
