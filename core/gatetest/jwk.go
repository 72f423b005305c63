package gatetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// jwk is the published form of a public key, with members in the order
// RFC 7517 lists them.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Crv string `json:"crv,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// encodeJWK returns the JWK object publishing pub under kid for alg.
func encodeJWK(alg, kid string, pub crypto.PublicKey) ([]byte, error) {
	k := jwk{Kid: kid, Use: "sig", Alg: alg}
	b64 := base64.RawURLEncoding.EncodeToString

	switch pub := pub.(type) {
	case *rsa.PublicKey:
		k.Kty = "RSA"
		k.N = b64(pub.N.Bytes())
		k.E = b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		// Bytes gives 0x04 followed by X and Y, each padded to the
		// size of the field.
		point, err := pub.Bytes()
		if err != nil {
			return nil, fmt.Errorf("encoding key %q: %w", kid, err)
		}
		size := (len(point) - 1) / 2
		k.Kty = "EC"
		k.Crv = pub.Curve.Params().Name
		k.X = b64(point[1 : 1+size])
		k.Y = b64(point[1+size:])
	case ed25519.PublicKey:
		k.Kty = "OKP"
		k.Crv = "Ed25519"
		k.X = b64(pub)
	default:
		return nil, fmt.Errorf("encoding key %q: unsupported type %T", kid, pub)
	}
	return json.Marshal(k)
}
