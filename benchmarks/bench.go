package benchmarks

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// Modes of running a benchmark.
const (
	ModeSerial   = "serial"   // one goroutine, b.Loop
	ModeParallel = "parallel" // b.RunParallel, GOMAXPROCS goroutines
)

// Name returns the benchmark name of a stack, case and mode, below a
// top-level BenchmarkStack, in the key=value form benchstat groups by:
// "framework=gin/stack=jwtgate/alg=RS256/case=valid/mode=serial".
func Name(s *Stack, c, mode string) string {
	return fmt.Sprintf("framework=%s/stack=%s/alg=%s/case=%s/mode=%s",
		s.Framework, s.Name, s.Alg, c, mode)
}

// Bench returns a benchmark of s serving token, the token of case c,
// in mode. It reports allocations, and fails if the stack ever answers
// otherwise than Stack.Accepts says, so that no number is taken from a
// stack that stopped doing its job mid-run.
func Bench(s *Stack, c, token, mode string) func(b *testing.B) {
	want := s.Accepts(c)
	if mode == ModeParallel {
		return func(b *testing.B) {
			b.ReportAllocs()
			var wrong atomic.Int32
			b.RunParallel(func(pb *testing.PB) {
				q := s.NewRequester(token)
				for pb.Next() {
					if accepted(q.Do()) != want {
						wrong.Store(1)
					}
				}
			})
			if wrong.Load() != 0 {
				b.Fatalf("%s %s: wrong answer to the %s token", s.ID(), s.Alg, c)
			}
		}
	}
	return func(b *testing.B) {
		b.ReportAllocs()
		q := s.NewRequester(token)
		for b.Loop() {
			if accepted(q.Do()) != want {
				b.Fatalf("%s %s: wrong answer to the %s token", s.ID(), s.Alg, c)
			}
		}
	}
}

// accepted reports whether status is a success.
func accepted(status int) bool { return status >= 200 && status < 300 }
