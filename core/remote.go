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
type remoteSet struct {
	issuer  string
	jwksURL string // set at start or after discovery; the loop's alone
	cfg     *Config
	fetch   *fetcher
	stats   *counters

	snap atomic.Pointer[keySet]

	// kick wakes the loop for an unknown-kid refresh. It has room for
	// one wake-up; the pending fetchCall says what it is for.
	kick   chan struct{}
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop has returned
	ready  chan struct{} // closed after the first successful fetch

	mu       sync.Mutex // guards the fields below
	pending  *fetchCall // the fetch running or about to run, or nil
	lastKick time.Time  // when an unknown kid last caused a refresh
	nextTry  time.Time  // when the loop fetches next
	lastErr  error      // the last fetch's error
	closed   bool       // the loop has returned
	url      string     // the key set URL, once known

	staleTimer *time.Timer // expires the current set; guarded by mu
	readyCh    atomic.Bool // ready is closed
}

// fetchCall is one fetch that requests may wait for.
type fetchCall struct {
	done chan struct{} // closed when the fetch has finished
	err  error         // written before done is closed
}

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
		pending: &fetchCall{done: make(chan struct{})},
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
		wait, err := r.refresh(ctx, trigger)
		r.finish(call, err)
		if ctx.Err() != nil {
			return
		}
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

// begin claims the pending fetchCall, or makes one, for the fetch the
// loop is about to run.
func (r *remoteSet) begin() *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.kick: // the pending call covers this wake-up
	default:
	}
	if r.pending == nil {
		r.pending = &fetchCall{done: make(chan struct{})}
	}
	return r.pending
}

// finish publishes a fetch's outcome to the requests waiting on call.
func (r *remoteSet) finish(call *fetchCall, err error) {
	r.mu.Lock()
	r.pending = nil
	r.lastErr = err
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
	call := r.pending
	r.pending = nil
	r.mu.Unlock()
	if call != nil {
		call.err = ErrClosed
		close(call.done)
	}
	close(r.done)
}

// refresh fetches the key set once and, on success, swaps it in. It
// returns the interval until the next periodic refresh.
func (r *remoteSet) refresh(ctx context.Context, trigger string) (time.Duration, error) {
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
		r.publish(set)
		if r.readyCh.CompareAndSwap(false, true) {
			close(r.ready)
		}
	}
	if h := r.cfg.Hooks.OnFetch; h != nil {
		h(ev)
	}
	return jitter(clamp(age, r.cfg)), err
}

// publish swaps in a new set and arms its expiry at the maximum stale
// age, disarming the previous set's.
func (r *remoteSet) publish(set *keySet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.staleTimer != nil {
		r.staleTimer.Stop()
	}
	r.snap.Store(set)
	r.staleTimer = time.AfterFunc(r.cfg.MaxStaleAge, func() { set.expired.Store(true) })
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
// exists: the first fetch, while it runs. Later on, requests do not
// queue behind retries against a failing issuer.
func (r *remoteSet) cold() *fetchCall {
	if r.snap.Load() != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending
}

// refreshForKID returns a fetch that may bring an unknown kid: the one
// running, or a new one when the cooldown since the last unknown-kid
// refresh has passed. It returns nil when the caller must not wait.
func (r *remoteSet) refreshForKID() *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending != nil || r.closed {
		return r.pending
	}
	now := time.Now()
	if !r.lastKick.IsZero() && now.Sub(r.lastKick) < r.cfg.RefreshCooldown {
		return nil
	}
	r.lastKick = now
	r.pending = &fetchCall{done: make(chan struct{})}
	r.stats.unknownKID.Add(1)
	select {
	case r.kick <- struct{}{}:
	default:
	}
	return r.pending
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
