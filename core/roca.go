package jwtgate

import (
	"errors"
	"math/big"
	"math/bits"
	"sync"
)

// errROCA refuses an RSA modulus with the fingerprint of Infineon's
// RSALib (CVE-2017-15361, "ROCA"), whose private key can be recovered
// from the public one.
var errROCA = errors.New("RSA modulus has the ROCA fingerprint (CVE-2017-15361): " +
	"its private key can be recovered")

// RSALib draws each prime as k·M + (65537^a mod M), with M the product
// of the first n primes, so the modulus is a power of 65537 mod every
// prime that divides M. Every key size uses at least the primes up to
// 167. The test: for each such prime l, N mod l must lie in the
// subgroup that 65537 generates mod l. A random modulus passes for all
// of them with probability about 2^-27.8.
const (
	rocaGenerator = 65537
	rocaMaxPrime  = 167
)

// rocaPrime is one prime of the test with the residues that pass.
type rocaPrime struct {
	l       uint64
	members [(rocaMaxPrime + 63) / 64]uint64 // bit r: r is a power of 65537 mod l
}

// rocaGroup is a run of primes whose product fits in a uint64, so one
// pass over the modulus reduces it mod all of them.
type rocaGroup struct {
	product uint64
	primes  []rocaPrime
}

// rocaGroups holds the tables of the test, built on first use.
var rocaGroups = sync.OnceValue(buildROCAGroups)

// buildROCAGroups tabulates the subgroup of 65537 mod each prime up to
// rocaMaxPrime. A prime where 65537 generates every nonzero residue
// tells nothing about a modulus without small factors, and is left out.
func buildROCAGroups() []rocaGroup {
	var groups []rocaGroup
	for l := uint64(3); l <= rocaMaxPrime; l += 2 {
		if !smallPrime(l) {
			continue
		}
		p, order := rocaSubgroup(l)
		if order == l-1 {
			continue
		}
		if len(groups) == 0 || overflows(groups[len(groups)-1].product, l) {
			groups = append(groups, rocaGroup{product: 1})
		}
		g := &groups[len(groups)-1]
		g.product *= l
		g.primes = append(g.primes, p)
	}
	return groups
}

// rocaSubgroup returns the powers of 65537 mod l and how many there are.
func rocaSubgroup(l uint64) (rocaPrime, uint64) {
	p := rocaPrime{l: l}
	order := uint64(0)
	for r := uint64(1); order == 0 || r != 1; r = r * rocaGenerator % l {
		p.members[r/64] |= 1 << (r % 64)
		order++
	}
	return p, order
}

func overflows(a, b uint64) bool {
	hi, _ := bits.Mul64(a, b)
	return hi != 0
}

func smallPrime(n uint64) bool {
	for d := uint64(2); d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return n > 1
}

// hasROCAFingerprint reports whether n passes the ROCA test. It does
// not allocate.
func hasROCAFingerprint(n *big.Int) bool {
	words := n.Bits()
	for _, g := range rocaGroups() {
		rem := wordsMod(words, g.product)
		for i := range g.primes {
			p := &g.primes[i]
			r := rem % p.l
			if p.members[r/64]&(1<<(r%64)) == 0 {
				return false
			}
		}
	}
	return true
}

// wordsMod returns the natural number of the little-endian words mod m.
func wordsMod(words []big.Word, m uint64) uint64 {
	var r uint64
	for i := len(words) - 1; i >= 0; i-- {
		w := uint64(words[i])
		if bits.UintSize == 64 {
			r = bits.Rem64(r, w, m)
		} else {
			r = bits.Rem64(r>>32, r<<32|w, m)
		}
	}
	return r
}
