package jwtgate_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The catalogue of hostile and borderline tokens from SECURITY-BAR.md,
// part A ("Tokens"), run through Gate.Validate. Every case names the
// sentinel the core documents for it and checks the HTTP response that
// ResponseFor maps it to.

const (
	// tokSecret is the static HMAC secret of the catalogue: 64 bytes,
	// long enough for HS512.
	tokSecret = "tok-catalogue-secret/0123456789abcdef0123456789abcdef0123456789a"

	// tokStaticIss names the issuer whose only key is tokSecret.
	tokStaticIss = "https://static.jwtgate.test"

	// tokHSHeader is the header of the catalogue's static HS256 tokens.
	tokHSHeader = `{"alg":"HS256","kid":"hs","typ":"JWT"}`

	// tokRealm is the realm the catalogue's responses are built with.
	tokRealm = "catalogue"
)

// tokNow is the fixed clock of the catalogue's gates, so that claims
// written as literal numbers stay valid or expired forever.
func tokNow() time.Time { return time.Unix(tokUnix, 0) }

// tokUnix is tokNow in Unix seconds.
const tokUnix = 1_900_000_000

// tokCase is one token and the sentinel Validate must return for it, or
// nil when the token must be accepted.
type tokCase struct {
	name  string
	token string
	want  error
}

// tokGate builds a Gate from cfg, after mod when it is not nil, and
// closes it when the test ends.
func tokGate(t *testing.T, cfg jwtgate.Config, mod func(*jwtgate.Config)) *jwtgate.Gate {
	t.Helper()
	if mod != nil {
		mod(&cfg)
	}
	g, err := jwtgate.New(cfg)
	if err != nil {
		t.Fatalf("jwtgate.New: %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// tokRemoteConfig is a configuration with iss as the only issuer, its
// keys fetched through the issuer's in-process client.
func tokRemoteConfig(iss *gatetest.Issuer) jwtgate.Config {
	return jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		HTTPClient: iss.Client(),
		Now:        tokNow,
	}
}

// tokStaticIssuer is the issuer whose only key is the HMAC tokSecret
// under kid "hs", fit for HS256, HS384 and HS512.
func tokStaticIssuer() jwtgate.Issuer {
	key := jwtgate.StaticKey{ID: "hs", Key: []byte(tokSecret)}
	return jwtgate.Issuer{Name: tokStaticIss, Keys: []jwtgate.StaticKey{key}}
}

// tokStaticConfig is a configuration with tokStaticIssuer alone.
func tokStaticConfig() jwtgate.Config {
	return jwtgate.Config{
		Issuers:  []jwtgate.Issuer{tokStaticIssuer()},
		Audience: []string{gatetest.Audience},
		Now:      tokNow,
	}
}

// tokRemote returns an in-memory issuer and a Gate that trusts it.
func tokRemote(t *testing.T, mod func(*jwtgate.Config)) (*gatetest.Issuer, *jwtgate.Gate) {
	t.Helper()
	iss := gatetest.NewInMemory(t)
	return iss, tokGate(t, tokRemoteConfig(iss), mod)
}

// tokReady waits for every remote key set of g.
func tokReady(t *testing.T, g *jwtgate.Gate) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
}

// tokClaims returns claims for Mint or Sign: iss, the gatetest audience,
// sub, and iat and exp around tokNow, overridden by extra. A nil value in
// extra stays in the map, so that Mint removes that claim.
func tokClaims(iss string, extra map[string]any) map[string]any {
	c := map[string]any{
		"iss": iss,
		"aud": gatetest.Audience,
		"sub": "user-1",
		"iat": tokUnix - 60,
		"exp": tokUnix + 3600,
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// tokMint mints a token of iss with tokClaims.
func tokMint(iss *gatetest.Issuer, extra map[string]any, opts ...gatetest.TokenOption) string {
	return iss.Mint(tokClaims(iss.URL, extra), opts...)
}

// tokB64 encodes s as unpadded base64url.
func tokB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// tokSplit returns the three segments of a compact token.
func tokSplit(t *testing.T, token string) (h, p, s string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	return parts[0], parts[1], parts[2]
}

// tokSig decodes the signature segment of token.
func tokSig(t *testing.T, token string) []byte {
	t.Helper()
	_, _, s := tokSplit(t, token)
	sig, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decoding signature: %v", err)
	}
	return sig
}

// tokResign returns token with its signature replaced by sig.
func tokResign(t *testing.T, token string, sig []byte) string {
	t.Helper()
	h, p, _ := tokSplit(t, token)
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// tokHMACInput signs input, taken as the first two segments exactly as
// given, with HS256 and tokSecret.
func tokHMACInput(input string) string {
	m := hmac.New(sha256.New, []byte(tokSecret))
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// tokHS returns an HS256 token of the raw header and payload JSON.
func tokHS(header, payload string) string {
	return tokHMACInput(tokB64(header) + "." + tokB64(payload))
}

// tokBody returns a claims object for iss: iss, aud, sub, iat and exp
// around tokNow, each replaced by the raw JSON over gives for it or left
// out when over maps it to "", then the raw members of extra.
func tokBody(iss string, over map[string]string, extra ...string) string {
	std := []struct{ name, value string }{
		{"iss", `"` + iss + `"`},
		{"aud", `"` + gatetest.Audience + `"`},
		{"sub", `"user-1"`},
		{"iat", "1899999940"},
		{"exp", "1900003600"},
	}
	var members []string
	for _, m := range std {
		v, ok := over[m.name]
		if !ok {
			v = m.value
		}
		if v != "" {
			members = append(members, `"`+m.name+`":`+v)
		}
	}
	members = append(members, extra...)
	return "{" + strings.Join(members, ",") + "}"
}

// tokHSBody is tokHS with tokHSHeader and a tokBody of the static issuer.
func tokHSBody(over map[string]string, extra ...string) string {
	return tokHS(tokHSHeader, tokBody(tokStaticIss, over, extra...))
}

// tokSignRaw is gatetest.SignRaw that fails the test on error.
func tokSignRaw(t *testing.T, alg, header, payload string, key any) string {
	t.Helper()
	token, err := gatetest.SignRaw(alg, []byte(header), []byte(payload), key)
	if err != nil {
		t.Fatalf("SignRaw: %v", err)
	}
	return token
}

// tokSign is gatetest.Sign that fails the test on error.
func tokSign(t *testing.T, header, claims map[string]any, key any) string {
	t.Helper()
	token, err := gatetest.Sign(header, claims, key)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return token
}

// tokValidate runs g.Validate with a deadline, so that no case can hang.
func tokValidate(t *testing.T, g *jwtgate.Gate, token string) (*jwtgate.Claims, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return g.Validate(ctx, token)
}

// tokRun validates every case in a subtest of its own.
func tokRun(t *testing.T, g *jwtgate.Gate, cases []tokCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tokValidate(t, g, tc.token)
			tokExpect(t, tc.token, err, tc.want)
		})
	}
}

// tokExpect checks that err is the rejection want names, or nil when want
// is nil, and that its response is the one the bar gives that reason.
func tokExpect(t *testing.T, token string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("Validate: %v; want the token accepted", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("Validate accepted the token; want %v", want)
	}
	if !errors.Is(err, want) || jwtgate.Reason(err) != want {
		t.Fatalf("Validate: %v (reason %v); want %v", err, jwtgate.Reason(err), want)
	}
	var e *jwtgate.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate: %T is not a *jwtgate.Error", err)
	}
	tokCheckResponse(t, token, err, want)
}

// tokMapping returns the status and RFC 6750 error code the bar assigns
// to a reason; the code is "" when the challenge carries none.
func tokMapping(reason error) (int, string) {
	switch reason {
	case jwtgate.ErrInsufficientScope:
		return http.StatusForbidden, "insufficient_scope"
	case jwtgate.ErrKeysUnavailable:
		return http.StatusServiceUnavailable, ""
	case jwtgate.ErrRequestMalformed:
		return http.StatusBadRequest, "invalid_request"
	case jwtgate.ErrTokenMissing:
		return http.StatusUnauthorized, ""
	}
	return http.StatusUnauthorized, "invalid_token"
}

// tokCheckResponse checks the response ResponseFor builds for err: its
// status, its challenge's error code, Retry-After for a 503, and that
// it echoes no part of the token.
func tokCheckResponse(t *testing.T, token string, err, want error) {
	t.Helper()
	r := jwtgate.ResponseFor(err, tokRealm)
	status, code := tokMapping(want)
	if r.Status != status {
		t.Errorf("response status %d, want %d", r.Status, status)
	}
	if !strings.HasPrefix(r.WWWAuthenticate, `Bearer realm="`+tokRealm+`"`) {
		t.Errorf("challenge %q lacks the realm", r.WWWAuthenticate)
	}
	hasCode := strings.Contains(r.WWWAuthenticate, "error=")
	switch {
	case code == "" && hasCode:
		t.Errorf("challenge %q carries an error code, want none", r.WWWAuthenticate)
	case code != "" && !strings.Contains(r.WWWAuthenticate, `error="`+code+`"`):
		t.Errorf("challenge %q, want error=%q", r.WWWAuthenticate, code)
	}
	if (status == http.StatusServiceUnavailable) != (r.RetryAfter != "") {
		t.Errorf("Retry-After %q with status %d", r.RetryAfter, status)
	}
	tokCheckNoEcho(t, token, r)
}

// tokCheckNoEcho fails when the response holds the token or one of its
// longer segments.
func tokCheckNoEcho(t *testing.T, token string, r jwtgate.Response) {
	t.Helper()
	for _, part := range append(strings.SplitN(token, ".", 4), token) {
		if len(part) < 24 {
			continue
		}
		if strings.Contains(r.WWWAuthenticate, part) || bytes.Contains(r.Body, []byte(part)) {
			t.Errorf("the response echoes the token")
			return
		}
	}
}

// tokRSAJWK returns a JWK publishing pub under kid, with an alg member
// unless alg is empty.
func tokRSAJWK(t testing.TB, pub *rsa.PublicKey, kid, alg string) json.RawMessage {
	t.Helper()
	m := map[string]string{
		"kty": "RSA",
		"kid": kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
	if alg != "" {
		m["alg"] = alg
	}
	return tokJSON(t, m)
}

// tokECJWK returns a JWK publishing pub under kid with the given alg.
func tokECJWK(t testing.TB, pub *ecdsa.PublicKey, kid, alg string) json.RawMessage {
	t.Helper()
	point, err := pub.Bytes()
	if err != nil {
		t.Fatalf("encoding EC key: %v", err)
	}
	size := (len(point) - 1) / 2
	return tokJSON(t, map[string]string{
		"kty": "EC",
		"kid": kid,
		"alg": alg,
		"crv": pub.Curve.Params().Name,
		"x":   base64.RawURLEncoding.EncodeToString(point[1 : 1+size]),
		"y":   base64.RawURLEncoding.EncodeToString(point[1+size:]),
	})
}

// tokJSON marshals v or fails the test.
func tokJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return b
}

// tokRSA returns the issuer's RSA private key kid.
func tokRSA(t *testing.T, iss *gatetest.Issuer, kid string) *rsa.PrivateKey {
	t.Helper()
	k, ok := iss.PrivateKey(kid).(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("key %q is not an RSA key", kid)
	}
	return k
}

// tokEC returns the issuer's ECDSA private key kid.
func tokEC(t *testing.T, iss *gatetest.Issuer, kid string) *ecdsa.PrivateKey {
	t.Helper()
	k, ok := iss.PrivateKey(kid).(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("key %q is not an ECDSA key", kid)
	}
	return k
}

// tokECSign signs input with key over the digest of h, whatever the
// key's curve, and returns the JWS form: R and S left-padded to size.
func tokECSign(t *testing.T, key *ecdsa.PrivateKey, h hash.Hash, input string, size int) []byte {
	t.Helper()
	h.Write([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, h.Sum(nil))
	if err != nil {
		t.Fatalf("ecdsa.Sign: %v", err)
	}
	sig := make([]byte, 2*size)
	r.FillBytes(sig[:size])
	s.FillBytes(sig[size:])
	return sig
}

// tokInput returns the signing input of a header and claims JSON.
func tokInput(header, payload string) string {
	return tokB64(header) + "." + tokB64(payload)
}

// tokAnyRSA publishes the issuer's key-1 once more under kid "rsa-any"
// with no alg member, so that every RS and PS algorithm may use it
// without generating another RSA key.
func tokAnyRSA(t *testing.T, iss *gatetest.Issuer) *rsa.PrivateKey {
	t.Helper()
	key := tokRSA(t, iss, "key-1")
	iss.AddRawJWK(tokRSAJWK(t, &key.PublicKey, "rsa-any", ""))
	return key
}

// tokRSAToken returns a token of the claims JSON signed by key for alg
// under kid.
func tokRSAToken(t *testing.T, key *rsa.PrivateKey, alg, kid, payload string) string {
	t.Helper()
	return tokSignRaw(t, alg, `{"alg":"`+alg+`","kid":"`+kid+`"}`, payload, key)
}

func TestTokensAccepted(t *testing.T) {
	t.Parallel()
	iss := gatetest.NewInMemory(t)
	key := tokAnyRSA(t, iss)
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA"} {
		iss.AddKey(alg, strings.ToLower(alg))
	}
	g := tokGate(t, tokRemoteConfig(iss), nil)
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))

	remote := []tokCase{{"RS256 minted", tokMint(iss, nil, gatetest.WithKey("key-1")), nil}}
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
		remote = append(remote, tokCase{alg, tokRSAToken(t, key, alg, "rsa-any", payload), nil})
	}
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA"} {
		kid := strings.ToLower(alg)
		remote = append(remote, tokCase{alg, tokMint(iss, nil, gatetest.WithKey(kid)), nil})
	}
	t.Run("remote", func(t *testing.T) { tokRun(t, g, remote) })

	static := tokGate(t, tokStaticConfig(), nil)
	claims := tokClaims(tokStaticIss, nil)
	hs := func(alg string, kid any) string {
		return tokSign(t, map[string]any{"alg": alg, "kid": kid}, claims, []byte(tokSecret))
	}
	t.Run("static", func(t *testing.T) {
		tokRun(t, static, []tokCase{
			{"HS256", tokHSBody(nil), nil},
			{"HS384", hs("HS384", "hs"), nil},
			{"HS512", hs("HS512", "hs"), nil},
			{"HS256 without kid", tokSign(t, map[string]any{"alg": "HS256"}, claims,
				[]byte(tokSecret)), nil},
		})
	})
}

func TestTokensAlgNone(t *testing.T) {
	t.Parallel()
	iss, remote := tokRemote(t, nil)
	static := tokGate(t, tokStaticConfig(), nil)
	rsaKey := tokRSA(t, iss, "key-1")

	// cases returns unsigned and signed tokens with alg none in several
	// letter cases, for the issuer name and kid a gate expects.
	cases := func(name, kid string) []tokCase {
		var out []tokCase
		claims := tokClaims(name, nil)
		payload := string(tokJSON(t, claims))
		for _, alg := range []string{"none", "None", "NONE", "nOnE", "NoNe"} {
			h := map[string]any{"alg": alg, "typ": "JWT"}
			hk := map[string]any{"alg": alg, "kid": kid}
			hkJSON := string(tokJSON(t, hk))
			input := tokInput(hkJSON, payload)
			out = append(out,
				tokCase{alg + "/unsigned", tokSign(t, h, claims, nil), jwtgate.ErrTokenMalformed},
				tokCase{alg + "/unsigned with kid", tokSign(t, hk, claims, nil),
					jwtgate.ErrTokenMalformed},
				tokCase{alg + "/HMAC signature",
					tokSignRaw(t, "HS256", hkJSON, payload, []byte(tokSecret)),
					jwtgate.ErrAlgorithm},
				tokCase{alg + "/RSA signature",
					tokSignRaw(t, "RS256", hkJSON, payload, rsaKey), jwtgate.ErrAlgorithm},
				tokCase{alg + "/junk signature", input + ".AAAA", jwtgate.ErrAlgorithm},
				tokCase{alg + "/zero byte signature", input + ".AA", jwtgate.ErrAlgorithm},
			)
		}
		return out
	}
	remoteCases, staticCases := cases(iss.URL, "key-1"), cases(tokStaticIss, "hs")
	t.Run("remote", func(t *testing.T) { tokRun(t, remote, remoteCases) })
	t.Run("static", func(t *testing.T) { tokRun(t, static, staticCases) })
}

// tokRSAForms returns the public key of an RSA issuer in the byte forms
// an attacker may try as an HMAC secret.
func tokRSAForms(t *testing.T, pub *rsa.PublicKey, jwk json.RawMessage) map[string][]byte {
	t.Helper()
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatalf("MarshalPKIXPublicKey: %v", err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(pub)
	pkixPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})
	return map[string][]byte{
		"PEM PKIX":             pkixPEM,
		"PEM PKIX no newline":  bytes.TrimSuffix(pkixPEM, []byte("\n")),
		"PEM PKCS1":            pkcs1PEM,
		"DER PKIX":             pkix,
		"DER PKCS1":            pkcs1,
		"raw modulus":          pub.N.Bytes(),
		"modulus with zero":    append([]byte{0}, pub.N.Bytes()...),
		"modulus as base64url": []byte(base64.RawURLEncoding.EncodeToString(pub.N.Bytes())),
		"JWK JSON":             jwk,
	}
}

func TestTokensHMACKeyConfusion(t *testing.T) {
	t.Parallel()
	iss, remote := tokRemote(t, nil)
	mixedCfg := tokRemoteConfig(iss)
	mixedCfg.Issuers = append(mixedCfg.Issuers, tokStaticIssuer())
	mixed := tokGate(t, mixedCfg, nil)

	pub := iss.PublicKey("key-1").(*rsa.PublicKey)
	forms := tokRSAForms(t, pub, tokRSAJWK(t, pub, "key-1", "RS256"))
	pemKey, err := jwtgate.ParsePEM("rsa", forms["PEM PKIX"])
	if err != nil {
		t.Fatalf("ParsePEM: %v", err)
	}
	staticRSA := tokGate(t, jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: iss.URL, Keys: []jwtgate.StaticKey{pemKey}}},
		Audience: []string{gatetest.Audience},
		Now:      tokNow,
	}, nil)

	remoteClaims := tokClaims(iss.URL, nil)
	staticClaims := tokClaims(tokStaticIss, nil)
	var remoteCases, mixedCases, staticCases []tokCase
	for form, secret := range forms {
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			name := alg + "/" + form
			withKID := tokSign(t, map[string]any{"alg": alg, "kid": "key-1"}, remoteClaims, secret)
			noKID := tokSign(t, map[string]any{"alg": alg}, remoteClaims, secret)
			rsaKID := tokSign(t, map[string]any{"alg": alg, "kid": "rsa"}, remoteClaims, secret)
			staticKID := tokSign(t, map[string]any{"alg": alg, "kid": "hs"}, staticClaims, secret)
			remoteCases = append(remoteCases,
				tokCase{name + "/kid", withKID, jwtgate.ErrAlgorithm},
				tokCase{name + "/no kid", noKID, jwtgate.ErrAlgorithm})
			mixedCases = append(mixedCases,
				tokCase{name + "/remote kid", withKID, jwtgate.ErrAlgorithm},
				tokCase{name + "/remote no kid", noKID, jwtgate.ErrAlgorithm},
				tokCase{name + "/static issuer", staticKID, jwtgate.ErrSignatureInvalid})
			staticCases = append(staticCases,
				tokCase{name + "/kid", rsaKID, jwtgate.ErrAlgorithm},
				tokCase{name + "/no kid", noKID, jwtgate.ErrAlgorithm})
		}
	}
	hsOnRemote := tokSign(t, map[string]any{"alg": "HS256", "kid": "hs"}, remoteClaims,
		[]byte(tokSecret))
	mixedCases = append(mixedCases,
		tokCase{"control/RS256", tokMint(iss, nil), nil},
		tokCase{"control/HS256", tokHSBody(nil), nil},
		tokCase{"static kid on the remote issuer", hsOnRemote, jwtgate.ErrKeyNotFound})
	staticCases = append(staticCases, tokCase{"control/RS256",
		tokRSAToken(t, tokRSA(t, iss, "key-1"), "RS256", "rsa", string(tokJSON(t, remoteClaims))),
		nil})

	t.Run("remote RSA set", func(t *testing.T) { tokRun(t, remote, remoteCases) })
	t.Run("remote RSA and static HMAC", func(t *testing.T) { tokRun(t, mixed, mixedCases) })
	t.Run("static RSA from PEM", func(t *testing.T) { tokRun(t, staticRSA, staticCases) })
}

// tokAlgCases returns tokens whose alg member is absent, malformed or
// outside what a remote RSA set allows.
func tokAlgCases(t *testing.T, iss *gatetest.Issuer) []tokCase {
	t.Helper()
	key := tokRSA(t, iss, "key-1")
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))
	alg := func(v any) string { return tokMint(iss, nil, gatetest.WithHeader("alg", v)) }
	raw := func(header string) string { return tokSignRaw(t, "RS256", header, payload, key) }
	return []tokCase{
		{"control", tokMint(iss, nil), nil},
		{"escaped but equal", raw(`{"alg":"\u0052S256","kid":"key-1"}`), nil},
		{"absent", alg(nil), jwtgate.ErrAlgorithm},
		{"empty", alg(""), jwtgate.ErrAlgorithm},
		{"null", alg(json.RawMessage("null")), jwtgate.ErrAlgorithm},
		{"number", alg(256), jwtgate.ErrAlgorithm},
		{"boolean", alg(true), jwtgate.ErrAlgorithm},
		{"array", alg([]string{"RS256"}), jwtgate.ErrAlgorithm},
		{"object", alg(map[string]string{"name": "RS256"}), jwtgate.ErrAlgorithm},
		{"lower case", alg("rs256"), jwtgate.ErrAlgorithm},
		{"mixed case", alg("Rs256"), jwtgate.ErrAlgorithm},
		{"leading space", alg(" RS256"), jwtgate.ErrAlgorithm},
		{"trailing space", alg("RS256 "), jwtgate.ErrAlgorithm},
		{"trailing NUL", alg("RS256\x00"), jwtgate.ErrAlgorithm},
		{"HS256 on a remote set", alg("HS256"), jwtgate.ErrAlgorithm},
		{"ES256K", alg("ES256K"), jwtgate.ErrAlgorithm},
		{"RSA1_5", alg("RSA1_5"), jwtgate.ErrAlgorithm},
		{"RSA-OAEP", alg("RSA-OAEP"), jwtgate.ErrAlgorithm},
		{"dir", alg("dir"), jwtgate.ErrAlgorithm},
		{"A256GCM", alg("A256GCM"), jwtgate.ErrAlgorithm},
		{"ES521", alg("ES521"), jwtgate.ErrAlgorithm},
		{"Ed25519", alg("Ed25519"), jwtgate.ErrAlgorithm},
		{"case variant member only", raw(`{"ALG":"RS256","kid":"key-1"}`), jwtgate.ErrAlgorithm},
	}
}

// tokCritCases returns tokens with a crit member, which the Gate refuses
// whatever it holds, as it implements no extension.
func tokCritCases(iss *gatetest.Issuer) []tokCase {
	crit := func(v any) string { return tokMint(iss, nil, gatetest.WithHeader("crit", v)) }
	return []tokCase{
		{"exp", crit([]string{"exp"}), jwtgate.ErrTokenMalformed},
		{"b64", crit([]string{"b64"}), jwtgate.ErrTokenMalformed},
		{"unknown name", crit([]string{"urn:example:ext"}), jwtgate.ErrTokenMalformed},
		{"kid", crit([]string{"kid"}), jwtgate.ErrTokenMalformed},
		{"crit itself", crit([]string{"crit"}), jwtgate.ErrTokenMalformed},
		{"several", crit([]string{"exp", "nbf"}), jwtgate.ErrTokenMalformed},
		{"empty array", crit([]string{}), jwtgate.ErrTokenMalformed},
		{"string", crit("exp"), jwtgate.ErrTokenMalformed},
		{"number", crit(1), jwtgate.ErrTokenMalformed},
		{"null", crit(json.RawMessage("null")), jwtgate.ErrTokenMalformed},
		{"array of numbers", crit([]int{1}), jwtgate.ErrTokenMalformed},
		{"object", crit(map[string]int{"exp": 1}), jwtgate.ErrTokenMalformed},
		{"case variant is no crit", tokMint(iss, nil,
			gatetest.WithHeader("CRIT", []string{"exp"})), nil},
	}
}

// tokB64Cases returns tokens with a b64 member: only true, the default,
// is accepted, and only without crit.
func tokB64Cases(iss *gatetest.Issuer) []tokCase {
	b64 := func(v any, more ...gatetest.TokenOption) string {
		return tokMint(iss, nil, append(more, gatetest.WithHeader("b64", v))...)
	}
	critB64 := gatetest.WithHeader("crit", []string{"b64"})
	return []tokCase{
		{"false", b64(false), jwtgate.ErrTokenMalformed},
		{"false with crit", b64(false, critB64), jwtgate.ErrTokenMalformed},
		{"string false", b64("false"), jwtgate.ErrTokenMalformed},
		{"zero", b64(0), jwtgate.ErrTokenMalformed},
		{"null", b64(json.RawMessage("null")), jwtgate.ErrTokenMalformed},
		{"true with crit", b64(true, critB64), jwtgate.ErrTokenMalformed},
		{"true, the default", b64(true), nil},
	}
}

func TestTokensHeader(t *testing.T) {
	t.Parallel()
	iss, g := tokRemote(t, nil)
	alg, crit, b64 := tokAlgCases(t, iss), tokCritCases(iss), tokB64Cases(iss)
	t.Run("alg", func(t *testing.T) { tokRun(t, g, alg) })
	t.Run("crit", func(t *testing.T) { tokRun(t, g, crit) })
	t.Run("b64", func(t *testing.T) { tokRun(t, g, b64) })
}

func TestTokensAllowList(t *testing.T) {
	t.Parallel()
	iss := gatetest.NewInMemory(t)
	key := tokAnyRSA(t, iss)
	iss.AddKey("ES256", "ec")
	iss.AddKey("EdDSA", "ed")
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))
	rs := tokMint(iss, nil, gatetest.WithKey("key-1"))
	ps := tokRSAToken(t, key, "PS256", "rsa-any", payload)
	es := tokMint(iss, nil, gatetest.WithKey("ec"))
	ed := tokMint(iss, nil, gatetest.WithKey("ed"))
	only := func(algs ...string) func(*jwtgate.Config) {
		return func(c *jwtgate.Config) { c.Algorithms = algs }
	}
	rsOnly := tokGate(t, tokRemoteConfig(iss), only("RS256"))
	ecEd := tokGate(t, tokRemoteConfig(iss), only("ES256", "EdDSA"))

	t.Run("RS256 only", func(t *testing.T) {
		tokRun(t, rsOnly, []tokCase{
			{"RS256", rs, nil},
			{"PS256", ps, jwtgate.ErrAlgorithm},
			{"ES256", es, jwtgate.ErrAlgorithm},
			{"EdDSA", ed, jwtgate.ErrAlgorithm},
		})
	})
	t.Run("ES256 and EdDSA", func(t *testing.T) {
		tokRun(t, ecEd, []tokCase{
			{"RS256", rs, jwtgate.ErrAlgorithm},
			{"PS256", ps, jwtgate.ErrAlgorithm},
			{"ES256", es, nil},
			{"EdDSA", ed, nil},
		})
	})
	t.Run("configuration", func(t *testing.T) {
		for _, algs := range [][]string{{"none"}, {"RS256", "none"}, {"rs256"}, {"ES256K"}, {""}} {
			cfg := tokRemoteConfig(iss)
			cfg.Algorithms = algs
			if g, err := jwtgate.New(cfg); err == nil {
				g.Close()
				t.Errorf("New accepted Algorithms %q", algs)
			}
		}
	})
}

// tokMismatchCases returns tokens whose alg does not fit the type, curve
// or JWK alg of the key their kid names, on a remote set.
func tokMismatchCases(t *testing.T, iss *gatetest.Issuer) []tokCase {
	t.Helper()
	rsaKey, ec256, ec384 := tokRSA(t, iss, "key-1"), tokEC(t, iss, "ec256"), tokEC(t, iss, "ec384")
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))
	ecToken := func(alg, kid string, key *ecdsa.PrivateKey, h hash.Hash, size int) string {
		input := tokInput(`{"alg":"`+alg+`","kid":"`+kid+`"}`, payload)
		return input + "." + base64.RawURLEncoding.EncodeToString(tokECSign(t, key, h, input, size))
	}
	rsaToken := func(alg, kid string) string { return tokRSAToken(t, rsaKey, alg, kid, payload) }
	return []tokCase{
		{"ES256 on a P-384 key", ecToken("ES256", "ec384", ec384, sha256.New(), 48),
			jwtgate.ErrAlgorithm},
		{"ES384 on a P-256 key", ecToken("ES384", "ec256", ec256, sha512.New384(), 32),
			jwtgate.ErrAlgorithm},
		{"ES512 on a P-256 key", ecToken("ES512", "ec256", ec256, sha512.New(), 32),
			jwtgate.ErrAlgorithm},
		{"RS256 on an EC key", rsaToken("RS256", "ec256"), jwtgate.ErrAlgorithm},
		{"EdDSA on an RSA key", tokSignRaw(t, "EdDSA", `{"alg":"EdDSA","kid":"key-1"}`, payload,
			iss.PrivateKey("ed")), jwtgate.ErrAlgorithm},
		{"ES256 on an Ed25519 key", ecToken("ES256", "ed", ec256, sha256.New(), 32),
			jwtgate.ErrAlgorithm},
		{"PS256 on a key whose JWK alg is RS256",
			tokMint(iss, nil, gatetest.WithKey("key-1"), gatetest.WithAlg("PS256")),
			jwtgate.ErrAlgorithm},
		{"RS256 on a key whose JWK alg is PS256", rsaToken("RS256", "rsa-ps256"),
			jwtgate.ErrAlgorithm},
		{"PS384 on a key whose JWK alg is PS256", rsaToken("PS384", "rsa-ps256"),
			jwtgate.ErrAlgorithm},
		{"P-384 key published as ES256", ecToken("ES256", "p384-as-es256", ec384, sha256.New(), 48),
			jwtgate.ErrKeyNotFound},
		{"EC key published as RS256", ecToken("ES256", "ec-as-rs256", ec256, sha256.New(), 32),
			jwtgate.ErrKeyNotFound},
		{"control/PS256 on a JWK without alg", rsaToken("PS256", "rsa-any"), nil},
		{"control/RS512 on a JWK without alg", rsaToken("RS512", "rsa-any"), nil},
		{"control/PS256 on a PS256 JWK", rsaToken("PS256", "rsa-ps256"), nil},
		{"control/ES256", ecToken("ES256", "ec256", ec256, sha256.New(), 32), nil},
		{"control/ES384", ecToken("ES384", "ec384", ec384, sha512.New384(), 48), nil},
		{"control/EdDSA", tokMint(iss, nil, gatetest.WithKey("ed")), nil},
	}
}

// tokStaticMismatch returns a Gate whose issuer has a static RS256 key
// "rs" and a static P-384 key "ec", and tokens that misuse them.
func tokStaticMismatch(t *testing.T, iss *gatetest.Issuer) (*jwtgate.Gate, []tokCase) {
	t.Helper()
	rsaKey, ec384 := tokRSA(t, iss, "key-1"), tokEC(t, iss, "ec384")
	g := tokGate(t, jwtgate.Config{
		Issuers: []jwtgate.Issuer{{Name: iss.URL, Keys: []jwtgate.StaticKey{
			{ID: "rs", Algorithm: "RS256", Key: &rsaKey.PublicKey},
			{ID: "ec", Key: &ec384.PublicKey},
		}}},
		Audience: []string{gatetest.Audience},
		Now:      tokNow,
	}, nil)
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))
	sign := func(alg, kid string, key any) string {
		return tokSignRaw(t, alg, `{"alg":"`+alg+`","kid":"`+kid+`"}`, payload, key)
	}
	input := tokInput(`{"alg":"ES256","kid":"ec"}`, payload)
	es256OnP384 := input + "." +
		base64.RawURLEncoding.EncodeToString(tokECSign(t, ec384, sha256.New(), input, 48))
	return g, []tokCase{
		{"control/RS256", sign("RS256", "rs", rsaKey), nil},
		{"control/ES384", sign("ES384", "ec", ec384), nil},
		{"PS256 on an RS256 key", sign("PS256", "rs", rsaKey), jwtgate.ErrAlgorithm},
		{"RS384 on an RS256 key", sign("RS384", "rs", rsaKey), jwtgate.ErrAlgorithm},
		{"ES256 on a P-384 key", es256OnP384, jwtgate.ErrAlgorithm},
		{"RS256 on an EC key", sign("RS256", "ec", rsaKey), jwtgate.ErrAlgorithm},
		{"no kid with two keys", tokSignRaw(t, "RS256", `{"alg":"RS256"}`, payload, rsaKey),
			jwtgate.ErrKeyNotFound},
		{"unknown kid", sign("RS256", "other", rsaKey), jwtgate.ErrKeyNotFound},
	}
}

func TestTokensKeyMismatch(t *testing.T) {
	t.Parallel()
	iss := gatetest.NewInMemory(t)
	rsaKey := tokAnyRSA(t, iss)
	iss.AddKey("ES256", "ec256")
	iss.AddKey("ES384", "ec384")
	iss.AddKey("EdDSA", "ed")
	ec256, ec384 := tokEC(t, iss, "ec256"), tokEC(t, iss, "ec384")
	iss.AddRawJWK(tokRSAJWK(t, &rsaKey.PublicKey, "rsa-ps256", "PS256"))
	iss.AddRawJWK(tokECJWK(t, &ec384.PublicKey, "p384-as-es256", "ES256"))
	iss.AddRawJWK(tokECJWK(t, &ec256.PublicKey, "ec-as-rs256", "RS256"))
	g := tokGate(t, tokRemoteConfig(iss), nil)
	remote := tokMismatchCases(t, iss)
	static, staticCases := tokStaticMismatch(t, iss)

	t.Run("remote", func(t *testing.T) { tokRun(t, g, remote) })
	t.Run("static", func(t *testing.T) { tokRun(t, static, staticCases) })
}

func TestTokensKeyID(t *testing.T) {
	t.Parallel()
	iss, oneKey := tokRemote(t, nil)
	tokReady(t, oneKey)
	one := []tokCase{
		{"no kid", tokMint(iss, nil, gatetest.WithoutKID()), nil},
		{"its kid", tokMint(iss, nil), nil},
	}
	t.Run("one key", func(t *testing.T) { tokRun(t, oneKey, one) })

	// The same issuer with a second key: key-1 again under kid key-2.
	key := tokRSA(t, iss, "key-1")
	iss.AddRawJWK(tokRSAJWK(t, &key.PublicKey, "key-2", "RS256"))
	g := tokGate(t, tokRemoteConfig(iss), nil)
	tokReady(t, g)
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))
	kid := func(v any) string { return tokMint(iss, nil, gatetest.WithHeader("kid", v)) }
	raw := func(header string) string { return tokSignRaw(t, "RS256", header, payload, key) }

	// None of these may cost the issuer a fetch: the header is refused
	// before any key lookup.
	malformed := []tokCase{
		{"257 bytes", kid(strings.Repeat("k", 257)), jwtgate.ErrTokenMalformed},
		{"5000 bytes", kid(strings.Repeat("k", 5000)), jwtgate.ErrTokenMalformed},
		{"empty", kid(""), jwtgate.ErrTokenMalformed},
		{"number", kid(7), jwtgate.ErrTokenMalformed},
		{"boolean", kid(true), jwtgate.ErrTokenMalformed},
		{"null", kid(json.RawMessage("null")), jwtgate.ErrTokenMalformed},
		{"array", kid([]string{"key-2"}), jwtgate.ErrTokenMalformed},
		{"object", kid(map[string]string{"kid": "key-2"}), jwtgate.ErrTokenMalformed},
	}
	before := iss.Fetches()
	t.Run("malformed kid", func(t *testing.T) { tokRun(t, g, malformed) })
	if got := iss.Fetches(); got != before {
		t.Errorf("malformed kids caused %d fetches, want none", got-before)
	}

	several := []tokCase{
		{"key-1", kid("key-1"), nil},
		{"key-2", kid("key-2"), nil},
		{"escaped kid", raw(`{"alg":"RS256","kid":"\u006bey-2"}`), nil},
		{"no kid", tokMint(iss, nil, gatetest.WithoutKID()), jwtgate.ErrKeyNotFound},
		{"unknown kid", kid("key-3"), jwtgate.ErrKeyNotFound},
		{"kid in another case", kid("KEY-2"), jwtgate.ErrKeyNotFound},
		{"kid of 256 bytes", kid(strings.Repeat("k", 256)), jwtgate.ErrKeyNotFound},
		{"kid with NUL", kid("key-2\x00"), jwtgate.ErrKeyNotFound},
		{"case variant member", raw(`{"alg":"RS256","KID":"key-2"}`), jwtgate.ErrKeyNotFound},
	}
	before = iss.Fetches()
	t.Run("several keys", func(t *testing.T) { tokRun(t, g, several) })
	if got := iss.Fetches() - before; got > 1 {
		t.Errorf("unknown kids caused %d fetches, want at most one", got)
	}
}

// tokSelfSigned returns a DER certificate for key, signed by itself.
func tokSelfSigned(t *testing.T, key *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "attacker"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(4_000_000_000, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	return der
}

func TestTokensEmbeddedKeyHeaders(t *testing.T) {
	t.Parallel()
	victim, attacker := gatetest.New(t), gatetest.New(t)
	g := tokGate(t, jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: victim.URL, JWKSURL: victim.JWKSURL()}},
		Audience: []string{gatetest.Audience},
		Now:      tokNow,
	}, nil)
	tokReady(t, g)

	attackerKey := tokRSA(t, attacker, "key-1")
	members := map[string]any{
		"jku": attacker.JWKSURL(),
		"jwk": tokRSAJWK(t, &attackerKey.PublicKey, "attacker-key", "RS256"),
		"x5u": attacker.URL + "/cert.pem",
		"x5c": []string{base64.StdEncoding.EncodeToString(tokSelfSigned(t, attackerKey))},
	}
	forged := func(kid, name string) string {
		opts := []gatetest.TokenOption{gatetest.WithKID(kid)}
		for n, v := range members {
			if name == "all" || n == name {
				opts = append(opts, gatetest.WithHeader(n, v))
			}
		}
		return attacker.Mint(tokClaims(victim.URL, nil), opts...)
	}
	honest := func(name string) string {
		return victim.Mint(tokClaims(victim.URL, nil), gatetest.WithHeader(name, members[name]))
	}

	var cases []tokCase
	for _, name := range []string{"jku", "jwk", "x5u", "x5c", "all"} {
		cases = append(cases,
			tokCase{name + "/victim kid", forged("key-1", name), jwtgate.ErrSignatureInvalid},
			tokCase{name + "/attacker kid", forged("attacker-key", name), jwtgate.ErrKeyNotFound})
		if name != "all" {
			cases = append(cases, tokCase{name + "/ignored on an honest token", honest(name), nil})
		}
	}
	tokRun(t, g, cases)
	if n, d := attacker.Fetches(), attacker.DiscoveryFetches(); n != 0 || d != 0 {
		t.Errorf("the attacker's issuer served %d key sets and %d discovery documents", n, d)
	}
}

// tokSigVariants returns signatures that must not verify in place of
// sig, a valid one, each properly base64url-encoded.
func tokSigVariants(sig, other []byte) map[string][]byte {
	flip := func(i int) []byte {
		b := bytes.Clone(sig)
		b[i] ^= 0x01
		return b
	}
	return map[string][]byte{
		"truncated by one byte": sig[:len(sig)-1],
		"truncated to half":     sig[:len(sig)/2],
		"one byte":              sig[:1],
		"zero byte appended":    append(bytes.Clone(sig), 0),
		"zero byte prepended":   append([]byte{0}, sig...),
		"doubled":               append(bytes.Clone(sig), sig...),
		"all zero":              make([]byte, len(sig)),
		"all ones":              bytes.Repeat([]byte{0xff}, len(sig)),
		"single zero byte":      {0},
		"first bit flipped":     flip(0),
		"last bit flipped":      flip(len(sig) - 1),
		"of another token":      other,
		"oversized":             bytes.Repeat([]byte{1}, 2048),
	}
}

// tokDER returns the ASN.1 DER form of a raw R||S ECDSA signature.
func tokDER(t *testing.T, sig []byte) []byte {
	t.Helper()
	half := len(sig) / 2
	der, err := asn1.Marshal(struct{ R, S *big.Int }{
		new(big.Int).SetBytes(sig[:half]), new(big.Int).SetBytes(sig[half:]),
	})
	if err != nil {
		t.Fatalf("asn1.Marshal: %v", err)
	}
	return der
}

// tokSigCases returns the cases of tokSigVariants and of bad encodings
// for token; other, a signature over another input, replaces its own in
// one case.
func tokSigCases(t *testing.T, alg, token string, other []byte) []tokCase {
	t.Helper()
	sig := tokSig(t, token)
	var cases []tokCase
	for name, v := range tokSigVariants(sig, other) {
		cases = append(cases, tokCase{alg + "/" + name, tokResign(t, token, v),
			jwtgate.ErrSignatureInvalid})
	}
	h, p, s := tokSplit(t, token)
	cases = append(cases,
		tokCase{alg + "/control", token, nil},
		tokCase{alg + "/empty", h + "." + p + ".", jwtgate.ErrTokenMalformed},
		tokCase{alg + "/padded", token + strings.Repeat("=", (4-len(s)%4)%4+4),
			jwtgate.ErrTokenMalformed},
		tokCase{alg + "/one more character", token + "A", tokOneMore(s)},
	)
	if strings.HasPrefix(alg, "ES") {
		cases = append(cases, tokCase{alg + "/DER", tokResign(t, token, tokDER(t, sig)),
			jwtgate.ErrSignatureInvalid})
	}
	return cases
}

// tokOneMore is the reason for a signature segment s with an "A" more:
// a length of 1 modulo 4 cannot be base64, any other length decodes to a
// signature that does not verify.
func tokOneMore(s string) error {
	if (len(s)+1)%4 == 1 {
		return jwtgate.ErrTokenMalformed
	}
	return jwtgate.ErrSignatureInvalid
}

func TestTokensSignatureShape(t *testing.T) {
	t.Parallel()
	iss := gatetest.NewInMemory(t)
	key := tokAnyRSA(t, iss)
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA"} {
		iss.AddKey(alg, strings.ToLower(alg))
	}
	g := tokGate(t, tokRemoteConfig(iss), nil)
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))
	payload2 := string(tokJSON(t, tokClaims(iss.URL, map[string]any{"sub": "user-2"})))

	var remote []tokCase
	for _, alg := range []string{"RS256", "PS256"} {
		token := tokRSAToken(t, key, alg, "rsa-any", payload)
		other := tokSig(t, tokRSAToken(t, key, alg, "rsa-any", payload2))
		remote = append(remote, tokSigCases(t, alg, token, other)...)
	}
	for _, alg := range []string{"ES256", "ES384", "ES512", "EdDSA"} {
		kid := strings.ToLower(alg)
		token := tokMint(iss, nil, gatetest.WithKey(kid))
		other := tokSig(t, tokMint(iss, map[string]any{"sub": "user-2"}, gatetest.WithKey(kid)))
		remote = append(remote, tokSigCases(t, alg, token, other)...)
	}
	n := key.N.Bytes()
	rs := tokRSAToken(t, key, "RS256", "rsa-any", payload)
	ps := tokRSAToken(t, key, "PS256", "rsa-any", payload)
	remote = append(remote,
		tokCase{"RS256/the modulus", tokResign(t, rs, n), jwtgate.ErrSignatureInvalid},
		tokCase{"RS256/one", tokResign(t, rs, append(make([]byte, len(n)-1), 1)),
			jwtgate.ErrSignatureInvalid},
		tokCase{"RS256/the PS256 signature", tokResign(t, rs, tokSig(t, ps)),
			jwtgate.ErrSignatureInvalid},
		tokCase{"PS256/the RS256 signature", tokResign(t, ps, tokSig(t, rs)),
			jwtgate.ErrSignatureInvalid},
	)
	t.Run("remote", func(t *testing.T) { tokRun(t, g, remote) })

	static := tokGate(t, tokStaticConfig(), nil)
	hs := tokHSBody(nil)
	otherHS := tokSig(t, tokHSBody(map[string]string{"sub": `"user-2"`}))
	staticCases := tokSigCases(t, "HS256", hs, otherHS)
	t.Run("static", func(t *testing.T) { tokRun(t, static, staticCases) })
}

// tokPSSToken returns a token for alg signed by key with RSASSA-PSS and
// the given salt length, assembled by hand so that any salt length can
// be used.
func tokPSSToken(t *testing.T, key *rsa.PrivateKey, alg, payload string,
	h crypto.Hash, salt int) string {
	t.Helper()
	input := tokInput(`{"alg":"`+alg+`","kid":"rsa-any"}`, payload)
	d := h.New()
	d.Write([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, key, h, d.Sum(nil), &rsa.PSSOptions{SaltLength: salt})
	if err != nil {
		t.Fatalf("SignPSS with salt %d: %v", salt, err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestTokensPSSSaltLength(t *testing.T) {
	t.Parallel()
	iss := gatetest.NewInMemory(t)
	key := tokAnyRSA(t, iss)
	g := tokGate(t, tokRemoteConfig(iss), nil)
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))

	rows := []struct {
		alg  string
		hash crypto.Hash
		salt int
		want error
	}{
		{"PS256", crypto.SHA256, 32, nil},
		{"PS256", crypto.SHA256, 0, jwtgate.ErrSignatureInvalid},
		{"PS256", crypto.SHA256, 1, jwtgate.ErrSignatureInvalid},
		{"PS256", crypto.SHA256, 20, jwtgate.ErrSignatureInvalid},
		{"PS256", crypto.SHA256, 31, jwtgate.ErrSignatureInvalid},
		{"PS256", crypto.SHA256, 33, jwtgate.ErrSignatureInvalid},
		{"PS256", crypto.SHA256, 64, jwtgate.ErrSignatureInvalid},
		{"PS256", crypto.SHA256, 222, jwtgate.ErrSignatureInvalid},
		{"PS384", crypto.SHA384, 48, nil},
		{"PS384", crypto.SHA384, 32, jwtgate.ErrSignatureInvalid},
		{"PS384", crypto.SHA384, 64, jwtgate.ErrSignatureInvalid},
		{"PS512", crypto.SHA512, 64, nil},
		{"PS512", crypto.SHA512, 32, jwtgate.ErrSignatureInvalid},
		{"PS512", crypto.SHA512, 0, jwtgate.ErrSignatureInvalid},
	}
	var cases []tokCase
	for _, r := range rows {
		name := fmt.Sprintf("%s/salt %d", r.alg, r.salt)
		cases = append(cases, tokCase{name, tokPSSToken(t, key, r.alg, payload, r.hash, r.salt),
			r.want})
	}
	tokRun(t, g, cases)
}

func TestTokensKeysUnavailable(t *testing.T) {
	t.Parallel()
	iss := gatetest.NewInMemory(t)
	iss.SetFault(gatetest.Fault{Status: http.StatusInternalServerError})
	g := tokGate(t, tokRemoteConfig(iss), nil)
	tokRun(t, g, []tokCase{
		{"valid token, issuer down", tokMint(iss, nil), jwtgate.ErrKeysUnavailable},
	})
}

func TestTokensVerifyBeforeDecode(t *testing.T) {
	t.Parallel()
	iss, remote := tokRemote(t, nil)
	static := tokGate(t, tokStaticConfig(), nil)
	cfg := tokRemoteConfig(iss)
	cfg.Issuers = append(cfg.Issuers, tokStaticIssuer())
	multi := tokGate(t, cfg, nil)

	junk := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 32))
	forge := func(header, payloadSeg string) string {
		return tokB64(header) + "." + payloadSeg + "." + junk
	}
	hs := `{"alg":"HS256","kid":"hs"}`
	rs := `{"alg":"RS256","kid":"key-1"}`
	expired := tokB64(tokBody(tokStaticIss, map[string]string{"exp": "1"}))
	cases := func(header string) []tokCase {
		return []tokCase{
			{"not JSON", forge(header, tokB64("this is not JSON {")), jwtgate.ErrSignatureInvalid},
			{"invalid UTF-8", forge(header, tokB64("{\"x\":\"\xff\"}")),
				jwtgate.ErrSignatureInvalid},
			{"a JSON array", forge(header, tokB64("[1,2,3]")), jwtgate.ErrSignatureInvalid},
			{"duplicate exp", forge(header, tokB64(`{"exp":1,"exp":2}`)),
				jwtgate.ErrSignatureInvalid},
			{"expired", forge(header, expired), jwtgate.ErrSignatureInvalid},
			{"wrong issuer", forge(header, tokB64(tokBody("https://other.test", nil))),
				jwtgate.ErrSignatureInvalid},
			{"non-canonical base64", forge(header, "eyJ4IjoxfR"), jwtgate.ErrSignatureInvalid},
			{"impossible base64 length", forge(header, "eyJ4IjoxfQAAA"),
				jwtgate.ErrSignatureInvalid},
			{"6 KiB of garbage", forge(header, strings.Repeat("_", 6<<10)),
				jwtgate.ErrSignatureInvalid},
		}
	}
	staticCases, remoteCases := cases(hs), cases(rs)
	t.Run("static", func(t *testing.T) { tokRun(t, static, staticCases) })
	t.Run("remote", func(t *testing.T) { tokRun(t, remote, remoteCases) })

	// With several issuers the Gate reads iss from the unverified payload
	// to choose the keys, as its documentation says, so a payload that is
	// not a JSON object is found malformed before the signature.
	t.Run("several issuers", func(t *testing.T) {
		tokRun(t, multi, []tokCase{
			{"not JSON", forge(hs, tokB64("this is not JSON {")), jwtgate.ErrTokenMalformed},
			{"expired", forge(hs, expired), jwtgate.ErrSignatureInvalid},
			{"non-canonical base64", forge(hs, "eyJ4IjoxfR"), jwtgate.ErrTokenMalformed},
		})
	})
}

func TestTokensMultiIssuer(t *testing.T) {
	t.Parallel()
	a, b := gatetest.New(t), gatetest.New(t)
	g := tokGate(t, jwtgate.Config{
		Issuers: []jwtgate.Issuer{
			{Name: a.URL, JWKSURL: a.JWKSURL()},
			{Name: b.URL, JWKSURL: b.JWKSURL()},
			tokStaticIssuer(),
		},
		Audience: []string{gatetest.Audience},
		Now:      tokNow,
	}, nil)
	tokReady(t, g)
	payloadA := string(tokJSON(t, tokClaims(a.URL, nil)))
	signA := func(payload string) string {
		return tokRSAToken(t, tokRSA(t, a, "key-1"), "RS256", "key-1", payload)
	}
	iss := func(v any) string { return a.Mint(tokClaims(a.URL, map[string]any{"iss": v})) }
	hsForA := tokSign(t, map[string]any{"alg": "HS256", "kid": "hs"}, tokClaims(a.URL, nil),
		[]byte(tokSecret))

	tokRun(t, g, []tokCase{
		{"A by A", a.Mint(tokClaims(a.URL, nil)), nil},
		{"B by B", b.Mint(tokClaims(b.URL, nil)), nil},
		{"static", tokHSBody(nil), nil},
		{"escaped slashes in iss", signA(strings.ReplaceAll(payloadA, "/", `\/`)), nil},
		{"A by B, same kid", b.Mint(tokClaims(a.URL, nil)), jwtgate.ErrSignatureInvalid},
		{"B by A, same kid", a.Mint(tokClaims(b.URL, nil)), jwtgate.ErrSignatureInvalid},
		{"A by the static secret", hsForA, jwtgate.ErrKeyNotFound},
		{"static by A", a.Mint(tokClaims(tokStaticIss, nil)), jwtgate.ErrKeyNotFound},
		{"unknown issuer", iss("https://unknown.test"), jwtgate.ErrIssuer},
		{"no issuer", iss(nil), jwtgate.ErrIssuer},
		{"trailing slash", iss(a.URL + "/"), jwtgate.ErrIssuer},
		{"upper case", iss(strings.ToUpper(a.URL)), jwtgate.ErrIssuer},
		{"empty", iss(""), jwtgate.ErrIssuer},
		{"number", iss(1), jwtgate.ErrIssuer},
		{"array", iss([]string{a.URL}), jwtgate.ErrIssuer},
		{"duplicate iss", signA(strings.Replace(payloadA, "{", `{"iss":"`+b.URL+`",`, 1)),
			jwtgate.ErrTokenMalformed},
	})
}

// tokCanonicalBits returns seg, a base64url segment whose length is not a
// multiple of four, with the unused low bits of its last character set,
// or "" when seg has no unused bits.
func tokCanonicalBits(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 < 2 {
		return ""
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1])
}

// tokUnaligned pads a JSON text with trailing spaces, which JSON allows,
// until its length is not a multiple of three, so that its base64url
// form ends in a character with unused bits.
func tokUnaligned(s string) string {
	for len(s)%3 == 0 {
		s += " "
	}
	return s
}

// tokEncodingCases returns tokens whose only defect is their compact
// encoding; the HS256 signature covers the segments as sent.
func tokEncodingCases(t *testing.T) []tokCase {
	t.Helper()
	body := tokUnaligned(tokBody(tokStaticIss, nil, `"x":"???>>>"`))
	header := tokUnaligned(`{"alg":"HS256","kid":"hs","y":"???>>>"}`)
	h, p := tokB64(header), tokB64(body)
	if !strings.ContainsAny(h, "-_") || !strings.ContainsAny(p, "-_") {
		t.Fatalf("the fixtures do not exercise the base64url alphabet")
	}
	base := tokHMACInput(h + "." + p)
	_, _, s := tokSplit(t, base)
	std := base64.RawStdEncoding.EncodeToString
	padded := base64.URLEncoding.EncodeToString
	signed := tokHMACInput
	mal := jwtgate.ErrTokenMalformed
	return []tokCase{
		{"control", base, nil},
		{"empty", "", mal},
		{"one dot", ".", mal},
		{"two dots", "..", mal},
		{"three dots", "...", mal},
		{"one segment", h, mal},
		{"two segments", h + "." + p, mal},
		{"four segments", base + "." + s, mal},
		{"five segments", h + "..." + p + "." + s, mal},
		{"trailing dot", base + ".", mal},
		{"leading dot", "." + base, mal},
		{"empty header", "." + p + "." + s, mal},
		{"empty payload", signed(h + "."), mal},
		{"empty signature", h + "." + p + ".", mal},
		{"leading space", " " + base, mal},
		{"trailing space", base + " ", mal},
		{"trailing newline", base + "\n", mal},
		{"trailing CRLF", base + "\r\n", mal},
		{"leading tab", "\t" + base, mal},
		{"space in the payload", signed(h + "." + p[:8] + " " + p[8:]), mal},
		{"newline in the header", signed(h[:8] + "\n" + h[8:] + "." + p), mal},
		{"NUL in the payload", signed(h + "." + p[:8] + "\x00" + p[8:]), mal},
		{"non-ASCII in the payload", signed(h + "." + p[:8] + "é" + p[8:]), mal},
		{"percent-encoded dot", h + "%2E" + p + "." + s, mal},
		{"scheme prefix", "Bearer " + base, mal},
		{"standard alphabet header", signed(std([]byte(header)) + "." + p), mal},
		{"standard alphabet payload", signed(h + "." + std([]byte(body))), mal},
		{"padded header", signed(padded([]byte(header)) + "." + p), mal},
		{"padded payload", signed(h + "." + padded([]byte(body))), mal},
		{"padded signature", base + "=", mal},
		{"excess padding", signed(h + "==." + p), mal},
		{"non-canonical header bits", signed(tokCanonicalBits(h) + "." + p), mal},
		{"non-canonical payload bits", signed(h + "." + tokCanonicalBits(p)), mal},
		{"non-canonical signature bits", h + "." + p + "." + tokCanonicalBits(s), mal},
		{"impossible header length", signed(h + tokOneMod4(h) + "." + p), mal},
		{"impossible payload length", signed(h + "." + p + tokOneMod4(p)), mal},
	}
}

// tokOneMod4 returns the "A"s to append to seg for a length of 1 modulo 4.
func tokOneMod4(seg string) string {
	return strings.Repeat("A", (5-len(seg)%4)%4)
}

func TestTokensEncoding(t *testing.T) {
	t.Parallel()
	g := tokGate(t, tokStaticConfig(), nil)
	tokRun(t, g, tokEncodingCases(t))
}

// tokSized returns a valid HS256 token of the static issuer exactly n
// bytes long, padding a custom claim and the header to reach it.
func tokSized(t *testing.T, n int) string {
	t.Helper()
	for spaces := 0; spaces < 4; spaces++ {
		header := tokHSHeader + strings.Repeat(" ", spaces)
		empty := len(tokHS(header, tokBody(tokStaticIss, nil, `"pad":""`)))
		start := max(0, (n-empty)*3/4-4)
		for pad := start; pad < start+12; pad++ {
			body := tokBody(tokStaticIss, nil, `"pad":"`+strings.Repeat("p", pad)+`"`)
			if token := tokHS(header, body); len(token) == n {
				return token
			}
		}
	}
	t.Fatalf("no token of %d bytes", n)
	return ""
}

func TestTokensSize(t *testing.T) {
	// Not parallel: AllocsPerRun needs the test to itself.
	def := tokGate(t, tokStaticConfig(), nil)
	small := tokGate(t, tokStaticConfig(), func(c *jwtgate.Config) { c.MaxTokenSize = 1000 })
	dots := strings.Repeat(".", 1<<20)
	letters := strings.Repeat("A", 1<<20)
	mb := strings.Repeat("A", 1<<19) + "." + strings.Repeat("A", 1<<19) + ".AAAA"
	mal := jwtgate.ErrTokenMalformed

	t.Run("default limit", func(t *testing.T) {
		tokRun(t, def, []tokCase{
			{"8 KiB exactly", tokSized(t, jwtgate.DefaultMaxTokenSize), nil},
			{"8 KiB and one byte", tokSized(t, jwtgate.DefaultMaxTokenSize+1), mal},
			{"8 KiB and two bytes", tokSized(t, jwtgate.DefaultMaxTokenSize+2), mal},
			{"a megabyte of dots", dots, mal},
			{"a megabyte of letters", letters, mal},
			{"a megabyte in three segments", mb, mal},
		})
	})
	t.Run("configured limit", func(t *testing.T) {
		tokRun(t, small, []tokCase{
			{"at the limit", tokSized(t, 1000), nil},
			{"one byte over", tokSized(t, 1002), mal},
		})
	})
	t.Run("allocations", func(t *testing.T) {
		ctx := context.Background()
		for name, token := range map[string]string{"dots": dots, "segments": mb} {
			allocs := testing.AllocsPerRun(20, func() {
				if _, err := def.Validate(ctx, token); err == nil {
					t.Fatal("accepted")
				}
			})
			t.Logf("a megabyte of %s: %.0f allocations per Validate", name, allocs)
			if allocs > 2 {
				t.Errorf("a megabyte of %s: %.0f allocations per Validate, want at most 2",
					name, allocs)
			}
		}
	})
}

// tokHeaderJSONCases returns HS256 tokens of the static issuer whose
// header is not one strict JSON object with a usable alg.
func tokHeaderJSONCases() []tokCase {
	hs := func(header string) string { return tokHS(header, tokBody(tokStaticIss, nil)) }
	deep := func(n int) string {
		return `{"alg":"HS256","x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	}
	mal := jwtgate.ErrTokenMalformed
	return []tokCase{
		{"control", hs(`{"alg":"HS256"}`), nil},
		{"spaces and newlines", hs("{ \"alg\" :\n\t\"HS256\" ,\r\n\"kid\":\"hs\" } "), nil},
		{"escaped NUL in a member", hs(`{"alg":"HS256","x":"a\u0000"}`), nil},
		{"surrogate pair", hs(`{"alg":"HS256","x":"\ud83d\ude00"}`), nil},
		{"nested 20 deep", hs(deep(20)), nil},
		{"array", hs(`[{"alg":"HS256"}]`), mal},
		{"string", hs(`"HS256"`), mal},
		{"number", hs(`1`), mal},
		{"null", hs(`null`), mal},
		{"true", hs(`true`), mal},
		{"empty object", hs(`{}`), jwtgate.ErrAlgorithm},
		{"trailing data", hs(`{"alg":"HS256"}x`), mal},
		{"two objects", hs(`{"alg":"HS256"}{"alg":"HS256"}`), mal},
		{"trailing comma", hs(`{"alg":"HS256",}`), mal},
		{"single quotes", hs(`{'alg':'HS256'}`), mal},
		{"unterminated", hs(`{"alg":"HS256"`), mal},
		{"byte order mark", hs("\ufeff" + `{"alg":"HS256"}`), mal},
		{"comment", hs(`{"alg":"HS256"/* x */}`), mal},
		{"NaN", hs(`{"alg":"HS256","x":NaN}`), mal},
		{"leading zero", hs(`{"alg":"HS256","x":01}`), mal},
		{"invalid UTF-8 value", hs("{\"alg\":\"HS256\",\"x\":\"\xc3\x28\"}"), mal},
		{"invalid UTF-8 name", hs("{\"alg\":\"HS256\",\"\xff\":1}"), mal},
		{"overlong UTF-8", hs("{\"alg\":\"HS256\",\"x\":\"\xc0\xaf\"}"), mal},
		{"UTF-8 surrogate", hs("{\"alg\":\"HS256\",\"x\":\"\xed\xa0\x80\"}"), mal},
		{"lone high surrogate", hs(`{"alg":"HS256","x":"\ud800"}`), mal},
		{"lone low surrogate", hs(`{"alg":"HS256","x":"\udc00"}`), mal},
		{"high surrogate and letter", hs(`{"alg":"HS256","x":"\ud800\u0041"}`), mal},
		{"two high surrogates", hs(`{"alg":"HS256","x":"\ud800\ud800"}`), mal},
		{"raw control character", hs("{\"alg\":\"HS256\",\"x\":\"a\x01\"}"), mal},
		{"bad escape", hs(`{"alg":"HS256","x":"\q"}`), mal},
		{"nested 40 deep", hs(deep(40)), mal},
		{"nested 1000 deep", hs(deep(1000)), mal},
		{"duplicate alg", hs(`{"alg":"HS256","alg":"HS256"}`), mal},
		{"duplicate alg, none last", hs(`{"alg":"HS256","alg":"none"}`), mal},
		{"duplicate alg, escaped", hs(`{"alg":"HS256","\u0061lg":"HS256"}`), mal},
		{"duplicate kid", hs(`{"alg":"HS256","kid":"hs","kid":"hs"}`), mal},
		{"duplicate typ", hs(`{"alg":"HS256","typ":"JWT","typ":"JWT"}`), mal},
		{"duplicate unknown member", hs(`{"alg":"HS256","x":1,"x":1}`), mal},
		{"duplicate in a nested object", hs(`{"alg":"HS256","x":{"a":1,"a":1}}`), mal},
		{"case variant of alg only", hs(`{"ALG":"HS256"}`), jwtgate.ErrAlgorithm},
		{"case variant of kid ignored", hs(`{"alg":"HS256","Kid":"nope"}`), nil},
	}
}

func TestTokensHeaderJSON(t *testing.T) {
	t.Parallel()
	g := tokGate(t, tokStaticConfig(), nil)
	tokRun(t, g, tokHeaderJSONCases())
}

// tokJWKVariant returns the JWK of pub under kid with the members of
// extra added, in the order given, after the standard ones.
func tokJWKVariant(pub *rsa.PublicKey, kid string, extra ...string) json.RawMessage {
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	members := []string{`"kid":"` + kid + `"`, `"n":"` + n + `"`, `"e":"` + e + `"`}
	return json.RawMessage("{" + strings.Join(append(members, extra...), ",") + "}")
}

func TestTokensJWKMemberCase(t *testing.T) {
	t.Parallel()
	iss := gatetest.NewInMemory(t)
	key := tokRSA(t, iss, "key-1")
	pub := &key.PublicKey
	for _, jwk := range []json.RawMessage{
		tokJWKVariant(pub, "control", `"kty":"RSA"`),
		tokJWKVariant(pub, "upper-kty", `"KTY":"RSA"`),
		tokJWKVariant(pub, "use-enc-then-USE", `"kty":"RSA"`, `"use":"enc"`, `"USE":"sig"`),
		tokJWKVariant(pub, "ops-then-OPS", `"kty":"RSA"`, `"key_ops":["encrypt"]`,
			`"Key_Ops":["verify"]`),
		tokJWKVariant(pub, "alg-then-ALG", `"kty":"RSA"`, `"alg":"PS256"`, `"ALG":"RS256"`),
	} {
		iss.AddRawJWK(jwk)
	}
	g := tokGate(t, tokRemoteConfig(iss), nil)
	payload := string(tokJSON(t, tokClaims(iss.URL, nil)))
	rs := func(kid string) string { return tokRSAToken(t, key, "RS256", kid, payload) }
	tokRun(t, g, []tokCase{
		{"control", rs("control"), nil},
		{"KTY is not kty", rs("upper-kty"), jwtgate.ErrKeyNotFound},
		{"USE does not override use", rs("use-enc-then-USE"), jwtgate.ErrKeyNotFound},
		{"Key_Ops does not override key_ops", rs("ops-then-OPS"), jwtgate.ErrKeyNotFound},
		{"ALG does not override alg", rs("alg-then-ALG"), jwtgate.ErrAlgorithm},
	})
}
