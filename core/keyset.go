package jwtgate

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Limits on keys from any source.
const (
	minRSABits   = 2048
	maxRSABits   = 8192
	maxKeyIDSize = 256
)

// StaticKey is a key given in the configuration rather than fetched.
type StaticKey struct {
	// ID is the kid the key answers to. Empty: the key verifies tokens
	// without a kid, when it is its issuer's only key.
	ID string

	// Algorithm limits the key to one algorithm. Empty: every algorithm
	// its type fits (RS* and PS* for RSA, the ES* of its curve, EdDSA,
	// and the HS* whose hash is no longer than the secret).
	Algorithm string

	// Key is an *rsa.PublicKey (2048 bits or more, without the ROCA
	// fingerprint of CVE-2017-15361), an *ecdsa.PublicKey on P-256,
	// P-384 or P-521, an ed25519.PublicKey, or a []byte HMAC secret of
	// at least 32 bytes. Private keys are refused.
	Key any
}

// ParsePEM reads a public key from PEM: a PUBLIC KEY (PKIX), an RSA
// PUBLIC KEY (PKCS #1) or a CERTIFICATE block, whose public key is used.
func ParsePEM(id string, data []byte) (StaticKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return StaticKey{}, errors.New("jwtgate: no PEM block found")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	default:
		return StaticKey{}, fmt.Errorf("jwtgate: unsupported PEM block %q", block.Type)
	}
	if err != nil {
		return StaticKey{}, fmt.Errorf("jwtgate: parsing PEM: %w", err)
	}
	return StaticKey{ID: id, Key: pub}, nil
}

// verifyKey is a key ready for use: its material and what it may verify.
type verifyKey struct {
	kid  string
	kind keyKind
	algs algSet
	pub  any         // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or []byte
	macs [3]*macPool // HMAC states for HS256, HS384, HS512 where fitting
}

// keySet is one immutable snapshot of an issuer's keys. Nothing in it
// changes after it is built, so readers share it without locks.
type keySet struct {
	keys    []*verifyKey
	byKID   map[string][]*verifyKey // only for large sets
	fetched time.Time               // when the keys were fetched
	skipped int                     // keys of the document that were skipped

	// expired is set once, when the set passes the maximum stale age
	// without a successful refresh; readers then treat it as absent.
	// A flag set by a timer keeps the clock off the request path.
	expired atomic.Bool
}

// linearLimit is the set size up to which a scan beats a map lookup.
const linearLimit = 16

func newKeySet(keys []*verifyKey, fetched time.Time, skipped int) *keySet {
	s := &keySet{keys: keys, fetched: fetched, skipped: skipped}
	if len(keys) > linearLimit {
		s.byKID = make(map[string][]*verifyKey, len(keys))
		for _, k := range keys {
			s.byKID[k.kid] = append(s.byKID[k.kid], k)
		}
	}
	return s
}

// find returns the key for kid that fits alg. known reports whether any
// key has that kid, so that a miss on a known kid causes no refresh.
// Without a kid, the set's only key is used.
func (s *keySet) find(kid []byte, hasKID bool, alg int) (k *verifyKey, known bool) {
	if !hasKID {
		if len(s.keys) == 1 {
			return fitting(s.keys[0], alg), true
		}
		return nil, false
	}
	if s.byKID != nil {
		keys := s.byKID[string(kid)]
		for _, k := range keys {
			if k.algs&(1<<alg) != 0 {
				return k, true
			}
		}
		return nil, len(keys) > 0
	}
	for _, k := range s.keys {
		if k.kid == string(kid) {
			known = true
			if k.algs&(1<<alg) != 0 {
				return k, true
			}
		}
	}
	return nil, known
}

// holds reports whether k itself, not merely a key with its kid, is
// in the set.
func (s *keySet) holds(k *verifyKey) bool {
	keys := s.keys
	if s.byKID != nil {
		keys = s.byKID[k.kid]
	}
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// carryOver replaces each key of keys that prev holds unchanged (the
// same kid, type, algorithms and public key) by prev's own, so that a
// refresh that keeps a key keeps its identity, and the tokens it
// verified stay cached.
func carryOver(keys []*verifyKey, prev *keySet) {
	if prev == nil {
		return
	}
	for i, k := range keys {
		same := prev.keys
		if prev.byKID != nil {
			same = prev.byKID[k.kid]
		}
		for _, old := range same {
			if old.kid == k.kid && old.kind == k.kind && old.algs == k.algs && samePublic(old.pub, k.pub) {
				keys[i] = old
				break
			}
		}
	}
}

// samePublic reports whether two public keys are equal.
func samePublic(a, b any) bool {
	pa, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pa.Equal(b)
}

func fitting(k *verifyKey, alg int) *verifyKey {
	if k.algs&(1<<alg) != 0 {
		return k
	}
	return nil
}

// algs returns every algorithm some key of the set fits.
func (s *keySet) algs() algSet {
	var set algSet
	for _, k := range s.keys {
		set |= k.algs
	}
	return set
}

// staticKeySet checks and converts configured keys.
func staticKeySet(keys []StaticKey) (*keySet, error) {
	out := make([]*verifyKey, 0, len(keys))
	seen := map[string]keyKind{}
	for i, sk := range keys {
		k, err := checkStatic(sk)
		if err != nil {
			return nil, fmt.Errorf("jwtgate: static key %d (%q): %w", i, sk.ID, err)
		}
		if prev, dup := seen[k.kid]; dup && prev == k.kind {
			return nil, fmt.Errorf("jwtgate: static key %d: duplicate key ID %q", i, sk.ID)
		}
		seen[k.kid] = k.kind
		out = append(out, k)
	}
	return newKeySet(out, time.Now(), 0), nil
}

func checkStatic(sk StaticKey) (*verifyKey, error) {
	if len(sk.ID) > maxKeyIDSize {
		return nil, errors.New("key ID too long")
	}
	if sk.Algorithm != "" {
		if _, ok := algIndex([]byte(sk.Algorithm)); !ok {
			return nil, fmt.Errorf("unsupported algorithm %q", sk.Algorithm)
		}
	}
	k := &verifyKey{kid: sk.ID, pub: sk.Key}
	var curve elliptic.Curve
	secretLen := 0
	switch pub := sk.Key.(type) {
	case *rsa.PublicKey:
		if err := checkRSA(pub); err != nil {
			return nil, err
		}
		k.kind = kindRSA
	case *ecdsa.PublicKey:
		if _, err := pub.ECDH(); err != nil {
			return nil, fmt.Errorf("invalid ECDSA key: %w", err)
		}
		k.kind, curve = kindEC, pub.Curve
	case ed25519.PublicKey:
		if len(pub) != ed25519.PublicKeySize {
			return nil, errors.New("invalid Ed25519 key size")
		}
		k.kind = kindEd25519
	case []byte:
		if len(pub) < 32 {
			return nil, errors.New("HMAC secret shorter than 32 bytes")
		}
		k.kind, secretLen = kindHMAC, len(pub)
		k.pub = append([]byte(nil), pub...)
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return nil, errors.New("private key given: configure its public key")
	default:
		return nil, fmt.Errorf("unsupported key type %T", sk.Key)
	}
	k.algs = algsFor(k.kind, curve, secretLen, sk.Algorithm)
	if k.algs == 0 {
		return nil, fmt.Errorf("key does not fit algorithm %q", sk.Algorithm)
	}
	if k.kind == kindHMAC {
		for i := range algorithms {
			if a := &algorithms[i]; k.algs&(1<<i) != 0 {
				k.macs[a.hmacSlot()] = newMACPool(a.hash(), k.pub.([]byte))
			}
		}
	}
	return k, nil
}

func checkRSA(pub *rsa.PublicKey) error {
	if pub.N == nil {
		return errors.New("invalid RSA key")
	}
	bits := pub.N.BitLen()
	if bits < minRSABits || bits > maxRSABits {
		return fmt.Errorf("RSA key of %d bits: want %d to %d", bits, minRSABits, maxRSABits)
	}
	if pub.E < 3 || pub.E&1 == 0 {
		return errors.New("invalid RSA exponent")
	}
	if hasROCAFingerprint(pub.N) {
		return errROCA
	}
	return nil
}
