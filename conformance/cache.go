package conformance

import (
	"testing"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// cacheMode says whether the gates of one run keep the verified-token
// cache. Run and RunRace go through everything once with it and once
// without, as subtests named by String.
type cacheMode bool

// The two settings of the verified-token cache.
const (
	cacheOn  cacheMode = true
	cacheOff cacheMode = false
)

// String returns the subtest name of m.
func (m cacheMode) String() string {
	if m {
		return "cache=on"
	}
	return "cache=off"
}

// eachCacheMode runs f once with the cache on and once with it off, as
// subtests.
func eachCacheMode(t *testing.T, f func(t *testing.T, m cacheMode)) {
	t.Helper()
	for _, m := range [...]cacheMode{cacheOn, cacheOff} {
		t.Run(m.String(), func(t *testing.T) { f(t, m) })
	}
}

// cacheHits returns how many validations g's cache has answered.
func cacheHits(g *jwtgate.Gate) uint64 { return g.Stats().TokenCache.Hits }

// checkCacheHits fails unless g's cache is as m says and, with the
// cache on, answered at least one validation since g counted before
// hits.
func (m cacheMode) checkCacheHits(t testing.TB, g *jwtgate.Gate, before uint64) {
	t.Helper()
	st := g.Stats().TokenCache
	switch {
	case st.Enabled != bool(m):
		t.Errorf("token cache enabled = %t, want %t", st.Enabled, bool(m))
	case m == cacheOn && st.Hits <= before:
		t.Errorf("the token cache answered none of the validations, want a hit")
	}
}
