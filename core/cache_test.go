package jwtgate_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The tests of this file follow one key set through its life in the
// cache: the first fetch, failed refreshes, skipped keys, the stale age,
// withdrawn keys and the refresh interval a response asks for. Anything
// that depends on time runs in a testing/synctest bubble against an
// in-memory issuer, so that minutes of retries pass in no real time.

// cacheConfig returns a configuration that trusts the key set of iss,
// fetched through the issuer's in-process client.
func cacheConfig(iss *gatetest.Issuer) jwtgate.Config {
	return jwtgate.Config{
		Issuers:    []jwtgate.Issuer{{Name: iss.URL, JWKSURL: iss.JWKSURL()}},
		Audience:   []string{gatetest.Audience},
		HTTPClient: iss.Client(),
	}
}

// cacheGate builds a Gate from cfg and closes it when the test ends.
func cacheGate(t *testing.T, cfg jwtgate.Config) *jwtgate.Gate {
	t.Helper()
	g, err := jwtgate.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// cacheReady waits until g has its keys.
func cacheReady(t *testing.T, g *jwtgate.Gate) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := g.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
}

// cacheExpect validates token and checks the outcome: want nil means
// the token must be accepted, anything else the sentinel of its
// rejection.
func cacheExpect(t *testing.T, g *jwtgate.Gate, token string, want error) {
	t.Helper()
	_, err := g.Validate(t.Context(), token)
	cacheCheckErr(t, err, want)
}

// cacheCheckErr checks err against want as cacheExpect does.
func cacheCheckErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("token rejected: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("err = %v, want %v", err, want)
	}
}

// cacheEvent is one fetch attempt as the OnFetch hook saw it.
type cacheEvent struct {
	end time.Time // when the hook ran, at the end of the attempt
	jwtgate.FetchEvent
}

// start returns when the attempt began.
func (e cacheEvent) start() time.Time { return e.end.Add(-e.Duration) }

// cacheRecorder collects fetch events from the OnFetch hook.
type cacheRecorder struct {
	mu     sync.Mutex // guards events
	events []cacheEvent
}

// record is the OnFetch hook.
func (r *cacheRecorder) record(ev jwtgate.FetchEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, cacheEvent{end: time.Now(), FetchEvent: ev})
}

// all returns a copy of the events so far.
func (r *cacheRecorder) all() []cacheEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]cacheEvent(nil), r.events...)
}

// since returns the events that ended after t.
func (r *cacheRecorder) since(t time.Time) []cacheEvent {
	var out []cacheEvent
	for _, e := range r.all() {
		if e.end.After(t) {
			out = append(out, e)
		}
	}
	return out
}

// cacheCheckBackoff checks the waits after failed attempts in evs: after
// the n-th failure in a row the next attempt starts between half and all
// of min(2^(n-1) s, ceiling) later. It returns the waits taken at the
// ceiling. No unknown-kid refresh may cut a wait short in evs.
func cacheCheckBackoff(t *testing.T, evs []cacheEvent, ceiling time.Duration) []time.Duration {
	t.Helper()
	var capped []time.Duration
	n := 0
	for i := 0; i+1 < len(evs); i++ {
		if evs[i].Err == nil {
			n = 0
			continue
		}
		n++
		wait := evs[i+1].start().Sub(evs[i].end)
		step := min(time.Second<<min(n-1, 30), ceiling)
		if wait < step/2 || wait > step {
			t.Errorf("wait after failure %d in a row: %v, want %v to %v", n, wait, step/2, step)
		}
		if evs[i+1].Trigger != "retry" {
			t.Errorf("attempt after a failure has trigger %q, want retry", evs[i+1].Trigger)
		}
		if step == ceiling {
			capped = append(capped, wait)
		}
	}
	return capped
}

// cacheECKey returns a fresh P-256 key.
func cacheECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// cacheECBytes returns the private scalar of k, as the d member of a
// JWK holds it.
func cacheECBytes(t *testing.T, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	d, err := k.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// cacheB64 encodes b as JWK members are: base64url without padding.
func cacheB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// cacheJWK returns the public JWK of pub under kid, with the members of
// extra added or replaced; an extra member whose value is nil is
// removed.
func cacheJWK(t *testing.T, kid string, pub crypto.PublicKey, extra map[string]any) []byte {
	t.Helper()
	m := map[string]any{"kid": kid, "use": "sig"}
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		m["kty"], m["alg"] = "RSA", "RS256"
		m["n"] = cacheB64(pub.N.Bytes())
		m["e"] = cacheB64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		point, err := pub.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		size := (len(point) - 1) / 2
		m["kty"], m["alg"], m["crv"] = "EC", "ES256", pub.Curve.Params().Name
		m["x"], m["y"] = cacheB64(point[1:1+size]), cacheB64(point[1+size:])
	case ed25519.PublicKey:
		m["kty"], m["alg"], m["crv"], m["x"] = "OKP", "EdDSA", "Ed25519", cacheB64(pub)
	default:
		t.Fatalf("cacheJWK: unsupported key %T", pub)
	}
	for name, v := range extra {
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cacheJWKS joins JWK objects, or any JSON values, into a key set.
func cacheJWKS(keys ...[]byte) []byte {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = string(k)
	}
	return []byte(`{"keys":[` + strings.Join(parts, ",") + `]}`)
}

// cachePadded returns a key set holding jwk that is exactly size bytes
// long, padded by an extra member that a parser ignores.
func cachePadded(t *testing.T, jwk []byte, size int) []byte {
	t.Helper()
	head := `{"keys":[` + string(jwk) + `],"pad":"`
	n := size - len(head) - len(`"}`)
	if n < 0 {
		t.Fatalf("cachePadded: %d bytes is too small", size)
	}
	return []byte(head + strings.Repeat("x", n) + `"}`)
}

// cacheSign returns a token of iss signed by key for alg, with the
// header kid and the issuer's default claims overridden by claims. It
// may be called from any goroutine.
func cacheSign(iss *gatetest.Issuer, alg, kid string, key any, claims map[string]any) string {
	c := iss.Claims()
	for name, v := range claims {
		if v == nil {
			delete(c, name)
		} else {
			c[name] = v
		}
	}
	token, err := gatetest.Sign(map[string]any{"alg": alg, "typ": "JWT", "kid": kid}, c, key)
	if err != nil {
		panic(err) // only a bad alg gets here: a bug of the test
	}
	return token
}

// cacheForged returns a token of iss with a well-formed but meaningless
// ES256 signature: enough for everything the Gate checks before it
// verifies, which is all a token with an unknown kid ever reaches.
func cacheForged(iss *gatetest.Issuer, kid string, claims map[string]any) string {
	return cacheSign(iss, "ES256", kid, nil, claims) + strings.Repeat("A", 86)
}

// cacheUnavailable checks that err means keys unavailable and that its
// response is a 503 with a Retry-After of at least a second.
func cacheUnavailable(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, jwtgate.ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}
	resp := jwtgate.ResponseFor(err, "api")
	secs, convErr := strconv.Atoi(resp.RetryAfter)
	if resp.Status != http.StatusServiceUnavailable || convErr != nil || secs < 1 {
		t.Errorf("response %d with Retry-After %q, want 503 and at least 1",
			resp.Status, resp.RetryAfter)
	}
}

// TestColdStartSharesOneFetch sends 200 requests to a gate that has no
// keys yet: they all wait for the first fetch, the only one.
func TestColdStartSharesOneFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.SetFault(gatetest.Fault{Delay: time.Second})
		g := cacheGate(t, cacheConfig(iss))
		token := iss.Mint(nil)

		const callers = 200
		start := time.Now()
		errs := make(chan error, callers)
		for range callers {
			go func() {
				_, err := g.Validate(t.Context(), token)
				if err == nil && time.Since(start) != time.Second {
					err = fmt.Errorf("accepted after %v, want 1s", time.Since(start))
				}
				errs <- err
			}()
		}
		for range callers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}

		if n := iss.Fetches(); n != 1 {
			t.Errorf("issuer served %d fetches, want 1", n)
		}
		t.Logf("cold start: %d concurrent requests, %d key-set fetch", callers, iss.Fetches())
		if st := g.Stats(); st.Fetches != 1 || !st.Issuers[0].Ready {
			t.Errorf("Stats = %+v, want one fetch and ready", st)
		}
		cacheReady(t, g) // ready, and at once
		if time.Since(start) != time.Second {
			t.Errorf("ready after %v, want 1s", time.Since(start))
		}
	})
}

// TestColdStartIssuerDown starts a gate while its issuer is down:
// construction does not wait, requests get 503, Ready can be awaited,
// and the keys come within one backoff step of the issuer's return.
func TestColdStartIssuerDown(t *testing.T) {
	t.Run("construction does not wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			iss := gatetest.NewInMemory(t)
			iss.SetFault(gatetest.Fault{Hang: true})
			start := time.Now()
			g := cacheGate(t, cacheConfig(iss))
			if time.Since(start) != 0 || g.Stats().Issuers[0].Ready {
				t.Errorf("New took %v and left the gate ready", time.Since(start))
			}

			// A request waits for the first fetch no longer than it is
			// willing to, and Ready likewise.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			_, err := g.Validate(ctx, iss.Mint(nil))
			cacheUnavailable(t, err)
			ctx, cancel = context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			err = g.Ready(ctx)
			cacheUnavailable(t, err)
			if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 5*time.Second {
				t.Errorf("Ready: %v after %v, want a deadline at 5s", err, time.Since(start))
			}
		})
	})
	t.Run("recovers within one backoff step", func(t *testing.T) {
		synctest.Test(t, cacheColdStartRecovery)
	})
}

// cacheColdStartRecovery runs a gate whose issuer fails from the start,
// then returns.
func cacheColdStartRecovery(t *testing.T) {
	const ceiling = 8 * time.Second
	iss := gatetest.NewInMemory(t)
	iss.SetFault(gatetest.Fault{Status: http.StatusServiceUnavailable})
	cfg := cacheConfig(iss)
	cfg.MaxRetryInterval = ceiling
	g := cacheGate(t, cfg)

	// Requests get 503 while the issuer is down.
	for range 3 {
		_, err := g.Validate(t.Context(), iss.Mint(nil))
		cacheUnavailable(t, err)
		time.Sleep(5 * time.Second)
	}
	readyAt := make(chan time.Time, 1)
	go func() {
		if err := g.Ready(t.Context()); err != nil {
			t.Errorf("Ready: %v", err)
		}
		readyAt <- time.Now()
	}()
	time.Sleep(20 * time.Second)

	// The issuer returns: the next retry, at most one backoff step
	// away, brings the keys.
	failures := g.Stats().FetchFailures
	step := min(time.Second<<min(failures-1, 30), ceiling)
	back := time.Now()
	iss.ClearFault()
	at := <-readyAt
	if at.Sub(back) > step {
		t.Errorf("ready %v after the issuer returned, want within %v", at.Sub(back), step)
	}
	cacheExpect(t, g, iss.Mint(nil), nil)
	if st := g.Stats(); st.Fetches != failures+1 || st.Issuers[0].LastErr != nil {
		t.Errorf("Stats = %+v, want %d fetches and no error", st, failures+1)
	}
}

// TestColdStartRetriesDoNotQueue checks that only the first fetch makes
// requests wait: once it has failed, a request gets 503 at once, even
// while a retry is running against a hung issuer.
func TestColdStartRetriesDoNotQueue(t *testing.T) {
	var waited time.Duration
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.SetFault(gatetest.Fault{Hang: true})
		rec := &cacheRecorder{}
		cfg := cacheConfig(iss)
		cfg.Hooks.OnFetch = rec.record
		g := cacheGate(t, cfg)

		// The first fetch fails at the fetch timeout; its retry starts
		// within a second and hangs too.
		time.Sleep(jwtgate.DefaultFetchTimeout + 2*time.Second)
		if n := iss.Fetches(); n != 2 || len(rec.all()) != 1 {
			t.Fatalf("%d fetches and %d events, want a retry running", n, len(rec.all()))
		}
		start := time.Now()
		_, err := g.Validate(t.Context(), iss.Mint(nil))
		cacheUnavailable(t, err)
		waited = time.Since(start)
	})
	if waited != 0 {
		t.Errorf("a request during a cold-start retry waited %v for it", waited)
	}
}

// TestFetchFailureKeepsLastGoodSet breaks the issuer in every way a
// refresh can fail, after a first good fetch.
func TestFetchFailureKeepsLastGoodSet(t *testing.T) {
	type failure struct {
		name    string
		fault   gatetest.Fault
		body    func(t *testing.T, iss *gatetest.Issuer) []byte // served instead, if set
		maxBody int64
		slow    bool // each attempt lasts the whole fetch timeout
	}
	text := func(s string) func(*testing.T, *gatetest.Issuer) []byte {
		return func(*testing.T, *gatetest.Issuer) []byte { return []byte(s) }
	}
	padded := func(size int) func(*testing.T, *gatetest.Issuer) []byte {
		return func(t *testing.T, iss *gatetest.Issuer) []byte {
			return cachePadded(t, cacheJWK(t, "key-1", iss.PublicKey("key-1"), nil), size)
		}
	}
	cases := []failure{
		{name: "500", fault: gatetest.Fault{Status: 500}},
		{name: "502", fault: gatetest.Fault{Status: 502}},
		{name: "503", fault: gatetest.Fault{Status: 503}},
		{name: "504", fault: gatetest.Fault{Status: 504}},
		{name: "429", fault: gatetest.Fault{Status: 429}},
		{name: "404", fault: gatetest.Fault{Status: 404}},
		{name: "401", fault: gatetest.Fault{Status: 401}},
		{name: "403", fault: gatetest.Fault{Status: 403}},
		{name: "204 no content", fault: gatetest.Fault{Status: 204}},
		{name: "500 with a valid key set", fault: gatetest.Fault{Status: 500},
			body: padded(2048)},
		{name: "reset connection", fault: gatetest.Fault{Reset: true}},
		{name: "hung server", fault: gatetest.Fault{Hang: true}, slow: true},
		{name: "delay beyond the timeout", fault: gatetest.Fault{Delay: time.Hour}, slow: true},
		{name: "slow body", fault: gatetest.Fault{SlowBody: time.Second}, slow: true},
		{name: "empty body", body: text("")},
		{name: "malformed JSON", body: text(`{"keys":[`)},
		{name: "HTML", body: text("<html><body>maintenance</body></html>")},
		{name: "JSON array", body: text(`[]`)},
		{name: "JSON null", body: text(`null`)},
		{name: "no keys member", body: text(`{}`)},
		{name: "keys not an array", body: text(`{"keys":{}}`)},
		{name: "empty key set", body: text(`{"keys":[]}`)},
		{name: "only unusable keys",
			body: text(`{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}`)},
		{name: "duplicate keys member", body: func(t *testing.T, iss *gatetest.Issuer) []byte {
			jwk := cacheJWK(t, "key-1", iss.PublicKey("key-1"), nil)
			return []byte(`{"keys":[` + string(jwk) + `],"keys":[]}`)
		}},
		{name: "trailing data", body: func(t *testing.T, iss *gatetest.Issuer) []byte {
			jwk := cacheJWK(t, "key-1", iss.PublicKey("key-1"), nil)
			return append(cacheJWKS(jwk), " {}"...)
		}},
		{name: "over MaxBodySize", body: padded(4096), maxBody: 4095},
		{name: "over the default 1 MiB", body: padded(2 << 20)},
	}
	iss := gatetest.NewInMemory(t) // shared: each case clears its fault
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(iss.ClearFault)
			synctest.Test(t, func(t *testing.T) {
				f := tc.fault
				if tc.body != nil {
					f.Body = tc.body(t, iss)
				}
				cacheFailingRefresh(t, iss, f, tc.maxBody, tc.slow)
			})
		})
	}
}

// cacheFailingRefresh runs a gate whose issuer starts failing with f
// after the first fetch. The gate must keep the first key set, retry
// with exponential backoff and jitter, and recover once f is cleared.
func cacheFailingRefresh(t *testing.T, iss *gatetest.Issuer, f gatetest.Fault, maxBody int64,
	slow bool) {
	t.Helper()
	const ceiling = 8 * time.Second
	rec := &cacheRecorder{}
	cfg := cacheConfig(iss)
	cfg.RefreshInterval = 10 * time.Second
	cfg.MaxRetryInterval = ceiling
	cfg.MaxBodySize = maxBody
	cfg.Hooks.OnFetch = rec.record
	g := cacheGate(t, cfg)
	cacheReady(t, g)

	// Long enough for several waits at the ceiling, each attempt of a
	// slow fault taking a whole fetch timeout.
	span := time.Minute
	if slow {
		span = 150 * time.Second
	}
	broke := time.Now()
	iss.SetFault(f)
	time.Sleep(span)

	// Every refresh failed, the first set still serves.
	cacheExpect(t, g, iss.Mint(nil), nil)
	evs := rec.since(broke)
	st := g.Stats()
	if len(evs) < 6 || st.FetchFailures != uint64(len(evs)) || st.Issuers[0].LastErr == nil {
		t.Fatalf("%d attempts, Stats %+v: want every refresh failed", len(evs), st)
	}
	if !st.Issuers[0].Ready || st.Issuers[0].Keys != 1 {
		t.Errorf("Stats = %+v, want the first set kept", st.Issuers[0])
	}
	for _, e := range evs {
		if e.Err == nil || slow && e.Duration != jwtgate.DefaultFetchTimeout {
			t.Errorf("attempt %+v: want a failure, lasting the fetch timeout if slow",
				e.FetchEvent)
		}
	}

	// The waits grow, stop at the ceiling, and are jittered there.
	capped := cacheCheckBackoff(t, evs, ceiling)
	if len(capped) < 2 || !cacheVaried(capped) {
		t.Errorf("waits at the ceiling %v: want several, not all equal", capped)
	}

	// The issuer returns: within one step (and one timeout for an
	// attempt under way) the gate fetches again.
	iss.ClearFault()
	time.Sleep(jwtgate.DefaultFetchTimeout + ceiling + time.Second)
	if st := g.Stats(); st.Issuers[0].LastErr != nil {
		t.Errorf("still failing after the issuer returned: %v", st.Issuers[0].LastErr)
	}
}

// cacheVaried reports whether ds holds at least two different values.
func cacheVaried(ds []time.Duration) bool {
	for _, d := range ds {
		if d != ds[0] {
			return true
		}
	}
	return false
}

// TestBodyCap checks the exact size limit of a key set, through the
// in-process client and over a real connection.
func TestBodyCap(t *testing.T) {
	cases := []struct {
		name    string
		size    int
		maxBody int64
		ok      bool
	}{
		{"at MaxBodySize", 3000, 3000, true},
		{"one byte over MaxBodySize", 3001, 3000, false},
		{"at the default", jwtgate.DefaultMaxBodySize, 0, true},
		{"one byte over the default", jwtgate.DefaultMaxBodySize + 1, 0, false},
	}
	for _, network := range []bool{false, true} {
		iss, client := cacheIssuer(t, network)
		body := func(size int) []byte {
			return cachePadded(t, cacheJWK(t, "key-1", iss.PublicKey("key-1"), nil), size)
		}
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/network=%v", tc.name, network), func(t *testing.T) {
				iss.SetFault(gatetest.Fault{Body: body(tc.size)})
				cfg := cacheConfig(iss)
				cfg.HTTPClient, cfg.MaxBodySize = client, tc.maxBody
				g := cacheGate(t, cfg)
				if tc.ok {
					cacheReady(t, g)
					cacheExpect(t, g, iss.Mint(nil), nil)
					return
				}
				_, err := g.Validate(t.Context(), iss.Mint(nil))
				cacheUnavailable(t, err)
				if g.Stats().Issuers[0].LastErr == nil {
					t.Error("no fetch error recorded")
				}
			})
		}
	}
}

// cacheIssuer returns an in-memory issuer and its client, or with
// network set, an issuer on a loopback server and a client of real
// connections.
func cacheIssuer(t *testing.T, network bool) (*gatetest.Issuer, *http.Client) {
	t.Helper()
	if !network {
		iss := gatetest.NewInMemory(t)
		return iss, iss.Client()
	}
	return gatetest.New(t), cacheRealClient(t)
}

// cacheRealClient returns a client with a transport of its own, whose
// idle connections close when the test ends.
func cacheRealClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// TestResetConnection breaks a real connection during a refresh: the
// fetch fails, the first key set keeps serving, and the new kid that
// asked for the refresh is answered 503, as nobody could tell whether
// it is valid.
func TestResetConnection(t *testing.T) {
	iss := gatetest.New(t)
	cfg := cacheConfig(iss)
	cfg.HTTPClient = cacheRealClient(t)
	g := cacheGate(t, cfg)
	cacheReady(t, g)

	// An unknown kid makes the gate refresh now, and wait for it.
	iss.SetFault(gatetest.Fault{Reset: true})
	_, err := g.Validate(t.Context(), cacheForged(iss, "new-kid", nil))
	cacheUnavailable(t, err)
	st := g.Stats()
	if st.FetchFailures == 0 || st.Issuers[0].LastErr == nil {
		t.Errorf("Stats = %+v, want the refresh failed", st)
	}
	cacheExpect(t, g, iss.Mint(nil), nil)
}

// cacheBadKey is a JWK the Gate must skip, and maybe a key that signs
// tokens under its kid.
type cacheBadKey struct {
	name   string
	jwk    []byte
	signer any    // signs a token with kid "bad", if not nil
	alg    string // for signer
}

// cacheBadKeys returns the catalogue of keys a remote set must not use.
func cacheBadKeys(t *testing.T, iss *gatetest.Issuer) []cacheBadKey {
	t.Helper()
	ec := cacheECKey(t)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsa2048 := iss.PrivateKey("key-1").(*rsa.PrivateKey)
	ecJWK := func(extra map[string]any) []byte { return cacheJWK(t, "bad", ec.Public(), extra) }
	point, _ := ec.PublicKey.Bytes()
	y := append([]byte(nil), point[33:]...)
	y[31] ^= 1
	modulus := make([]byte, 256)
	modulus[0], modulus[255] = 0xc1, 0x01
	secret := []byte("a symmetric secret of 32 bytes!!")

	return []cacheBadKey{
		{"unsupported kty", ecJWK(map[string]any{"kty": "XYZ"}), ec, "ES256"},
		{"duplicate member", []byte(`{"kty":"EC","kty":"RSA","kid":"bad"}`), nil, ""},
		{"kty in lower case", ecJWK(map[string]any{"kty": "ec"}), ec, "ES256"},
		{"no kty", ecJWK(map[string]any{"kty": nil}), ec, "ES256"},
		{"off-curve point", ecJWK(map[string]any{"y": cacheB64(y)}), nil, ""},
		{"unsupported curve", ecJWK(map[string]any{"crv": "secp256k1"}), ec, "ES256"},
		{"short coordinate", ecJWK(map[string]any{"x": cacheB64(point[2:33])}), nil, ""},
		{"padded base64", ecJWK(map[string]any{"x": cacheB64(point[1:33]) + "="}), ec, "ES256"},
		{"RSA 1024", cacheJWK(t, "bad", rsa1024.Public(), nil), rsa1024, "RS256"},
		{"RSA with the ROCA fingerprint", cacheJWK(t, "bad", rocaKey(t).Public(), nil),
			rocaKey(t), "RS256"},
		{"RSA exponent 1", cacheJWK(t, "bad", &rsa.PublicKey{
			N: new(big.Int).SetBytes(modulus), E: 1}, nil), nil, ""},
		{"RSA even exponent", cacheJWK(t, "bad", &rsa.PublicKey{
			N: new(big.Int).SetBytes(modulus), E: 65536}, nil), nil, ""},
		{"symmetric oct", []byte(`{"kty":"oct","kid":"bad","alg":"HS256","k":"` +
			cacheB64(secret) + `"}`), secret, "HS256"},
		{"symmetric oct without k", []byte(`{"kty":"oct","kid":"bad","use":"sig"}`), nil, ""},
		{"use enc", ecJWK(map[string]any{"use": "enc"}), ec, "ES256"},
		{"key_ops without verify", ecJWK(map[string]any{"key_ops": []string{"encrypt"}}),
			ec, "ES256"},
		{"empty key_ops", ecJWK(map[string]any{"key_ops": []string{}}), ec, "ES256"},
		{"private EC key", ecJWK(map[string]any{"d": cacheB64(cacheECBytes(t, ec))}), ec, "ES256"},
		{"private Ed25519 key", cacheJWK(t, "bad", ed.Public(), map[string]any{
			"d": cacheB64(ed.Seed())}), ed, "EdDSA"},
		{"private RSA key", cacheJWK(t, "bad", rsa2048.Public(), map[string]any{
			"p": cacheB64(rsa2048.Primes[0].Bytes())}), rsa2048, "RS256"},
		{"alg of another curve", ecJWK(map[string]any{"alg": "ES384"}), ec, "ES256"},
		{"alg of another key type", cacheJWK(t, "bad", ed.Public(), map[string]any{
			"alg": "ES256"}), ed, "EdDSA"},
		{"HMAC alg on an EC key", ecJWK(map[string]any{"alg": "HS256"}), ec, "ES256"},
		{"alg none", ecJWK(map[string]any{"alg": "none"}), ec, "ES256"},
		{"encryption alg", ecJWK(map[string]any{"alg": "ECDH-ES"}), ec, "ES256"},
		{"X25519 curve", cacheJWK(t, "bad", ed.Public(), map[string]any{"crv": "X25519"}),
			ed, "EdDSA"},
		{"kid too long", cacheJWK(t, strings.Repeat("k", 300), ec.Public(), nil), nil, ""},
		{"kid not a string", ecJWK(map[string]any{"kid": 7}), nil, ""},
		{"not an object", []byte(`"bad"`), nil, ""},
	}
}

// TestBadKeySkipped serves a key set with one good key and one the Gate
// must not use: the bad key is skipped and counted, the good one works.
func TestBadKeySkipped(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	good := cacheECKey(t)
	goodJWK := cacheJWK(t, "good", good.Public(), nil)
	for _, tc := range cacheBadKeys(t, iss) {
		t.Run(tc.name, func(t *testing.T) {
			iss.SetRawJWKS(cacheJWKS(goodJWK, tc.jwk))
			rec := &cacheRecorder{}
			cfg := cacheConfig(iss)
			cfg.Hooks.OnFetch = rec.record
			g := cacheGate(t, cfg)
			cacheReady(t, g)

			cacheExpect(t, g, cacheSign(iss, "ES256", "good", good, nil), nil)
			if tc.signer != nil {
				token := cacheSign(iss, tc.alg, "bad", tc.signer, nil)
				_, err := g.Validate(t.Context(), token)
				if !errors.Is(err, jwtgate.ErrKeyNotFound) &&
					!errors.Is(err, jwtgate.ErrAlgorithm) {
					t.Errorf("token of the bad key: %v, want ErrKeyNotFound or ErrAlgorithm", err)
				}
			}

			st := g.Stats()
			if st.KeysSkipped != st.Fetches || st.Issuers[0].Keys != 1 {
				t.Errorf("Stats = %+v, want one key skipped per fetch and one usable", st)
			}
			for _, e := range rec.all() {
				if e.Err != nil || e.Keys != 1 || e.Skipped != 1 {
					t.Errorf("event %+v, want 1 key and 1 skipped", e.FetchEvent)
				}
			}
		})
	}
}

// TestDuplicateKID checks that of two keys of one type under one kid
// the first is used, while a key of another type may share the kid.
func TestDuplicateKID(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	first, second := cacheECKey(t), cacheECKey(t)
	iss.SetRawJWKS(cacheJWKS(
		cacheJWK(t, "dup", first.Public(), nil),
		cacheJWK(t, "dup", second.Public(), nil),
		cacheJWK(t, "dup", iss.PublicKey("key-1"), nil),
	))
	rec := &cacheRecorder{}
	cfg := cacheConfig(iss)
	cfg.Hooks.OnFetch = rec.record
	g := cacheGate(t, cfg)
	cacheReady(t, g)

	cacheExpect(t, g, cacheSign(iss, "ES256", "dup", first, nil), nil)
	cacheExpect(t, g, cacheSign(iss, "ES256", "dup", second, nil), jwtgate.ErrSignatureInvalid)
	cacheExpect(t, g, iss.Mint(nil, gatetest.WithKID("dup")), nil)
	if evs := rec.all(); len(evs) != 1 || evs[0].Keys != 2 || evs[0].Skipped != 1 {
		t.Errorf("events %+v, want one fetch of 2 keys with 1 skipped", evs)
	}
	if st := g.Stats(); st.KeysSkipped != 1 {
		t.Errorf("KeysSkipped = %d, want 1", st.KeysSkipped)
	}
}

// TestStaleKeysFailClosed keeps an issuer down after the first fetch:
// valid tokens pass up to the maximum stale age, then get 503, and pass
// again once the issuer is back.
func TestStaleKeysFailClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const staleAge = 20 * time.Minute
		iss := gatetest.NewInMemory(t)
		cfg := cacheConfig(iss)
		cfg.MaxStaleAge = staleAge
		g := cacheGate(t, cfg)
		cacheReady(t, g)
		fetched := time.Now()
		iss.SetFault(gatetest.Fault{Hang: true})

		time.Sleep(staleAge - time.Second)
		cacheExpect(t, g, iss.Mint(nil), nil)
		if age := g.Stats().Issuers[0].Age; age != time.Since(fetched) {
			t.Errorf("Age = %v, want %v", age, time.Since(fetched))
		}

		time.Sleep(2 * time.Second)
		start := time.Now()
		_, err := g.Validate(t.Context(), iss.Mint(nil))
		cacheUnavailable(t, err)
		_, err = g.Validate(t.Context(), cacheForged(iss, "other", nil))
		cacheUnavailable(t, err)
		if time.Since(start) != 0 {
			t.Errorf("stale requests waited %v on the hung issuer", time.Since(start))
		}
		if st := g.Stats(); st.Issuers[0].Ready || st.Issuers[0].Keys != 0 {
			t.Errorf("Stats = %+v, want no usable set", st.Issuers[0])
		}

		iss.ClearFault()
		time.Sleep(jwtgate.DefaultFetchTimeout + jwtgate.DefaultMaxRetryInterval + time.Second)
		cacheExpect(t, g, iss.Mint(nil), nil)
	})
}

// TestRemovedKeyStopsValidating withdraws a key at the issuer: tokens of
// that key fail at the latest one refresh interval plus one fetch
// timeout later, here with a slow issuer.
func TestRemovedKeyStopsValidating(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iss := gatetest.NewInMemory(t)
		iss.AddKey("ES256", "leaving")
		g := cacheGate(t, cacheConfig(iss))
		cacheReady(t, g)
		token := iss.Mint(map[string]any{"exp": time.Now().Add(24 * time.Hour).Unix()},
			gatetest.WithKey("leaving"))
		iss.RemoveKey("leaving")
		iss.SetFault(gatetest.Fault{Delay: jwtgate.DefaultFetchTimeout - time.Second})

		// The jittered interval is at least four fifths of the nominal
		// one; until then the cached key serves.
		time.Sleep(jwtgate.DefaultRefreshInterval * 4 / 5)
		cacheExpect(t, g, token, nil)
		time.Sleep(jwtgate.DefaultRefreshInterval/5 + jwtgate.DefaultFetchTimeout)
		_, err := g.Validate(t.Context(), token)
		cacheCheckErr(t, err, jwtgate.ErrKeyNotFound)
		cacheExpect(t, g, iss.Mint(nil, gatetest.WithKey("key-1")), nil)
	})
}

// TestCacheControlMaxAge serves key sets with Cache-Control headers and
// measures the refresh period they cause, within the configured bounds.
func TestCacheControlMaxAge(t *testing.T) {
	const (
		interval = 5 * time.Minute
		lower    = time.Minute
		upper    = 15 * time.Minute
		span     = time.Hour
	)
	cases := []struct {
		cacheControl string
		want         time.Duration
	}{
		{"", interval},
		{"max-age=600", 10 * time.Minute},
		{"public, max-age=120, must-revalidate", 2 * time.Minute},
		{`max-age="420"`, 7 * time.Minute},
		{"MAX-AGE=240", 4 * time.Minute},
		{"max-age=5", lower},
		{"max-age=86400", upper},
		{"max-age=0", interval},
		{"max-age=-60", interval},
		{"max-age=abc", interval},
		{"s-maxage=60", interval},
		{"no-store", interval},
	}
	iss := gatetest.NewInMemory(t) // shared: each case sets its header
	for _, tc := range cases {
		t.Run(tc.cacheControl, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				iss.SetCacheControl(tc.cacheControl)
				before := iss.Fetches()
				rec := &cacheRecorder{}
				cfg := cacheConfig(iss)
				cfg.RefreshInterval, cfg.MinRefreshInterval = interval, lower
				cfg.MaxRefreshInterval, cfg.Hooks.OnFetch = upper, rec.record
				g := cacheGate(t, cfg)
				time.Sleep(span)
				cacheCheckPeriod(t, rec.all(), iss.Fetches()-before, tc.want, span)
				cacheExpect(t, g, iss.Mint(nil), nil)
			})
		})
	}
}

// cacheCheckPeriod checks that fetches succeeded at the given period,
// jittered over its last fifth, and their count over span.
func cacheCheckPeriod(t *testing.T, evs []cacheEvent, fetches int, period,
	span time.Duration) {
	t.Helper()
	least, most := int(span/period)+1, int(span/(period*4/5))+1
	if fetches < least || fetches > most || fetches != len(evs) {
		t.Errorf("%d fetches (%d events) in %v, want %d to %d", fetches, len(evs), span,
			least, most)
	}
	for i := 1; i < len(evs); i++ {
		gap := evs[i].start().Sub(evs[i-1].end)
		if evs[i].Err != nil || gap < period*4/5 || gap > period {
			t.Errorf("fetch %d after %v (%v), want %v to %v", i, gap, evs[i].Err,
				period*4/5, period)
		}
	}
}

// TestOutageWithinStaleWindow breaks the issuer after the first fetch in
// every way a refresh can fail, and validates a valid token every half
// minute of fake time up to the maximum stale age: none may be refused,
// least of all with a 503. Just past the stale age the gate fails
// closed.
func TestOutageWithinStaleWindow(t *testing.T) {
	const staleAge = time.Hour
	outages := []struct {
		name  string
		fault gatetest.Fault
	}{
		{"500", gatetest.Fault{Status: http.StatusInternalServerError}},
		{"503", gatetest.Fault{Status: http.StatusServiceUnavailable}},
		{"404", gatetest.Fault{Status: http.StatusNotFound}},
		{"429", gatetest.Fault{Status: http.StatusTooManyRequests}},
		{"reset connection", gatetest.Fault{Reset: true}},
		{"hung server", gatetest.Fault{Hang: true}},
		{"slow body", gatetest.Fault{SlowBody: time.Second}},
		{"malformed JSON", gatetest.Fault{Body: []byte(`{"keys":[`)}},
		{"empty key set", gatetest.Fault{Body: []byte(`{"keys":[]}`)}},
	}
	var checks, refused, unavailable atomic.Int64
	iss := gatetest.NewInMemory(t) // shared: each case clears its fault
	for _, tc := range outages {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(iss.ClearFault)
			synctest.Test(t, func(t *testing.T) {
				cfg := cacheConfig(iss)
				cfg.MaxStaleAge = staleAge
				g := cacheGate(t, cfg)
				cacheReady(t, g)
				fetched := time.Now()
				token := iss.Mint(map[string]any{"exp": fetched.Add(48 * time.Hour).Unix()})
				iss.SetFault(tc.fault)

				for time.Since(fetched) < staleAge {
					checks.Add(1)
					if _, err := g.Validate(t.Context(), token); err != nil {
						refused.Add(1)
						status := jwtgate.ResponseFor(err, "api").Status
						if status >= 500 {
							unavailable.Add(1)
						}
						t.Errorf("after %v of outage: %v (status %d)", time.Since(fetched),
							err, status)
					}
					time.Sleep(30 * time.Second)
				}
				if g.Stats().FetchFailures == 0 {
					t.Fatal("no refresh failed: the outage was not exercised")
				}
				time.Sleep(time.Until(fetched.Add(staleAge + time.Second)))
				_, err := g.Validate(t.Context(), token)
				cacheUnavailable(t, err)
			})
		})
	}
	t.Logf("outage within the stale window: %d validations of a valid token over %d kinds "+
		"of outage, %d refused, %d with a 5xx", checks.Load(), len(outages), refused.Load(),
		unavailable.Load())
}

// TestFetchTimeoutConfigured hangs the issuer: each attempt ends at the
// configured FetchTimeout, and a cold request waiting for the first
// fetch gets its 503 then.
func TestFetchTimeoutConfigured(t *testing.T) {
	for _, timeout := range []time.Duration{time.Second, 3 * time.Second, 25 * time.Second} {
		t.Run(timeout.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				iss := gatetest.NewInMemory(t)
				iss.SetFault(gatetest.Fault{Hang: true})
				rec := &cacheRecorder{}
				cfg := cacheConfig(iss)
				cfg.FetchTimeout, cfg.Hooks.OnFetch = timeout, rec.record
				g := cacheGate(t, cfg)

				start := time.Now()
				_, err := g.Validate(t.Context(), iss.Mint(nil))
				cacheUnavailable(t, err)
				if waited := time.Since(start); waited != timeout {
					t.Errorf("cold request answered after %v, want %v", waited, timeout)
				}
				time.Sleep(2 * time.Minute)
				evs := rec.all()
				if len(evs) < 2 {
					t.Fatalf("%d attempts in two minutes", len(evs))
				}
				for _, ev := range evs {
					if ev.Err == nil || ev.Duration != timeout {
						t.Errorf("attempt %+v, want a failure after %v", ev.FetchEvent, timeout)
					}
				}
			})
		})
	}
}

// TestSchedulingIgnoresWallClock gives the gate a claims clock that
// jumps years back and forth at every reading. Refreshes keep their
// period and the last good keys their stale age: scheduling runs on the
// monotonic timers of the time package, never on Config.Now. (A step of
// the system clock itself cannot be made inside a test; the timers and
// time.Since that the cache uses read the monotonic clock.)
func TestSchedulingIgnoresWallClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval, staleAge, span = 5 * time.Minute, 2 * time.Hour, time.Hour
		var readings atomic.Int64
		jumpy := func() time.Time {
			n := readings.Add(1)
			if n%2 == 0 {
				return time.Now().AddDate(10, 0, 0)
			}
			return time.Now().AddDate(-10, 0, 0)
		}
		iss := gatetest.NewInMemory(t)
		rec := &cacheRecorder{}
		cfg := cacheConfig(iss)
		cfg.Now, cfg.ExpOptional = jumpy, true
		cfg.RefreshInterval, cfg.MaxStaleAge, cfg.Hooks.OnFetch = interval, staleAge, rec.record
		g := cacheGate(t, cfg)
		token := iss.Mint(map[string]any{"exp": nil, "iat": nil})

		// The refresh period, while the claims clock jumps on every
		// validation.
		for range span / (10 * time.Second) {
			cacheExpect(t, g, token, nil)
			time.Sleep(10 * time.Second)
		}
		cacheCheckPeriod(t, rec.all(), iss.Fetches(), interval, span)

		// The stale age, counted from the last good fetch.
		iss.SetFault(gatetest.Fault{Status: http.StatusInternalServerError})
		last := rec.all()[len(rec.all())-1].end
		time.Sleep(time.Until(last.Add(staleAge - time.Second)))
		cacheExpect(t, g, token, nil)
		time.Sleep(2 * time.Second)
		_, err := g.Validate(t.Context(), token)
		cacheUnavailable(t, err)
		if readings.Load() == 0 {
			t.Error("the claims clock was never read")
		}
	})
}
