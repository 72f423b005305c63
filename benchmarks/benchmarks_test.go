package benchmarks_test

import (
	"testing"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// newEnv returns an Env closed when the test ends.
func newEnv(tb testing.TB) *benchmarks.Env {
	tb.Helper()
	env, err := benchmarks.NewEnv()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(env.Close)
	return env
}

// stacks returns every stack for alg, closed when the test ends.
func stacks(tb testing.TB, env *benchmarks.Env, alg string) []*benchmarks.Stack {
	tb.Helper()
	ss, err := env.Stacks(alg, benchmarks.Frameworks())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for _, s := range ss {
			s.Close()
		}
	})
	return ss
}

// TestSanity proves that every stack accepts the valid token, hands its
// subject to the handler, and rejects the forged, oversized, expired,
// unknown-kid, wrong-issuer and wrong-audience ones.
func TestSanity(t *testing.T) {
	env := newEnv(t)
	for _, alg := range benchmarks.Algorithms() {
		for _, s := range stacks(t, env, alg) {
			t.Run(alg+"/"+s.ID(), func(t *testing.T) {
				if err := env.Check(s); err != nil {
					t.Error(err)
				}
			})
		}
	}
}
