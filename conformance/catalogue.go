package conformance

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The token catalogue of SECURITY-BAR.md, part A, through the adapters.
// Every case names the class the bar assigns it (A accept, M no
// credentials, R malformed request, T bad token) and the suite checks
// two things: that the adapter's answer has that class, and that it is,
// byte for byte, the answer the core gives for the same request through
// Extractor.FromHTTP, Gate.Validate and Gate.Response. Adapters that all
// pass therefore answer every case identically. The core answers first,
// so with the cache on an accepted token reaches the adapter as a cache
// hit, which must answer as the full validation did.

// class is an outcome class of the bar.
type class byte

// The classes a token or request shape can earn.
const (
	classA class = 'A' // accepted: 200
	classM class = 'M' // no credentials: 401, bare challenge
	classR class = 'R' // malformed request: 400 invalid_request
	classT class = 'T' // bad token: 401 invalid_token
)

// catNow is the fixed clock of the catalogue's gates, so that claims can
// sit exactly on a boundary.
const catNow = 1_900_000_000

// catLeeway is the leeway of the catalogue's leeway gate, in seconds.
const catLeeway = 10

// Issuer names and kids of the catalogue.
const (
	catStatic = "https://static.catalogue.invalid"
	catHSKid  = "hs-cat"
	catAnyRSA = "rsa-any" // key-1 published again without a JWK alg
)

// catGate names one of the catalogue's gates.
type catGate int

const (
	gateMain   catGate = iota // remote issuer with several keys, and static HS256
	gateSingle                // a remote issuer with one key
	gateLeeway                // as gateMain's remote issuer, with Leeway
	gateType                  // as gateMain's remote issuer, Type at+jwt
	gateCount
)

// catCase is one entry of the catalogue.
type catCase struct {
	name  string
	class class
	gate  catGate
	token string
	req   request           // default: bearer
	x     jwtgate.Extractor // token sources
	fetch int               // key-set fetches the case may cause
}

// catEnv holds the issuers, keys and gates of one catalogue run.
type catEnv struct {
	t        *testing.T
	cache    cacheMode        // whether every gate keeps the verified-token cache
	iss      *gatetest.Issuer // several keys
	one      *gatetest.Issuer // one key
	attacker *gatetest.Issuer // reachable by the gates, but never to be asked
	router   *catRouter       // the gates' transport
	secret   []byte
	gates    [gateCount]*jwtgate.Gate
}

// runCatalogue sends every case through the apps build makes, on gates
// whose token cache is as m says.
func runCatalogue(t *testing.T, m cacheMode, build Build) {
	e := newCatEnv(t, m)
	apps := map[catAppKey]http.Handler{}
	tally := map[class]int{}
	for _, group := range []struct {
		name  string
		cases []catCase
	}{
		{"controls", e.controlCases()},
		{"alg", e.algCases()},
		{"keys", e.keyCases()},
		{"kid", e.kidCases()},
		{"header", e.headerCases()},
		{"signature", e.signatureCases()},
		{"time", e.timeCases()},
		{"iss-aud-typ", e.identityCases()},
		{"json", e.jsonCases()},
		{"encoding", e.encodingCases()},
		{"request", e.requestCases()},
	} {
		t.Run(group.name, func(t *testing.T) {
			for _, c := range group.cases {
				tally[c.class]++
				key := catAppKey{c.gate, c.x}
				if apps[key] == nil {
					apps[key] = build(t, Setup{Gate: e.gates[c.gate], Extractor: c.x})
				}
				t.Run(c.name, func(t *testing.T) { e.run(t, apps[key], c) })
			}
		})
	}
	if n := e.attacked(); n != 0 {
		t.Errorf("the attacker's issuer received %d requests", n)
	}
	t.Logf("catalogue: %d cases: %d accept, %d no credentials, %d malformed request, "+
		"%d bad token", tally[classA]+tally[classM]+tally[classR]+tally[classT],
		tally[classA], tally[classM], tally[classR], tally[classT])
}

// catAppKey identifies an app built for the catalogue.
type catAppKey struct {
	gate catGate
	x    jwtgate.Extractor
}

// newCatEnv starts the issuers and gates, with the cache as m says, and
// waits for their keys.
func newCatEnv(t *testing.T, m cacheMode) *catEnv {
	t.Helper()
	e := &catEnv{t: t, cache: m, iss: gatetest.New(t), one: gatetest.New(t),
		attacker: gatetest.New(t), secret: []byte(strings.Repeat("catalogue-secret/", 4))}
	e.router = &catRouter{honest: []*gatetest.Issuer{e.iss, e.one}, attacker: e.attacker}
	e.iss.AddKey("PS256", kidPS256)
	e.iss.AddKey("ES256", kidES256)
	e.iss.AddKey("ES384", "es384")
	e.iss.AddKey("EdDSA", kidEdDSA)
	pub := e.iss.PublicKey(kidRS256).(*rsa.PublicKey)
	e.iss.AddRawJWK(catJSON(t, map[string]string{"kty": "RSA", "kid": catAnyRSA,
		"n": catB64(pub.N.Bytes()), "e": catB64(big.NewInt(int64(pub.E)).Bytes())}))

	remote := jwtgate.Issuer{Name: e.iss.URL, JWKSURL: e.iss.JWKSURL()}
	static := jwtgate.Issuer{Name: catStatic,
		Keys: []jwtgate.StaticKey{{ID: catHSKid, Key: e.secret}}}
	for g, cfg := range map[catGate]jwtgate.Config{
		gateMain:   {Issuers: []jwtgate.Issuer{remote, static}},
		gateSingle: {Issuers: []jwtgate.Issuer{{Name: e.one.URL, JWKSURL: e.one.JWKSURL()}}},
		gateLeeway: {Issuers: []jwtgate.Issuer{remote}, Leeway: catLeeway * time.Second},
		gateType:   {Issuers: []jwtgate.Issuer{remote}, Type: "at+jwt"},
	} {
		cfg.Audience = []string{gatetest.Audience}
		cfg.Now = func() time.Time { return time.Unix(catNow, 0) }
		cfg.HTTPClient = &http.Client{Transport: e.router}
		e.gates[g] = newGate(t, m, cfg)
		ready(t, e.gates[g])
	}
	return e
}

// catRouter sends each request to the in-process issuer of its origin,
// so that no gate holds a connection when the test ends. It reaches the
// attacker's issuer too, so that a gate that followed a URL a token
// names (jku, x5u, an iss) would be seen doing it.
type catRouter struct {
	honest   []*gatetest.Issuer
	attacker *gatetest.Issuer
	attacked atomic.Int64 // requests sent to the attacker, whatever their path
}

// RoundTrip serves req with the issuer of its origin.
func (r *catRouter) RoundTrip(req *http.Request) (*http.Response, error) {
	origin := req.URL.Scheme + "://" + req.URL.Host
	if origin == r.attacker.URL {
		r.attacked.Add(1)
		return r.attacker.Client().Transport.RoundTrip(req)
	}
	for _, iss := range r.honest {
		if origin == iss.URL {
			return iss.Client().Transport.RoundTrip(req)
		}
	}
	return nil, errors.New("conformance: no issuer at " + req.URL.Redacted())
}

// attacked is zero while no request has reached the attacker's issuer:
// it adds the requests the gates' transport sent there, whatever their
// path, to the key-set and discovery requests its server counted from
// any client.
func (e *catEnv) attacked() int64 {
	return e.router.attacked.Load() +
		int64(e.attacker.Fetches()+e.attacker.DiscoveryFetches())
}

// run sends c's request through h and checks the answer.
func (e *catEnv) run(t *testing.T, h http.Handler, c catCase) {
	t.Helper()
	req := c.req
	if req.auth == nil && req.header == nil && req.target == "" {
		req = bearer
	}
	before, attacked := e.iss.Fetches(), e.attacked()
	w := e.coreAnswer(t, c, req.newRequest(c.token))
	checkClass(t, c.class, w)
	hits := cacheHits(e.gates[c.gate])
	rec := serve(h, req.newRequest(c.token))
	if c.class != classA && rec.Code == http.StatusOK {
		t.Fatalf("FALSE ACCEPT: the adapter accepted a case of class %c", c.class)
	}
	check(t, rec, w, c.token, []string{string(e.secret)})
	if n := e.iss.Fetches() - before; n > c.fetch {
		t.Errorf("the case caused %d key-set fetches, want at most %d", n, c.fetch)
	}
	if n := e.attacked() - attacked; n != 0 {
		t.Errorf("the case sent %d requests to the attacker's issuer", n)
	}
	if c.class == classA {
		e.cache.checkCacheHits(t, e.gates[c.gate], hits)
	}
}

// coreAnswer returns the answer the core gives to req: the response of
// the extractor's or the gate's error, or 200 with the claims' body.
func (e *catEnv) coreAnswer(t *testing.T, c catCase, req *http.Request) want {
	t.Helper()
	g := e.gates[c.gate]
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	tok, err := c.x.FromHTTP(req)
	var claims *jwtgate.Claims
	if err == nil {
		claims, err = g.Validate(ctx, tok)
	}
	if err == nil {
		return ok(string(Body(claims, claims)))
	}
	r := g.Response(err)
	return want{status: r.Status, challenge: r.WWWAuthenticate, retryAfter: r.RetryAfter != "",
		body: string(r.Body)}
}

// checkClass fails unless w has the status and challenge of class k.
func checkClass(t *testing.T, k class, w want) {
	t.Helper()
	var status int
	var code string
	switch k {
	case classA:
		status = http.StatusOK
	case classM:
		status = http.StatusUnauthorized
	case classR:
		status, code = http.StatusBadRequest, "invalid_request"
	case classT:
		status, code = http.StatusUnauthorized, "invalid_token"
	}
	hasCode := strings.Contains(w.challenge, `error="`)
	switch {
	case w.status != status:
		t.Fatalf("the core answers %d (%s), want %d for class %c", w.status, w.body, status, k)
	case code == "" && hasCode, code != "" && !strings.Contains(w.challenge, `error="`+code+`"`):
		t.Fatalf("the core's challenge %q does not fit class %c", w.challenge, k)
	}
}

// claims returns a claims set of the main issuer around catNow, with
// members of over replacing the standard ones (an empty value removes
// one), then the raw members of extra.
func (e *catEnv) claims(over map[string]string, extra ...string) string {
	return catClaims(e.iss.URL, over, extra...)
}

// catClaims is claims for the issuer named iss.
func catClaims(iss string, over map[string]string, extra ...string) string {
	std := [][2]string{
		{"iss", `"` + iss + `"`},
		{"aud", `"` + gatetest.Audience + `"`},
		{"sub", `"user-1"`},
		{"iat", "1899999940"},
		{"exp", "1900003600"},
	}
	var members []string
	for _, m := range std {
		v, ok := over[m[0]]
		if !ok {
			v = m[1]
		}
		if v != "" {
			members = append(members, `"`+m[0]+`":`+v)
		}
	}
	return "{" + strings.Join(append(members, extra...), ",") + "}"
}

// sign signs header and payload, raw JSON, with the main issuer's key
// kid for alg.
func (e *catEnv) sign(alg, kid, header, payload string) string {
	e.t.Helper()
	return e.raw(alg, header, payload, e.iss.PrivateKey(kid))
}

// raw is gatetest.SignRaw that fails the test on error.
func (e *catEnv) raw(alg, header, payload string, key any) string {
	e.t.Helper()
	tok, err := gatetest.SignRaw(alg, []byte(header), []byte(payload), key)
	if err != nil {
		e.t.Fatalf("conformance: %v", err)
	}
	return tok
}

// rs returns an RS256 token of key-1 with the given claims.
func (e *catEnv) rs(payload string) string {
	return e.sign("RS256", kidRS256, `{"alg":"RS256","typ":"JWT","kid":"key-1"}`, payload)
}

// rsHeader returns an RS256 token of key-1 with standard claims and the
// raw header h.
func (e *catEnv) rsHeader(h string) string {
	return e.sign("RS256", kidRS256, h, e.claims(nil))
}

// hs returns an HS256 token of the static issuer signed with key.
func (e *catEnv) hs(alg, header string, key []byte) string {
	return e.raw(alg, header, catClaims(catStatic, nil), key)
}

// resign replaces the signature of tok with sig.
func resign(tok string, sig []byte) string {
	h, p, _ := segments(tok)
	return h + "." + p + "." + catB64(sig)
}

// sigOf decodes the signature of tok.
func sigOf(tok string) []byte {
	_, _, s := segments(tok)
	b, _ := base64.RawURLEncoding.DecodeString(s)
	return b
}

func catB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// catJSON marshals v or fails the test.
func catJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	return b
}

// controlCases are the positive controls: every algorithm is accepted.
func (e *catEnv) controlCases() []catCase {
	c := e.claims(nil)
	anyRSA := func(alg string) string {
		return e.sign(alg, kidRS256, `{"alg":"`+alg+`","kid":"`+catAnyRSA+`"}`, c)
	}
	mint := func(alg, kid string) string {
		return e.sign(alg, kid, `{"alg":"`+alg+`","kid":"`+kid+`"}`, c)
	}
	hs := func(alg string) string {
		return e.hs(alg, `{"alg":"`+alg+`","kid":"`+catHSKid+`"}`, e.secret)
	}
	return []catCase{
		{name: "RS256", class: classA, token: e.rs(c)},
		{name: "RS384", class: classA, token: anyRSA("RS384")},
		{name: "RS512", class: classA, token: anyRSA("RS512")},
		{name: "PS256", class: classA, token: mint("PS256", kidPS256)},
		{name: "PS384", class: classA, token: anyRSA("PS384")},
		{name: "PS512", class: classA, token: anyRSA("PS512")},
		{name: "ES256", class: classA, token: mint("ES256", kidES256)},
		{name: "ES384", class: classA, token: mint("ES384", "es384")},
		{name: "EdDSA", class: classA, token: mint("EdDSA", kidEdDSA)},
		{name: "HS256 static", class: classA, token: hs("HS256")},
		{name: "HS384 static", class: classA, token: hs("HS384")},
		{name: "HS512 static", class: classA, token: hs("HS512")},
	}
}

// algCases are tokens whose alg is none, absent, malformed or outside
// the allow-list.
func (e *catEnv) algCases() []catCase {
	var out []catCase
	good := e.rs(e.claims(nil))
	_, p, s := segments(good)
	for _, none := range []string{"none", "None", "NONE", "nOnE", "nonE"} {
		h := catB64([]byte(`{"alg":"` + none + `","kid":"key-1"}`))
		out = append(out,
			catCase{name: none + " unsigned", class: classT, token: h + "." + p + "."},
			catCase{name: none + " with the RS256 signature", class: classT,
				token: h + "." + p + "." + s},
			catCase{name: none + " with an HMAC signature", class: classT,
				token: e.raw("HS256", `{"alg":"`+none+`","kid":"key-1"}`, e.claims(nil),
					e.secret)})
	}
	for name, alg := range map[string]string{
		"absent": ``, "empty": `,"alg":""`, "null": `,"alg":null`, "number": `,"alg":256`,
		"boolean": `,"alg":true`, "array": `,"alg":["RS256"]`, "object": `,"alg":{}`,
		"lower case": `,"alg":"rs256"`, "trailing space": `,"alg":"RS256 "`,
		"ES256K": `,"alg":"ES256K"`, "RSA-OAEP": `,"alg":"RSA-OAEP"`, "dir": `,"alg":"dir"`,
		"HS256 on a remote key": `,"alg":"HS256"`, "case variant only": `,"ALG":"RS256"`,
	} {
		out = append(out, catCase{name: "alg " + name, class: classT,
			token: e.rsHeader(`{"kid":"key-1"` + alg + `}`)})
	}
	return out
}

// keyCases misuse keys: HMAC keyed with the RSA public key, key types,
// curves and JWK algs that do not fit the token's alg.
func (e *catEnv) keyCases() []catCase {
	pub := e.iss.PublicKey(kidRS256).(*rsa.PublicKey)
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		e.t.Fatalf("conformance: %v", err)
	}
	forms := map[string][]byte{
		"PEM": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		"PKCS1 PEM": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY",
			Bytes: x509.MarshalPKCS1PublicKey(pub)}),
		"DER":         pkix,
		"PKCS1 DER":   x509.MarshalPKCS1PublicKey(pub),
		"modulus":     pub.N.Bytes(),
		"modulus b64": []byte(catB64(pub.N.Bytes())),
	}
	var out []catCase
	for form, key := range forms {
		for _, alg := range []string{"HS256", "HS384", "HS512"} {
			for _, kid := range []string{`,"kid":"key-1"`, ``} {
				name := alg + " keyed with the RSA " + form
				if kid == "" {
					name += ", no kid"
				}
				out = append(out, catCase{name: name, class: classT,
					token: e.raw(alg, `{"alg":"`+alg+`"`+kid+`}`, e.claims(nil), key)})
			}
		}
	}
	c := e.claims(nil)
	under := func(alg, signer, kid string) string {
		return e.sign(alg, signer, `{"alg":"`+alg+`","kid":"`+kid+`"}`, c)
	}
	return append(out,
		catCase{name: "ES256 under an RSA kid", class: classT,
			token: under("ES256", kidES256, kidRS256)},
		catCase{name: "ES256 signed on P-384, P-384 kid", class: classT,
			token: e.sign("ES384", "es384", `{"alg":"ES256","kid":"es384"}`, c)},
		catCase{name: "ES384 under a P-256 kid", class: classT,
			token: under("ES384", "es384", kidES256)},
		catCase{name: "EdDSA under an RSA kid", class: classT,
			token: under("EdDSA", kidEdDSA, kidRS256)},
		catCase{name: "RS256 under an EC kid", class: classT,
			token: under("RS256", kidRS256, kidES256)},
		catCase{name: "PS256 on a JWK whose alg is RS256", class: classT,
			token: under("PS256", kidRS256, kidRS256)},
		catCase{name: "RS256 on a JWK whose alg is PS256", class: classT,
			token: under("RS256", kidPS256, kidPS256)},
		catCase{name: "PS384 on a JWK whose alg is PS256", class: classT,
			token: under("PS384", kidPS256, kidPS256)},
		// An HS* kid is looked up like any unknown kid: at most one
		// refresh, and no remote key ever fits HS*.
		catCase{name: "HS256 token claiming the remote issuer", class: classT, fetch: 1,
			token: e.raw("HS256", `{"alg":"HS256","kid":"`+catHSKid+`"}`, c, e.secret)},
	)
}

// kidCases are kids absent, unknown or malformed.
func (e *catEnv) kidCases() []catCase {
	c := e.claims(nil)
	one := catClaims(e.one.URL, nil)
	oneKey := e.one.PrivateKey(kidRS256)
	kid := func(v string) string {
		return e.sign("RS256", kidRS256, `{"alg":"RS256"`+v+`}`, c)
	}
	out := []catCase{
		{name: "no kid, one key", class: classA, gate: gateSingle,
			token: e.raw("RS256", `{"alg":"RS256"}`, one, oneKey)},
		{name: "its kid, one key", class: classA, gate: gateSingle,
			token: e.raw("RS256", `{"alg":"RS256","kid":"key-1"}`, one, oneKey)},
		{name: "no kid, several keys", class: classT, token: kid(``)},
		{name: "unknown kid", class: classT, token: kid(`,"kid":"no-such-key"`), fetch: 1},
		{name: "kid in another case", class: classT, token: kid(`,"kid":"KEY-1"`), fetch: 1},
		{name: "escaped kid", class: classA, token: kid(`,"kid":"\u006bey-1"`)},
	}
	for name, v := range map[string]string{
		"257 bytes": `"` + strings.Repeat("k", 257) + `"`,
		"4 KiB":     `"` + strings.Repeat("k", 4096) + `"`,
		"empty":     `""`, "number": `7`, "boolean": `true`, "null": `null`, "array": `["key-1"]`,
		"object": `{"kid":"key-1"}`,
	} {
		out = append(out, catCase{name: "kid " + name, class: classT, token: kid(`,"kid":` + v)})
	}
	return out
}

// headerCases are jku, jwk, x5u, x5c, crit and b64 members.
func (e *catEnv) headerCases() []catCase {
	c := e.claims(nil)
	atk := e.attacker.PrivateKey(kidRS256)
	atkPub := e.attacker.PublicKey(kidRS256).(*rsa.PublicKey)
	jwk := string(catJSON(e.t, map[string]string{"kty": "RSA", "kid": "key-1",
		"n": catB64(atkPub.N.Bytes()), "e": "AQAB"}))
	urls := map[string]string{
		"jku": `"` + e.attacker.JWKSURL() + `"`, "x5u": `"` + e.attacker.URL + `/cert"`,
		"jwk": jwk, "x5c": `["MIIBAAAA"]`,
	}
	var out []catCase
	for name, v := range urls {
		h := `{"alg":"RS256","kid":"key-1","` + name + `":` + v + `}`
		out = append(out,
			catCase{name: name + " on an honest token is ignored", class: classA,
				token: e.sign("RS256", kidRS256, h, c)},
			catCase{name: name + " naming the attacker's key", class: classT,
				token: e.raw("RS256", h, c, atk)},
			catCase{name: name + " with an unknown kid", class: classT, fetch: 1,
				token: e.raw("RS256", strings.Replace(h, `"key-1"`, `"attacker"`, 1), c, atk)})
	}
	for name, v := range map[string]string{
		"exp": `["exp"]`, "unknown name": `["urn:example:x"]`, "b64": `["b64"]`,
		"empty array": `[]`, "string": `"exp"`, "number": `1`, "null": `null`,
		"object": `{"exp":true}`,
	} {
		out = append(out, catCase{name: "crit " + name, class: classT,
			token: e.rsHeader(`{"alg":"RS256","kid":"key-1","crit":` + v + `}`)})
	}
	for name, v := range map[string]string{
		"false": `false`, "false with crit": `false,"crit":["b64"]`, "string": `"false"`,
		"zero": `0`, "null": `null`,
	} {
		out = append(out, catCase{name: "b64 " + name, class: classT,
			token: e.rsHeader(`{"alg":"RS256","kid":"key-1","b64":` + v + `}`)})
	}
	return append(out, catCase{name: "b64 true", class: classA,
		token: e.rsHeader(`{"alg":"RS256","kid":"key-1","b64":true}`)})
}

// signatureCases damage valid signatures of several algorithms.
func (e *catEnv) signatureCases() []catCase {
	c := e.claims(nil)
	var out []catCase
	for _, k := range []struct{ alg, kid string }{
		{"RS256", kidRS256}, {"PS256", kidPS256}, {"ES256", kidES256}, {"EdDSA", kidEdDSA},
	} {
		tok := e.sign(k.alg, k.kid, `{"alg":"`+k.alg+`","kid":"`+k.kid+`"}`, c)
		sig := sigOf(tok)
		h, p, s := segments(tok)
		flipped := append([]byte(nil), sig...)
		flipped[len(flipped)-1] ^= 1
		for name, v := range map[string]string{
			"truncated":          resign(tok, sig[:len(sig)-1]),
			"half":               resign(tok, sig[:len(sig)/2]),
			"empty":              h + "." + p + ".",
			"padded":             tok + "==",
			"zero byte appended": resign(tok, append(append([]byte(nil), sig...), 0)),
			"all zero":           resign(tok, make([]byte, len(sig))),
			"single zero byte":   resign(tok, []byte{0}),
			"last bit flipped":   resign(tok, flipped),
			"standard alphabet":  h + "." + p + "." + catStd(s),
		} {
			out = append(out, catCase{name: k.alg + " " + name, class: classT, token: v})
		}
		if k.alg == "ES256" {
			out = append(out, catCase{name: "ES256 DER-encoded", class: classT,
				token: resign(tok, catDER(sig))})
		}
	}
	key := e.iss.PrivateKey(kidPS256).(*rsa.PrivateKey)
	for _, salt := range []int{0, 20, 31, 33, 64} {
		out = append(out, catCase{name: "PS256 salt " + strconv.Itoa(salt), class: classT,
			token: e.pss(key, c, salt)})
	}
	return append(out, catCase{name: "PS256 salt 32", class: classA, token: e.pss(key, c, 32)})
}

// pss signs payload for PS256 under kid ps-1 with the given salt length.
func (e *catEnv) pss(key *rsa.PrivateKey, payload string, salt int) string {
	input := b64JSON(`{"alg":"PS256","kid":"`+kidPS256+`"}`) + "." + b64JSON(payload)
	h := crypto.SHA256.New()
	h.Write([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, h.Sum(nil),
		&rsa.PSSOptions{SaltLength: salt})
	if err != nil {
		e.t.Fatalf("conformance: %v", err)
	}
	return input + "." + catB64(sig)
}

// catStd returns s in the standard base64 alphabet, with + and /.
func catStd(s string) string {
	b, _ := base64.RawURLEncoding.DecodeString(s)
	std := base64.RawStdEncoding.EncodeToString(b)
	if !strings.ContainsAny(std, "+/") {
		return std + "/"
	}
	return std
}

// catDER returns the ASN.1 DER form of a raw R||S signature.
func catDER(sig []byte) []byte {
	half := len(sig) / 2
	var out []byte
	for _, v := range [][]byte{sig[:half], sig[half:]} {
		n := new(big.Int).SetBytes(v).Bytes()
		if len(n) > 0 && n[0]&0x80 != 0 {
			n = append([]byte{0}, n...)
		}
		out = append(append(out, 0x02, byte(len(n))), n...)
	}
	return append([]byte{0x30, byte(len(out))}, out...)
}

// timeCases are exp, nbf and iat values: every numeric edge and shape.
func (e *catEnv) timeCases() []catCase {
	exp := func(v string) string { return e.rs(e.claims(map[string]string{"exp": v})) }
	var out []catCase
	for name, v := range map[string]string{
		"a second ahead": "1900000001", "a nanosecond ahead": "1900000000.000000001",
		"fractional": "1900003600.5", "exponent form": "1.9000036e9",
		"largest safe integer": "9007199254740991",
	} {
		out = append(out, catCase{name: "exp " + name, class: classA, token: exp(v)})
	}
	for name, v := range map[string]string{
		"equal to now": "1900000000", "a second ago": "1899999999", "zero": "0",
		"zero fraction": "0.0", "negative": "-1", "2^53": "9007199254740992",
		"1e400": "1e400", "string": `"1900003600"`, "null": "null", "true": "true",
		"object": `{}`, "array": `[1900003600]`, "missing": "", "leading zero": "01900003600",
	} {
		out = append(out, catCase{name: "exp " + name, class: classT, token: exp(v)})
	}
	out = append(out, catCase{name: "only EXP", class: classT,
		token: e.rs(e.claims(map[string]string{"exp": ""}, `"EXP":1900003600`))})

	with := func(name, v string) string { return e.rs(e.claims(nil, `"`+name+`":`+v)) }
	iat := func(v string) string { return e.rs(e.claims(map[string]string{"iat": v})) }
	out = append(out,
		catCase{name: "nbf now", class: classA, token: with("nbf", "1900000000")},
		catCase{name: "nbf a second ahead", class: classT, token: with("nbf", "1900000001")},
		catCase{name: "nbf a nanosecond ahead", class: classT,
			token: with("nbf", "1900000000.000000001")},
		catCase{name: "nbf string", class: classT, token: with("nbf", `"1"`)},
		catCase{name: "iat now", class: classA, token: iat("1900000000")},
		catCase{name: "iat a second ahead", class: classT, token: iat("1900000001")},
		catCase{name: "iat boolean", class: classT, token: iat("false")},
	)

	// The leeway gate: each boundary from both sides.
	l := func(name, v string) string {
		return e.rs(e.claims(map[string]string{name: ""}, `"`+name+`":`+v))
	}
	for _, b := range []struct {
		name, claim, v string
		k              class
	}{
		{"exp leeway less a nanosecond ago", "exp", "1899999990.000000001", classA},
		{"exp leeway ago", "exp", "1899999990", classT},
		{"nbf leeway ahead", "nbf", "1900000010", classA},
		{"nbf leeway and a nanosecond ahead", "nbf", "1900000010.000000001", classT},
		{"iat leeway ahead", "iat", "1900000010", classA},
		{"iat leeway and a second ahead", "iat", "1900000011", classT},
	} {
		out = append(out, catCase{name: b.name, class: b.k, gate: gateLeeway,
			token: l(b.claim, b.v)})
	}
	return out
}

// identityCases are iss, aud and typ values.
func (e *catEnv) identityCases() []catCase {
	iss := func(v string) string { return e.rs(e.claims(map[string]string{"iss": v})) }
	aud := func(v string) string { return e.rs(e.claims(map[string]string{"aud": v})) }
	q := func(s string) string { return `"` + s + `"` }
	a := gatetest.Audience
	out := []catCase{
		{name: "iss escaped slashes", class: classA,
			token: iss(q(strings.ReplaceAll(e.iss.URL, "/", `\/`)))},
		{name: "iss trailing slash", class: classT, token: iss(q(e.iss.URL + "/"))},
		{name: "iss upper case", class: classT, token: iss(q(strings.ToUpper(e.iss.URL)))},
		{name: "iss other", class: classT, token: iss(q("https://evil.example"))},
		{name: "iss empty", class: classT, token: iss(`""`)},
		{name: "iss missing", class: classT, token: iss("")},
		{name: "iss number", class: classT, token: iss("1")},
		{name: "iss array", class: classT, token: iss("[" + q(e.iss.URL) + "]")},
		{name: "iss of the attacker, signed with its key", class: classT,
			token: e.raw("RS256", `{"alg":"RS256","kid":"key-1"}`,
				catClaims(e.attacker.URL, nil), e.attacker.PrivateKey(kidRS256))},
		{name: "aud array, any of", class: classA, token: aud(`["x",` + q(a) + `]`)},
		{name: "aud other", class: classT, token: aud(q("https://other.example"))},
		{name: "aud upper case", class: classT, token: aud(q(strings.ToUpper(a)))},
		{name: "aud missing", class: classT, token: aud("")},
		{name: "aud empty string", class: classT, token: aud(`""`)},
		{name: "aud empty array", class: classT, token: aud(`[]`)},
		{name: "aud array with an empty string", class: classT, token: aud(`["",` + q(a) + `]`)},
		{name: "aud array with a number", class: classT, token: aud(`[` + q(a) + `,1]`)},
		{name: "aud number", class: classT, token: aud(`1`)},
		{name: "aud null", class: classT, token: aud(`null`)},
		{name: "only AUD", class: classT,
			token: e.rs(e.claims(map[string]string{"aud": ""}, `"AUD":`+q(a)))},
	}
	typ := func(v string) string {
		h := `{"alg":"RS256","kid":"key-1"`
		if v != "" {
			h += `,"typ":` + v
		}
		return e.rsHeader(h + "}")
	}
	for _, tc := range []struct {
		v string
		k class
	}{
		{`"at+jwt"`, classA}, {`"application/at+jwt"`, classA}, {`"AT+JWT"`, classA},
		{`"JWT"`, classT}, {``, classT}, {`""`, classT}, {`1`, classT}, {`"at+jwt "`, classT},
	} {
		out = append(out, catCase{name: "typ " + tc.v + " required at+jwt", class: tc.k,
			gate: gateType, token: typ(tc.v)})
	}
	return out
}

// jsonCases are headers and payloads that are not one strict JSON
// object, or that repeat a member.
func (e *catEnv) jsonCases() []catCase {
	body := e.claims(nil)
	inner := strings.TrimSuffix(body, "}")
	pl := func(payload string) string { return e.rs(payload) }
	hd := func(h string) string { return e.rsHeader(h) }
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	rsh := `{"alg":"RS256","kid":"key-1"`
	return []catCase{
		{name: "payload array", class: classT, token: pl("[" + body + "]")},
		{name: "payload string", class: classT, token: pl(`"claims"`)},
		{name: "payload null", class: classT, token: pl(`null`)},
		{name: "payload trailing data", class: classT, token: pl(body + "x")},
		{name: "payload two objects", class: classT, token: pl(body + body)},
		{name: "payload trailing comma", class: classT, token: pl(inner + ",}")},
		{name: "payload nested 40 deep", class: classT,
			token: pl(inner + `,"x":` + deep(40) + "}")},
		{name: "payload nested 20 deep", class: classA,
			token: pl(inner + `,"x":` + deep(20) + "}")},
		{name: "payload invalid UTF-8", class: classT, token: pl(inner + ",\"x\":\"\xff\"}")},
		{name: "payload lone surrogate", class: classT, token: pl(inner + `,"x":"\ud800"}`)},
		{name: "payload byte order mark", class: classT, token: pl("\ufeff" + body)},
		{name: "duplicate exp", class: classT, token: pl(inner + `,"exp":1900003600}`)},
		{name: "duplicate sub", class: classT, token: pl(inner + `,"sub":"admin"}`)},
		{name: "duplicate iss, escaped", class: classT,
			token: pl(inner + `,"\u0069ss":"` + e.iss.URL + `"}`)},
		{name: "duplicate in a nested object", class: classT,
			token: pl(inner + `,"x":{"a":1,"a":2}}`)},
		{name: "case variants are no duplicates", class: classA,
			token: pl(inner + `,"SUB":"x","Sub":"y"}`)},
		{name: "header array", class: classT, token: hd(`[` + rsh + `}]`)},
		{name: "header trailing data", class: classT, token: hd(rsh + `}x`)},
		{name: "header invalid UTF-8", class: classT, token: hd(rsh + ",\"x\":\"\xc3\x28\"}")},
		{name: "header nested 1000 deep", class: classT,
			token: hd(rsh + `,"x":` + deep(1000) + "}")},
		{name: "duplicate alg", class: classT, token: hd(rsh + `,"alg":"RS256"}`)},
		{name: "duplicate alg, none last", class: classT, token: hd(rsh + `,"alg":"none"}`)},
		{name: "duplicate kid", class: classT, token: hd(rsh + `,"kid":"key-1"}`)},
		{name: "duplicate kid, escaped", class: classT, token: hd(rsh + `,"\u006bid":"key-1"}`)},
	}
}

// encodingCases damage the compact serialization of a valid token.
func (e *catEnv) encodingCases() []catCase {
	tok := e.rs(e.claims(nil, `"x":"???>>>~~~"`))
	h, p, s := segments(tok)
	resignInput := func(input string) string {
		key := e.iss.PrivateKey(kidRS256).(*rsa.PrivateKey)
		d := crypto.SHA256.New()
		d.Write([]byte(input))
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d.Sum(nil))
		if err != nil {
			e.t.Fatalf("conformance: %v", err)
		}
		return input + "." + catB64(sig)
	}
	bits := func(seg string) string {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		i := strings.IndexByte(alphabet, seg[len(seg)-1])
		return seg[:len(seg)-1] + string(alphabet[i|1])
	}
	out := []catCase{
		{name: "one segment", class: classT, token: h},
		{name: "two segments", class: classT, token: h + "." + p},
		{name: "four segments", class: classT, token: tok + "." + s},
		{name: "empty header", class: classT, token: "." + p + "." + s},
		{name: "empty payload", class: classT, token: resignInput(h + ".")},
		{name: "dots only", class: classT, token: ".."},
		{name: "standard alphabet payload", class: classT,
			token: resignInput(h + "." + catStd(p))},
		{name: "padded header", class: classT, token: resignInput(h + "==." + p)},
		{name: "padded payload", class: classT, token: resignInput(h + "." + p + "=")},
		{name: "percent-encoded dot", class: classT, token: h + "%2E" + p + "." + s},
		{name: "oversized", class: classT,
			token: e.rs(e.claims(nil, `"pad":"`+strings.Repeat("p", 7<<10)+`"`))},
	}
	if len(p)%4 >= 2 {
		out = append(out, catCase{name: "non-canonical payload bits", class: classT,
			token: resignInput(h + "." + bits(p))})
	}
	if len(s)%4 >= 2 {
		out = append(out, catCase{name: "non-canonical signature bits", class: classT,
			token: h + "." + p + "." + bits(s)})
	}
	if !strings.ContainsAny(p, "-_") {
		e.t.Fatalf("conformance: the encoding fixture does not use the base64url alphabet")
	}
	return out
}

// requestCases are the request shapes of the adapters.
func (e *catEnv) requestCases() []catCase {
	tok := e.rs(e.claims(nil))
	auth := func(v ...string) request { return request{auth: v} }
	cookie := jwtgate.Extractor{Cookie: "access_token"}
	query := jwtgate.Extractor{Query: "access_token"}
	header := jwtgate.Extractor{Header: "X-Access-Token"}
	return []catCase{
		{name: "Bearer", class: classA, token: tok, req: auth("Bearer " + tokenVar)},
		{name: "bearer", class: classA, token: tok, req: auth("bearer " + tokenVar)},
		{name: "BEARER", class: classA, token: tok, req: auth("BEARER " + tokenVar)},
		{name: "bEaReR", class: classA, token: tok, req: auth("bEaReR " + tokenVar)},
		{name: "no header", class: classM, token: tok, req: request{target: "/me"}},
		{name: "empty header", class: classM, token: tok, req: auth("")},
		{name: "Basic", class: classM, token: tok, req: auth("Basic dXNlcjpwYXNz")},
		{name: "Digest", class: classM, token: tok, req: auth(`Digest username="u"`)},
		{name: "token without a scheme", class: classM, token: tok, req: auth(tokenVar)},
		{name: "Bearer glued to the token", class: classM, token: tok,
			req: auth("Bearer" + tokenVar)},
		{name: "Bearer alone", class: classR, token: tok, req: auth("Bearer")},
		{name: "Bearer and spaces", class: classR, token: tok, req: auth("Bearer   ")},
		{name: "token with a comma", class: classR, token: tok,
			req: auth("Bearer " + tokenVar + ",x")},
		{name: "token with a space", class: classR, token: tok,
			req: auth("Bearer " + tokenVar + " x")},
		{name: "token with a tab", class: classR, token: tok,
			req: auth("Bearer " + tokenVar + "\tx")},
		{name: "two Authorization headers", class: classR, token: tok,
			req: auth("Bearer "+tokenVar, "Bearer "+tokenVar)},
		{name: "Bearer and Basic headers", class: classR, token: tok,
			req: auth("Bearer "+tokenVar, "Basic dXNlcjpwYXNz")},
		{name: "header and cookie", class: classR, token: tok, x: cookie,
			req: request{auth: []string{"Bearer " + tokenVar},
				header: [][2]string{{"Cookie", "access_token=" + tokenVar}}}},
		{name: "two cookies", class: classR, token: tok, x: cookie,
			req: request{header: [][2]string{
				{"Cookie", "access_token=" + tokenVar + "; access_token=" + tokenVar}}}},
		{name: "header and query", class: classR, token: tok, x: query,
			req: request{target: "/me?access_token=" + tokenVar,
				auth: []string{"Bearer " + tokenVar}}},
		{name: "query twice", class: classR, token: tok, x: query,
			req: request{target: "/me?access_token=" + tokenVar + "&access_token=x"}},
		{name: "Authorization and custom header", class: classR, token: tok, x: header,
			req: request{auth: []string{"Bearer " + tokenVar},
				header: [][2]string{{"X-Access-Token", tokenVar}}}},
		{name: "query not configured", class: classM, token: tok,
			req: request{target: "/me?access_token=" + tokenVar}},
		{name: "query configured", class: classA, token: tok, x: query,
			req: request{target: "/me?access_token=" + tokenVar}},
	}
}
