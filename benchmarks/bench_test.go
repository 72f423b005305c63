package benchmarks_test

import (
	"testing"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// BenchmarkStack runs every stack for every algorithm and case, serial
// and in parallel, under names benchstat can group:
//
//	BenchmarkStack/framework=gin/stack=jwtgate/alg=RS256/case=valid/mode=serial
//
// Select with -bench, for example
// -bench 'Stack/framework=(gin|raw)/.*/alg=RS256/case=valid'. A stack
// that fails its sanity check is skipped with the reason.
func BenchmarkStack(b *testing.B) {
	env := newEnv(b)
	for _, alg := range benchmarks.Algorithms() {
		for _, s := range stacks(b, env, alg) {
			sane := env.Check(s)
			for _, c := range benchmarks.Cases() {
				if s.Kind == benchmarks.KindBare && c != benchmarks.CaseValid {
					continue // the bare frameworks never look at the token
				}
				for _, mode := range []string{benchmarks.ModeSerial, benchmarks.ModeParallel} {
					b.Run(benchmarks.Name(s, c, mode), func(b *testing.B) {
						if sane != nil {
							b.Skip(sane)
						}
						benchmarks.Bench(s, c, env.Token(alg, c), mode)(b)
					})
				}
			}
		}
	}
}

// BenchmarkKeyLookup is the concurrent key-lookup benchmark: 50 readers
// and one goroutine refreshing the key set without pause, through
// jwtgate's Gate.Key and through an RWMutex-guarded map. Run it with
// -cpu 1,2 (and more where there are more cores).
func BenchmarkKeyLookup(b *testing.B) {
	env := newEnv(b)
	for _, impl := range []string{benchmarks.LookupJWTGate, benchmarks.LookupRWMutex} {
		k, err := env.NewKeyLookup(impl)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(k.Close)
		b.Run("impl="+impl, k.Bench)
	}
}
