package benchmarks

import (
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The token cases. The first five are benchmarked; the last two only
// take part in the sanity checks.
const (
	// CaseValid is a token every stack must accept.
	CaseValid = "valid"

	// CaseExpired is correctly signed, but its exp passed an hour ago.
	CaseExpired = "expired"

	// CaseBadSignature names the issuer's key in its kid but is signed
	// by another key of the same kind: a forgery.
	CaseBadSignature = "badsig"

	// CaseUnknownKID names a kid the key set does not hold and is
	// signed by a key the issuer never published.
	CaseUnknownKID = "unknownkid"

	// CaseOversized is a forgery padded with a junk claim to just
	// under OversizedLength bytes (at most 3 short).
	CaseOversized = "oversized"

	// CaseWrongIssuer is correctly signed, for another issuer.
	CaseWrongIssuer = "wrongiss"

	// CaseWrongAudience is correctly signed, for another audience.
	CaseWrongAudience = "wrongaud"
)

// OversizedLength is the length of the CaseOversized token in bytes:
// just under jwtgate's default 8 KiB cap, so that every stack, jwtgate
// included, must look at the signature rather than at the length.
const OversizedLength = 8000

// Algorithms returns the benchmarked algorithms.
func Algorithms() []string { return []string{"RS256", "ES256", "EdDSA", "HS256"} }

// Cases returns the benchmarked token cases.
func Cases() []string {
	return []string{CaseValid, CaseExpired, CaseBadSignature, CaseUnknownKID, CaseOversized}
}

// SanityCases returns every case, the benchmarked ones first.
func SanityCases() []string {
	return append(Cases(), CaseWrongIssuer, CaseWrongAudience)
}

// Mint returns a token for every case of SanityCases, signed for alg.
// The valid token expires an hour after now.
func (iss *Issuer) Mint(alg string, now time.Time) (map[string]string, error) {
	k, f := iss.keys[alg], iss.forged[alg]
	if k == nil {
		return nil, fmt.Errorf("benchmarks: no key for algorithm %q", alg)
	}
	type recipe struct {
		key    *key
		kid    string
		change jwt.MapClaims
	}
	expired := jwt.MapClaims{
		"iat": now.Add(-2 * time.Hour).Unix(),
		"exp": now.Add(-time.Hour).Unix(),
	}
	recipes := map[string]recipe{
		CaseValid:         {k, k.kid, nil},
		CaseExpired:       {k, k.kid, expired},
		CaseBadSignature:  {f, k.kid, nil},
		CaseUnknownKID:    {f, "unknown-1", nil},
		CaseWrongIssuer:   {k, k.kid, jwt.MapClaims{"iss": "https://other-issuer.invalid"}},
		CaseWrongAudience: {k, k.kid, jwt.MapClaims{"aud": "https://other-api.invalid"}},
	}
	out := map[string]string{}
	for name, r := range recipes {
		tok, err := sign(r.key, r.kid, iss.claims(now, r.change))
		if err != nil {
			return nil, fmt.Errorf("benchmarks: signing the %s %s token: %w", alg, name, err)
		}
		out[name] = tok
	}
	big, err := iss.oversized(f, k.kid, now)
	if err != nil {
		return nil, err
	}
	out[CaseOversized] = big
	return out, nil
}

// MintValid returns n distinct valid tokens signed for alg, told apart
// by their jti claims, all expiring an hour after now.
func (iss *Issuer) MintValid(alg string, now time.Time, n int) ([]string, error) {
	k := iss.keys[alg]
	if k == nil {
		return nil, fmt.Errorf("benchmarks: no key for algorithm %q", alg)
	}
	out := make([]string, n)
	for i := range out {
		tok, err := sign(k, k.kid, iss.claims(now, jwt.MapClaims{"jti": fmt.Sprint("t", i)}))
		if err != nil {
			return nil, fmt.Errorf("benchmarks: signing %s token %d: %w", alg, i, err)
		}
		out[i] = tok
	}
	return out, nil
}

// claims returns the claims of a valid token, changed by change.
func (iss *Issuer) claims(now time.Time, change jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss":   iss.URL,
		"aud":   Audience,
		"sub":   Subject,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"scope": "read write",
	}
	for name, v := range change {
		c[name] = v
	}
	return c
}

// oversized returns a forgery by f under kid, padded to at most 3
// bytes under OversizedLength.
func (iss *Issuer) oversized(f *key, kid string, now time.Time) (string, error) {
	pad := 0
	for range 8 {
		tok, err := sign(f, kid, iss.claims(now, jwt.MapClaims{"pad": strings.Repeat("x", pad)}))
		if err != nil {
			return "", fmt.Errorf("benchmarks: signing the oversized token: %w", err)
		}
		short := OversizedLength - len(tok)
		if short >= 0 && short < 4 {
			return tok, nil
		}
		pad += short * 3 / 4
	}
	return "", fmt.Errorf("benchmarks: cannot pad a token to %d bytes", OversizedLength)
}
