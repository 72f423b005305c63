package jwtgate_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// Fuzz targets for the two kinds of hostile input a Gate reads: token
// strings and key-set documents. Their corpus lives in testdata/fuzz and
// runs with every go test.

// tokFuzzRSA returns a 2048-bit RSA key derived from a fixed seed, so
// that the tokens of the committed corpus keep verifying from one run to
// the next.
func tokFuzzRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	src := mrand.NewChaCha8([32]byte{'j', 'w', 't', 'g', 'a', 't', 'e', '-', 'f', 'u', 'z', 'z'})
	e := big.NewInt(65537)
	p, q := tokPrime(src, e), tokPrime(src, e)
	one := big.NewInt(1)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
		D:         new(big.Int).ModInverse(e, phi),
		Primes:    []*big.Int{p, q},
	}
	key.Precompute()
	if err := key.Validate(); err != nil {
		t.Fatalf("the fuzz RSA key: %v", err)
	}
	return key
}

// tokPrime draws 1024-bit odd numbers with the top two bits set from src
// until one is a prime p with p-1 prime to e.
func tokPrime(src io.Reader, e *big.Int) *big.Int {
	buf := make([]byte, 128)
	one := big.NewInt(1)
	for {
		_, _ = src.Read(buf)
		buf[0] |= 0xc0
		buf[len(buf)-1] |= 1
		p := new(big.Int).SetBytes(buf)
		pm1 := new(big.Int).Sub(p, one)
		if new(big.Int).GCD(nil, nil, pm1, e).Cmp(one) == 0 && p.ProbablyPrime(20) {
			return p
		}
	}
}

// tokFuzzKeys is what FuzzValidate's gates trust: the fixed RSA key,
// served as kid "fuzz-rsa" by an in-memory issuer, and tokSecret, the
// static issuer's HMAC secret.
type tokFuzzKeys struct {
	iss *gatetest.Issuer
	rsa *rsa.PrivateKey
}

// tokFuzzGates returns three Gates over the same keys: the remote RSA
// issuer alone, the static HMAC issuer alone, and both, so that the
// single-issuer and the several-issuer paths are fuzzed alike.
func tokFuzzGates(f *testing.F, k tokFuzzKeys) []*jwtgate.Gate {
	remote := jwtgate.Issuer{Name: k.iss.URL, JWKSURL: k.iss.JWKSURL()}
	var gates []*jwtgate.Gate
	for _, issuers := range [][]jwtgate.Issuer{
		{remote}, {tokStaticIssuer()}, {remote, tokStaticIssuer()},
	} {
		g, err := jwtgate.New(jwtgate.Config{
			Issuers:    issuers,
			Audience:   []string{gatetest.Audience},
			HTTPClient: k.iss.Client(),
			Now:        tokNow,
		})
		if err != nil {
			f.Fatalf("jwtgate.New: %v", err)
		}
		f.Cleanup(func() { g.Close() })
		gates = append(gates, g)
	}
	return gates
}

// tokFuzzSeeds returns tokens that reach every step of Validate: valid
// ones for each key and algorithm, and the catalogue's kinds of damage.
func tokFuzzSeeds(f *testing.F, k tokFuzzKeys) []string {
	payload := string(tokJSON(f, tokClaims(k.iss.URL, map[string]any{"scope": "read"})))
	staticPayload := string(tokJSON(f, tokClaims(tokStaticIss, nil)))
	rs := func(alg, header string) string {
		token, err := gatetest.SignRaw(alg, []byte(header), []byte(payload), k.rsa)
		if err != nil {
			f.Fatalf("SignRaw: %v", err)
		}
		return token
	}
	valid := rs("RS256", `{"alg":"RS256","kid":"fuzz-rsa","typ":"JWT"}`)
	hs := tokHS(tokHSHeader, staticPayload)
	h, p, _ := strings.Cut(valid, ".")
	return []string{
		valid,
		rs("PS256", `{"alg":"PS256","kid":"fuzz-rsa"}`),
		rs("RS512", `{"alg":"RS512"}`),
		rs("RS256", `{"alg":"RS256","kid":"fuzz-rsa","crit":["exp"]}`),
		rs("RS256", `{"alg":"RS256","kid":"other"}`),
		hs,
		tokHS(`{"alg":"HS256"}`, `{"iss":"`+tokStaticIss+`","exp":1}`),
		tokHS(`{"alg":"HS256","kid":"hs"}`, `{"iss":"`+tokStaticIss+`","exp":1,"exp":2}`),
		tokHS(`{"alg":"none"}`, staticPayload),
		tokB64(`{"alg":"none"}`) + "." + tokB64(staticPayload) + ".",
		tokB64(`{"alg":"HS256","kid":"key-1"}`) + "." + p + ".AAAA",
		h + "." + p + ".",
		h + ".." + valid[len(valid)-8:],
		"", ".", "..", "a.b.c", "eyJ9.eyJ9.AA",
	}
}

func FuzzValidate(f *testing.F) {
	k := tokFuzzKeys{iss: gatetest.NewInMemory(f), rsa: tokFuzzRSA(f)}
	k.iss.SetRawJWKS(tokJSON(f, map[string]any{"keys": []json.RawMessage{
		tokRSAJWK(f, &k.rsa.PublicKey, "fuzz-rsa", ""),
	}}))
	gates := tokFuzzGates(f, k)
	seeds := tokFuzzSeeds(f, k)
	tokFuzzReachable(f, gates, seeds[0], seeds[5])
	for _, seed := range seeds {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, token string) {
		for _, g := range gates {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			c, err := g.Validate(ctx, token)
			cancel()
			if err != nil {
				tokFuzzRejection(t, err)
				continue
			}
			tokFuzzAccepted(t, k, token, c)
		}
	})
}

// tokFuzzReachable fails unless the gates accept the valid seeds: the
// RSA token where the remote issuer is trusted, the HMAC token where the
// static one is, so that the fuzzer starts from tokens that pass.
func tokFuzzReachable(f *testing.F, gates []*jwtgate.Gate, rs, hs string) {
	f.Helper()
	for i, want := range [][2]bool{{true, false}, {false, true}, {true, true}} {
		for j, token := range []string{rs, hs} {
			_, err := gates[i].Validate(context.Background(), token)
			if (err == nil) != want[j] {
				f.Fatalf("gate %d, seed %d: %v", i, j, err)
			}
		}
	}
}

// tokFuzzRejection checks that a rejection is an *Error with a reason a
// token can earn: never a 503 from these healthy issuers.
func tokFuzzRejection(t *testing.T, err error) {
	t.Helper()
	var e *jwtgate.Error
	if !errors.As(err, &e) || e.Reason == nil {
		t.Fatalf("Validate returned %T %v, not an *Error", err, err)
	}
	if e.Reason == jwtgate.ErrKeysUnavailable || e.Reason == jwtgate.ErrClosed {
		t.Fatalf("Validate: %v", err)
	}
	if r := jwtgate.ResponseFor(err, tokRealm); r.Status != 401 && r.Status != 403 {
		t.Fatalf("a token rejection mapped to status %d", r.Status)
	}
}

// tokFuzzAccepted checks an accepted token against golang-jwt's own
// parser with the key its issuer owns, and its claims against the token.
func tokFuzzAccepted(t *testing.T, k tokFuzzKeys, token string, c *jwtgate.Claims) {
	t.Helper()
	var key any
	switch {
	case c.Issuer == tokStaticIss && strings.HasPrefix(c.Algorithm, "HS"):
		key = []byte(tokSecret)
	case c.Issuer == k.iss.URL && (strings.HasPrefix(c.Algorithm, "RS") ||
		strings.HasPrefix(c.Algorithm, "PS")):
		key = &k.rsa.PublicKey
	default:
		t.Fatalf("accepted a %s token of issuer %q, which has no such key", c.Algorithm, c.Issuer)
	}
	parsed, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{c.Algorithm}), jwt.WithoutClaimsValidation())
	if err != nil || !parsed.Valid {
		t.Fatalf("the Gate accepted a token golang-jwt refuses: %v", err)
	}
	_, payload, _ := strings.Cut(token, ".")
	payload, _, _ = strings.Cut(payload, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || !bytes.Equal(raw, c.Raw) {
		t.Fatalf("Claims.Raw is not the payload as signed")
	}
	if !json.Valid(c.Raw) || c.ExpiresAt.IsZero() || !tokNow().Before(c.ExpiresAt) {
		t.Fatalf("accepted claims with exp %v", c.ExpiresAt)
	}
}

// tokAllAlgs are the names FuzzJWKS asks the Gate for a key under.
func tokAllAlgs() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
		"ES512", "EdDSA", "HS256", "HS384", "HS512", "none"}
}

// tokJWKSSeeds returns key-set documents with every kind of key the
// loader knows and the kinds it must skip.
func tokJWKSSeeds(f *testing.F, iss *gatetest.Issuer) [][]byte {
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA"} {
		iss.AddKey(alg, "")
	}
	pub := &tokFuzzRSA(f).PublicKey
	iss.AddRawJWK(tokRSAJWK(f, pub, "no-alg", ""))
	iss.AddRawJWK(tokJWKVariant(pub, "enc", `"kty":"RSA"`, `"use":"enc"`))
	iss.AddRawJWK(tokJWKVariant(pub, "ops", `"kty":"RSA"`, `"key_ops":["encrypt"]`))
	iss.AddRawJWK(tokJWKVariant(pub, "private", `"kty":"RSA"`, `"d":"AQAB"`))
	iss.AddRawJWK(json.RawMessage(`{"kty":"oct","kid":"oct","k":"` +
		base64.RawURLEncoding.EncodeToString([]byte(tokSecret)) + `"}`))
	resp, err := iss.Client().Get(iss.JWKSURL())
	if err != nil {
		f.Fatalf("fetching the seed key set: %v", err)
	}
	defer resp.Body.Close()
	full, err := io.ReadAll(resp.Body)
	if err != nil {
		f.Fatalf("reading the seed key set: %v", err)
	}
	return [][]byte{
		full,
		[]byte(`{"keys":[]}`),
		[]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA","kid":"bad"}]}`),
		[]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` +
			base64.RawURLEncoding.EncodeToString(make([]byte, 32)) + `","kid":"zero"}]}`),
		[]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}],"keys":[]}`),
		[]byte(`{"keys":{"kty":"RSA"}}`),
		[]byte(`[]`),
	}
}

func FuzzJWKS(f *testing.F) {
	iss := gatetest.NewInMemory(f)
	for _, seed := range tokJWKSSeeds(f, iss) {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		iss.SetRawJWKS(body)
		g, err := jwtgate.New(jwtgate.Config{
			Issuers:      []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
			SkipAudience: true,
			HTTPClient:   iss.Client(),
		})
		if err != nil {
			t.Fatalf("jwtgate.New: %v", err)
		}
		defer g.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		entries := tokJWKEntries(body)
		for kid, entry := range entries {
			for _, alg := range tokAllAlgs() {
				key, err := g.Key(ctx, iss.URL, kid, alg)
				if err != nil {
					continue
				}
				tokFuzzKeyFits(t, kid, alg, key)
				tokFuzzEntryAllows(t, kid, alg, entry)
			}
		}
	})
}

// tokJWKEntries returns the kids of a key-set document, read leniently,
// each with its JWK's members when exactly one JWK has that kid, and ""
// for a token without kid. It returns at most 16 kids.
func tokJWKEntries(body []byte) map[string]map[string]any {
	out := map[string]map[string]any{"": nil}
	var doc struct{ Keys []map[string]any }
	if json.Unmarshal(body, &doc) != nil {
		return out
	}
	count := map[string]int{}
	for _, k := range doc.Keys {
		// A token without kid uses the set's only key whatever its kid,
		// so "" stays unbound to any JWK.
		if kid, ok := k["kid"].(string); ok && kid != "" && len(out) < 16 {
			count[kid]++
			out[kid] = k
		}
	}
	for kid, n := range count {
		if n > 1 {
			out[kid] = nil
		}
	}
	return out
}

// tokFuzzKeyFits fails when the Gate offers key for an algorithm its type
// does not fit, or a key the bar says it must never use.
func tokFuzzKeyFits(t *testing.T, kid, alg string, key any) {
	t.Helper()
	ok := false
	switch k := key.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		ok = strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
		ok = ok && bits >= 2048 && bits <= 8192 && k.E >= 3 && k.E%2 == 1
	case *ecdsa.PublicKey:
		curves := map[string]elliptic.Curve{
			"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521(),
		}
		ok = curves[alg] != nil && k.Curve == curves[alg]
	case ed25519.PublicKey:
		ok = alg == "EdDSA" && len(k) == ed25519.PublicKeySize
	}
	if !ok {
		t.Fatalf("kid %q: the Gate offers a %T for %s", kid, key, alg)
	}
}

// tokFuzzEntryAllows fails when the only JWK with kid forbids the use the
// Gate made of it: another alg, a use other than sig, key_ops without
// verify, or private members. Entries with a case variant of one of those
// member names are left out: TestTokensJWKMemberCase covers them.
func tokFuzzEntryAllows(t *testing.T, kid, alg string, entry map[string]any) {
	t.Helper()
	if entry == nil {
		return
	}
	watched := []string{"alg", "use", "key_ops", "d", "p", "q", "dp", "dq", "qi", "oth", "k"}
	for name := range entry {
		for _, w := range watched {
			if name != w && strings.EqualFold(name, w) {
				return
			}
		}
	}
	for _, private := range watched[3:] {
		if _, ok := entry[private]; ok {
			t.Fatalf("kid %q: a key with private member %q was used", kid, private)
		}
	}
	if a, ok := entry["alg"].(string); ok && a != "" && a != alg {
		t.Fatalf("kid %q: a key for %s was used for %s", kid, a, alg)
	}
	if u, ok := entry["use"].(string); ok && u != "sig" {
		t.Fatalf("kid %q: a key for use %q was used", kid, u)
	}
	if ops, ok := entry["key_ops"]; ok {
		list, _ := ops.([]any)
		for _, op := range list {
			if op == "verify" {
				return
			}
		}
		t.Fatalf("kid %q: a key whose key_ops lack verify was used", kid)
	}
}
