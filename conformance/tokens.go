package conformance

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/core/gatetest"
)

// Tokens of the cases. Each is a function of the env, called on the
// goroutine of the case's test, so that minting can fail the test.

// valid is an RS256 token with the default claims.
func valid(e *env) string { return e.rs256(nil) }

// withClaims is an RS256 token with the default claims changed by c; a
// nil value removes a claim.
func withClaims(c map[string]any) func(e *env) string {
	return func(e *env) string { return e.rs256(c) }
}

// withOptions is an RS256 token signed as opts say.
func withOptions(opts ...gatetest.TokenOption) func(e *env) string {
	return func(e *env) string { return e.rs256(nil, opts...) }
}

// ofKey is a token signed with the shared issuer's key kid.
func ofKey(kid string) func(e *env) string {
	return func(e *env) string { return e.iss.Mint(nil, gatetest.WithKey(kid)) }
}

// hs256 is a token of the static HS256 issuer.
func hs256(e *env) string { return e.hs256(map[string]any{"sub": "hs-user"}) }

// literal is a fixed string in place of a token.
func literal(s string) func(e *env) string {
	return func(*env) string { return s }
}

// fromNow is the NumericDate d from now.
func fromNow(d time.Duration) int64 { return time.Now().Add(d).Unix() }

// segments splits a compact JWS into its three parts.
func segments(tok string) (header, payload, sig string) {
	parts := strings.SplitN(tok, ".", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2]
}

// b64JSON is the base64url encoding of a JSON text.
func b64JSON(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// forgedSignature is a token for another subject that carries the
// signature of a genuine token: the signature does not verify.
func forgedSignature(e *env) string {
	_, _, sig := segments(e.rs256(nil))
	h, p, _ := segments(e.rs256(map[string]any{"sub": "mallory"}))
	return h + "." + p + "." + sig
}

// algNoneSigned is a genuine token whose header was replaced by one
// naming alg variant, the signature left in place.
func algNoneSigned(variant string) func(e *env) string {
	return func(e *env) string {
		_, p, sig := segments(e.rs256(nil))
		h := b64JSON(`{"alg":"` + variant + `","typ":"JWT","kid":"key-1"}`)
		return h + "." + p + "." + sig
	}
}

// algNoneUnsigned is an unsigned token with alg none.
func algNoneUnsigned(e *env) string {
	e.t.Helper()
	tok, err := gatetest.Sign(map[string]any{"alg": "none", "typ": "JWT"}, e.claims(nil), nil)
	if err != nil {
		e.t.Fatalf("conformance: %v", err)
	}
	return tok
}

// hsWithRSAKey is an HS256 token keyed with the RSA public key of the
// shared issuer, encoded as form says: "pem", "der" or "modulus".
func hsWithRSAKey(form string) func(e *env) string {
	return func(e *env) string {
		e.t.Helper()
		pub := e.iss.PublicKey(kidRS256).(*rsa.PublicKey)
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			e.t.Fatalf("conformance: %v", err)
		}
		key := map[string][]byte{
			"pem":     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
			"der":     der,
			"modulus": pub.N.Bytes(),
		}[form]
		payload, err := json.Marshal(e.claims(nil))
		if err != nil {
			e.t.Fatalf("conformance: %v", err)
		}
		return e.signRaw("HS256", `{"alg":"HS256","typ":"JWT","kid":"key-1"}`, string(payload), key)
	}
}

// duplicateClaim is a validly signed token whose payload names sub
// twice.
func duplicateClaim(e *env) string {
	payload := fmt.Sprintf(`{"iss":%q,"aud":%q,"sub":"user-1","sub":"admin","exp":%d}`,
		e.iss.URL, gatetest.Audience, fromNow(time.Hour))
	return e.signRaw("RS256", `{"alg":"RS256","typ":"JWT","kid":"key-1"}`, payload,
		e.iss.PrivateKey(kidRS256))
}

// duplicateHeader is a validly signed token whose header names kid
// twice.
func duplicateHeader(e *env) string {
	payload, err := json.Marshal(e.claims(nil))
	if err != nil {
		e.t.Fatalf("conformance: %v", err)
	}
	return e.signRaw("RS256", `{"alg":"RS256","kid":"key-1","kid":"ps-1"}`, string(payload),
		e.iss.PrivateKey(kidRS256))
}

// oversized is a valid token padded beyond the default 8 KiB limit.
func oversized(e *env) string {
	return e.rs256(map[string]any{"pad": strings.Repeat("x", 9<<10)})
}
