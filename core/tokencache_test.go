package jwtgate_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The tests of this file hold the verified-token cache to its promise:
// a hit answers exactly as a full validation would, at the moment it is
// asked.

// tcSecret is the static HS256 secret of the cache tests.
var tcSecret = []byte("token cache test secret, 32 byte")

const tcIssuer = "https://tokens.example"

// tcStatic returns a Gate over one issuer with the static secret.
func tcStatic(t testing.TB, edit func(*jwtgate.Config)) *jwtgate.Gate {
	t.Helper()
	cfg := jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: tcIssuer, Keys: []jwtgate.StaticKey{{Key: tcSecret}}}},
		Audience: []string{gatetest.Audience},
	}
	if edit != nil {
		edit(&cfg)
	}
	g, err := jwtgate.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// tcMinter signs HS256 tokens quickly: one header, payloads that differ
// in sub.
type tcMinter struct {
	header string
	exp    int64
}

func newMinter(exp time.Time) *tcMinter {
	return &tcMinter{
		header: base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)),
		exp:    exp.Unix(),
	}
}

// token returns the token for subject n.
func (m *tcMinter) token(n int) string {
	payload := `{"iss":"` + tcIssuer + `","aud":"` + gatetest.Audience + `","sub":"user-` +
		strconv.Itoa(n) + `","exp":` + strconv.FormatInt(m.exp, 10) + `,"scope":"read write"}`
	input := m.header + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, tcSecret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func tcCache(g *jwtgate.Gate) jwtgate.TokenCacheStats { return g.Stats().TokenCache }

// TestTokenCacheHitSameClaims compares the claims of a hit with those
// of a full validation by a Gate without the cache, for every
// algorithm.
func TestTokenCacheHitSameClaims(t *testing.T) {
	iss := gatetest.New(t)
	for _, alg := range []string{"PS256", "ES384", "EdDSA"} {
		iss.AddKey(alg, "k-"+alg)
	}
	cached := cacheGate(t, cacheConfig(iss))
	cfg := cacheConfig(iss)
	cfg.DisableTokenCache = true
	plain := cacheGate(t, cfg)
	cacheReady(t, cached)
	cacheReady(t, plain)
	if st := tcCache(plain); st.Enabled || st.Hits+st.Misses != 0 {
		t.Errorf("disabled cache: %+v", st)
	}

	for _, kid := range []string{"key-1", "k-PS256", "k-ES384", "k-EdDSA"} {
		token := iss.Mint(map[string]any{"scope": "read write", "jti": "id-" + kid},
			gatetest.WithKey(kid))
		want, err := plain.Validate(t.Context(), token)
		if err != nil {
			t.Fatalf("%s: plain: %v", kid, err)
		}
		before := tcCache(cached)
		first, err := cached.Validate(t.Context(), token)
		if err != nil {
			t.Fatalf("%s: miss: %v", kid, err)
		}
		second, err := cached.Validate(t.Context(), token)
		if err != nil {
			t.Fatalf("%s: hit: %v", kid, err)
		}
		after := tcCache(cached)
		if after.Misses != before.Misses+1 || after.Hits != before.Hits+1 {
			t.Errorf("%s: misses %d→%d, hits %d→%d; want one of each",
				kid, before.Misses, after.Misses, before.Hits, after.Hits)
		}
		for name, got := range map[string]*jwtgate.Claims{"miss": first, "hit": second} {
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s claims\n%+v\nwant\n%+v", kid, name, got, want)
			}
		}
	}
}

// TestTokenCacheExpiry lets a cached token expire: the next request is
// rejected at once, as expired, and the entry is gone.
func TestTokenCacheExpiry(t *testing.T) {
	for _, leeway := range []time.Duration{0, 30 * time.Second} {
		t.Run(leeway.String(), func(t *testing.T) {
			var now atomic.Int64
			start := time.Now().Truncate(time.Second)
			now.Store(start.UnixNano())
			g := tcStatic(t, func(c *jwtgate.Config) {
				c.Leeway = leeway
				c.Now = func() time.Time { return time.Unix(0, now.Load()) }
			})
			token := newMinter(start.Add(time.Minute)).token(1)
			for range 3 {
				if _, err := g.Validate(t.Context(), token); err != nil {
					t.Fatalf("before exp: %v", err)
				}
			}
			now.Store(start.Add(time.Minute + leeway - time.Nanosecond).UnixNano())
			if _, err := g.Validate(t.Context(), token); err != nil {
				t.Fatalf("within leeway: %v", err)
			}
			now.Store(start.Add(time.Minute + leeway).UnixNano())
			for range 2 {
				_, err := g.Validate(t.Context(), token)
				if !errors.Is(err, jwtgate.ErrTokenExpired) {
					t.Fatalf("at exp+leeway: %v, want ErrTokenExpired", err)
				}
			}
			st := tcCache(g)
			if st.Hits != 3 || st.Invalidations != 1 || st.Entries != 0 {
				t.Errorf("stats %+v, want 3 hits, 1 invalidation, no entry", st)
			}
		})
	}
}

// TestTokenCacheKeyRemoval withdraws the key of a cached token: the
// first request after the refresh that drops the key is rejected, while
// a refresh that keeps the key keeps the token cached.
func TestTokenCacheKeyRemoval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.AddKey("ES256", "leaving")
		g := cacheGate(t, cacheConfig(iss))
		cacheReady(t, g)
		token := iss.Mint(map[string]any{"exp": time.Now().Add(24 * time.Hour).Unix()},
			gatetest.WithKey("leaving"))
		stay := iss.Mint(map[string]any{"exp": time.Now().Add(24 * time.Hour).Unix()},
			gatetest.WithKey("key-1"))
		cacheExpect(t, g, token, nil)
		cacheExpect(t, g, stay, nil)

		// A periodic refresh that brings the same keys keeps the entries.
		fetches := iss.Fetches()
		time.Sleep(jwtgate.DefaultRefreshInterval + time.Second)
		if iss.Fetches() == fetches {
			t.Fatal("no refresh within the refresh interval")
		}
		before := tcCache(g)
		cacheExpect(t, g, token, nil)
		cacheExpect(t, g, stay, nil)
		if st := tcCache(g); st.Hits != before.Hits+2 {
			t.Errorf("after an unchanged refresh: %d hits, want %d", st.Hits, before.Hits+2)
		}

		// The refresh that drops the key drops its token with it.
		iss.RemoveKey("leaving")
		fetches = iss.Fetches()
		for iss.Fetches() == fetches {
			time.Sleep(time.Second)
		}
		synctest.Wait()
		before = tcCache(g)
		_, err := g.Validate(t.Context(), token)
		cacheCheckErr(t, err, jwtgate.ErrKeyNotFound)
		cacheExpect(t, g, stay, nil)
		st := tcCache(g)
		if st.Invalidations != before.Invalidations+1 || st.Hits != before.Hits+1 {
			t.Errorf("after removal: %+v, before %+v", st, before)
		}

		// The same kid with a new key is a new key: nothing carries over.
		iss.AddKey("ES256", "leaving")
		time.Sleep(jwtgate.DefaultRefreshInterval + time.Second)
		_, err = g.Validate(t.Context(), token)
		cacheCheckErr(t, err, jwtgate.ErrSignatureInvalid)
	})
}

// TestTokenCacheRotation rotates keys while tokens of the old and new
// keys are cached: both serve while both are published.
func TestTokenCacheRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		g := cacheGate(t, cacheConfig(iss))
		cacheReady(t, g)
		old := iss.Mint(nil)
		cacheExpect(t, g, old, nil)
		kid := iss.AddKey("RS256", "next")
		fresh := iss.Mint(nil, gatetest.WithKey(kid))
		cacheExpect(t, g, fresh, nil) // unknown kid: one refresh
		cacheExpect(t, g, fresh, nil)
		cacheExpect(t, g, old, nil)
		if st := tcCache(g); st.Hits != 2 || st.Misses != 2 {
			t.Errorf("stats %+v, want 2 hits, 2 misses", st)
		}
	})
}

// TestTokenCacheEveryByte changes each byte of a cached token, in every
// segment, to each other character of the alphabet, and drops, doubles
// and appends characters: none of the variants is accepted, and none
// is answered from the cache.
func TestTokenCacheEveryByte(t *testing.T) {
	g := tcStatic(t, nil)
	token := newMinter(time.Now().Add(time.Hour)).token(7)
	if _, err := g.Validate(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="
	var variants []string
	for i := range token {
		for j := range alphabet {
			if alphabet[j] != token[i] {
				variants = append(variants, token[:i]+alphabet[j:j+1]+token[i+1:])
			}
		}
		variants = append(variants, token[:i]+token[i+1:], token[:i+1]+token[i:])
	}
	variants = append(variants, token+"A", " "+token, token+" ", token+".")
	before := tcCache(g)
	for _, v := range variants {
		if c, err := g.Validate(t.Context(), v); err == nil {
			t.Fatalf("variant accepted: %q (sub %q)", v, c.Subject)
		}
	}
	if st := tcCache(g); st.Hits != before.Hits {
		t.Errorf("%d variants answered from the cache", st.Hits-before.Hits)
	}
	if _, err := g.Validate(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d variants rejected", len(variants))
}

// TestTokenCacheHeaderVariant caches a token, then presents the same
// claims under other headers that verify: each is validated in full
// before the cache serves it, and keeps its own header members.
func TestTokenCacheHeaderVariant(t *testing.T) {
	g := tcStatic(t, func(c *jwtgate.Config) {
		c.Issuers[0].Keys[0].ID = "hs"
	})
	payload := fmt.Sprintf(`{"iss":%q,"aud":%q,"sub":"same","exp":%d}`,
		tcIssuer, gatetest.Audience, time.Now().Add(time.Hour).Unix())
	var tokens []string
	for _, h := range []string{
		`{"alg":"HS256","kid":"hs"}`,
		`{"alg":"HS256","kid":"hs","typ":"JWT"}`,
		`{"alg":"HS256","kid":"hs","typ":"at+jwt"}`,
		`{"kid":"hs","alg":"HS256"}`,
		`{"alg":"HS256", "kid":"hs"}`,
		`{"alg":"HS256","kid":"\u0068s"}`,
	} {
		tok, err := gatetest.SignRaw("HS256", []byte(h), []byte(payload), tcSecret)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	for i, tok := range tokens {
		before := tcCache(g)
		c, err := g.Validate(t.Context(), tok)
		if err != nil {
			t.Fatalf("variant %d: %v", i, err)
		}
		if st := tcCache(g); st.Misses != before.Misses+1 {
			t.Errorf("variant %d answered from another token's entry", i)
		}
		if i == 2 && c.Type != "at+jwt" {
			t.Errorf("variant %d: Type %q, want at+jwt", i, c.Type)
		}
	}
}

// TestTokenCacheCheckRunsOnHits changes the Check hook's verdict after a
// token is cached: the hit is refused with the hook's reason.
func TestTokenCacheCheckRunsOnHits(t *testing.T) {
	var deny atomic.Bool
	var calls atomic.Int64
	g := tcStatic(t, func(c *jwtgate.Config) {
		c.Check = func(_ context.Context, c *jwtgate.Claims) error {
			calls.Add(1)
			if deny.Load() {
				return errors.New("revoked")
			}
			return nil
		}
	})
	token := newMinter(time.Now().Add(time.Hour)).token(1)
	for range 3 {
		if _, err := g.Validate(t.Context(), token); err != nil {
			t.Fatal(err)
		}
	}
	deny.Store(true)
	if _, err := g.Validate(t.Context(), token); !errors.Is(err, jwtgate.ErrClaimRejected) {
		t.Errorf("after deny: %v, want ErrClaimRejected", err)
	}
	if calls.Load() != 4 {
		t.Errorf("Check ran %d times, want 4", calls.Load())
	}
}

// TestTokenCacheClosed refuses a cached token after Close.
func TestTokenCacheClosed(t *testing.T) {
	g := tcStatic(t, nil)
	token := newMinter(time.Now().Add(time.Hour)).token(1)
	for range 2 {
		if _, err := g.Validate(t.Context(), token); err != nil {
			t.Fatal(err)
		}
	}
	_ = g.Close()
	if _, err := g.Validate(t.Context(), token); !errors.Is(err, jwtgate.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

// TestTokenCacheRejectionsNotCached sends forged and expired tokens
// repeatedly: none is ever cached.
func TestTokenCacheRejectionsNotCached(t *testing.T) {
	g := tcStatic(t, nil)
	good := newMinter(time.Now().Add(time.Hour)).token(1)
	forged := good[:len(good)-4] + "AAAA"
	expired := newMinter(time.Now().Add(-time.Hour)).token(1)
	for range 5 {
		for _, tok := range []string{forged, expired} {
			if _, err := g.Validate(t.Context(), tok); err == nil {
				t.Fatal("bad token accepted")
			}
		}
	}
	if st := tcCache(g); st.Hits != 0 || st.Entries != 0 {
		t.Errorf("stats %+v, want no hit and no entry", st)
	}
}

// TestTokenCacheHotTokenStays sends a stream of one-off tokens through
// a small cache, with one token sent between each: the hot token stays
// cached throughout.
func TestTokenCacheHotTokenStays(t *testing.T) {
	g := tcStatic(t, func(c *jwtgate.Config) { c.TokenCacheEntries = 64 })
	m := newMinter(time.Now().Add(time.Hour))
	hot := m.token(0)
	if _, err := g.Validate(t.Context(), hot); err != nil {
		t.Fatal(err)
	}
	const n = 5000
	for i := 1; i <= n; i++ {
		if _, err := g.Validate(t.Context(), m.token(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Validate(t.Context(), hot); err != nil {
			t.Fatal(err)
		}
	}
	st := tcCache(g)
	// Every validation of the hot token after the first should hit.
	if st.Hits < n-1 {
		t.Errorf("hot token: %d hits of %d", st.Hits, n)
	}
	if st.Entries > 64 || st.Evictions == 0 {
		t.Errorf("stats %+v, want at most 64 entries and evictions", st)
	}
}

// TestTokenCacheMemoryBound validates one million distinct tokens
// through caches bounded by entries and by bytes, and checks both the
// cache's own accounting and the live heap against the bounds.
func TestTokenCacheMemoryBound(t *testing.T) {
	const tokens = 1_000_000
	for _, tc := range []struct {
		name    string
		entries int
		bytes   int64
	}{
		{"default", 0, 0},
		{"bytes", 0, 4 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)

			g := tcStatic(t, func(c *jwtgate.Config) {
				c.TokenCacheEntries, c.TokenCacheBytes = tc.entries, tc.bytes
			})
			maxEntries := int64(cmpOr(tc.entries, jwtgate.DefaultTokenCacheEntries))
			maxBytes := cmpOr(tc.bytes, jwtgate.DefaultTokenCacheBytes)
			m := newMinter(time.Now().Add(time.Hour))
			var wg sync.WaitGroup
			const workers = 4
			for w := range workers {
				wg.Go(func() {
					for i := w; i < tokens; i += workers {
						if _, err := g.Validate(context.Background(), m.token(i)); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()

			st := tcCache(g)
			if st.Entries > maxEntries || st.Bytes > maxBytes || st.Misses != tokens {
				t.Errorf("stats %+v, want ≤ %d entries, ≤ %d bytes, %d misses",
					st, maxEntries, maxBytes, tokens)
			}
			runtime.GC()
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			grown := int64(after.HeapAlloc) - int64(base.HeapAlloc)
			// The bucket table, 8 bytes a slot, comes on top of the
			// entries' estimate.
			limit := st.Bytes + 8*maxEntries + 1<<20
			t.Logf("%d entries, %d bytes estimated, heap grew %d bytes (limit %d)",
				st.Entries, st.Bytes, grown, limit)
			if grown > limit {
				t.Errorf("heap grew %d bytes, over the %d the cache accounts for", grown, limit)
			}
			runtime.KeepAlive(g)
		})
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// TestTokenCacheRace validates a pool of tokens from many goroutines
// through a small cache, so that hits, misses and evictions interleave,
// while the issuer swaps key sets: every accepted token gets its own
// claims back, and no token of a withdrawn key is accepted once the
// swap that withdrew it is published.
func TestTokenCacheRace(t *testing.T) {
	iss := gatetest.New(t)
	cfg := cacheConfig(iss)
	cfg.TokenCacheEntries = 64
	cfg.RefreshCooldown = time.Millisecond
	g := cacheGate(t, cfg)
	cacheReady(t, g)

	const pool = 200
	type minted struct {
		token, sub, kid string
	}
	mint := func(kid string, from int) []minted {
		out := make([]minted, pool)
		for i := range out {
			sub := fmt.Sprintf("%s-%d", kid, from+i)
			out[i] = minted{iss.Mint(map[string]any{"sub": sub}, gatetest.WithKey(kid)), sub, kid}
		}
		return out
	}
	var current atomic.Pointer[[]minted]
	first := mint("key-1", 0)
	current.Store(&first)
	var withdrawn sync.Map // kid → true once its removal is published

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var accepted atomic.Int64
	for w := range 8 {
		wg.Go(func() {
			for i := w; ; i += 7 {
				select {
				case <-stop:
					return
				default:
				}
				tokens := *current.Load()
				tok := tokens[i%len(tokens)]
				_, gone := withdrawn.Load(tok.kid)
				c, err := g.Validate(context.Background(), tok.token)
				if err != nil {
					continue // a token of a key being rotated in or out
				}
				accepted.Add(1)
				if c.Subject != tok.sub {
					t.Errorf("token of %s answered with the claims of %s", tok.sub, c.Subject)
				}
				if gone {
					t.Errorf("token of withdrawn key %s accepted", tok.kid)
				}
			}
		})
	}

	prev := "key-1"
	for round := range 5 {
		kid := iss.AddKey("ES256", fmt.Sprintf("rot-%d", round))
		next := append(mint(kid, pool*(round+1)), *current.Load()...)
		current.Store(&next)
		time.Sleep(20 * time.Millisecond)
		iss.RemoveKey(prev)
		// An unknown kid forces the refresh that publishes the removal.
		waitPublished(t, g, iss, prev)
		withdrawn.Store(prev, true)
		time.Sleep(20 * time.Millisecond)
		prev = kid
	}
	close(stop)
	wg.Wait()
	st := tcCache(g)
	t.Logf("%d accepted; cache %+v", accepted.Load(), st)
	if st.Hits == 0 || st.Evictions == 0 || st.Invalidations == 0 {
		t.Errorf("stats %+v: want hits, evictions and invalidations", st)
	}
}

// waitPublished waits until g no longer finds kid.
func waitPublished(t *testing.T, g *jwtgate.Gate, iss *gatetest.Issuer, kid string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, _ = g.Validate(context.Background(), iss.Mint(nil, gatetest.WithKID("unknown-"+kid)))
		if _, err := g.Key(context.Background(), iss.URL, kid, "ES256"); err != nil {
			if _, err := g.Key(context.Background(), iss.URL, kid, "RS256"); err != nil {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("removal of %s never published", kid)
}

// TestTokenCacheHitAllocs holds a hit to zero allocations.
func TestTokenCacheHitAllocs(t *testing.T) {
	g := tcStatic(t, nil)
	token := newMinter(time.Now().Add(time.Hour)).token(1)
	ctx := context.Background()
	if _, err := g.Validate(ctx, token); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := g.Validate(ctx, token); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a hit allocates %.1f times, want 0", allocs)
	}
}

// TestTokenCacheExpiredGoFirst fills a one-bucket cache, lets its
// tokens expire, and adds others: the expired entries make room, as
// invalidations, before any live entry is evicted.
func TestTokenCacheExpiredGoFirst(t *testing.T) {
	var now atomic.Int64
	start := time.Now().Truncate(time.Second)
	now.Store(start.UnixNano())
	g := tcStatic(t, func(c *jwtgate.Config) {
		c.TokenCacheEntries = 8
		c.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	short, long := newMinter(start.Add(time.Minute)), newMinter(start.Add(time.Hour))
	for i := range 8 {
		if _, err := g.Validate(t.Context(), short.token(i)); err != nil {
			t.Fatal(err)
		}
	}
	now.Store(start.Add(2 * time.Minute).UnixNano())
	for i := range 8 {
		if _, err := g.Validate(t.Context(), long.token(i)); err != nil {
			t.Fatal(err)
		}
	}
	st := tcCache(g)
	if st.Invalidations != 8 || st.Evictions != 0 || st.Entries != 8 {
		t.Errorf("stats %+v, want 8 invalidations, no eviction, 8 entries", st)
	}
}
