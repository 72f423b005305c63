package jwtgate_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// Project Wycheproof vectors, read from the shared folder and never
// copied into the repository. The JWS and JWK files go through Validate
// and the key loader; the signature files go through Validate as far as
// their messages allow (see TestWycheproofSignatures).

// tokWycheproofDir is the vector folder, relative to this package.
const tokWycheproofDir = "../../shared/testvectors/wycheproof"

// tokWycheproofIss names the issuer of the gates built for the vectors.
const tokWycheproofIss = "https://wycheproof.jwtgate.test"

// tokReadVectors decodes one vector file into v, or skips the test when
// the folder is absent.
func tokReadVectors(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tokWycheproofDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Wycheproof vectors not found (%s): they live outside the repository, "+
			"in %s", name, tokWycheproofDir)
	}
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

// tokJOSEFile is the layout of json_web_signature_test.json and
// json_web_key_test.json: groups of compact tokens, each group with the
// key (JWS file) or key set (JWK file) that should verify them.
type tokJOSEFile struct {
	TestGroups []struct {
		Comment string          `json:"comment"`
		Private json.RawMessage `json:"private"`
		Public  json.RawMessage `json:"public"`
		Tests   []struct {
			TcID    int             `json:"tcId"`
			Comment string          `json:"comment"`
			JWS     json.RawMessage `json:"jws"`
			Result  string          `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// tokExclusion overrides a vector's expected result with the one the
// security bar requires, for vectors that contradict themselves or the
// bar. accept is the verdict asserted instead of the vector's.
type tokExclusion struct {
	accept bool
	reason string
}

// tokJWSExclusions are the vectors of json_web_signature_test.json whose
// result is not Wycheproof's own: those from 346 on are the defects the
// README of the vector folder lists, checked one by one; the empty
// payloads are valid JWS that the bar refuses.
func tokJWSExclusions() map[int]tokExclusion {
	algMismatch := "the key's JWK alg is PS256, the token's PS384: the JWK's own alg " +
		"binds the key (SECURITY-BAR A)"
	es521 := "the key's JWK alg is ES521, which is no JOSE algorithm (ES512 is): the " +
		"loader skips the key"
	identical := "byte-identical to tcId 357, which is valid"
	question := "holds '?', outside the base64url alphabet (SECURITY-BAR A, encoding)"
	empty := "an empty payload, valid for JWS, but the bar rejects empty segments and a " +
		"JWT always has a claims set"
	return map[int]tokExclusion{
		259: {false, empty}, 264: {false, empty}, 268: {false, empty}, 272: {false, empty},
		320: {false, empty}, 325: {false, empty},
		346: {false, algMismatch}, 350: {false, algMismatch},
		347: {false, es521}, 351: {false, es521},
		367: {true, identical}, 370: {true, identical},
		372: {false, question}, 373: {false, question},
	}
}

// tokJWKExclusions are the vectors of json_web_key_test.json whose result
// is not Wycheproof's own.
func tokJWKExclusions() map[int]tokExclusion {
	symmetric := "an HMAC key in a remote set: symmetric keys never come from a remote " +
		"key set (SECURITY-BAR A); the static-key subtest accepts it"
	return map[int]tokExclusion{
		2: {false, symmetric}, 13: {false, symmetric}, 14: {false, symmetric},
		15: {false, symmetric},
	}
}

// tokVerified reports whether g's verdict on a compact JWS is that its
// signature verified: the token was accepted, or rejected only after
// verification for a payload that is canonical base64url but not a
// claims set the Gate accepts. Wycheproof's payloads are arbitrary bytes,
// never JWT claims, so this is what "valid" means for them here.
//
// A rejection after verification is told apart from one before it by
// flipping a bit of the signature: if the Gate then reports
// ErrSignatureInvalid, the unchanged header and payload passed every
// earlier step, and the original signature was good.
func tokVerified(t *testing.T, g *jwtgate.Gate, token string) bool {
	t.Helper()
	_, err := tokValidate(t, g, token)
	if err == nil {
		return true
	}
	switch jwtgate.Reason(err) {
	case jwtgate.ErrAlgorithm, jwtgate.ErrKeyNotFound, jwtgate.ErrSignatureInvalid,
		jwtgate.ErrKeysUnavailable, jwtgate.ErrType:
		return false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	strict := base64.RawURLEncoding.Strict()
	sig, err1 := strict.DecodeString(parts[2])
	_, err2 := strict.DecodeString(parts[1])
	if err1 != nil || err2 != nil || len(sig) == 0 || parts[1] == "" {
		return false
	}
	sig[len(sig)-1] ^= 1
	_, err = tokValidate(t, g, parts[0]+"."+parts[1]+"."+strict.EncodeToString(sig))
	return errors.Is(err, jwtgate.ErrSignatureInvalid)
}

// tokCompact returns a vector's jws as the string a client would send:
// the string itself, or the JSON text of a JSON-serialized JWS.
func tokCompact(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// tokTally counts the verdicts of one vector file.
type tokTally struct{ accepted, rejected, excluded int }

func (c *tokTally) add(accepted bool, excluded bool) {
	switch {
	case excluded:
		c.excluded++
	case accepted:
		c.accepted++
	default:
		c.rejected++
	}
}

// tokRemoteVectorGate returns a Gate for the key set document doc,
// served by iss, with the claims checks that Wycheproof's payloads cannot
// meet turned off.
func tokRemoteVectorGate(t *testing.T, iss *gatetest.Issuer, doc []byte) *jwtgate.Gate {
	t.Helper()
	iss.SetRawJWKS(doc)
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:      []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		SkipAudience: true,
		ExpOptional:  true,
		HTTPClient:   iss.Client(),
	})
	if err != nil {
		t.Fatalf("jwtgate.New: %v", err)
	}
	return g
}

// tokJWK is the part of a JWK the vector tests read.
type tokJWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	K   string `json:"k"`
}

// tokStaticVectorGate returns a Gate whose static keys are the oct keys
// of a JWK list, or an error when New refuses them or one is not oct.
func tokStaticVectorGate(keys []tokJWK) (*jwtgate.Gate, error) {
	var static []jwtgate.StaticKey
	for _, k := range keys {
		if k.Kty != "oct" {
			return nil, fmt.Errorf("kty %q is not oct", k.Kty)
		}
		secret, err := base64.RawURLEncoding.DecodeString(k.K)
		if err != nil {
			return nil, err
		}
		static = append(static, jwtgate.StaticKey{ID: k.Kid, Algorithm: k.Alg, Key: secret})
	}
	return jwtgate.New(jwtgate.Config{
		Issuers:      []jwtgate.Issuer{{Name: tokWycheproofIss, Keys: static}},
		SkipAudience: true,
		ExpOptional:  true,
	})
}

// tokCheckVerdict compares a verdict with the vector's result, or with
// the exclusion's when there is one.
func tokCheckVerdict(t *testing.T, tcID int, result string, got bool, ex tokExclusion,
	excluded bool) {
	t.Helper()
	want := result == "valid"
	if excluded {
		t.Logf("tcId %d excluded (%s): asserting %s", tcID, ex.reason, tokWord(ex.accept))
		want = ex.accept
	}
	if result == "acceptable" && !excluded {
		return
	}
	if got != want {
		t.Errorf("tcId %d (%s): %s, want %s", tcID, result, tokWord(got), tokWord(want))
	}
}

func tokWord(accepted bool) string {
	if accepted {
		return "signature verified"
	}
	return "rejected"
}

func TestWycheproofJWS(t *testing.T) {
	t.Parallel()
	var file tokJOSEFile
	tokReadVectors(t, "json_web_signature_test.json", &file)
	iss := gatetest.NewInMemory(t)
	exclusions := tokJWSExclusions()
	var tally tokTally

	for _, group := range file.TestGroups {
		g, err := tokJWSGroupGate(t, iss, group.Public, group.Private)
		for _, v := range group.Tests {
			ex, excluded := exclusions[v.TcID]
			name := fmt.Sprintf("%d %s %s", v.TcID, group.Comment, v.Comment)
			t.Run(name, func(t *testing.T) {
				got := err == nil && tokVerified(t, g, tokCompact(v.JWS))
				tokCheckVerdict(t, v.TcID, v.Result, got, ex, excluded)
				tally.add(got, excluded)
			})
		}
		if g != nil {
			g.Close()
		}
	}
	t.Logf("json_web_signature_test.json: %d verified, %d rejected, %d excluded",
		tally.accepted, tally.rejected, tally.excluded)
}

// tokJWSGroupGate returns the Gate for one group of the JWS file: its
// public JWK served as a one-key set, or its oct JWK as a static key.
func tokJWSGroupGate(t *testing.T, iss *gatetest.Issuer, public,
	private json.RawMessage) (*jwtgate.Gate, error) {
	t.Helper()
	if len(public) > 0 {
		doc := []byte(`{"keys":[` + string(public) + `]}`)
		return tokRemoteVectorGate(t, iss, doc), nil
	}
	var k tokJWK
	if err := json.Unmarshal(private, &k); err != nil {
		t.Fatalf("decoding the group's key: %v", err)
	}
	return tokStaticVectorGate([]tokJWK{k})
}

func TestWycheproofJWK(t *testing.T) {
	t.Parallel()
	var file tokJOSEFile
	tokReadVectors(t, "json_web_key_test.json", &file)
	iss := gatetest.NewInMemory(t)
	exclusions := tokJWKExclusions()
	var remote, static tokTally

	for _, group := range file.TestGroups {
		doc := group.Public
		if len(doc) == 0 {
			doc = group.Private
		}
		g := tokRemoteVectorGate(t, iss, doc)
		var set struct{ Keys []tokJWK }
		if err := json.Unmarshal(group.Private, &set); err != nil {
			t.Fatalf("decoding the group's keys: %v", err)
		}
		sg, serr := tokStaticVectorGate(set.Keys)
		asymmetric := serr != nil && strings.Contains(serr.Error(), "is not oct")

		for _, v := range group.Tests {
			ex, excluded := exclusions[v.TcID]
			name := fmt.Sprintf("%d %s %s", v.TcID, group.Comment, v.Comment)
			t.Run("remote/"+name, func(t *testing.T) {
				got := tokVerified(t, g, tokCompact(v.JWS))
				tokCheckVerdict(t, v.TcID, v.Result, got, ex, excluded)
				remote.add(got, excluded)
			})
			if asymmetric {
				continue
			}
			t.Run("static/"+name, func(t *testing.T) {
				got := serr == nil && tokVerified(t, sg, tokCompact(v.JWS))
				tokCheckVerdict(t, v.TcID, v.Result, got, tokExclusion{}, false)
				static.add(got, false)
			})
		}
		g.Close()
		if sg != nil {
			sg.Close()
		}
	}
	t.Logf("json_web_key_test.json through a remote set: %d verified, %d rejected, "+
		"%d excluded", remote.accepted, remote.rejected, remote.excluded)
	t.Logf("json_web_key_test.json, symmetric sets as static keys: %d verified, "+
		"%d rejected", static.accepted, static.rejected)
}

// tokSigFile is the layout of the Wycheproof signature files.
type tokSigFile struct {
	TestGroups []struct {
		PublicKeyPem string          `json:"publicKeyPem"`
		PublicKeyJWK json.RawMessage `json:"publicKeyJwk"`
		KeyJWK       json.RawMessage `json:"keyJwk"`
		Tests        []tokSigVector  `json:"tests"`
	} `json:"testGroups"`
}

// tokSigVector is one signature vector: hex message and signature.
type tokSigVector struct {
	TcID   int    `json:"tcId"`
	Msg    string `json:"msg"`
	Sig    string `json:"sig"`
	Result string `json:"result"`
}

// tokSigCount counts what became of one signature file's vectors.
type tokSigCount struct {
	vectors     int // in the file
	expressible int // whose message is a JWS signing input
	transplant  int // invalid ones run on a foreign signing input
	unrun       int // valid ones whose message is no signing input
}

// tokSigningInput reports whether msg could be the signing input of a
// compact JWS for alg: two canonical base64url segments, the first a
// JSON object whose alg is alg. Only such a message can reach the
// signature check of Validate with the vector's own signature.
func tokSigningInput(msg []byte, alg string) bool {
	h, p, ok := bytes.Cut(msg, []byte("."))
	if !ok || len(h) == 0 || len(p) == 0 || bytes.IndexByte(p, '.') >= 0 {
		return false
	}
	strict := base64.RawURLEncoding.Strict()
	hdr, err := strict.DecodeString(string(h))
	if err != nil {
		return false
	}
	if _, err := strict.DecodeString(string(p)); err != nil {
		return false
	}
	var header struct{ Alg string }
	return json.Unmarshal(hdr, &header) == nil && header.Alg == alg
}

func TestWycheproofSignatures(t *testing.T) {
	t.Parallel()
	files := []struct{ name, alg string }{
		{"ecdsa_secp256r1_sha256_p1363_test.json", "ES256"},
		{"ecdsa_secp384r1_sha384_p1363_test.json", "ES384"},
		{"rsa_signature_2048_sha256_test.json", "RS256"},
		{"rsa_pss_2048_sha256_mgf1_32_test.json", "PS256"},
		{"ed25519_test.json", "EdDSA"},
	}
	iss := gatetest.NewInMemory(t)
	for _, f := range files {
		t.Run(f.alg, func(t *testing.T) {
			var file tokSigFile
			tokReadVectors(t, f.name, &file)
			var n tokSigCount
			var jwks []json.RawMessage
			var keys []any
			for i, group := range file.TestGroups {
				key := tokSigGroup(t, f.alg, group.PublicKeyPem, group.Tests, &n)
				if jwk := tokFirst(group.PublicKeyJWK, group.KeyJWK); len(jwk) > 0 {
					jwks = append(jwks, tokWithKID(t, jwk, fmt.Sprintf("group-%d", i)))
					keys = append(keys, key)
				}
			}
			loaded := tokJWKsLoad(t, iss, f.alg, jwks, keys)
			t.Logf("%s: %d vectors; %d have a message that is a JWS signing input and "+
				"were checked through Validate; the others' messages are not two "+
				"base64url segments with a JOSE header, so %d invalid signatures were "+
				"rejected on a fixed signing input and %d valid ones could not be run; "+
				"%d of %d group JWKs loaded by the remote key loader as the group's key",
				f.name, n.vectors, n.expressible, n.transplant, n.unrun, loaded, len(jwks))
		})
	}
}

func tokFirst(a, b json.RawMessage) json.RawMessage {
	if len(a) > 0 {
		return a
	}
	return b
}

// tokWithKID returns jwk with its kid replaced.
func tokWithKID(t *testing.T, jwk json.RawMessage, kid string) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(jwk, &m); err != nil {
		t.Fatalf("decoding a JWK: %v", err)
	}
	m["kid"] = kid
	return tokJSON(t, m)
}

// tokSigGroup runs one group of a signature file with the group's PEM
// key as a static key, which it returns.
func tokSigGroup(t *testing.T, alg, pemKey string, tests []tokSigVector, n *tokSigCount) any {
	t.Helper()
	sk, err := jwtgate.ParsePEM("wp", []byte(pemKey))
	if err != nil {
		t.Fatalf("ParsePEM: %v", err)
	}
	sk.Algorithm = alg
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:      []jwtgate.Issuer{{Name: tokWycheproofIss, Keys: []jwtgate.StaticKey{sk}}},
		SkipAudience: true,
		ExpOptional:  true,
	})
	if err != nil {
		t.Fatalf("jwtgate.New with the group's key: %v", err)
	}
	defer g.Close()
	fixed := tokB64(`{"alg":"`+alg+`","kid":"wp"}`) + "." + tokB64(`{"sub":"wycheproof"}`)
	for _, v := range tests {
		msg, err1 := hex.DecodeString(v.Msg)
		sig, err2 := hex.DecodeString(v.Sig)
		if err1 != nil || err2 != nil {
			t.Fatalf("tcId %d: bad hex", v.TcID)
		}
		n.vectors++
		if tokSigningInput(msg, alg) {
			n.expressible++
			token := string(msg) + "." + base64.RawURLEncoding.EncodeToString(sig)
			tokCheckVerdict(t, v.TcID, v.Result, tokVerified(t, g, token), tokExclusion{}, false)
			continue
		}
		// A valid signature on a foreign input proves nothing a random one
		// does not; the hostile encodings of the other vectors are run.
		if v.Result == "valid" {
			n.unrun++
			continue
		}
		n.transplant++
		tokTransplant(t, g, v.TcID, fixed, sig)
	}
	return sk.Key
}

// tokTransplant checks that a vector's signature, put on a signing input
// it was not made for, is rejected for its signature, or as malformed
// when it is empty.
func tokTransplant(t *testing.T, g *jwtgate.Gate, tcID int, input string, sig []byte) {
	t.Helper()
	_, err := tokValidate(t, g, input+"."+base64.RawURLEncoding.EncodeToString(sig))
	want := jwtgate.ErrSignatureInvalid
	if len(sig) == 0 {
		want = jwtgate.ErrTokenMalformed
	}
	if !errors.Is(err, want) {
		t.Errorf("tcId %d on a foreign signing input: %v, want %v", tcID, err, want)
	}
}

// tokJWKsLoad serves jwks as one key set, kids group-0, group-1 and so
// on, and returns how many the Gate loads as the matching key of keys
// for alg. Every one must load.
func tokJWKsLoad(t *testing.T, iss *gatetest.Issuer, alg string, jwks []json.RawMessage,
	keys []any) int {
	t.Helper()
	doc := tokJSON(t, map[string]any{"keys": jwks})
	g := tokRemoteVectorGate(t, iss, doc)
	defer g.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	loaded := 0
	for i, jwk := range jwks {
		var k tokJWK
		if err := json.Unmarshal(jwk, &k); err != nil {
			t.Fatalf("decoding a JWK: %v", err)
		}
		got, err := g.Key(ctx, iss.URL, k.Kid, alg)
		if err != nil {
			t.Errorf("the remote loader refused %s: %v %+v", k.Kid, err, g.Stats())
			continue
		}
		eq, ok := got.(interface{ Equal(crypto.PublicKey) bool })
		if !ok || !eq.Equal(keys[i]) {
			t.Errorf("the remote loader gave %T for %s, not the group's key", got, k.Kid)
			continue
		}
		loaded++
	}
	return loaded
}
