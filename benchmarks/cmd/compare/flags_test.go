package main

import (
	"slices"
	"testing"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// TestCachedCases checks which cases each kind of stack runs: the
// cached jwtgate stacks those of -cachedcase, by default the valid
// one alone.
func TestCachedCases(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stack benchmarks.Stack
		want  []string
	}{
		{"uncached jwtgate", nil,
			benchmarks.Stack{Kind: benchmarks.KindJWTGate}, benchmarks.Cases()},
		{"cached jwtgate", nil,
			benchmarks.Stack{Kind: benchmarks.KindJWTGate, TokenCache: true},
			[]string{benchmarks.CaseValid}},
		{"cached jwtgate, -cachedcase", []string{"-cachedcase", "expired,valid"},
			benchmarks.Stack{Kind: benchmarks.KindJWTGate, TokenCache: true},
			[]string{benchmarks.CaseValid, benchmarks.CaseExpired}},
		{"bare", []string{"-cachedcase", "expired"},
			benchmarks.Stack{Kind: benchmarks.KindBare}, []string{benchmarks.CaseValid}},
		{"peer", nil, benchmarks.Stack{Kind: benchmarks.KindPeer}, benchmarks.Cases()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cfg.cases {
				if !skipCase(cfg, &tt.stack, c) {
					got = append(got, c)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("cases %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCachedCaseUnknown checks that -cachedcase takes known cases only.
func TestCachedCaseUnknown(t *testing.T) {
	if _, err := parseFlags([]string{"-cachedcase", "valid,stale"}); err == nil {
		t.Error("no error for an unknown case")
	}
}
