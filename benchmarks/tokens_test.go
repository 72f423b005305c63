package benchmarks_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
	jwtgate "github.com/jwtgate/jwtgate/core"
)

// TestTokensAreWhatTheyClaim runs each case's token through a plain
// jwtgate Gate and checks the reason it gives, so that a case name
// never hides a different failure (a "bad signature" token rejected
// for its issuer, say).
func TestTokensAreWhatTheyClaim(t *testing.T) {
	env := newEnv(t)
	want := map[string]error{
		benchmarks.CaseValid:         nil,
		benchmarks.CaseExpired:       jwtgate.ErrTokenExpired,
		benchmarks.CaseBadSignature:  jwtgate.ErrSignatureInvalid,
		benchmarks.CaseUnknownKID:    jwtgate.ErrKeyNotFound,
		benchmarks.CaseOversized:     jwtgate.ErrSignatureInvalid,
		benchmarks.CaseWrongIssuer:   jwtgate.ErrIssuer,
		benchmarks.CaseWrongAudience: jwtgate.ErrAudience,
	}
	for _, alg := range benchmarks.Algorithms() {
		g := gateFor(t, env, alg)
		for _, c := range benchmarks.SanityCases() {
			t.Run(alg+"/"+c, func(t *testing.T) {
				_, err := g.Validate(context.Background(), env.Token(alg, c))
				got := jwtgate.Reason(err)
				if !errors.Is(got, want[c]) || (got == nil) != (want[c] == nil) {
					t.Errorf("reason %v, want %v", got, want[c])
				}
			})
		}
	}
}

// TestOversizedLength checks that the oversized token is as long as
// documented, under jwtgate's default cap.
func TestOversizedLength(t *testing.T) {
	env := newEnv(t)
	for _, alg := range benchmarks.Algorithms() {
		n := len(env.Token(alg, benchmarks.CaseOversized))
		if n > benchmarks.OversizedLength || n < benchmarks.OversizedLength-3 {
			t.Errorf("%s: oversized token is %d bytes, want %d to %d", alg, n,
				benchmarks.OversizedLength-3, benchmarks.OversizedLength)
		}
		if n > jwtgate.DefaultMaxTokenSize {
			t.Errorf("%s: oversized token exceeds jwtgate's cap", alg)
		}
	}
}

// TestMintValid checks that the minted tokens are distinct and each
// accepted by a plain Gate.
func TestMintValid(t *testing.T) {
	env := newEnv(t)
	g := gateFor(t, env, "RS256")
	toks, err := env.Issuer.MintValid("RS256", time.Now(), 5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, tok := range toks {
		if seen[tok] {
			t.Errorf("token %d repeats an earlier one", i)
		}
		seen[tok] = true
		if _, err := g.Validate(context.Background(), tok); err != nil {
			t.Errorf("token %d: %v", i, err)
		}
	}
	if len(toks) != 5 {
		t.Errorf("got %d tokens, want 5", len(toks))
	}
}

// gateFor returns a Gate that trusts the Env's issuer for alg.
func gateFor(tb testing.TB, env *benchmarks.Env, alg string) *jwtgate.Gate {
	tb.Helper()
	iss := jwtgate.Issuer{Name: env.Issuer.URL, JWKSURL: env.Issuer.JWKSURL()}
	if alg == "HS256" {
		iss = jwtgate.Issuer{Name: env.Issuer.URL, Keys: []jwtgate.StaticKey{
			{ID: env.Issuer.KeyID(alg), Key: env.Issuer.PublicKey(alg)},
		}}
	}
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:  []jwtgate.Issuer{iss},
		Audience: []string{benchmarks.Audience},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { g.Close() })
	if err := g.Ready(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return g
}
