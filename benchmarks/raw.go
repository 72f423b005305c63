package benchmarks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// check is a raw stack's whole work on one token: true to accept.
type check func() bool

// Do runs the check and answers 200 or 401.
func (f check) Do() int {
	if f() {
		return http.StatusOK
	}
	return http.StatusUnauthorized
}

// Body returns nil: a raw stack has no response.
func (check) Body() []byte { return nil }

// newVerifyStack is the signature floor: the hash and the signature
// check of the standard library alone, on a signing input and a
// signature decoded beforehand, with the issuer's key for alg. For
// HS256 the HMAC's key schedule runs once per requester, as a pooled
// verifier would keep it.
func newVerifyStack(e *Env, alg string) (*Stack, error) {
	pub := e.Issuer.PublicKey(alg)
	return &Stack{
		Framework: FrameworkRaw, Name: StackVerify, Alg: alg, Kind: KindFloor,
		Config:        "hash + " + verifyPrimitive(alg) + " on a pre-decoded signature",
		SignatureOnly: true,
		newRequester: rawServing(func(token string) Requester {
			return newVerifier(alg, pub, token)
		}),
	}, nil
}

// verifyPrimitive names the standard library call of the floor.
func verifyPrimitive(alg string) string {
	switch alg {
	case "RS256":
		return "rsa.VerifyPKCS1v15"
	case "ES256":
		return "ecdsa.Verify"
	case "EdDSA":
		return "ed25519.Verify"
	}
	return "HMAC (one reused state) + hmac.Equal"
}

// newVerifier returns the floor's check of token under pub.
func newVerifier(alg string, pub any, token string) check {
	dot := strings.LastIndexByte(token, '.')
	input := []byte(token[:max(dot, 0)])
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if dot < 0 || err != nil {
		return func() bool { return false }
	}
	switch alg {
	case "RS256":
		k := pub.(*rsa.PublicKey)
		return func() bool {
			h := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil
		}
	case "ES256":
		return ecdsaVerifier(pub.(*ecdsa.PublicKey), input, sig)
	case "EdDSA":
		k := pub.(ed25519.PublicKey)
		return func() bool { return ed25519.Verify(k, input, sig) }
	}
	return hmacVerifier(pub.([]byte), input, sig)
}

// ecdsaVerifier checks a P-256 signature split beforehand into r and s.
func ecdsaVerifier(k *ecdsa.PublicKey, input, sig []byte) check {
	if len(sig) != 64 {
		return func() bool { return false }
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	return func() bool {
		h := sha256.Sum256(input)
		return ecdsa.Verify(k, h[:], r, s)
	}
}

// hmacVerifier checks an HS256 tag with one HMAC state, reset per use.
func hmacVerifier(secret, input, sig []byte) check {
	mac := hmac.New(sha256.New, secret)
	var buf [sha256.Size]byte
	return func() bool {
		mac.Reset()
		mac.Write(input)
		return hmac.Equal(mac.Sum(buf[:0]), sig)
	}
}

// newJWTParseStack is golang-jwt's parsing with a fixed key and the
// checks of parserOptions: what any golang-jwt based middleware pays
// before its own key lookup and framework glue.
func newJWTParseStack(e *Env, alg string) (*Stack, error) {
	p := jwt.NewParser(e.parserOptions(alg)...)
	pub := e.Issuer.PublicKey(alg)
	keyFunc := func(*jwt.Token) (any, error) { return pub, nil }
	return &Stack{
		Framework: FrameworkRaw, Name: StackJWTParse, Alg: alg, Kind: KindFloor,
		Config: parserConfig + ".Parse(token, fixed key)",
		newRequester: rawServing(func(token string) Requester {
			return check(func() bool {
				_, err := p.Parse(token, keyFunc)
				return err == nil
			})
		}),
	}, nil
}

// newCoreStack is jwtgate's Gate.Validate alone, with the Gate the
// adapter stacks use, its token cache on or off as theirs: the
// difference between an adapter and this, less the bare framework, is
// what the adapter itself costs.
func newCoreStack(e *Env, alg string, cached bool) (*Stack, error) {
	ctx := context.Background()
	return e.gateStack(FrameworkRaw, alg, cached, "gate.Validate(ctx, token)",
		func(g *jwtgate.Gate) serving {
			return rawServing(func(token string) Requester {
				return check(func() bool {
					_, err := g.Validate(ctx, token)
					return err == nil
				})
			})
		})
}
