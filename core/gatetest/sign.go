package gatetest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Sign returns a compact JWS whose header and payload are header and
// claims marshalled with encoding/json. It signs with key, using the
// golang-jwt method that the header's alg member names. The key is an
// *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey, or a []byte
// for the HS algorithms.
//
// A nil key gives an empty signature and needs no alg, so any header,
// such as {"alg":"none"}, can be put on an unsigned token.
func Sign(header, claims map[string]any, key any) (string, error) {
	alg, _ := header["alg"].(string)
	if alg == "" && key != nil {
		return "", errors.New("gatetest: Sign: header has no alg")
	}
	return sign(alg, header, claims, key)
}

// sign is Sign with the algorithm given apart from the header.
func sign(alg string, header, claims map[string]any, key any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("gatetest: marshalling header: %w", err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("gatetest: marshalling claims: %w", err)
	}
	return SignRaw(alg, h, c, key)
}

// SignRaw returns a compact JWS made of headerJSON and payloadJSON exactly
// as given, signed with key for alg, so that tests can send duplicate
// members, odd spacing or invalid JSON. Keys are as for Sign; a nil key
// gives an empty signature.
func SignRaw(alg string, headerJSON, payloadJSON []byte, key any) (string, error) {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(headerJSON) + "." + enc.EncodeToString(payloadJSON)
	if key == nil {
		return input + ".", nil
	}

	method := jwt.GetSigningMethod(alg)
	if method == nil {
		return "", fmt.Errorf("gatetest: unknown signing algorithm %q", alg)
	}
	sig, err := method.Sign(input, key)
	if err != nil {
		return "", fmt.Errorf("gatetest: signing with %s: %w", alg, err)
	}
	return input + "." + enc.EncodeToString(sig), nil
}
