package conformance

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The load of RunRace.
const (
	raceWorkers   = 50
	raceRequests  = 100 // per worker
	raceRotations = 3
	raceMaxErrors = 10 // failures reported before the rest are only counted
)

// raceAlgs are the algorithms of the rotated keys, cheap to generate so
// that rotations happen while the workers run.
var raceAlgs = [raceRotations]string{"ES256", "EdDSA", "ES256"}

// tokenSet is what the workers send during one key generation: tokens
// of the current and the previous key, which must pass, and forged
// ones, which must not.
type tokenSet struct {
	valid  []string
	forged []string
}

// raceRun is the shared state of one RunRace.
type raceRun struct {
	t    *testing.T
	h    http.Handler
	iss  *gatetest.Issuer
	gate *jwtgate.Gate

	// mu is held for reading by every request and for writing while a
	// rotation swaps the token set and withdraws a key, so that no token
	// is in flight when its key is withdrawn.
	mu   sync.RWMutex
	set  atomic.Pointer[tokenSet]
	kids []string // every kid so far, oldest first; the test goroutine's alone

	done     atomic.Int64                 // requests completed
	progress [raceRotations]chan struct{} // closed as the workers pass each quarter
	errors   atomic.Int64
}

// runRace drives the workers and, on the test goroutine, the rotations,
// on a gate whose token cache is as m says. With the cache on, the
// tokens every worker sends again must have been answered from it.
func runRace(t *testing.T, m cacheMode, build Build) {
	iss := gatetest.New(t)
	g := newGate(t, m, jwtgate.Config{
		Issuers:         []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:        []string{gatetest.Audience},
		HTTPClient:      iss.Client(),
		RefreshCooldown: time.Nanosecond,
	})
	ready(t, g)
	r := &raceRun{t: t, h: build(t, Setup{Gate: g}), iss: iss, gate: g, kids: []string{kidRS256}}
	for i := range r.progress {
		r.progress[i] = make(chan struct{})
	}
	r.set.Store(r.tokens(nil))

	var wg sync.WaitGroup
	defer wg.Wait()
	for w := range raceWorkers {
		wg.Go(func() { r.work(w) })
	}
	for i, alg := range raceAlgs {
		<-r.progress[i]
		r.rotate(alg)
	}
	wg.Wait()
	if n := r.errors.Load(); n > 0 {
		t.Errorf("%d of %d requests got a wrong answer", n, raceWorkers*raceRequests)
	}
	m.checkCacheHits(t, g, 0)
}

// tokens mints the token set of the newest key, with prev as the
// tokens of the previous key.
func (r *raceRun) tokens(prev *tokenSet) *tokenSet {
	kid := r.kids[len(r.kids)-1]
	tok := r.iss.Mint(nil, gatetest.WithKey(kid))
	_, _, sig := segments(tok)
	h, p, _ := segments(r.iss.Mint(map[string]any{"sub": "mallory"}, gatetest.WithKey(kid)))
	expired := r.iss.Mint(map[string]any{"exp": fromNow(-time.Hour)}, gatetest.WithKey(kid))
	s := &tokenSet{valid: []string{tok}, forged: []string{h + "." + p + "." + sig, expired}}
	if prev != nil {
		s.valid = append(s.valid, prev.valid[0])
	}
	return s
}

// rotate adds a key for alg, waits until the gate has it, then makes
// its tokens current and withdraws the key two generations old, whose
// tokens nobody sends any more.
func (r *raceRun) rotate(alg string) {
	t := r.t
	t.Helper()
	kid := r.iss.AddKey(alg, "")
	r.kids = append(r.kids, kid)
	r.awaitKey(kid, alg)
	next := r.tokens(r.set.Load())

	r.mu.Lock()
	r.set.Store(next)
	if n := len(r.kids); n >= 3 {
		r.iss.RemoveKey(r.kids[n-3])
	}
	r.mu.Unlock()
}

// awaitKey makes the gate fetch the key set until it knows kid: the
// first unknown-kid refresh normally brings it, but one that was already
// running when the key was added may not.
func (r *raceRun) awaitKey(kid, alg string) {
	t := r.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for {
		_, err := r.gate.Key(ctx, r.iss.URL, kid, alg)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("conformance: the gate never learnt the new key: %v", err)
		}
	}
}

// work sends one worker's requests, checking each answer.
func (r *raceRun) work(w int) {
	for i := range raceRequests {
		r.mu.RLock()
		s := r.set.Load()
		n := (w + i) % (len(s.valid) + len(s.forged))
		if n < len(s.valid) {
			r.expect(s.valid[n], http.StatusOK, bodyUser)
		} else {
			r.expect(s.forged[n-len(s.valid)], http.StatusUnauthorized,
				`{"error":"invalid_token"`)
		}
		r.mu.RUnlock()
		r.step()
	}
}

// expect sends tok to /me and checks the status and the start of the
// body.
func (r *raceRun) expect(tok string, status int, bodyPrefix string) {
	rec := serve(r.h, bearer.newRequest(tok))
	if rec.Code == status && strings.HasPrefix(rec.Body.String(), bodyPrefix) {
		return
	}
	if r.errors.Add(1) <= raceMaxErrors {
		r.t.Errorf("status %d, body %q; want %d, %s...", rec.Code, rec.Body, status, bodyPrefix)
	}
}

// step counts a finished request and signals each quarter of the run.
func (r *raceRun) step() {
	const total = raceWorkers * raceRequests
	n := r.done.Add(1)
	for i := range r.progress {
		if n == int64(i+1)*total/(raceRotations+1) {
			close(r.progress[i])
		}
	}
}
