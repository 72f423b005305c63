package jwtgate

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// remoteSet is one issuer's fetched key set. Readers load the current
// snapshot with one atomic operation and never wait for a refresh; a
// single goroutine per set fetches: at start, periodically, after
// failures with backoff, and when a request asks for a refresh because
// of an unknown kid.
//
// Requests wait for a fetch only in two cases: no set was ever fetched
// (they wait for the first fetch), or their kid is unknown (they wait
// for one shared fetch that starts after they asked, so that it can
// see a key published before the token was made).
type remoteSet struct {
	issuer  string
	jwksURL string // set at start or after discovery; the loop's alone
	cfg     *Config
	fetch   *fetcher
	stats   *counters

	snap atomic.Pointer[keySet]

	// kick wakes the loop for a queued fetch. It has room for one
	// wake-up; the queued fetchCall says what it is for.
	kick   chan struct{}
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop has returned
	ready  chan struct{} // closed after the first successful fetch

	mu         sync.Mutex  // guards the fields below
	running    *fetchCall  // the fetch in progress, or nil
	queued     *fetchCall  // a fetch asked for and not started yet, or nil
	lastKick   time.Time   // when an unknown kid last queued a fetch
	nextTry    time.Time   // when the loop fetches next
	lastErr    error       // the last fetch's error
	closed     bool        // the loop has returned
	url        string      // the key set URL, once known
	staleTimer *time.Timer // expires the current set
	fetchedOK  bool        // a fetch has succeeded; ready is closed
	firstDone  bool        // the first fetch has ended, well or not
}

// fetchCall is one fetch that requests may wait for.
type fetchCall struct {
	done chan struct{} // closed when the fetch has finished
	err  error         // written before done is closed
}

func newFetchCall() *fetchCall { return &fetchCall{done: make(chan struct{})} }

func newRemoteSet(issuer, jwksURL string, cfg *Config, f *fetcher, st *counters) *remoteSet {
	ctx, cancel := context.WithCancel(context.Background())
	r := &remoteSet{
		issuer:  issuer,
		jwksURL: jwksURL,
		url:     jwksURL,
		cfg:     cfg,
		fetch:   f,
		stats:   st,
		kick:    make(chan struct{}, 1),
		cancel:  cancel,
		done:    make(chan struct{}),
		ready:   make(chan struct{}),
		queued:  newFetchCall(), // the first fetch, which cold requests wait for
	}
	go r.run(ctx)
	return r
}

// run is the set's only fetching goroutine. It returns when ctx ends.
func (r *remoteSet) run(ctx context.Context) {
	defer r.shutdown()
	trigger := "initial"
	failures := 0
	for {
		call := r.begin()
		set, age, err := r.refresh(ctx, trigger)
		r.finish(call, set, err)
		if ctx.Err() != nil {
			return
		}
		wait := jitter(clamp(age, r.cfg))
		if err != nil {
			failures++
			wait = backoff(failures, r.cfg.MaxRetryInterval)
			trigger = "retry"
		} else {
			failures = 0
			trigger = "periodic"
		}

		r.mu.Lock()
		r.nextTry = time.Now().Add(wait)
		r.mu.Unlock()

		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-r.kick:
			t.Stop()
			trigger = "unknown-kid"
		}
	}
}

// begin marks the fetch about to run: the queued call if a request
// asked for one, else a new call.
func (r *remoteSet) begin() *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.kick: // this fetch serves the wake-up
	default:
	}
	call := r.queued
	if call == nil {
		call = newFetchCall()
	}
	r.queued, r.running = nil, call
	return call
}

// finish publishes a fetch's outcome, the new set if any and the end of
// the call, in one step, so that no request sees the new set while the
// call still looks in progress.
func (r *remoteSet) finish(call *fetchCall, set *keySet, err error) {
	r.mu.Lock()
	if set != nil {
		if r.staleTimer != nil {
			r.staleTimer.Stop()
		}
		r.snap.Store(set)
		r.staleTimer = time.AfterFunc(r.cfg.MaxStaleAge, func() { set.expired.Store(true) })
		if !r.fetchedOK {
			r.fetchedOK = true
			close(r.ready)
		}
	}
	r.running, r.lastErr, r.firstDone = nil, err, true
	r.mu.Unlock()
	call.err = err
	close(call.done)
}

// shutdown releases requests still waiting when the loop returns.
func (r *remoteSet) shutdown() {
	r.mu.Lock()
	r.closed = true
	if r.staleTimer != nil {
		r.staleTimer.Stop()
	}
	call := r.queued
	r.queued = nil
	r.mu.Unlock()
	if call != nil {
		call.err = ErrClosed
		close(call.done)
	}
	close(r.done)
}

// refresh fetches the key set once and returns it with the max-age of
// the response.
func (r *remoteSet) refresh(ctx context.Context, trigger string) (*keySet, time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.cfg.FetchTimeout)
	defer cancel()
	r.stats.fetches.Add(1)

	set, age, err := r.load(ctx)
	ev := FetchEvent{Issuer: r.issuer, URL: r.jwksURL, Err: err, Trigger: trigger,
		Duration: time.Since(start)}
	if err != nil {
		r.stats.failures.Add(1)
		r.logFailure(err)
	} else {
		ev.Keys, ev.Skipped = len(set.keys), set.skipped
		r.stats.skipped.Add(uint64(set.skipped))
		r.logRecovery()
	}
	if h := r.cfg.Hooks.OnFetch; h != nil {
		h(ev)
	}
	return set, age, err
}

// load discovers the key set URL if needed, then fetches and parses the
// set. A set with no usable key is an error and replaces nothing.
func (r *remoteSet) load(ctx context.Context) (*keySet, time.Duration, error) {
	if r.jwksURL == "" {
		u, err := r.fetch.discover(ctx, r.issuer)
		if err != nil {
			return nil, 0, err
		}
		r.jwksURL = u
		r.mu.Lock()
		r.url = u
		r.mu.Unlock()
	}
	body, age, err := r.fetch.get(ctx, r.jwksURL)
	if err != nil {
		return nil, 0, err
	}
	keys, skipped, err := parseJWKS(body, r.logSkip)
	if err != nil {
		return nil, 0, err
	}
	if len(keys) == 0 {
		return nil, 0, fmt.Errorf("jwtgate: key set has no usable key (%d skipped)", skipped)
	}
	carryOver(keys, r.snap.Load())
	return newKeySet(keys, time.Now(), skipped), age, nil
}

// current returns the snapshot, or nil when there is none or it is
// older than the maximum stale age.
func (r *remoteSet) current() *keySet {
	s := r.snap.Load()
	if s == nil || s.expired.Load() {
		return nil
	}
	return s
}

// cold returns the fetch a request may wait for when no usable set
// exists: the first fetch, until it has ended. Later on, requests do
// not queue behind retries against a failing issuer.
func (r *remoteSet) cold() *fetchCall {
	if r.snap.Load() != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.firstDone:
		return nil
	case r.queued != nil:
		return r.queued
	}
	return r.running
}

// refreshForKID returns a fetch that starts after the call, which may
// bring an unknown kid: one already queued, or a new one when the
// cooldown since the last unknown-kid fetch has passed. Within the
// cooldown it returns the running fetch, if any, else nil: the caller
// must not wait.
func (r *remoteSet) refreshForKID() *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return nil
	case r.queued != nil:
		return r.queued
	}
	now := time.Now()
	if !r.lastKick.IsZero() && now.Sub(r.lastKick) < r.cfg.RefreshCooldown {
		return r.running
	}
	r.lastKick = now
	r.queued = newFetchCall()
	r.stats.unknownKID.Add(1)
	select {
	case r.kick <- struct{}{}:
	default:
	}
	return r.queued
}

// failing returns the last fetch's error, nil after a success.
func (r *remoteSet) failing() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// unavailable builds the error for a request that found no usable keys.
func (r *remoteSet) unavailable(cause error) *Error {
	r.mu.Lock()
	next, last := r.nextTry, r.lastErr
	r.mu.Unlock()
	if cause == nil {
		cause = last
	}
	e := &Error{Reason: ErrKeysUnavailable, Err: cause, RetryAfter: time.Until(next)}
	if e.RetryAfter <= 0 {
		e.RetryAfter = time.Second
	}
	return e
}

// wait blocks until call finishes or ctx ends.
func wait(ctx context.Context, call *fetchCall) error {
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *remoteSet) close() {
	r.cancel()
	<-r.done
}

func (r *remoteSet) logFailure(err error) {
	if l := r.cfg.Logger; l != nil {
		l.LogAttrs(context.Background(), slog.LevelWarn, "jwtgate: key set fetch failed",
			slog.String("issuer", r.issuer), slog.String("error", err.Error()))
	}
}

func (r *remoteSet) logRecovery() {
	r.mu.Lock()
	failed := r.lastErr != nil
	r.mu.Unlock()
	if l := r.cfg.Logger; l != nil && failed {
		l.LogAttrs(context.Background(), slog.LevelInfo, "jwtgate: key set fetch recovered",
			slog.String("issuer", r.issuer))
	}
}

func (r *remoteSet) logSkip(kid string, reason error) {
	if l := r.cfg.Logger; l != nil {
		l.LogAttrs(context.Background(), slog.LevelWarn, "jwtgate: key skipped",
			slog.String("issuer", r.issuer), slog.String("kid", kid),
			slog.String("reason", reason.Error()))
	}
}

// clamp turns a response's max-age into the refresh interval.
func clamp(age time.Duration, cfg *Config) time.Duration {
	if age == 0 {
		return cfg.RefreshInterval
	}
	return min(max(age, cfg.MinRefreshInterval), cfg.MaxRefreshInterval)
}

// jitter spreads refreshes of many processes over the last fifth of the
// interval, never past it.
func jitter(d time.Duration) time.Duration {
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// backoff is the wait after the n-th failure in a row: exponential from
// one second, capped, with jitter over its upper half.
func backoff(n int, ceiling time.Duration) time.Duration {
	d := time.Second << min(n-1, 16)
	d = min(d, ceiling)
	return d/2 + time.Duration(rand.Int64N(int64(d)/2+1))
}
