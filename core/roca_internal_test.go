package jwtgate

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"slices"
	"testing"
)

// TestROCATables checks the tables against the published detector: its
// informative primes, and the chance that a random modulus passes all
// of them, 1/238878720.
func TestROCATables(t *testing.T) {
	want := []uint64{11, 13, 17, 19, 37, 53, 61, 71, 73, 79, 97, 103, 107, 109, 127, 151, 157}
	var primes []uint64
	passing, total := big.NewInt(1), big.NewInt(1)
	for _, g := range rocaGroups() {
		product := uint64(1)
		for _, p := range g.primes {
			primes = append(primes, p.l)
			product *= p.l
			members := 0
			for r := range p.l {
				if p.members[r/64]&(1<<(r%64)) != 0 {
					members++
				}
			}
			passing.Mul(passing, big.NewInt(int64(members)))
			total.Mul(total, big.NewInt(int64(p.l-1)))
		}
		if product != g.product {
			t.Errorf("group product %d, want %d", g.product, product)
		}
	}
	if !slices.Equal(primes, want) {
		t.Errorf("primes %v, want %v", primes, want)
	}
	if total.Cmp(new(big.Int).Mul(passing, big.NewInt(238878720))) != 0 {
		t.Errorf("a random modulus passes with probability %v/%v, want 1/238878720",
			passing, total)
	}
}

// rocaModulus returns a 2048-bit number congruent to a power of 65537
// mod every prime up to 167: a modulus with the fingerprint, though no
// product of two primes.
func rocaModulus(tb testing.TB) *big.Int {
	tb.Helper()
	m := big.NewInt(1)
	for l := int64(2); l <= rocaMaxPrime; l++ {
		if big.NewInt(l).ProbablyPrime(0) {
			m.Mul(m, big.NewInt(l))
		}
	}
	low := new(big.Int).Lsh(big.NewInt(1), 2047)
	low.Div(low, m).Add(low, big.NewInt(1))
	k, err := rand.Int(rand.Reader, new(big.Int).Rsh(low, 1))
	if err != nil {
		tb.Fatal(err)
	}
	n := new(big.Int).Exp(big.NewInt(rocaGenerator), big.NewInt(4242), m)
	return n.Add(n, k.Add(k, low).Mul(k, m))
}

func TestCheckRSARefusesROCA(t *testing.T) {
	n := rocaModulus(t)
	if err := checkRSA(&rsa.PublicKey{N: n, E: 65537}); !errors.Is(err, errROCA) {
		t.Errorf("checkRSA of a %d-bit modulus with the fingerprint: %v, want errROCA",
			n.BitLen(), err)
	}
	// Mod 11 the powers of 65537 are 1 and 10; adding 4 leaves them.
	n.Add(n, big.NewInt(4))
	if err := checkRSA(&rsa.PublicKey{N: n, E: 65537}); err != nil {
		t.Errorf("checkRSA of the modulus plus 4: %v, want nil", err)
	}
}

// BenchmarkROCAFingerprint measures the test on a random 2048-bit odd
// number, which fails it early as almost every modulus does, and on a
// modulus with the fingerprint, which runs every prime.
func BenchmarkROCAFingerprint(b *testing.B) {
	random := make([]byte, 256)
	if _, err := rand.Read(random); err != nil {
		b.Fatal(err)
	}
	random[0] |= 0x80
	random[255] |= 1
	cases := []struct {
		name string
		n    *big.Int
	}{
		{"random", new(big.Int).SetBytes(random)},
		{"fingerprint", rocaModulus(b)},
	}
	rocaGroups()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hasROCAFingerprint(c.n)
			}
		})
	}
}
