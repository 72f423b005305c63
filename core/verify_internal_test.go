package jwtgate

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The Wycheproof signature files through the signature layer itself.
// Their messages are arbitrary bytes, not JWS signing inputs, so
// Validate cannot carry their valid signatures to the check (see
// TestWycheproofSignatures in the external tests); this test, the only
// one inside the package, hands every vector to verify with the group's
// key and the algorithm the file is for.

// wpSigFile is the part of a Wycheproof signature file the test reads.
type wpSigFile struct {
	TestGroups []struct {
		PublicKeyPem string `json:"publicKeyPem"`
		Tests        []struct {
			TcID   int    `json:"tcId"`
			Msg    string `json:"msg"`
			Sig    string `json:"sig"`
			Result string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

func TestWycheproofSignatureLayer(t *testing.T) {
	t.Parallel()
	files := []struct{ name, alg string }{
		{"ecdsa_secp256r1_sha256_p1363_test.json", "ES256"},
		{"ecdsa_secp384r1_sha384_p1363_test.json", "ES384"},
		{"rsa_signature_2048_sha256_test.json", "RS256"},
		{"rsa_pss_2048_sha256_mgf1_32_test.json", "PS256"},
		{"ed25519_test.json", "EdDSA"},
	}
	for _, f := range files {
		t.Run(f.alg, func(t *testing.T) {
			var file wpSigFile
			wpRead(t, f.name, &file)
			i, ok := algIndex([]byte(f.alg))
			if !ok {
				t.Fatalf("no algorithm %s", f.alg)
			}
			var valid, invalid, acceptable int
			for _, g := range file.TestGroups {
				k := &verifyKey{pub: wpKey(t, g.PublicKeyPem)}
				for _, v := range g.Tests {
					msg, err1 := hex.DecodeString(v.Msg)
					sig, err2 := hex.DecodeString(v.Sig)
					if err1 != nil || err2 != nil {
						t.Fatalf("tcId %d: bad hex", v.TcID)
					}
					got := verify(&algorithms[i], string(msg), sig, k)
					switch v.Result {
					case "acceptable":
						acceptable++
						continue
					case "valid":
						valid++
					default:
						invalid++
					}
					if got != (v.Result == "valid") {
						t.Errorf("tcId %d (%s): verify = %v", v.TcID, v.Result, got)
					}
				}
			}
			t.Logf("%s through verify: %d valid verified, %d invalid rejected, %d "+
				"acceptable not asserted", f.name, valid, invalid, acceptable)
		})
	}
}

// wpRead decodes one vector file into v, or skips the test when the
// shared folder is absent.
func wpRead(t *testing.T, name string, v any) {
	t.Helper()
	const dir = "../../shared/testvectors/wycheproof"
	data, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Wycheproof vectors not found (%s): they live outside the repository, "+
			"in %s", name, dir)
	}
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

// wpKey parses a group's PEM public key.
func wpKey(t *testing.T, p string) any {
	t.Helper()
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		t.Fatal("no PEM block in the group's key")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatalf("parsing the group's key: %v", err)
	}
	return pub
}
