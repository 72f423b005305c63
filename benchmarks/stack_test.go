package benchmarks_test

import (
	"net/http"
	"slices"
	"strings"
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
		{"gin/jwtgate-cached", benchmarks.CaseValid, true},
		{"gin/jwtgate-cached", benchmarks.CaseExpired, false},
		{"raw/jwtgate-core-cached", benchmarks.CaseBadSignature, false},
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
// baseline, its jwtgate adapter twice (token cache off and on) and a
// peer, and that the raw stacks come first.
func TestStacksCoverFrameworks(t *testing.T) {
	env := newEnv(t)
	ss := stacks(t, env, "RS256")
	if len(ss) < 3 || ss[0].ID() != "raw/verify" {
		t.Fatalf("first stack %s, want raw/verify", ss[0].ID())
	}
	want := map[benchmarks.Kind]int{
		benchmarks.KindBare: 1, benchmarks.KindJWTGate: 2, benchmarks.KindPeer: 1,
	}
	for _, fw := range benchmarks.Frameworks() {
		kinds := map[benchmarks.Kind]int{}
		for _, s := range ss {
			if s.Framework == fw {
				kinds[s.Kind]++
			}
		}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("%s has %d stacks of kind %s, want %d", fw, kinds[k], k, n)
			}
		}
	}
}

// TestGateStacks checks that each jwtgate stack comes with its token
// cache off and then on, says which in its Config, and that after the
// sanity check only the cached one has answered from the cache.
func TestGateStacks(t *testing.T) {
	env := newEnv(t)
	var got []string
	for _, s := range stacks(t, env, "EdDSA") {
		if s.Kind != benchmarks.KindJWTGate {
			if s.TokenCache || s.TokenCacheStats().Enabled {
				t.Errorf("%s: a token cache outside jwtgate", s.ID())
			}
			continue
		}
		got = append(got, s.ID())
		if err := env.Check(s); err != nil {
			t.Fatal(err)
		}
		st := s.TokenCacheStats()
		say := "DisableTokenCache: true"
		if s.TokenCache {
			say = "token cache on"
		}
		switch {
		case s.TokenCache != strings.HasSuffix(s.Name, "-cached"):
			t.Errorf("%s: TokenCache %t", s.ID(), s.TokenCache)
		case !strings.Contains(s.Config, say):
			t.Errorf("%s: Config %q does not say %q", s.ID(), s.Config, say)
		case st.Enabled != s.TokenCache || (st.Hits > 0) != s.TokenCache:
			t.Errorf("%s: token cache %+v", s.ID(), st)
		}
	}
	want := []string{
		"raw/jwtgate-core", "raw/jwtgate-core-cached",
		"nethttp/jwtgate", "nethttp/jwtgate-cached",
		"gin/jwtgate", "gin/jwtgate-cached",
		"echo/jwtgate", "echo/jwtgate-cached",
		"fiber/jwtgate", "fiber/jwtgate-cached",
	}
	if !slices.Equal(got, want) {
		t.Errorf("jwtgate stacks %q, want %q", got, want)
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
