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
	"math"
	"math/big"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
	key, err := tokRSAFromPrimes(tokPrime(src, e), tokPrime(src, e))
	if err != nil {
		t.Fatalf("the fuzz RSA key: %v", err)
	}
	return key
}

// tokRSAFromPrimes returns the RSA key with exponent 65537 whose primes
// are p and q, each prime to 65537 less one.
func tokRSAFromPrimes(p, q *big.Int) (*rsa.PrivateKey, error) {
	one := big.NewInt(1)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
		D:         new(big.Int).ModInverse(big.NewInt(65537), phi),
		Primes:    []*big.Int{p, q},
	}
	key.Precompute()
	return key, key.Validate()
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
			// Only keys are looked up: the token cache's table would be
			// allocated for every input and never used.
			DisableTokenCache: true,
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

// FuzzTokenParse fuzzes the JSON reader of headers and claims apart
// from the encoding and the signature: every input pair is signed
// correctly with the static HS256 secret, so each token reaches the
// parser and, if it parses, the claims checks. An accepted token must be
// what a strict reading with encoding/json makes of it: one object per
// segment, valid UTF-8, no member name twice at any depth, alg HS256,
// no crit, and claims equal to those encoding/json reads.
func FuzzTokenParse(f *testing.F) {
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:      []jwtgate.Issuer{tokStaticIssuer()},
		SkipAudience: true,
		ExpOptional:  true,
		Now:          tokNow,
	})
	if err != nil {
		f.Fatalf("jwtgate.New: %v", err)
	}
	f.Cleanup(func() { g.Close() })
	for _, seed := range tokParseSeeds() {
		f.Add(seed[0], seed[1])
	}

	f.Fuzz(func(t *testing.T, header, payload string) {
		token := tokHS(header, payload)
		c, err := g.Validate(context.Background(), token)
		if err != nil {
			tokFuzzRejection(t, err)
			return
		}
		tokStrictObject(t, "header", header)
		tokStrictObject(t, "payload", payload)
		tokCheckHeader(t, header)
		tokCheckClaims(t, payload, c)
	})
}

// tokParseSeeds are header and payload pairs for FuzzTokenParse.
func tokParseSeeds() [][2]string {
	body := tokBody(tokStaticIss, nil)
	inner := strings.TrimSuffix(body, "}")
	return [][2]string{
		{tokHSHeader, body},
		{`{"alg":"HS256"}`, `{"iss":"` + tokStaticIss + `"}`},
		{`{"alg":"\u0048S256","kid":"h\u0073"}`, `{"iss":"https:\/\/static.jwtgate.test"}`},
		{`{"alg":"HS256","typ":"at+jwt","x":[1,{"y":null}]}`, inner + `,"scope":"a b"}`},
		{`{"alg":"HS256"}`, inner + `,"aud":["x","y"],"scp":["s"],"jti":"\u00e9\ud83d\ude00"}`},
		{`{"alg":"HS256"}`, inner + `,"nbf":1899999999.999,"x":{"a":{"b":[[[]]]}}}`},
		{`{"alg":"HS256","alg":"HS256"}`, body},
		{`{"alg":"HS256"}`, inner + `,"sub":"x"}`},
		{`{"alg":"HS256","crit":["exp"]}`, body},
		{`{"alg":"HS256","b64":true}`, `{"iss":"` + tokStaticIss + `","exp":1.9e9}`},
		{`{"alg":"HS256"}`, `{"iss":"` + tokStaticIss + `","exp":19000036e2}`},
		{"{\"alg\":\"HS256\",\"x\":\"\xff\"}", body},
		{`{"alg":"HS256"}`, `{"iss":"` + tokStaticIss + `","x":"\ud800"}`},
		{` {"alg":"HS256"} `, "\t" + body + "\n"},
	}
}

// tokStrictObject fails unless s is one JSON object in valid UTF-8 with
// no member name twice in any object, as encoding/json reads names.
func tokStrictObject(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) || !json.Valid([]byte(s)) {
		t.Fatalf("accepted a %s that is not valid JSON in UTF-8: %q", what, s)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	first, err := dec.Token()
	if err != nil || first != json.Delim('{') {
		t.Fatalf("accepted a %s that is not an object: %q", what, s)
	}
	if err := tokNoDuplicates(dec, true); err != nil {
		t.Fatalf("accepted a %s with %v: %q", what, err, s)
	}
}

// tokNoDuplicates reads the rest of an object (or array) whose opening
// delimiter dec has just returned, and fails on a repeated member name.
func tokNoDuplicates(dec *json.Decoder, object bool) error {
	seen := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			return nil
		}
		if object {
			name := tok.(string)
			if seen[name] {
				return errors.New("duplicate member " + strconv.Quote(name))
			}
			seen[name] = true
			if tok, err = dec.Token(); err != nil {
				return err
			}
		}
		if d, ok := tok.(json.Delim); ok {
			if err := tokNoDuplicates(dec, d == '{'); err != nil {
				return err
			}
		}
	}
}

// tokCheckHeader fails unless the header of an accepted token reads, with
// encoding/json, as alg HS256 without crit, with b64 true if present.
func tokCheckHeader(t *testing.T, header string) {
	t.Helper()
	var h map[string]any
	if err := json.Unmarshal([]byte(header), &h); err != nil {
		t.Fatalf("header: %v", err)
	}
	if h["alg"] != "HS256" {
		t.Fatalf("accepted a header whose alg reads %#v", h["alg"])
	}
	if _, ok := h["crit"]; ok {
		t.Fatalf("accepted a header with crit")
	}
	if b, ok := h["b64"]; ok && b != true {
		t.Fatalf("accepted a header with b64 %#v", b)
	}
	if kid, ok := h["kid"]; ok && kid != "hs" {
		t.Fatalf("accepted a header whose kid reads %#v", kid)
	}
}

// tokCheckClaims fails unless the claims of an accepted token are what
// encoding/json reads from its payload, and pass the gate's clock.
func tokCheckClaims(t *testing.T, payload string, c *jwtgate.Claims) {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if string(c.Raw) != payload {
		t.Fatalf("Claims.Raw is not the payload")
	}
	for name, got := range map[string]string{"iss": c.Issuer, "sub": c.Subject, "jti": c.ID} {
		if v, ok := m[name]; ok && v != got || !ok && got != "" {
			t.Fatalf("%s reads %#v, the Gate read %q", name, v, got)
		}
	}
	if c.Issuer != tokStaticIss {
		t.Fatalf("accepted issuer %q", c.Issuer)
	}
	tokCheckAudience(t, m["aud"], c.Audience)
	now := tokNow()
	for _, d := range []struct {
		name  string
		got   time.Time
		valid func(time.Time) bool
	}{
		{"exp", c.ExpiresAt, now.Before},
		{"nbf", c.NotBefore, func(v time.Time) bool { return !v.After(now) }},
		{"iat", c.IssuedAt, func(v time.Time) bool { return !v.After(now) }},
	} {
		tokCheckDate(t, d.name, m[d.name], d.got, d.valid)
	}
}

// tokCheckAudience compares aud as encoding/json reads it with the
// Gate's reading.
func tokCheckAudience(t *testing.T, v any, got []string) {
	t.Helper()
	var want []string
	switch a := v.(type) {
	case nil:
	case string:
		want = []string{a}
	case []any:
		for _, e := range a {
			s, ok := e.(string)
			if !ok || s == "" {
				t.Fatalf("accepted aud %#v", v)
			}
			want = append(want, s)
		}
	default:
		t.Fatalf("accepted aud %#v", v)
	}
	if len(want) != len(got) || strings.Join(want, "\x00") != strings.Join(got, "\x00") {
		t.Fatalf("aud reads %q, the Gate read %q", want, got)
	}
}

// tokCheckDate compares a NumericDate as encoding/json reads it with the
// Gate's reading, to within the precision of a float64, and checks that
// it is valid now.
func tokCheckDate(t *testing.T, name string, v any, got time.Time, valid func(time.Time) bool) {
	t.Helper()
	if v == nil {
		if !got.IsZero() {
			t.Fatalf("%s absent, the Gate read %v", name, got)
		}
		return
	}
	n, ok := v.(json.Number)
	f, err := n.Float64()
	if !ok || err != nil || !(f > 0 && f < 1<<53) {
		t.Fatalf("accepted %s %#v", name, v)
	}
	read := float64(got.Unix()) + float64(got.Nanosecond())/1e9
	if math.Abs(read-f) > 1e-6+f*0x1p-50 {
		t.Fatalf("%s reads %v, the Gate read %v", name, f, got)
	}
	if !valid(got) {
		t.Fatalf("accepted %s %v at %v", name, got, tokNow())
	}
}
