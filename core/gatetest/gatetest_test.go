package gatetest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math/big"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/goleak"

	"github.com/jwtgate/jwtgate/core/gatetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// constructor is one way to make an issuer.
type constructor struct {
	name       string
	new        func(testing.TB) *gatetest.Issuer
	bubbleSafe bool // whether it may be called inside a synctest bubble
}

// constructors are the two ways to make an issuer.
var constructors = []constructor{
	{"New", gatetest.New, false},
	{"NewInMemory", gatetest.NewInMemory, true},
}

// allAlgs are the algorithms AddKey supports.
var allAlgs = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA",
}

// fetched is what one request through an issuer's client produced.
type fetched struct {
	resp    *http.Response // nil when err is set
	body    []byte         // as much of the body as could be read
	err     error          // from the request
	readErr error          // from reading the body
	elapsed time.Duration
}

// fetch requests url through c, giving up after timeout if it is
// positive, and reads the whole body.
func fetch(t *testing.T, c *http.Client, url string, timeout time.Duration) fetched {
	t.Helper()
	ctx := t.Context()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	var f fetched
	f.resp, f.err = c.Do(req)
	if f.err == nil {
		f.body, f.readErr = io.ReadAll(f.resp.Body)
		_ = f.resp.Body.Close()
	}
	f.elapsed = time.Since(start)
	return f
}

// getJSON fetches url through the issuer's client, expects a 200 JSON
// response and decodes it into v.
func getJSON(t *testing.T, iss *gatetest.Issuer, url string, v any) http.Header {
	t.Helper()
	f := fetch(t, iss.Client(), url, 0)
	if f.err != nil || f.readErr != nil {
		t.Fatalf("GET %s: %v, %v", url, f.err, f.readErr)
	}
	if f.resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, f.resp.StatusCode)
	}
	if ct := f.resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	if err := json.Unmarshal(f.body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, f.body)
	}
	return f.resp.Header
}

// keySet fetches the issuer's JWKS and returns its keys.
func keySet(t *testing.T, iss *gatetest.Issuer) []map[string]string {
	t.Helper()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	getJSON(t, iss, iss.JWKSURL(), &set)
	return set.Keys
}

// kids returns the kid of each key in keys.
func kids(keys []map[string]string) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k["kid"])
	}
	return out
}

// jwkPublicKey decodes the public key of a JWK, checking that its
// members are unpadded base64url and its EC coordinates full size.
func jwkPublicKey(t *testing.T, k map[string]string) crypto.PublicKey {
	t.Helper()
	member := func(name string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(k[name])
		if err != nil || len(b) == 0 {
			t.Fatalf("kid %s: member %s %q: %v", k["kid"], name, k[name], err)
		}
		return b
	}

	switch k["kty"] {
	case "RSA":
		e := new(big.Int).SetBytes(member("e"))
		return &rsa.PublicKey{N: new(big.Int).SetBytes(member("n")), E: int(e.Int64())}
	case "EC":
		curves := map[string]elliptic.Curve{
			"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521(),
		}
		curve := curves[k["crv"]]
		if curve == nil {
			t.Fatalf("kid %s: crv %q", k["kid"], k["crv"])
		}
		size := (curve.Params().BitSize + 7) / 8
		x, y := member("x"), member("y")
		if len(x) != size || len(y) != size {
			t.Fatalf("kid %s: coordinates of %d and %d bytes, want %d",
				k["kid"], len(x), len(y), size)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, slices.Concat([]byte{4}, x, y))
		if err != nil {
			t.Fatalf("kid %s: %v", k["kid"], err)
		}
		return pub
	case "OKP":
		return ed25519.PublicKey(member("x"))
	}
	t.Fatalf("kid %s: kty %q", k["kid"], k["kty"])
	return nil
}

// verify parses token, checking its signature against the issuer's key
// named by the header kid and its registered claims, and returns it.
func verify(t *testing.T, iss *gatetest.Issuer, token, alg string) *jwt.Token {
	t.Helper()
	parsed, err := jwt.Parse(token, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		return iss.PublicKey(kid), nil
	},
		jwt.WithValidMethods([]string{alg}),
		jwt.WithIssuer(iss.URL),
		jwt.WithAudience(gatetest.Audience),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		t.Fatalf("%s token does not verify: %v", alg, err)
	}
	return parsed
}

// unverified decodes token without checking it.
func unverified(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parsed, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Header, parsed.Claims.(jwt.MapClaims)
}

func TestJWKSShape(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	for _, alg := range allAlgs {
		iss.AddKey(alg, "kid-"+alg)
	}
	iss.SetCacheControl("max-age=300")

	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	header := getJSON(t, iss, iss.JWKSURL(), &set)
	if got := header.Get("Cache-Control"); got != "max-age=300" {
		t.Errorf("Cache-Control = %q", got)
	}
	wantKIDs := []string{"key-1"}
	for _, alg := range allAlgs {
		wantKIDs = append(wantKIDs, "kid-"+alg)
	}
	if got := kids(set.Keys); !slices.Equal(got, wantKIDs) {
		t.Fatalf("kids = %v, want %v", got, wantKIDs)
	}

	members := map[string][]string{
		"RSA": {"alg", "e", "kid", "kty", "n", "use"},
		"EC":  {"alg", "crv", "kid", "kty", "use", "x", "y"},
		"OKP": {"alg", "crv", "kid", "kty", "use", "x"},
	}
	for _, k := range set.Keys {
		t.Run(k["kid"], func(t *testing.T) {
			if got := slices.Sorted(maps.Keys(k)); !slices.Equal(got, members[k["kty"]]) {
				t.Errorf("members = %v, want %v", got, members[k["kty"]])
			}
			if k["use"] != "sig" || (k["kid"] != "key-1" && k["kid"] != "kid-"+k["alg"]) {
				t.Errorf("use %q, alg %q", k["use"], k["alg"])
			}
			pub := jwkPublicKey(t, k)
			want := iss.PublicKey(k["kid"]).(interface{ Equal(crypto.PublicKey) bool })
			if !want.Equal(pub) {
				t.Error("published key differs from PublicKey")
			}
		})
	}
}

func TestNoCacheControlByDefault(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	var set map[string]any
	if got := getJSON(t, iss, iss.JWKSURL(), &set).Get("Cache-Control"); got != "" {
		t.Errorf("Cache-Control = %q, want none", got)
	}
}

func TestDiscovery(t *testing.T) {
	for _, c := range constructors {
		t.Run(c.name, func(t *testing.T) {
			iss := c.new(t)
			if strings.HasSuffix(iss.URL, "/") {
				t.Errorf("URL %q ends with a slash", iss.URL)
			}

			var doc map[string]string
			getJSON(t, iss, iss.DiscoveryURL(), &doc)
			want := map[string]string{"issuer": iss.URL, "jwks_uri": iss.JWKSURL()}
			if !maps.Equal(doc, want) {
				t.Errorf("discovery = %v, want %v", doc, want)
			}

			iss.SetDiscovery("https://other.invalid", "https://other.invalid/keys")
			getJSON(t, iss, iss.DiscoveryURL(), &doc)
			want = map[string]string{
				"issuer": "https://other.invalid", "jwks_uri": "https://other.invalid/keys",
			}
			if !maps.Equal(doc, want) {
				t.Errorf("overridden discovery = %v, want %v", doc, want)
			}

			iss.SetDiscovery("", "")
			getJSON(t, iss, iss.DiscoveryURL(), &doc)
			if doc["issuer"] != iss.URL || doc["jwks_uri"] != iss.JWKSURL() {
				t.Errorf("restored discovery = %v", doc)
			}
		})
	}
}

func TestURLs(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	if iss.URL != "https://issuer.gatetest.invalid" {
		t.Errorf("URL = %q", iss.URL)
	}
	if got := iss.JWKSURL(); got != iss.URL+"/.well-known/jwks.json" {
		t.Errorf("JWKSURL = %q", got)
	}
	if got := iss.DiscoveryURL(); got != iss.URL+"/.well-known/openid-configuration" {
		t.Errorf("DiscoveryURL = %q", got)
	}
}

func TestRoutes(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	tests := []struct {
		name   string
		method string
		url    string
		want   int
	}{
		{"jwks", http.MethodGet, iss.JWKSURL(), http.StatusOK},
		{"discovery", http.MethodGet, iss.DiscoveryURL(), http.StatusOK},
		{"unknown path", http.MethodGet, iss.URL + "/keys", http.StatusNotFound},
		{"root", http.MethodGet, iss.URL + "/", http.StatusNotFound},
		{"post", http.MethodPost, iss.JWKSURL(), http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := iss.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestClientRefusesOtherHosts(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	for _, url := range []string{
		"https://example.invalid/.well-known/jwks.json",
		"http://issuer.gatetest.invalid/.well-known/jwks.json",
	} {
		if f := fetch(t, iss.Client(), url, 0); f.err == nil {
			t.Errorf("GET %s succeeded", url)
		}
	}
	if n := iss.Fetches(); n != 0 {
		t.Errorf("Fetches = %d, want 0", n)
	}
}

func TestClaims(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	before := time.Now().Unix()
	c := iss.Claims()
	after := time.Now().Unix()

	iat, ok := c["iat"].(int64)
	if !ok || iat < before || iat > after {
		t.Errorf("iat = %#v, want int64 in [%d, %d]", c["iat"], before, after)
	}
	if exp, ok := c["exp"].(int64); !ok || exp != iat+3600 {
		t.Errorf("exp = %#v, want %d", c["exp"], iat+3600)
	}
	if c["iss"] != iss.URL || c["aud"] != gatetest.Audience || c["sub"] != "user-1" {
		t.Errorf("claims = %v", c)
	}

	c["sub"] = "changed"
	if iss.Claims()["sub"] != "user-1" {
		t.Error("Claims returned a shared map")
	}
}

func TestMintClaims(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	tests := []struct {
		name   string
		claims map[string]any
		want   map[string]any // claims to find; nil means absent
	}{
		{"defaults", nil, map[string]any{
			"iss": iss.URL, "aud": gatetest.Audience, "sub": "user-1",
		}},
		{"override", map[string]any{"sub": "alice", "aud": []string{"a", "b"}}, map[string]any{
			"iss": iss.URL, "aud": []any{"a", "b"}, "sub": "alice",
		}},
		{"extra", map[string]any{"scope": "read write"}, map[string]any{
			"scope": "read write", "sub": "user-1",
		}},
		{"remove", map[string]any{"exp": nil, "aud": nil}, map[string]any{
			"exp": nil, "aud": nil, "sub": "user-1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := unverified(t, iss.Mint(tt.claims))
			for name, want := range tt.want {
				value, present := got[name]
				if want == nil && present {
					t.Errorf("%s = %v, want absent", name, value)
				}
				if want != nil && !equalJSON(value, want) {
					t.Errorf("%s = %#v, want %#v", name, value, want)
				}
			}
		})
	}
}

// equalJSON reports whether two decoded JSON values are equal.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func TestMintEveryAlgorithm(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			kid := iss.AddKey(alg, "")
			token := iss.Mint(map[string]any{"sub": alg})

			parsed := verify(t, iss, token, alg)
			if parsed.Header["kid"] != kid || parsed.Header["typ"] != "JWT" {
				t.Errorf("header = %v, want kid %q", parsed.Header, kid)
			}
			if sub, _ := parsed.Claims.GetSubject(); sub != alg {
				t.Errorf("sub = %q", sub)
			}
		})
	}
}

func TestPSSSaltEqualsHash(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	kid := iss.AddKey("PS256", "pss")
	token := iss.Mint(nil)

	dot := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(token[:dot]))
	pub := iss.PublicKey(kid).(*rsa.PublicKey)
	opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
	if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, opts); err != nil {
		t.Errorf("salt is not the hash length: %v", err)
	}
}

func TestAddKeyRSA(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	kid := iss.AddKeyRSA("RS256", "weak", 1024)
	if bits := iss.PublicKey(kid).(*rsa.PublicKey).N.BitLen(); bits != 1024 {
		t.Errorf("key has %d bits", bits)
	}
	verify(t, iss, iss.Mint(nil), "RS256")
}

func TestMintOptions(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	iss.AddKey("ES256", "ec")
	iss.AddKey("EdDSA", "ed")

	tests := []struct {
		name    string
		opts    []gatetest.TokenOption
		signer  string         // kid of the key that must verify the token
		method  string         // algorithm that must verify it
		members map[string]any // header members to find; nil means absent
	}{
		{"default is newest", nil, "ed", "EdDSA",
			map[string]any{"alg": "EdDSA", "kid": "ed", "typ": "JWT"}},
		{"key", []gatetest.TokenOption{gatetest.WithKey("key-1")}, "key-1", "RS256",
			map[string]any{"alg": "RS256", "kid": "key-1"}},
		{"key and alg", opts(gatetest.WithKey("key-1"), gatetest.WithAlg("PS384")),
			"key-1", "PS384", map[string]any{"alg": "PS384", "kid": "key-1"}},
		{"alg", opts(gatetest.WithAlg("ES256")), "ec", "ES256",
			map[string]any{"alg": "ES256", "kid": "ec"}},
		{"alg from an RSA key", opts(gatetest.WithAlg("RS512")), "key-1", "RS512",
			map[string]any{"alg": "RS512", "kid": "key-1"}},
		{"kid", opts(gatetest.WithKID("nobody")), "ed", "EdDSA",
			map[string]any{"kid": "nobody"}},
		{"empty kid", opts(gatetest.WithKID("")), "ed", "EdDSA",
			map[string]any{"kid": ""}},
		{"without kid", opts(gatetest.WithoutKID()), "ed", "EdDSA",
			map[string]any{"kid": nil, "alg": "EdDSA"}},
		{"header", opts(gatetest.WithHeader("typ", "at+jwt"), gatetest.WithHeader("x5u", 1)),
			"ed", "EdDSA", map[string]any{"typ": "at+jwt", "x5u": float64(1)}},
		{"header removed", opts(gatetest.WithHeader("typ", nil)), "ed", "EdDSA",
			map[string]any{"typ": nil}},
		{"header alg", opts(gatetest.WithKey("ec"), gatetest.WithHeader("alg", "none")),
			"ec", "ES256", map[string]any{"alg": "none", "kid": "ec"}},
		{"header kid wins", opts(gatetest.WithHeader("kid", "h"), gatetest.WithKID("k")),
			"ed", "EdDSA", map[string]any{"kid": "h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := iss.Mint(nil, tt.opts...)
			header, _ := unverified(t, token)
			for name, want := range tt.members {
				got, present := header[name]
				if (want == nil && present) || (want != nil && got != want) {
					t.Errorf("header %s = %#v, want %#v", name, got, want)
				}
			}
			checkSignature(t, token, tt.method, iss.PublicKey(tt.signer))
		})
	}
}

// opts collects token options, to keep table rows short.
func opts(o ...gatetest.TokenOption) []gatetest.TokenOption { return o }

// checkSignature checks the signature of token with method alg alone,
// whatever its header says.
func checkSignature(t *testing.T, token, alg string, key crypto.PublicKey) {
	t.Helper()
	dot := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		t.Fatal(err)
	}
	if err := jwt.GetSigningMethod(alg).Verify(token[:dot], sig, key); err != nil {
		t.Errorf("signature with %s: %v", alg, err)
	}
}

func TestSign(t *testing.T) {
	hmacKey := []byte("0123456789abcdef0123456789abcdef")
	iss := gatetest.NewInMemory(t)
	claims := map[string]any{"sub": "x"}

	t.Run("none", func(t *testing.T) {
		token, err := gatetest.Sign(map[string]any{"alg": "none"}, claims, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(token, ".") || strings.Count(token, ".") != 2 {
			t.Errorf("token %q has a signature", token)
		}
		header, _ := unverified(t, token)
		if header["alg"] != "none" {
			t.Errorf("header = %v", header)
		}
	})
	t.Run("HS256", func(t *testing.T) {
		token, err := gatetest.Sign(map[string]any{"alg": "HS256", "typ": "JWT"}, claims, hmacKey)
		if err != nil {
			t.Fatal(err)
		}
		_, err = jwt.Parse(token, func(*jwt.Token) (any, error) { return hmacKey, nil },
			jwt.WithValidMethods([]string{"HS256"}))
		if err != nil {
			t.Error(err)
		}
	})
	t.Run("issuer key", func(t *testing.T) {
		header := map[string]any{"alg": "RS256", "kid": "key-1"}
		token, err := gatetest.Sign(header, claims, iss.PrivateKey("key-1"))
		if err != nil {
			t.Fatal(err)
		}
		checkSignature(t, token, "RS256", iss.PublicKey("key-1"))
	})

	failures := []struct {
		name   string
		header map[string]any
		key    any
	}{
		{"no alg", map[string]any{"typ": "JWT"}, hmacKey},
		{"unknown alg", map[string]any{"alg": "XX999"}, hmacKey},
		{"wrong key type", map[string]any{"alg": "ES256"}, hmacKey},
		{"none with a key", map[string]any{"alg": "none"}, hmacKey},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			if token, err := gatetest.Sign(tt.header, claims, tt.key); err == nil {
				t.Errorf("Sign = %q, want an error", token)
			}
		})
	}
}

func TestSignRaw(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	header := []byte(`{"alg":"RS256", "alg":"none" ,"kid":"key-1"}`)
	payload := []byte("{\"sub\":\"a\",\"sub\":\"b\"}\n")

	token, err := gatetest.SignRaw("RS256", header, payload, iss.PrivateKey("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts", token, len(parts))
	}
	for n, want := range [][]byte{header, payload} {
		got, err := base64.RawURLEncoding.DecodeString(parts[n])
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("part %d = %q, %v; want %q", n, got, err, want)
		}
	}
	checkSignature(t, token, "RS256", iss.PublicKey("key-1"))

	unsigned, err := gatetest.SignRaw("", header, payload, nil)
	if err != nil || unsigned != parts[0]+"."+parts[1]+"." {
		t.Errorf("unsigned = %q, %v", unsigned, err)
	}
}

func TestRotateAndRemove(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	iss.AddKey("ES384", "ec")
	iss.AddRawJWK(json.RawMessage(`{"kty":"oct","kid":"raw"}`))
	if got := kids(keySet(t, iss)); !slices.Equal(got, []string{"key-1", "ec", "raw"}) {
		t.Fatalf("kids = %v", got)
	}

	iss.RemoveKey("key-1")
	iss.RemoveKey("unknown")
	if got := kids(keySet(t, iss)); !slices.Equal(got, []string{"ec", "raw"}) {
		t.Errorf("after RemoveKey, kids = %v", got)
	}
	removed := iss.Mint(nil, gatetest.WithKey("key-1"))
	checkSignature(t, removed, "RS256", iss.PublicKey("key-1"))

	kid := iss.Rotate("RS256")
	if kid == "key-1" || kid == "ec" || kid == "" {
		t.Fatalf("Rotate returned kid %q", kid)
	}
	if got := kids(keySet(t, iss)); !slices.Equal(got, []string{kid}) {
		t.Errorf("after Rotate, kids = %v, want [%s]", got, kid)
	}
	header, _ := unverified(t, iss.Mint(nil))
	if header["kid"] != kid {
		t.Errorf("default kid after Rotate = %v, want %s", header["kid"], kid)
	}

	again := iss.Rotate("ES256")
	if again == kid {
		t.Errorf("Rotate reused kid %q", kid)
	}
	if got := kids(keySet(t, iss)); !slices.Equal(got, []string{again}) {
		t.Errorf("after second Rotate, kids = %v", got)
	}
}

func TestAddKeyReplacesKID(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	old := iss.PublicKey("key-1")
	iss.AddKey("ES256", "key-1")

	keys := keySet(t, iss)
	if len(keys) != 1 || keys[0]["kty"] != "EC" {
		t.Fatalf("keys = %v", keys)
	}
	if _, isRSA := old.(*rsa.PublicKey); !isRSA {
		t.Fatalf("key-1 started as %T", old)
	}
	if _, isEC := iss.PublicKey("key-1").(*ecdsa.PublicKey); !isEC {
		t.Error("key-1 was not replaced")
	}
}

func TestRawKeySets(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	raw := []byte(`{"kty":"RSA","kid":"x","n":"%%%" , "e":"!"}`)
	iss.AddRawJWK(raw)
	if f := fetch(t, iss.Client(), iss.JWKSURL(), 0); !bytes.Contains(f.body, raw) {
		t.Errorf("raw JWK not served verbatim: %s", f.body)
	}

	body := []byte(`{"keys": [ ], "extra": true}`)
	iss.SetRawJWKS(body)
	if f := fetch(t, iss.Client(), iss.JWKSURL(), 0); !bytes.Equal(f.body, body) {
		t.Errorf("JWKS = %s, want %s", f.body, body)
	}

	iss.SetRawJWKS(nil)
	if got := kids(keySet(t, iss)); !slices.Equal(got, []string{"key-1", "x"}) {
		t.Errorf("kids = %v", got)
	}
}

func TestCounters(t *testing.T) {
	for _, c := range constructors {
		t.Run(c.name, func(t *testing.T) {
			iss := c.new(t)
			client := iss.Client()
			for range 3 {
				fetch(t, client, iss.JWKSURL(), 0)
			}
			fetch(t, client, iss.DiscoveryURL(), 0)
			fetch(t, client, iss.URL+"/nothing", 0)

			iss.SetFault(gatetest.Fault{Status: http.StatusInternalServerError})
			fetch(t, client, iss.JWKSURL(), 0)
			fetch(t, client, iss.DiscoveryURL(), 0)
			iss.ClearFault()

			if n := iss.Fetches(); n != 4 {
				t.Errorf("Fetches = %d, want 4", n)
			}
			if n := iss.DiscoveryFetches(); n != 2 {
				t.Errorf("DiscoveryFetches = %d, want 2", n)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	body := []byte(`{"keys":"not a list"}`)
	tests := []struct {
		name    string
		fault   gatetest.Fault
		timeout time.Duration
		check   func(*testing.T, fetched)
	}{
		{"status", gatetest.Fault{Status: http.StatusServiceUnavailable}, 0,
			func(t *testing.T, f fetched) {
				wantResponse(t, f, http.StatusServiceUnavailable, nil)
				if len(f.body) == 0 {
					t.Error("error response has no body")
				}
			}},
		{"status 200 is healthy", gatetest.Fault{Status: http.StatusOK}, 0,
			func(t *testing.T, f fetched) { wantResponse(t, f, http.StatusOK, nil) }},
		{"status with body", gatetest.Fault{Status: http.StatusBadGateway, Body: body}, 0,
			func(t *testing.T, f fetched) { wantResponse(t, f, http.StatusBadGateway, body) }},
		{"not modified", gatetest.Fault{Status: http.StatusNotModified}, 0,
			func(t *testing.T, f fetched) { wantResponse(t, f, http.StatusNotModified, []byte{}) }},
		{"body", gatetest.Fault{Body: body}, 0,
			func(t *testing.T, f fetched) { wantResponse(t, f, http.StatusOK, body) }},
		{"delay", gatetest.Fault{Delay: 10 * time.Second}, time.Minute,
			func(t *testing.T, f fetched) {
				wantResponse(t, f, http.StatusOK, nil)
				wantElapsed(t, f, 10*time.Second)
			}},
		{"delay then status", gatetest.Fault{Delay: time.Second, Status: 429}, time.Minute,
			func(t *testing.T, f fetched) {
				wantResponse(t, f, http.StatusTooManyRequests, nil)
				wantElapsed(t, f, time.Second)
			}},
		{"delay past deadline", gatetest.Fault{Delay: time.Hour}, 30 * time.Second,
			func(t *testing.T, f fetched) {
				wantError(t, f.err, context.DeadlineExceeded)
				wantElapsed(t, f, 30*time.Second)
			}},
		{"hang", gatetest.Fault{Hang: true}, 45 * time.Second,
			func(t *testing.T, f fetched) {
				wantError(t, f.err, context.DeadlineExceeded)
				wantElapsed(t, f, 45*time.Second)
			}},
		{"reset", gatetest.Fault{Reset: true}, 0,
			func(t *testing.T, f fetched) { wantError(t, f.err, io.ErrUnexpectedEOF) }},
		{"slow body", gatetest.Fault{SlowBody: time.Second, Body: []byte("abcdef")}, time.Minute,
			func(t *testing.T, f fetched) {
				wantResponse(t, f, http.StatusOK, []byte("abcdef"))
				wantElapsed(t, f, 6*time.Second)
			}},
		{"slow body past deadline",
			gatetest.Fault{SlowBody: time.Second, Body: []byte("abcdefgh")},
			3500 * time.Millisecond,
			func(t *testing.T, f fetched) {
				wantError(t, f.readErr, context.DeadlineExceeded)
				if string(f.body) != "abc" {
					t.Errorf("read %q before the deadline, want %q", f.body, "abc")
				}
				wantElapsed(t, f, 3500*time.Millisecond)
			}},
	}
	for _, c := range constructors {
		for _, tt := range tests {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				runFaultCase(t, c, tt.fault, tt.timeout, tt.check)
			})
		}
	}
}

// runFaultCase fetches the key set of a new issuer under fault inside a
// synctest bubble, and checks the outcome. An issuer that listens is made
// outside the bubble, which is safe since only its Client is used inside.
func runFaultCase(t *testing.T, c constructor, fault gatetest.Fault, timeout time.Duration,
	check func(*testing.T, fetched)) {
	t.Helper()
	var outside *gatetest.Issuer
	if !c.bubbleSafe {
		outside = c.new(t)
	}
	synctest.Test(t, func(t *testing.T) {
		iss := outside
		if iss == nil {
			iss = c.new(t)
		}
		iss.SetFault(fault)
		check(t, fetch(t, iss.Client(), iss.JWKSURL(), timeout))
		if n := iss.Fetches(); n != 1 {
			t.Errorf("Fetches = %d, want 1", n)
		}
	})
}

// wantResponse checks that f is a complete response with status and, if
// body is not nil, that body.
func wantResponse(t *testing.T, f fetched, status int, body []byte) {
	t.Helper()
	if f.err != nil || f.readErr != nil {
		t.Fatalf("request failed: %v, %v", f.err, f.readErr)
	}
	if f.resp.StatusCode != status {
		t.Errorf("status = %d, want %d", f.resp.StatusCode, status)
	}
	if body != nil && !bytes.Equal(f.body, body) {
		t.Errorf("body = %q, want %q", f.body, body)
	}
}

// wantError checks that err is target or wraps it.
func wantError(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("error = %v, want %v", err, target)
	}
}

// wantElapsed checks that the request took exactly d on the fake clock.
func wantElapsed(t *testing.T, f fetched, d time.Duration) {
	t.Helper()
	if f.elapsed != d {
		t.Errorf("took %v, want %v", f.elapsed, d)
	}
}

func TestDelayUsesFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.SetFault(gatetest.Fault{Delay: time.Minute})

		start := time.Now()
		resp, err := iss.Client().Get(iss.JWKSURL())
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()

		// On a real clock the request would take at least a minute of
		// wall time and a little more on the clock it reads.
		if elapsed := time.Since(start); elapsed != time.Minute {
			t.Errorf("took %v of fake time, want exactly 1m", elapsed)
		}
	})
}

func TestFaultAppliesToDiscovery(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	iss.SetFault(gatetest.Fault{Status: http.StatusNotFound})
	f := fetch(t, iss.Client(), iss.DiscoveryURL(), 0)
	wantResponse(t, f, http.StatusNotFound, nil)

	iss.ClearFault()
	var doc map[string]string
	getJSON(t, iss, iss.DiscoveryURL(), &doc)
	if n := iss.DiscoveryFetches(); n != 2 {
		t.Errorf("DiscoveryFetches = %d, want 2", n)
	}
}

func TestClosingBodyStopsSlowResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.SetFault(gatetest.Fault{SlowBody: time.Hour})
		start := time.Now()
		resp, err := iss.Client().Get(iss.JWKSURL())
		if err != nil {
			t.Fatal(err)
		}

		if _, err := io.ReadFull(resp.Body, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()

		// Close has waited for the handler, so nothing in the bubble is
		// left running: Wait returns without the clock moving on.
		synctest.Wait()
		if elapsed := time.Since(start); elapsed != time.Hour {
			t.Errorf("took %v, want 1h", elapsed)
		}
		if _, err := resp.Body.Read(make([]byte, 1)); !errors.Is(err, http.ErrBodyReadAfterClose) {
			t.Errorf("Read after Close = %v", err)
		}
	})
}

func TestNewListens(t *testing.T) {
	iss := gatetest.New(t)
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}

	for _, url := range []string{iss.JWKSURL(), iss.DiscoveryURL()} {
		f := fetch(t, client, url, 0)
		wantResponse(t, f, http.StatusOK, nil)
		if !json.Valid(f.body) {
			t.Errorf("GET %s: invalid JSON %s", url, f.body)
		}
	}

	iss.SetFault(gatetest.Fault{Reset: true})
	if f := fetch(t, client, iss.JWKSURL(), 0); f.err == nil {
		t.Errorf("reset request succeeded with status %d", f.resp.StatusCode)
	}
}

func TestNewUnblocksHangingRequestsOnCleanup(t *testing.T) {
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	result := make(chan error, 1)

	t.Run("hang", func(t *testing.T) {
		iss := gatetest.New(t)
		iss.SetFault(gatetest.Fault{Hang: true})
		go func() {
			resp, err := (&http.Client{Transport: transport}).Get(iss.JWKSURL())
			if err == nil {
				_ = resp.Body.Close()
			}
			result <- err
		}()
		for iss.Fetches() == 0 {
			time.Sleep(time.Millisecond)
		}
	})

	// The subtest's cleanup has closed the server, which could only
	// happen once the hanging handler returned.
	if err := <-result; err == nil {
		t.Error("hanging request succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	client := iss.Client()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				resp, err := client.Get(iss.JWKSURL())
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}

	for n := range 3 {
		kid := iss.Rotate("ES256")
		iss.SetCacheControl("max-age=1")
		iss.AddRawJWK(json.RawMessage(`{}`))
		verify(t, iss, iss.Mint(nil), "ES256")
		iss.RemoveKey(kid)
		iss.SetFault(gatetest.Fault{Body: []byte{byte('0' + n)}})
		iss.ClearFault()
	}
	close(stop)
	wg.Wait()
	if iss.Fetches() == 0 {
		t.Error("no fetches counted")
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the failure and
// ends the goroutine, as the real one does, without failing the test.
type fatalRecorder struct {
	testing.TB
	failed bool
}

// Fatalf records a failure and stops the calling goroutine.
func (r *fatalRecorder) Fatalf(string, ...any) {
	r.failed = true
	runtime.Goexit()
}

// fails reports whether f called Fatalf on r. It runs f on a goroutine
// of its own, which Fatalf may end.
func (r *fatalRecorder) fails(f func()) bool {
	r.failed = false
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
	return r.failed
}

func TestMisuseFailsTheTest(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	iss := gatetest.NewInMemory(rec)
	tests := []struct {
		name string
		call func()
	}{
		{"AddKey unknown alg", func() { iss.AddKey("HS256", "") }},
		{"AddKeyRSA non-RSA alg", func() { iss.AddKeyRSA("ES256", "", 2048) }},
		{"AddKeyRSA tiny key", func() { iss.AddKeyRSA("RS256", "", 256) }},
		{"Rotate unknown alg", func() { iss.Rotate("none") }},
		{"PublicKey unknown kid", func() { iss.PublicKey("nobody") }},
		{"PrivateKey unknown kid", func() { iss.PrivateKey("nobody") }},
		{"Mint unknown key", func() { iss.Mint(nil, gatetest.WithKey("nobody")) }},
		{"Mint alg without key", func() { iss.Mint(nil, gatetest.WithAlg("ES512")) }},
		{"Mint alg unfit for key", func() {
			iss.Mint(nil, gatetest.WithKey("key-1"), gatetest.WithAlg("EdDSA"))
		}},
		{"Mint unmarshallable claim", func() {
			iss.Mint(map[string]any{"bad": make(chan int)})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !rec.fails(tt.call) {
				t.Error("did not fail the test")
			}
		})
	}

	if rec.fails(func() { iss.Mint(nil) }) {
		t.Error("the issuer is unusable after misuse")
	}
}
