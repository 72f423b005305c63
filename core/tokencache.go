package jwtgate

import (
	"crypto/sha256"
	"encoding/binary"
	"sync/atomic"
	"time"
	"unsafe"
)

// The verified-token cache remembers tokens the Gate accepted, so that
// a client that sends the same token again skips the signature check.
//
// An entry is keyed by the SHA-256 of the whole token and holds the
// claims, the issuer and the very key that verified them; the token
// itself is not kept. A lookup serves an entry only when:
//
//   - the Gate is open and the issuer's current key set, not past its
//     maximum stale age, still holds that key (a key withdrawn at the
//     issuer takes its tokens with it at the swap that removes it);
//   - exp, nbf and iat pass against the current clock, with the same
//     code as a full validation;
//   - the Check hook, which may consult state of its own, accepts the
//     claims again.
//
// Everything else a full validation checks (alg allow-list, typ, iss,
// aud, required claims, scopes) depends only on the token and on the
// Gate's configuration, which never changes, so it holds for every
// later sight of the same token. Rejections are never stored.
//
// The table is set-associative: a bucket of eight atomic pointers per
// cache line, chosen by the digest. Readers load pointers and never
// write, except to set an entry's reference bit once; writers swap
// pointers with compare-and-swap. Eviction is CLOCK within a bucket:
// an entry hit since the last sweep gets a second chance, so hot tokens
// stay and tokens seen once leave first. Memory is bounded twice: by
// the table's slots and by a byte budget reserved before an entry is
// published.

// ways is the number of entries in a bucket: eight pointers fill one
// 64-byte cache line.
const ways = 8

type bucket [ways]atomic.Pointer[cachedToken]

// cachedToken is one accepted token. Nothing in it changes after it is
// published but the reference bit.
type cachedToken struct {
	sum    [sha256.Size]byte
	claims *Claims
	issuer *issuerKeys
	key    *verifyKey
	size   int64       // bytes charged to the budget
	used   atomic.Bool // hit since the last CLOCK sweep
}

// tokenCache is the Gate's verified-token cache.
type tokenCache struct {
	buckets  []bucket
	mask     uint64 // len(buckets) - 1
	maxBytes int64
	leeway   time.Duration
	bytes    atomic.Int64
	entries  atomic.Int64

	hits          stripedCounter
	misses        atomic.Uint64
	evictions     atomic.Uint64
	invalidations atomic.Uint64
}

func newTokenCache(maxEntries int, maxBytes int64, leeway time.Duration) *tokenCache {
	n := 1
	for n*ways < maxEntries {
		n <<= 1
	}
	return &tokenCache{buckets: make([]bucket, n), mask: uint64(n - 1), maxBytes: maxBytes, leeway: leeway}
}

// tokenSum is the cache key of token.
func tokenSum(token string) [sha256.Size]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}

func (c *tokenCache) bucketOf(sum *[sha256.Size]byte, probe uint64) *bucket {
	return &c.buckets[(binary.LittleEndian.Uint64(sum[:8])+probe)&c.mask]
}

// lookup returns the entry for sum, or nil.
func (c *tokenCache) lookup(sum *[sha256.Size]byte) *cachedToken {
	b := c.bucketOf(sum, 0)
	for i := range b {
		if e := b[i].Load(); e != nil && e.sum == *sum {
			if !e.used.Load() {
				e.used.Store(true)
			}
			return e
		}
	}
	return nil
}

// drop removes e, if it is still in the table, as an invalidation.
func (c *tokenCache) drop(e *cachedToken) {
	b := c.bucketOf(&e.sum, 0)
	for i := range b {
		if b[i].CompareAndSwap(e, nil) {
			c.release(e)
			c.invalidations.Add(1)
			return
		}
	}
}

// add publishes e, evicting as the slots and the byte budget require.
// It gives up quietly after a few lost races: the cache is an
// optimisation, and the token was accepted all the same. Entries whose
// token expired before now go first.
func (c *tokenCache) add(e *cachedToken, now time.Time) {
	if e.size > c.maxBytes {
		return
	}
	b := c.bucketOf(&e.sum, 0)
	for try := range uint64(4) {
		slot, old, dead := c.victim(b, &e.sum, now)
		if old != nil && old.sum == e.sum {
			return // another request added the same token first
		}
		delta := e.size
		if old != nil {
			delta -= old.size
		}
		if !c.reserve(delta) {
			// Over budget: evict in a neighbouring bucket and retry.
			c.evictIn(c.bucketOf(&e.sum, try+1), now)
			continue
		}
		if b[slot].CompareAndSwap(old, e) {
			c.count(old, dead)
			if old == nil {
				c.entries.Add(1)
			}
			return
		}
		c.bytes.Add(-delta)
	}
}

// victim returns the slot of b that a new entry takes: one holding the
// same token, else an empty one, else one whose token has expired
// (dead), else the CLOCK choice, starting at a position taken from the
// new entry's digest.
func (c *tokenCache) victim(b *bucket, sum *[sha256.Size]byte, now time.Time) (slot int, e *cachedToken, dead bool) {
	empty, expired := -1, -1
	for i := range b {
		e := b[i].Load()
		switch {
		case e == nil:
			empty = i
		case e.sum == *sum:
			return i, e, false
		case c.expired(e, now):
			expired = i
		}
	}
	if empty >= 0 {
		return empty, nil, false
	}
	if expired >= 0 {
		return expired, b[expired].Load(), true
	}
	start := int(sum[8])
	for n := range 2 * ways {
		i := (start + n) % ways
		e := b[i].Load()
		if e == nil {
			return i, nil, false
		}
		if e.used.Load() {
			e.used.Store(false)
			continue
		}
		return i, e, false
	}
	i := start % ways
	return i, b[i].Load(), false
}

// expired reports whether e's token is past its exp, with the leeway.
func (c *tokenCache) expired(e *cachedToken, now time.Time) bool {
	exp := e.claims.ExpiresAt
	return !exp.IsZero() && !now.Before(exp.Add(c.leeway))
}

// evictIn frees one entry of b, to make room in the byte budget.
func (c *tokenCache) evictIn(b *bucket, now time.Time) {
	var none [sha256.Size]byte
	i, e, dead := c.victim(b, &none, now)
	if e != nil && b[i].CompareAndSwap(e, nil) {
		c.release(e)
		c.count(e, dead)
	}
}

// count records the removal of old, if any, to make room: an eviction,
// or an invalidation when its token had expired.
func (c *tokenCache) count(old *cachedToken, dead bool) {
	switch {
	case old == nil:
	case dead:
		c.invalidations.Add(1)
	default:
		c.evictions.Add(1)
	}
}

// reserve charges delta bytes to the budget if they fit.
func (c *tokenCache) reserve(delta int64) bool {
	for {
		cur := c.bytes.Load()
		if delta > 0 && cur+delta > c.maxBytes {
			return false
		}
		if c.bytes.CompareAndSwap(cur, cur+delta) {
			return true
		}
	}
}

// release returns an entry's bytes and slot after it left the table.
func (c *tokenCache) release(e *cachedToken) {
	c.bytes.Add(-e.size)
	c.entries.Add(-1)
}

// entrySize estimates what an entry keeps alive: the entry and claims
// structs, the payload twice (the Raw bytes and the string the claims
// share), the slices' backing arrays and the kid, plus what the
// allocator's size classes round up.
func entrySize(c *Claims) int64 {
	const fixed = int64(unsafe.Sizeof(cachedToken{})+unsafe.Sizeof(Claims{})) + 96
	const header = int64(unsafe.Sizeof(""))
	n := fixed + 2*int64(cap(c.Raw))
	n += header * int64(cap(c.Audience)+cap(c.Scopes))
	return n + int64(len(c.KeyID))
}

// stripedCounter spreads a hot counter over cache lines, so that cores
// counting at once do not fight over one line.
type stripedCounter struct {
	stripes [16]struct {
		n atomic.Uint64
		_ [56]byte
	}
}

// add counts one event on a stripe chosen from the caller's stack
// address, which differs between goroutines.
func (s *stripedCounter) add() {
	var mark byte
	i := uintptr(unsafe.Pointer(&mark)) >> 13
	s.stripes[(i^i>>4)%uintptr(len(s.stripes))].n.Add(1)
}

func (s *stripedCounter) load() uint64 {
	var n uint64
	for i := range s.stripes {
		n += s.stripes[i].n.Load()
	}
	return n
}

// TokenCacheStats describes the verified-token cache.
type TokenCacheStats struct {
	Enabled       bool
	Hits          uint64 // validations answered from the cache
	Misses        uint64 // validations that found no entry
	Evictions     uint64 // live entries displaced to make room
	Invalidations uint64 // entries dropped: key withdrawn, token expired
	Entries       int64  // entries held now
	Bytes         int64  // estimated bytes held now
}

func (c *tokenCache) stats() TokenCacheStats {
	if c == nil {
		return TokenCacheStats{}
	}
	return TokenCacheStats{
		Enabled:       true,
		Hits:          c.hits.load(),
		Misses:        c.misses.Load(),
		Evictions:     c.evictions.Load(),
		Invalidations: c.invalidations.Load(),
		Entries:       c.entries.Load(),
		Bytes:         c.bytes.Load(),
	}
}
