package benchmarks

import (
	"slices"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// gateBuilder makes a jwtgate stack for alg in e, with the Gate's
// token cache on or off.
type gateBuilder func(e *Env, alg string, cached bool) (*Stack, error)

// with returns the builder of b's stack with the cache on or off.
func (b gateBuilder) with(cached bool) builder {
	return func(e *Env, alg string) (*Stack, error) { return b(e, alg, cached) }
}

// withGate returns before, then gate's stack with its token cache off
// and then on, then after.
func withGate(before []builder, gate gateBuilder, after ...builder) []builder {
	return slices.Concat(before, []builder{gate.with(false), gate.with(true)}, after)
}

// gateStack builds the jwtgate stack of framework fw for alg around a
// Gate from newGate, its token cache on or off: serve puts the Gate
// behind the framework's adapter, or for the core calls it directly,
// and adapter says how in a few words.
func (e *Env) gateStack(fw, alg string, cached bool, adapter string,
	serve func(*jwtgate.Gate) serving) (*Stack, error) {
	g, err := e.newGate(alg, cached)
	if err != nil {
		return nil, err
	}
	s := &Stack{
		Framework: fw, Name: gateStackName(fw, cached), Alg: alg, Kind: KindJWTGate,
		Config:       adapter + "; " + gateConfig(alg, cached),
		TokenCache:   cached,
		newRequester: serve(g),
		gate:         g,
	}
	s.onClose(func() { g.Close() })
	return s, nil
}

// gateStackName names the jwtgate stack of a framework.
func gateStackName(fw string, cached bool) string {
	switch {
	case fw == FrameworkRaw && cached:
		return StackCoreCached
	case fw == FrameworkRaw:
		return StackCore
	case cached:
		return StackJWTGateCached
	}
	return StackJWTGate
}

// TokenCacheStats returns the counters of a jwtgate stack's token
// cache. They are zero, Enabled false, when the cache is off and for
// every stack that is not jwtgate's.
func (s *Stack) TokenCacheStats() jwtgate.TokenCacheStats {
	if s.gate == nil {
		return jwtgate.TokenCacheStats{}
	}
	return s.gate.Stats().TokenCache
}
