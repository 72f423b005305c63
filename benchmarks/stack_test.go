package benchmarks_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// TestAccepts pins which tokens each kind of stack must accept.
func TestAccepts(t *testing.T) {
	env := newEnv(t)
	byID := map[string]*benchmarks.Stack{}
	for _, s := range stacks(t, env, "HS256") {
		byID[s.ID()] = s
	}
	tests := []struct {
		id, c string
		want  bool
	}{
		{"gin/bare", benchmarks.CaseBadSignature, true},
		{"raw/verify", benchmarks.CaseExpired, true},
		{"raw/verify", benchmarks.CaseWrongAudience, true},
		{"raw/verify", benchmarks.CaseBadSignature, false},
		{"raw/verify", benchmarks.CaseUnknownKID, false},
		{"raw/jwt-parse", benchmarks.CaseExpired, false},
		{"nethttp/jwtgate", benchmarks.CaseValid, true},
		{"fiber/contrib-jwt", benchmarks.CaseWrongIssuer, false},
		{"echo/echo-jwt", benchmarks.CaseOversized, false},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.c, func(t *testing.T) {
			s := byID[tt.id]
			if s == nil {
				t.Fatalf("no stack %s", tt.id)
			}
			if got := s.Accepts(tt.c); got != tt.want {
				t.Errorf("Accepts(%s) = %t, want %t", tt.c, got, tt.want)
			}
		})
	}
}

// TestStacksCoverFrameworks checks that every framework has its bare
// baseline, its jwtgate adapter and a peer, and that the raw stacks
// come first.
func TestStacksCoverFrameworks(t *testing.T) {
	env := newEnv(t)
	ss := stacks(t, env, "RS256")
	if len(ss) < 3 || ss[0].ID() != "raw/verify" {
		t.Fatalf("first stack %s, want raw/verify", ss[0].ID())
	}
	for _, fw := range benchmarks.Frameworks() {
		kinds := map[benchmarks.Kind]int{}
		for _, s := range ss {
			if s.Framework == fw {
				kinds[s.Kind]++
			}
		}
		for _, k := range []benchmarks.Kind{benchmarks.KindBare, benchmarks.KindJWTGate,
			benchmarks.KindPeer} {
			if kinds[k] != 1 {
				t.Errorf("%s has %d stacks of kind %s, want 1", fw, kinds[k], k)
			}
		}
	}
}

// TestName checks the benchmark names benchstat groups by.
func TestName(t *testing.T) {
	env := newEnv(t)
	s := stacks(t, env, "ES256")[1]
	got := benchmarks.Name(s, benchmarks.CaseValid, benchmarks.ModeSerial)
	want := "framework=raw/stack=jwt-parse/alg=ES256/case=valid/mode=serial"
	if got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
}

// TestConcurrentRequests serves the valid token from several
// goroutines at once through every stack, as the parallel benchmarks
// do, so that the race detector sees the stacks under concurrency.
func TestConcurrentRequests(t *testing.T) {
	env := newEnv(t)
	for _, s := range stacks(t, env, "HS256") {
		t.Run(s.ID(), func(t *testing.T) {
			t.Parallel()
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					q := s.NewRequester(env.Token("HS256", benchmarks.CaseValid))
					for range 20 {
						if st := q.Do(); st != http.StatusOK {
							t.Errorf("status %d", st)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
