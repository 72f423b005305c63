package conformance

import (
	"context"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// runRotation rotates the keys of an issuer of its own: the token of
// the new key is accepted through one refresh, and the token of the
// withdrawn key is rejected once that refresh has dropped its key. With
// the cache on, tokens sent again are answered from the cache, and the
// withdrawn key's token, cached while its key was current, is not.
func runRotation(t *testing.T, m cacheMode, build Build) {
	iss := gatetest.New(t)
	g := newGate(t, m, jwtgate.Config{
		Issuers:         []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:        []string{gatetest.Audience},
		HTTPClient:      iss.Client(),
		RefreshCooldown: time.Nanosecond,
	})
	ready(t, g)
	settle(t, g, iss)
	h := build(t, Setup{Gate: g})
	oldTok := iss.Mint(nil, gatetest.WithKey(kidRS256))

	// send sends tok and checks the answer and the fetches it caused;
	// hit says the token was accepted before, so that with the cache on
	// the answer must come from the cache.
	send := func(name, tok string, w want, fetches int, hit bool) {
		t.Helper()
		before, hits := iss.Fetches(), cacheHits(g)
		rec := serve(h, bearer.newRequest(tok))
		t.Run(name, func(t *testing.T) {
			check(t, rec, w, tok, nil)
			if n := iss.Fetches() - before; n != fetches {
				t.Errorf("key-set fetches = %d, want %d", n, fetches)
			}
			if hit {
				m.checkCacheHits(t, g, hits)
			}
		})
	}

	send("old key before rotation", oldTok, ok(bodyUser), 0, false)
	send("old key again", oldTok, ok(bodyUser), 0, true)
	kid := iss.Rotate("ES256")
	newTok := iss.Mint(nil, gatetest.WithKey(kid))
	send("new key", newTok, ok(bodyUser), 1, false)
	send("withdrawn key", oldTok, badToken("api", "unknown kid"), 1, false)
	send("new key again", newTok, ok(bodyUser), 0, true)
	if st := g.Stats().TokenCache; m == cacheOn && st.Invalidations == 0 {
		t.Errorf("the withdrawn key's cached token was never invalidated")
	}
}

// settle returns once the gate has finished a fetch that an unknown kid
// caused. Ready returns as soon as the first key set is in place, while
// the first fetch is still recorded as running for a moment; an unknown
// kid seen in that moment joins that finished fetch instead of causing a
// new one, and a key added just before is missed. The suite tests the
// adapters, so it steps around that window of the core.
func settle(t *testing.T, g *jwtgate.Gate, iss *gatetest.Issuer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for ctx.Err() == nil {
		before := iss.Fetches()
		g.Key(ctx, iss.URL, "conformance-settle", "RS256")
		if iss.Fetches() > before {
			return
		}
	}
	t.Fatalf("conformance: the gate never refreshed its key set")
}
