package jwtgate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The tests of this file prove what the cache promises to concurrent
// requests: unknown kids share one rate-limited refresh, a request
// never waits longer than it wants to or on a refresh it does not need,
// Close ends everything, and readers see whole snapshots. Each proof
// fails without the guarantee it checks, and all run under -race.

// cacheTimed is the outcome of one validation and how long it took.
type cacheTimed struct {
	err  error
	took time.Duration
}

// cacheValidateAll validates token from n goroutines at once and
// returns their outcomes.
func cacheValidateAll(ctx context.Context, g *jwtgate.Gate, token string, n int) []cacheTimed {
	out := make(chan cacheTimed, n)
	for range n {
		go func() {
			start := time.Now()
			_, err := g.Validate(ctx, token)
			out <- cacheTimed{err, time.Since(start)}
		}()
	}
	results := make([]cacheTimed, n)
	for i := range results {
		results[i] = <-out
	}
	return results
}

// TestUnknownKIDRefresh rotates in a key: the first tokens of its kid
// share one refresh and pass; a second new kid within the cooldown is
// refused at once, and passes once the cooldown is over.
func TestUnknownKIDRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay, cooldown = time.Second, 30 * time.Second
		iss := gatetest.NewInMemory(t)
		cfg := cacheConfig(iss)
		cfg.RefreshInterval, cfg.RefreshCooldown = time.Hour, cooldown
		g := cacheGate(t, cfg)
		cacheReady(t, g)
		iss.SetFault(gatetest.Fault{Delay: delay})
		kicked := time.Now()

		iss.AddKey("ES256", "second")
		for _, r := range cacheValidateAll(t.Context(), g, iss.Mint(nil), 20) {
			if r.err != nil || r.took != delay {
				t.Errorf("first sight of a new kid: %v after %v, want accepted after %v",
					r.err, r.took, delay)
			}
		}
		cacheCheckFetches(t, iss, g, 2, 1)

		iss.AddKey("ES256", "third")
		third := iss.Mint(nil)
		time.Sleep(cooldown - delay - time.Millisecond)
		for _, r := range cacheValidateAll(t.Context(), g, third, 20) {
			if !errors.Is(r.err, jwtgate.ErrKeyNotFound) || r.took != 0 {
				t.Errorf("new kid within the cooldown: %v after %v, want ErrKeyNotFound at once",
					r.err, r.took)
			}
		}
		cacheCheckFetches(t, iss, g, 2, 1)

		time.Sleep(time.Until(kicked.Add(cooldown)))
		cacheExpect(t, g, third, nil)
		cacheCheckFetches(t, iss, g, 3, 2)
	})
}

// cacheCheckFetches checks the issuer's count of fetches and the Gate's
// count of refreshes for unknown kids.
func cacheCheckFetches(t *testing.T, iss *gatetest.Issuer, g *jwtgate.Gate, fetches int,
	unknown uint64) {
	t.Helper()
	if n, st := iss.Fetches(), g.Stats(); n != fetches || st.UnknownKIDRefreshes != unknown {
		t.Errorf("%d fetches and %d unknown-kid refreshes, want %d and %d",
			n, st.UnknownKIDRefreshes, fetches, unknown)
	}
}

// TestUnknownKIDFlood has four clients send made-up kids, each twice a
// second, for five minutes. The issuer sees at most one fetch per
// cooldown, no request waits beyond the shared fetch it joined, and a
// key rotated in during the flood is accepted within one cooldown.
func TestUnknownKIDFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const (
			delay    = 200 * time.Millisecond
			cooldown = 30 * time.Second
			span     = 5 * time.Minute
		)
		iss := gatetest.NewInMemory(t)
		cfg := cacheConfig(iss)
		cfg.RefreshInterval, cfg.RefreshCooldown = time.Hour, cooldown
		g := cacheGate(t, cfg)
		cacheReady(t, g)
		iss.SetFault(gatetest.Fault{Delay: delay})
		start := time.Now()

		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() { cacheFlood(t, g, iss, w, start.Add(span), delay) })
		}

		// A genuine rotation a while into the flood, polled for often: it
		// must pass on the first request after the cooldown, plus the
		// fetch, plus the polling step.
		const poll = 100 * time.Millisecond
		time.Sleep(100 * time.Second)
		rotated := time.Now()
		iss.AddKey("ES256", "genuine")
		token := iss.Mint(nil)
		for {
			if _, err := g.Validate(t.Context(), token); err == nil {
				break
			}
			time.Sleep(poll)
		}
		accepted := time.Since(rotated)
		if most := cooldown + delay + 2*poll; accepted > most {
			t.Errorf("rotated key accepted after %v, want within %v", accepted, most)
		}
		wg.Wait()

		limit := 1 + int(span/cooldown)
		n := iss.Fetches() - 1
		if n > limit || g.Stats().UnknownKIDRefreshes > uint64(limit) {
			t.Errorf("%d fetches (%d for unknown kids) in %v, want at most %d", n,
				g.Stats().UnknownKIDRefreshes, span, limit)
		}
		t.Logf("unknown-kid flood: %d fetches in %v with a %v cooldown (bound 1 + T/cooldown "+
			"= %d); a genuine new key accepted %v after it appeared", n, span, cooldown, limit,
			accepted)
	})
}

// cacheFlood validates tokens with random kids until the time end, and
// fails the test for any request that is not a prompt ErrKeyNotFound.
func cacheFlood(t *testing.T, g *jwtgate.Gate, iss *gatetest.Issuer, worker int,
	end time.Time, wait time.Duration) {
	t.Helper()
	for n := 0; time.Now().Before(end); n++ {
		token := cacheForged(iss, fmt.Sprintf("random-%d-%d-%x", worker, n, rand.Uint64()), nil)
		start := time.Now()
		_, err := g.Validate(t.Context(), token)
		if took := time.Since(start); !errors.Is(err, jwtgate.ErrKeyNotFound) || took > wait {
			t.Errorf("random kid: %v after %v, want ErrKeyNotFound within %v", err, took, wait)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestDoomedTokensCauseNoFetch sends tokens with an unknown kid that
// fail for another reason: none may cost the issuer a fetch.
func TestDoomedTokensCauseNoFetch(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	key := iss.PrivateKey(iss.AddKey("ES256", "es"))
	cfg := cacheConfig(iss)
	hour := time.Hour / time.Second
	now := time.Now().Unix()
	header := func(kid string) []byte {
		return []byte(`{"alg":"ES256","kid":` + kid + `}`)
	}
	raw := func(h []byte, payload string) string {
		token, err := gatetest.SignRaw("ES256", h, []byte(payload), key)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"expired", cacheForged(iss, "unknown", map[string]any{"exp": now - 60}),
			jwtgate.ErrTokenExpired},
		{"not yet valid", cacheForged(iss, "unknown", map[string]any{"nbf": now + int64(hour)}),
			jwtgate.ErrTokenNotYetValid},
		{"issued in the future", cacheForged(iss, "unknown", map[string]any{
			"iat": now + int64(hour)}), jwtgate.ErrTokenIssuedInFuture},
		{"no exp", cacheForged(iss, "unknown", map[string]any{"exp": nil}),
			jwtgate.ErrClaimMissing},
		{"wrong issuer", cacheForged(iss, "unknown", map[string]any{
			"iss": "https://other.example"}), jwtgate.ErrIssuer},
		{"issuer with a trailing slash", cacheForged(iss, "unknown", map[string]any{
			"iss": iss.URL + "/"}), jwtgate.ErrIssuer},
		{"wrong audience", cacheForged(iss, "unknown", map[string]any{
			"aud": "https://other.example"}), jwtgate.ErrAudience},
		{"payload not JSON", raw(header(`"unknown"`), "not json"), jwtgate.ErrTokenMalformed},
		{"payload with a duplicate claim", raw(header(`"unknown"`),
			fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"exp":%d}`, iss.URL, gatetest.Audience,
				now+60, now+120)), jwtgate.ErrTokenMalformed},
		{"oversized", cacheForged(iss, "unknown", map[string]any{
			"pad": strings.Repeat("x", jwtgate.DefaultMaxTokenSize)}), jwtgate.ErrTokenMalformed},
		{"empty kid", raw(header(`""`), "{}"), jwtgate.ErrTokenMalformed},
		{"kid not a string", raw(header(`7`), "{}"), jwtgate.ErrTokenMalformed},
		{"huge kid", raw(header(`"`+strings.Repeat("k", 4000)+`"`), "{}"),
			jwtgate.ErrTokenMalformed},
		{"alg none", cacheSign(iss, "none", "unknown", nil, nil) + "AAAA", jwtgate.ErrAlgorithm},
		{"alg not allowed", cacheSign(iss, "HS256", "unknown", []byte(strings.Repeat("s", 32)),
			nil), jwtgate.ErrAlgorithm},
		{"control: valid claims", cacheForged(iss, "unknown", nil), jwtgate.ErrKeyNotFound},
	}
	var doomed, fetched int
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := cacheGate(t, cfg)
			cacheReady(t, g)
			before := iss.Fetches()
			cacheExpect(t, g, tc.token, tc.want)

			want := 0
			if tc.want == jwtgate.ErrKeyNotFound {
				want = 1 // the control shows that a refresh would be seen
			} else {
				doomed++
				fetched += iss.Fetches() - before
			}
			if n := iss.Fetches() - before; n != want {
				t.Errorf("%d fetches, want %d", n, want)
			}
			if n := g.Stats().UnknownKIDRefreshes; n != uint64(want) {
				t.Errorf("%d unknown-kid refreshes, want %d", n, want)
			}
		})
	}
	t.Logf("doomed tokens with an unknown kid (expired, wrong issuer, malformed, "+
		"oversized...): %d kinds, %d key-set fetches", doomed, fetched)
}

// TestCallerContextEnds gives up on a slow fetch from the caller's side:
// the caller returns when its context ends, while the fetch goes on and
// serves the callers after it.
func TestCallerContextEnds(t *testing.T) {
	const delay = 5 * time.Second
	t.Run("cold start", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			iss := gatetest.NewInMemory(t)
			iss.SetFault(gatetest.Fault{Delay: delay})
			g := cacheGate(t, cacheConfig(iss))
			cacheCallerGivesUp(t, g, iss.Mint(nil), delay, jwtgate.ErrKeysUnavailable)
			if n := iss.Fetches(); n != 1 {
				t.Errorf("%d fetches, want 1", n)
			}
		})
	})
	t.Run("unknown kid", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			iss := gatetest.NewInMemory(t)
			g := cacheGate(t, cacheConfig(iss))
			cacheReady(t, g)
			iss.SetFault(gatetest.Fault{Delay: delay})
			iss.AddKey("ES256", "new")
			cacheCallerGivesUp(t, g, iss.Mint(nil), delay, jwtgate.ErrKeysUnavailable)
			cacheCheckFetches(t, iss, g, 2, 1)
		})
	})
}

// cacheCallerGivesUp validates token with a deadline and with a context
// cancelled from another goroutine, both shorter than the fetch under
// way, then checks that the fetch completed and serves token at once.
func cacheCallerGivesUp(t *testing.T, g *jwtgate.Gate, token string, fetch time.Duration,
	want error) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, err := g.Validate(ctx, token)
	if !errors.Is(err, want) || !errors.Is(err, context.DeadlineExceeded) ||
		time.Since(start) != time.Second {
		t.Errorf("deadline: %v after %v, want %v at 1s", err, time.Since(start), want)
	}

	ctx, cancel = context.WithCancel(t.Context())
	go func() {
		time.Sleep(time.Second)
		cancel()
	}()
	_, err = g.Validate(ctx, token)
	if !errors.Is(err, want) || !errors.Is(err, context.Canceled) ||
		time.Since(start) != 2*time.Second {
		t.Errorf("cancel: %v after %v, want %v at 2s", err, time.Since(start), want)
	}

	time.Sleep(fetch - time.Since(start))
	synctest.Wait()
	start = time.Now()
	cacheExpect(t, g, token, nil)
	if time.Since(start) != 0 {
		t.Errorf("after the fetch, validation took %v", time.Since(start))
	}
}

// TestCloseStopsBackgroundWork closes gates in several states and
// checks that no goroutine of theirs is left.
func TestCloseStopsBackgroundWork(t *testing.T) {
	cases := []struct {
		name    string
		fault   gatetest.Fault
		ready   bool // the first fetch succeeds before the fault
		waiting bool // a request still waits for a fetch at Close
	}{
		{name: "ready", ready: true},
		{name: "issuer down", fault: gatetest.Fault{Status: 503}},
		{name: "first fetch hung", fault: gatetest.Fault{Hang: true}, waiting: true},
		{name: "refresh hung", fault: gatetest.Fault{Hang: true}, ready: true, waiting: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			iss := gatetest.NewInMemory(t)
			if !tc.ready {
				iss.SetFault(tc.fault)
			}
			g, err := jwtgate.New(cacheConfig(iss))
			if err != nil {
				t.Fatal(err)
			}
			if tc.ready {
				cacheReady(t, g)
				iss.SetFault(tc.fault)
			}
			done := make(chan error, 1)
			go func() {
				_, err := g.Validate(context.Background(), cacheForged(iss, "new", nil))
				done <- err
			}()
			if !tc.waiting {
				<-done
			}

			if err := g.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if tc.waiting {
				<-done
			}
			goleak.VerifyNone(t, before)
		})
	}
}

// TestCloseStopsFetching checks in fake time that a closed gate never
// fetches again.
func TestCloseStopsFetching(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		cfg := cacheConfig(iss)
		cfg.RefreshInterval = time.Minute
		g := cacheGate(t, cfg)
		cacheReady(t, g)
		if err := g.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		n := iss.Fetches()
		time.Sleep(24 * time.Hour)
		if iss.Fetches() != n {
			t.Errorf("closed gate fetched %d times", iss.Fetches()-n)
		}
	})
}

// TestCloseIdempotent closes one gate many times, some at once, and
// then uses it.
func TestCloseIdempotent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		g := cacheGate(t, cacheConfig(iss))
		cacheReady(t, g)
		token := iss.Mint(nil)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := g.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
		wg.Wait()
		if err := g.Close(); err != nil {
			t.Errorf("Close again: %v", err)
		}

		for _, tok := range []string{token, cacheForged(iss, "new", nil)} {
			_, err := g.Validate(t.Context(), tok)
			if !errors.Is(err, jwtgate.ErrClosed) {
				t.Errorf("Validate after Close: %v, want ErrClosed", err)
			}
			if r := jwtgate.ResponseFor(err, "api"); r.Status != http.StatusServiceUnavailable {
				t.Errorf("Validate after Close: status %d, want 503", r.Status)
			}
		}
		if _, err := g.Key(t.Context(), iss.URL, "key-1", "RS256"); !errors.Is(err,
			jwtgate.ErrClosed) {
			t.Errorf("Key after Close: %v, want ErrClosed", err)
		}
	})
}

// TestCloseReleasesWaiters closes a gate while requests wait on a hung
// fetch: they return at once, with a 503 rather than a 401.
func TestCloseReleasesWaiters(t *testing.T) {
	cases := []struct {
		name  string
		ready bool // the first fetch succeeds; the waiters want a new kid
	}{
		{"first fetch", false},
		{"unknown-kid refresh", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				iss := gatetest.NewInMemory(t)
				if !tc.ready {
					iss.SetFault(gatetest.Fault{Hang: true})
				}
				g := cacheGate(t, cacheConfig(iss))
				if tc.ready {
					cacheReady(t, g)
					iss.SetFault(gatetest.Fault{Hang: true})
				}
				token := cacheForged(iss, "new", nil)
				out := make(chan error, 5)
				for range cap(out) {
					go func() {
						_, err := g.Validate(t.Context(), token)
						out <- err
					}()
				}
				time.Sleep(2 * time.Second)
				if err := g.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				cacheReleased(t, out)
			})
		})
	}
}

// cacheReleased checks that every waiter of out has returned at once,
// with keys unavailable or the gate closed.
func cacheReleased(t *testing.T, out chan error) {
	t.Helper()
	synctest.Wait()
	if len(out) != cap(out) {
		t.Fatalf("%d of %d waiters released by Close", len(out), cap(out))
	}
	for range cap(out) {
		err := <-out
		if !errors.Is(err, jwtgate.ErrKeysUnavailable) && !errors.Is(err, jwtgate.ErrClosed) {
			t.Errorf("waiter released with %v, want ErrKeysUnavailable or ErrClosed", err)
		}
	}
}

// TestUnknownKIDWhileIssuerDown presents new kids while the issuer
// fails: the Gate cannot tell whether such a token is valid, so it must
// answer 503, not call the token invalid; within the cooldown too, and
// then without waiting.
func TestUnknownKIDWhileIssuerDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		g := cacheGate(t, cacheConfig(iss))
		cacheReady(t, g)
		iss.AddKey("ES256", "new")
		iss.SetFault(gatetest.Fault{Status: http.StatusServiceUnavailable})
		for _, token := range []string{iss.Mint(nil), cacheForged(iss, "other", nil)} {
			start := time.Now()
			_, err := g.Validate(t.Context(), token)
			cacheUnavailable(t, err)
			if time.Since(start) != 0 {
				t.Errorf("waited %v", time.Since(start))
			}
		}
		cacheCheckFetches(t, iss, g, 2, 1)

		// The issuer returns: after the cooldown the new kid passes.
		iss.ClearFault()
		time.Sleep(jwtgate.DefaultRefreshCooldown)
		cacheExpect(t, g, iss.Mint(nil), nil)
	})
}

// TestReadersNeverWaitOnRefresh hangs a refresh after the first fetch:
// validations of known kids complete without any time passing.
func TestReadersNeverWaitOnRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.AddKey("ES256", "es")
		cfg := cacheConfig(iss)
		cfg.RefreshInterval, cfg.FetchTimeout = time.Minute, time.Minute
		g := cacheGate(t, cfg)
		cacheReady(t, g)
		iss.SetFault(gatetest.Fault{Hang: true})
		time.Sleep(time.Minute + time.Second)
		if iss.Fetches() != 2 || g.Stats().Fetches != 2 {
			t.Fatalf("%d fetches, want the refresh under way", iss.Fetches())
		}

		tokens := []string{iss.Mint(nil), iss.Mint(nil, gatetest.WithKey("key-1"))}
		start := time.Now()
		var done atomic.Int64
		for i := range 100 {
			go func() {
				if _, err := g.Validate(t.Context(), tokens[i%2]); err != nil {
					t.Errorf("known kid during a hung refresh: %v", err)
				}
				done.Add(1)
			}()
		}
		synctest.Wait()
		if done.Load() != 100 || time.Since(start) != 0 {
			t.Errorf("%d of 100 validations done, %v passed: readers waited on the refresh",
				done.Load(), time.Since(start))
		}
		if g.Stats().FetchFailures != 0 {
			t.Error("the hung refresh ended early")
		}
	})
}

// cacheRound is one step of a key rotation: the tokens workers may
// present while the round is current, one per slot; worker w uses slot
// w % cacheSlots.
type cacheRound struct {
	n      int
	cur    []string // per slot, signed by the newest key
	prev   []string // per slot, signed by the key before
	forged string   // the newest kid, signed by a key never published
}

// cacheSlots is the number of distinct tokens of a round.
const cacheSlots = 10

// cacheSubject is the subject of the token of a slot and round.
func cacheSubject(slot, round int) string {
	return fmt.Sprintf("slot-%d-round-%d", slot, round)
}

// TestValidationDuringRotation runs 50 workers of 100 validations each
// while the issuer rotates keys, once per 100 validations, and the gate
// refreshes all the time. A key is published for three rounds; workers
// present the newest and the previous key of the round they see. Every
// token must be accepted unless its key was retired meanwhile, every
// accepted token must carry its own claims, and forged ones must always
// fail.
func TestValidationDuringRotation(t *testing.T) {
	const workers, perWorker = 50, 100
	iss := gatetest.NewInMemory(t)
	cfg := cacheConfig(iss)
	cfg.RefreshInterval = 5 * time.Millisecond
	cfg.RefreshCooldown = time.Nanosecond
	g := cacheGate(t, cfg)
	cacheReady(t, g)

	var current atomic.Pointer[cacheRound]
	kids := []string{"key-1"}
	current.Store(cacheRotate(t, g, iss, &kids, nil))
	current.Store(cacheRotate(t, g, iss, &kids, current.Load()))

	var wg sync.WaitGroup
	var validations atomic.Int64
	due := make(chan struct{}, 1) // a rotation is due
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				cacheCheckRound(t, g, &current, w, i)
				if validations.Add(1)%100 == 0 {
					select {
					case due <- struct{}{}:
					default:
					}
				}
				runtime.Gosched() // let the rotation and the refreshes run
			}
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	for rounds := 0; ; rounds++ {
		select {
		case <-finished:
			t.Logf("%d rotations, %d fetches", rounds, g.Stats().Fetches)
			return
		case <-due:
			current.Store(cacheRotate(t, g, iss, &kids, current.Load()))
		}
	}
}

// cacheRotate publishes a new key, retires the one three rounds old,
// makes sure the gate has the new key and returns the new round.
func cacheRotate(t *testing.T, g *jwtgate.Gate, iss *gatetest.Issuer, kids *[]string,
	last *cacheRound) *cacheRound {
	t.Helper()
	n := 0
	if last != nil {
		n = last.n + 1
	}
	kid := iss.AddKey("ES256", fmt.Sprintf("round-%d", n))
	*kids = append(*kids, kid)
	if len(*kids) > 3 {
		iss.RemoveKey((*kids)[len(*kids)-4])
	}

	r := &cacheRound{n: n, forged: cacheSign(iss, "ES256", kid, cacheECKey(t), nil)}
	for slot := range cacheSlots {
		r.cur = append(r.cur, iss.Mint(map[string]any{"sub": cacheSubject(slot, n)}))
	}
	if last != nil {
		r.prev = last.cur
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := g.Validate(t.Context(), r.cur[0])
		if err == nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("the gate never learnt key %s: %v", kid, err)
		}
	}
}

// cacheCheckRound has worker w present one token of the current round
// and checks the outcome.
func cacheCheckRound(t *testing.T, g *jwtgate.Gate, current *atomic.Pointer[cacheRound],
	w, i int) {
	t.Helper()
	r, slot := current.Load(), w%cacheSlots
	token, round, forged := r.cur[slot], r.n, false
	switch {
	case i%5 == 4:
		token, forged = r.forged, true
	case i%2 == 1 && r.prev != nil:
		token, round = r.prev[slot], r.n-1
	}
	c, err := g.Validate(context.Background(), token)

	// A key is published in rounds k to k+2, and the gate learns round
	// k+3 only after the rotation to it; a miss is excused only then.
	retired := current.Load().n >= round+2
	excused := retired && errors.Is(err, jwtgate.ErrKeyNotFound)
	switch {
	case forged && !errors.Is(err, jwtgate.ErrSignatureInvalid) && !excused:
		t.Errorf("forged token: %v, want ErrSignatureInvalid", err)
	case forged:
	case err != nil && !excused:
		t.Errorf("worker %d, token of round %d: %v", w, round, err)
	case err == nil && (c.Subject != cacheSubject(slot, round) ||
		c.KeyID != fmt.Sprintf("round-%d", round)):
		t.Errorf("worker %d: claims of %s by %s, want %s by round-%d", w, c.Subject,
			c.KeyID, cacheSubject(slot, round), round)
	}
}

// cacheGenerations is a key-set server whose every response differs
// from the one before in size: the n-th response holds 1 + n%3 keys,
// one of which, "stable", is always there. It remembers when it served
// each size, so that a reader can tell which response a snapshot came
// from.
type cacheGenerations struct {
	stable []byte // the JWK of the key in every response

	mu     sync.Mutex // guards served
	served []cacheServed
}

// cacheServed is one response of a cacheGenerations.
type cacheServed struct {
	at   time.Time
	keys int
}

// RoundTrip serves the next generation of the key set.
func (s *cacheGenerations) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	n := len(s.served)
	keys := 1 + n%3
	s.served = append(s.served, cacheServed{at: time.Now(), keys: keys})
	s.mu.Unlock()

	jwks := [][]byte{s.stable}
	for j := 1; j < keys; j++ {
		extra := bytes.Replace(s.stable, []byte(`"kid":"stable"`),
			fmt.Appendf(nil, `"kid":"gen-%d-%d"`, n, j), 1)
		jwks = append(jwks, extra)
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(cacheJWKS(jwks...))),
		Request:    req,
	}, nil
}

// keysAt returns the size of the response whose snapshot was fetched at
// t: the last one served at or before t.
func (s *cacheGenerations) keysAt(t time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.served), func(i int) bool { return s.served[i].at.After(t) })
	if i == 0 {
		return -1
	}
	return s.served[i-1].keys
}

// TestSnapshotConsistency has readers inspect the cache while a refresh
// replaces the set at every step. The number of keys a reader sees and
// the age it sees must come from one response: a reader that got one
// fetch's keys with another's time would find a size that the response
// of that time did not have. A key present in every response must
// verify throughout.
func TestSnapshotConsistency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		key := cacheECKey(t)
		srv := &cacheGenerations{stable: cacheJWK(t, "stable", key.Public(), nil)}
		cfg := cacheConfig(iss)
		cfg.HTTPClient = &http.Client{Transport: srv}
		cfg.RefreshInterval, cfg.RefreshCooldown = time.Hour, time.Millisecond
		g := cacheGate(t, cfg)
		cacheReady(t, g)
		stable := cacheSign(iss, "ES256", "stable", key, nil)
		unknown := cacheForged(iss, "never", nil)

		const steps = 200
		var wg sync.WaitGroup
		wg.Go(func() { // one refresh per step, through an unknown kid
			for range steps {
				time.Sleep(time.Millisecond)
				_, _ = g.Validate(t.Context(), unknown)
			}
		})
		for range 6 {
			wg.Go(func() {
				for range steps {
					cacheCheckSnapshot(t, g, srv, stable)
					time.Sleep(time.Millisecond)
				}
			})
		}
		wg.Wait()
		if n := g.Stats().Fetches; n < steps/2 {
			t.Errorf("%d fetches: the readers did not race many refreshes", n)
		}
	})
}

// cacheCheckSnapshot reads the cache once and checks it.
func cacheCheckSnapshot(t *testing.T, g *jwtgate.Gate, srv *cacheGenerations, stable string) {
	t.Helper()
	st := g.Stats().Issuers[0]
	fetched := time.Now().Add(-st.Age)
	if want := srv.keysAt(fetched); st.Keys != want {
		t.Errorf("snapshot of %d keys fetched at %v, when the set had %d", st.Keys,
			fetched, want)
	}
	if _, err := g.Validate(t.Context(), stable); err != nil {
		t.Errorf("key of every set: %v", err)
	}
}
