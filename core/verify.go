package jwtgate

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"math/big"
	"sync"
	"unsafe"
)

// The signature check. It uses the hash and sizes of golang-jwt's
// signing methods and the standard library's primitives directly, so
// that no copy of the signing input is made and HMAC keys are prepared
// once rather than per token.

// pssStrict is the RSASSA-PSS verification rule of RFC 7518 §3.5: the
// salt is exactly as long as the hash.
var pssStrict = rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}

// verify reports whether sig is a valid signature by k over input for
// the algorithm a. The caller has checked that k fits a.
func verify(a *algorithm, input string, sig []byte, k *verifyKey) bool {
	// A read-only view of the token's bytes. Hash functions and the
	// verifiers below only read their input and keep no reference.
	msg := unsafe.Slice(unsafe.StringData(input), len(input))

	switch a.kind {
	case kindRSA:
		var buf [sha512.Size]byte
		h := a.hash()
		digest := sum(h, msg, buf[:0])
		pub := k.pub.(*rsa.PublicKey)
		if a.pss {
			opts := pssStrict
			opts.Hash = h
			return rsa.VerifyPSS(pub, h, digest, sig, &opts) == nil
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
	case kindEC:
		pub := k.pub.(*ecdsa.PublicKey)
		if len(sig) != a.size || pub.Curve != a.curve {
			return false
		}
		var buf [sha512.Size]byte
		digest := sum(a.hash(), msg, buf[:0])
		half := a.size / 2
		r := new(big.Int).SetBytes(sig[:half])
		s := new(big.Int).SetBytes(sig[half:])
		return ecdsa.Verify(pub, digest, r, s)
	case kindEd25519:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.pub.(ed25519.PublicKey), msg, sig)
	case kindHMAC:
		return k.macs[a.hmacSlot()].verify(msg, sig)
	}
	return false
}

// sum appends the digest of msg under h to dst.
func sum(h crypto.Hash, msg, dst []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return append(dst, d[:]...)
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return append(dst, d[:]...)
	}
	d := sha512.Sum512(msg)
	return append(dst, d[:]...)
}

// hmacSlot is the index of an HS* algorithm among the three.
func (a *algorithm) hmacSlot() int {
	switch a.hash() {
	case crypto.SHA384:
		return 1
	case crypto.SHA512:
		return 2
	}
	return 0
}

// macPool holds ready HMAC states of one secret and hash, so that the
// key schedule runs once per state rather than once per token.
type macPool struct {
	pool sync.Pool // of *macState
}

type macState struct {
	h   hash.Hash
	out [sha512.Size]byte
}

func newMACPool(h crypto.Hash, secret []byte) *macPool {
	p := &macPool{}
	p.pool.New = func() any { return &macState{h: hmac.New(h.New, secret)} }
	return p
}

func (p *macPool) verify(msg, sig []byte) bool {
	st := p.pool.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	ok := hmac.Equal(st.h.Sum(st.out[:0]), sig)
	p.pool.Put(st)
	return ok
}
