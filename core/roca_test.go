package jwtgate_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"math/big"
	"runtime"
	"sync"
	"testing"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// RSA keys with the ROCA fingerprint (CVE-2017-15361) are refused as
// static keys and skipped in remote sets (see also TestBadKeySkipped and
// JWK tcId 7 in TestWycheproofJWK); ordinary keys are not.

// rocaRandomCount is how many keys of crypto/rsa the test runs; with
// -short, rocaShortCount.
const (
	rocaRandomCount = 200
	rocaShortCount  = 20
)

// rocaKeys holds one key made as RSALib makes them, built once.
var rocaKeys = sync.OnceValues(rocaGenerate)

// rocaRandomKeys holds the ordinary keys, built once.
var rocaRandomKeys = sync.OnceValues(rocaGenerateRandom)

// rocaKey returns a 2048-bit key whose primes are drawn as Infineon's
// RSALib draws them, by the description of Nemec et al. (CCS 2017):
// k·M + (65537^a mod M), with M the product of the first 126 primes
// (RSALib's M for 2048-bit keys) and k, a random. The generation does
// not use the detector, so the tests check one against the other.
func rocaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rocaKeys()
	if err != nil {
		t.Fatalf("generating the RSALib-style key: %v", err)
	}
	return key
}

func rocaGenerate() (*rsa.PrivateKey, error) {
	m := big.NewInt(1)
	for l, n := int64(2), 0; n < 126; l++ {
		if big.NewInt(l).ProbablyPrime(0) {
			m.Mul(m, big.NewInt(l))
			n++
		}
	}
	p, err := rocaPrime(m)
	if err != nil {
		return nil, err
	}
	q, err := rocaPrime(m)
	if err != nil {
		return nil, err
	}
	return tokRSAFromPrimes(p, q)
}

// rocaPrime draws a 1024-bit prime k·M + (65537^a mod M) with its top
// two bits set and p-1 prime to 65537.
func rocaPrime(m *big.Int) (*big.Int, error) {
	e := big.NewInt(65537)
	low := new(big.Int).Lsh(big.NewInt(3), 1022)
	low.Div(low, m)
	span := new(big.Int).Lsh(big.NewInt(1), 1024)
	span.Div(span, m).Sub(span, low)
	for {
		k, err := rand.Int(rand.Reader, span)
		if err != nil {
			return nil, err
		}
		a, err := rand.Int(rand.Reader, m)
		if err != nil {
			return nil, err
		}
		p := new(big.Int).Exp(e, a, m)
		p.Add(p, k.Add(k, low).Mul(k, m))
		pm1 := new(big.Int).Sub(p, big.NewInt(1))
		if p.ProbablyPrime(20) && pm1.Mod(pm1, e).Sign() != 0 {
			return p, nil
		}
	}
}

// rocaGenerateRandom makes the ordinary keys with crypto/rsa, on every
// processor at once.
func rocaGenerateRandom() ([]*rsa.PrivateKey, error) {
	n := rocaRandomCount
	if testing.Short() {
		n = rocaShortCount
	}
	keys := make([]*rsa.PrivateKey, n)
	errs := make([]error, n)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(keys); i += workers {
				keys[i], errs[i] = rsa.GenerateKey(rand.Reader, 2048)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// rocaStaticGate builds a Gate with the public keys as static keys.
func rocaStaticGate(pubs ...crypto.PublicKey) (*jwtgate.Gate, error) {
	var keys []jwtgate.StaticKey
	for i, pub := range pubs {
		keys = append(keys, jwtgate.StaticKey{ID: fmt.Sprint("key-", i), Key: pub})
	}
	return jwtgate.New(jwtgate.Config{
		Issuers:      []jwtgate.Issuer{{Name: "https://roca.jwtgate.test", Keys: keys}},
		SkipAudience: true,
	})
}

func TestROCAStaticKeyRefused(t *testing.T) {
	t.Parallel()
	key := rocaKey(t)
	if key.N.BitLen() != 2048 {
		t.Fatalf("the RSALib-style modulus has %d bits, want 2048", key.N.BitLen())
	}
	g, err := rocaStaticGate(key.Public())
	if err == nil {
		g.Close()
		t.Fatal("New accepted a static RSA key with the ROCA fingerprint")
	}
	t.Logf("New: %v", err)
}

// TestROCARandomKeysAccepted runs keys of crypto/rsa through both key
// loaders: the detector must flag none of them.
func TestROCARandomKeysAccepted(t *testing.T) {
	t.Parallel()
	keys, err := rocaRandomKeys()
	if err != nil {
		t.Fatalf("generating RSA keys: %v", err)
	}
	pubs := make([]crypto.PublicKey, len(keys))
	jwks := make([][]byte, len(keys))
	for i, k := range keys {
		pubs[i] = k.Public()
		jwks[i] = cacheJWK(t, fmt.Sprint("key-", i), k.Public(), nil)
	}

	g, err := rocaStaticGate(pubs...)
	if err != nil {
		t.Fatalf("New with %d keys of crypto/rsa as static keys: %v", len(pubs), err)
	}
	g.Close()

	iss := gatetest.NewInMemory(t)
	iss.SetRawJWKS(cacheJWKS(jwks...))
	rg := cacheGate(t, cacheConfig(iss))
	cacheReady(t, rg)
	if st := rg.Stats(); st.Issuers[0].Keys != len(keys) || st.KeysSkipped != 0 {
		t.Errorf("remote set of %d keys of crypto/rsa: %d usable, %d skipped", len(keys),
			st.Issuers[0].Keys, st.KeysSkipped)
	}
}
