package benchmarks

import (
	"errors"
	"fmt"
	"time"
)

// Env is the shared fixture of the suite: one issuer and the tokens of
// every case for every algorithm. It is safe for concurrent use.
type Env struct {
	// Issuer signs the tokens and serves the key set.
	Issuer *Issuer

	tokens map[string]map[string]string // alg, case: token
}

// NewEnv starts an issuer and mints the tokens, valid for an hour.
// Close stops it.
func NewEnv() (*Env, error) {
	iss, err := NewIssuer()
	if err != nil {
		return nil, err
	}
	e := &Env{Issuer: iss, tokens: map[string]map[string]string{}}
	now := time.Now()
	for _, alg := range Algorithms() {
		t, err := iss.Mint(alg, now)
		if err != nil {
			iss.Close()
			return nil, err
		}
		e.tokens[alg] = t
	}
	return e, nil
}

// Close stops the issuer. Close the stacks first.
func (e *Env) Close() { e.Issuer.Close() }

// Token returns the token of case c for alg, or "" for an unknown one.
func (e *Env) Token(alg, c string) string { return e.tokens[alg][c] }

// Stacks builds, for alg, the raw stacks and then every stack of each
// framework in frameworks, in order. Close each stack when done.
func (e *Env) Stacks(alg string, frameworks []string) ([]*Stack, error) {
	if e.tokens[alg] == nil {
		return nil, fmt.Errorf("benchmarks: unknown algorithm %q", alg)
	}
	var out []*Stack
	for _, fw := range append([]string{FrameworkRaw}, frameworks...) {
		bs, err := builders(fw)
		if err != nil {
			closeAll(out)
			return nil, err
		}
		for _, b := range bs {
			s, err := b(e, alg)
			if err != nil {
				closeAll(out)
				return nil, fmt.Errorf("benchmarks: building a %s stack for %s: %w", fw, alg, err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// closeAll closes every stack.
func closeAll(stacks []*Stack) {
	for _, s := range stacks {
		s.Close()
	}
}

// Check is the sanity check a stack passes before its numbers count:
// it must accept the valid token, handing its subject to the handler,
// and reject the token of every other case of SanityCases, except
// those a signature-only floor accepts by design. A jwtgate stack must
// then accept the valid token again, its token cache on or off as
// Stack.TokenCache says, and a cached stack must answer that second
// request from the cache: the bad tokens it rejected came after the
// valid one was cached. The error lists everything the stack got wrong.
func (e *Env) Check(s *Stack) error {
	var errs []error
	for _, c := range SanityCases() {
		q := s.NewRequester(e.Token(s.Alg, c))
		status := q.Do()
		got, want := accepted(status), s.Accepts(c)
		switch {
		case got && !want:
			errs = append(errs, fmt.Errorf("accepts the %s token (status %d)", c, status))
		case !got && want:
			errs = append(errs, fmt.Errorf("rejects the %s token (status %d)", c, status))
		case got && s.Framework != FrameworkRaw && string(q.Body()) != Subject:
			errs = append(errs, fmt.Errorf("answers %q for the %s token, want the subject %q",
				q.Body(), c, Subject))
		}
	}
	if s.Kind == KindJWTGate {
		errs = append(errs, e.checkTokenCache(s))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s %s: %w", s.ID(), s.Alg, err)
	}
	return nil
}

// checkTokenCache serves the valid token once more through the jwtgate
// stack s and checks that its token cache was used as s.TokenCache
// says: that the stack meant to validate in full does not time cache
// hits, and that the cached one does.
func (e *Env) checkTokenCache(s *Stack) error {
	before := s.TokenCacheStats()
	if status := s.NewRequester(e.Token(s.Alg, CaseValid)).Do(); !accepted(status) {
		return fmt.Errorf("rejects the valid token the second time (status %d)", status)
	}
	after := s.TokenCacheStats()
	switch {
	case after.Enabled != s.TokenCache:
		return fmt.Errorf("token cache on: %t, want %t", after.Enabled, s.TokenCache)
	case s.TokenCache && after.Hits == before.Hits:
		return errors.New("the valid token, seen before, was not answered from the token cache")
	}
	return nil
}
