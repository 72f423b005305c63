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
// withdrawn key is rejected once that refresh has dropped its key.
func runRotation(t *testing.T, build Build) {
	iss := gatetest.New(t)
	g := newGate(t, jwtgate.Config{
		Issuers:         []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:        []string{gatetest.Audience},
		HTTPClient:      iss.Client(),
		RefreshCooldown: time.Nanosecond,
	})
	ready(t, g)
	settle(t, g, iss)
	h := build(t, Setup{Gate: g})
	oldTok := iss.Mint(nil, gatetest.WithKey(kidRS256))

	send := func(name, tok string, w want, fetches int) {
		t.Helper()
		before := iss.Fetches()
		rec := serve(h, bearer.newRequest(tok))
		t.Run(name, func(t *testing.T) {
			check(t, rec, w, tok, nil)
			if n := iss.Fetches() - before; n != fetches {
				t.Errorf("key-set fetches = %d, want %d", n, fetches)
			}
		})
	}

	send("old key before rotation", oldTok, ok(bodyUser), 0)
	kid := iss.Rotate("ES256")
	newTok := iss.Mint(nil, gatetest.WithKey(kid))
	send("new key", newTok, ok(bodyUser), 1)
	send("withdrawn key", oldTok, badToken("api", "unknown kid"), 1)
	send("new key again", newTok, ok(bodyUser), 0)
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
