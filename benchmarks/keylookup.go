package benchmarks

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// Key-lookup implementations.
const (
	LookupJWTGate = "jwtgate" // Gate.Key on an atomic snapshot
	LookupRWMutex = "rwmutex" // a map behind a sync.RWMutex
)

// KeyReaders is how many goroutines look up keys at once in KeyLookup.
const KeyReaders = 50

// RefreshEvery is the pace of KeyLookup's refresher: it starts a
// refresh at most this often, so that both implementations bear the
// same refresh load. Run back to back, the two would refresh at
// different rates, jwtgate's refresh taking a hand-off to its fetching
// goroutine, which waits its turn behind the busy readers.
const RefreshEvery = 2 * time.Millisecond

// yieldEvery is how many lookups a reader makes before it yields, as a
// request handler yields when it waits for the network. Without it the
// readers would keep the refresher from running for whole scheduler
// time slices.
const yieldEvery = 1024

// KeyLookup is the concurrent key-lookup benchmark of one
// implementation: KeyReaders goroutines look up the RS256 key by kid
// while one more goroutine refreshes the key set every RefreshEvery,
// each refresh a fetch of the JWKS over loopback HTTP, a parse and a
// swap. It reports the refreshes per second it achieved beside the
// lookup time: with one CPU the readers leave the refresher little
// time, and neither implementation keeps the pace.
type KeyLookup struct {
	// Impl is LookupJWTGate or LookupRWMutex.
	Impl string

	lookup  func() bool
	refresh func()
	close   func()
}

// NewKeyLookup returns the benchmark of impl. Close it when done.
func (e *Env) NewKeyLookup(impl string) (*KeyLookup, error) {
	switch impl {
	case LookupJWTGate:
		return e.gateLookup()
	case LookupRWMutex:
		return e.mapLookup()
	}
	return nil, fmt.Errorf("benchmarks: unknown key lookup %q", impl)
}

// Close releases the key cache.
func (k *KeyLookup) Close() { k.close() }

// Lookup looks the key up once and reports whether it was found.
func (k *KeyLookup) Lookup() bool { return k.lookup() }

// Refresh refreshes the key set once and returns when it is done.
func (k *KeyLookup) Refresh() { k.refresh() }

// Bench runs the lookups. The readers are b.RunParallel's goroutines,
// KeyReaders of them (rounded up to a multiple of GOMAXPROCS).
func (k *KeyLookup) Bench(b *testing.B) {
	b.ReportAllocs()
	stop, done := make(chan struct{}), make(chan int)
	go func() {
		tick := time.NewTicker(RefreshEvery)
		defer tick.Stop()
		n := 0
		for {
			k.refresh()
			n++
			select {
			case <-stop:
				done <- n
				return
			case <-tick.C:
			}
		}
	}()
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((KeyReaders + procs - 1) / procs)
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if !k.lookup() {
				b.Error("key not found")
				return
			}
			if i%yieldEvery == yieldEvery-1 {
				runtime.Gosched()
			}
		}
	})
	close(stop)
	refreshes := <-done
	b.ReportMetric(float64(refreshes)/b.Elapsed().Seconds(), "refreshes/s")
}

// gateLookup reads with Gate.Key. The Gate's unknown-kid cooldown is a
// nanosecond, so that asking for a kid the set lacks refreshes it at
// once: that is the refresher.
func (e *Env) gateLookup() (*KeyLookup, error) {
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:         []jwtgate.Issuer{{Name: e.Issuer.URL, JWKSURL: e.Issuer.JWKSURL()}},
		Audience:        []string{Audience},
		RefreshCooldown: time.Nanosecond,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		g.Close()
		return nil, err
	}
	bg, iss, kid := context.Background(), e.Issuer.URL, e.Issuer.KeyID("RS256")
	return &KeyLookup{
		Impl: LookupJWTGate,
		lookup: func() bool {
			k, err := g.Key(bg, iss, kid, "RS256")
			return err == nil && k != nil
		},
		refresh: func() { g.Key(bg, iss, "refresh-probe", "RS256") },
		close:   func() { g.Close() },
	}, nil
}

// mapCache is the baseline: a map from kid to key, replaced whole under
// the write lock after each fetch, read under the read lock.
type mapCache struct {
	client *http.Client
	url    string

	mu   sync.RWMutex
	keys map[string]any // guarded by mu
}

// mapLookup reads from a mapCache filled by a first fetch.
func (e *Env) mapLookup() (*KeyLookup, error) {
	c := &mapCache{client: &http.Client{Timeout: readyTimeout}, url: e.Issuer.JWKSURL()}
	if err := c.fetch(); err != nil {
		return nil, err
	}
	kid := e.Issuer.KeyID("RS256")
	return &KeyLookup{
		Impl: LookupRWMutex,
		lookup: func() bool {
			c.mu.RLock()
			k, ok := c.keys[kid]
			c.mu.RUnlock()
			return ok && k != nil
		},
		refresh: func() { c.fetch() },
		close:   c.client.CloseIdleConnections,
	}, nil
}

// fetch gets and parses the key set, then swaps it in.
func (c *mapCache) fetch() error {
	resp, err := c.client.Get(c.url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.keys = keys
	c.mu.Unlock()
	return nil
}

// jwk holds the members of the keys the issuer publishes.
type jwk struct {
	Kty, Kid, Crv, N, E, X, Y string
}

// parseJWKS reads the issuer's key set: RSA, P-256 and Ed25519 keys.
func parseJWKS(body []byte) (map[string]any, error) {
	var set struct{ Keys []jwk }
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, err
	}
	keys := make(map[string]any, len(set.Keys))
	for _, k := range set.Keys {
		pub, err := k.public()
		if err != nil {
			return nil, fmt.Errorf("benchmarks: key %q: %w", k.Kid, err)
		}
		keys[k.Kid] = pub
	}
	return keys, nil
}

// public decodes the key's public half.
func (k jwk) public() (any, error) {
	b64 := base64.RawURLEncoding.DecodeString
	switch k.Kty {
	case "RSA":
		n, err1 := b64(k.N)
		e, err2 := b64(k.E)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		exp := new(big.Int).SetBytes(e).Int64()
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp)}, nil
	case "EC":
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		point := append(append([]byte{4}, x...), y...)
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	case "OKP":
		x, err := b64(k.X)
		if err != nil {
			return nil, err
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, fmt.Errorf("unsupported kty %q", k.Kty)
}
