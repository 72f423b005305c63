package jwtgate_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The memory bounds of SECURITY-BAR.md: a forged token of a megabyte is
// refused by its length alone, a forged token at the 8 KiB limit costs a
// header decode and a failed signature check and nothing in proportion
// to its payload, and a key set of 64 MiB is read only up to the body
// cap. Each ceiling is asserted; the measured figures are logged for
// SECURITY.md. None of these tests is parallel: they measure the heap of
// the whole process.

// limitsCost is what one call costs on average.
type limitsCost struct {
	allocs float64 // heap allocations
	bytes  float64 // heap bytes allocated
}

// limitsMeasure runs f runs times on one processor, after a warm-up
// call, and returns its average cost.
func limitsMeasure(runs int, f func()) limitsCost {
	allocs := testing.AllocsPerRun(runs, f)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return limitsCost{allocs, float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)}
}

// limitsForged returns a token of exactly size bytes with header, a
// payload of base64url letters and a signature of sigLen random bytes
// that no key made.
func limitsForged(t *testing.T, header string, sigLen, size int) string {
	t.Helper()
	sig := make([]byte, sigLen)
	_, _ = rand.Read(sig)
	h, s := tokB64(header), base64.RawURLEncoding.EncodeToString(sig)
	n := size - len(h) - len(s) - 2
	for pad := " "; n%4 == 1; pad += " " { // no base64 text has that length
		h = tokB64(header + pad)
		n = size - len(h) - len(s) - 2
	}
	token := h + "." + strings.Repeat("Q", n) + "." + s
	if len(token) != size {
		t.Fatalf("forged token of %d bytes, want %d", len(token), size)
	}
	return token
}

// limitsCase is one forged token, the gate it is sent to, and the most
// it may cost.
type limitsCase struct {
	name      string
	gate      *jwtgate.Gate
	token     string
	want      error
	maxAllocs float64
	maxBytes  float64
}

func TestForgedTokenCost(t *testing.T) {
	iss := gatetest.NewInMemory(t)
	remote := tokGate(t, tokRemoteConfig(iss), nil)
	tokReady(t, remote)
	static := tokGate(t, tokStaticConfig(), nil)
	multiCfg := tokRemoteConfig(iss)
	multiCfg.Issuers = append(multiCfg.Issuers, tokStaticIssuer())
	multi := tokGate(t, multiCfg, nil)
	tokReady(t, multi)

	const mib, max = 1 << 20, jwtgate.DefaultMaxTokenSize
	mal, sig := jwtgate.ErrTokenMalformed, jwtgate.ErrSignatureInvalid
	rs := `{"alg":"RS256","kid":"key-1","typ":"JWT"}`
	hs := `{"alg":"HS256","kid":"hs","typ":"JWT"}`
	cases := []limitsCase{
		{"1 MiB of dots", remote, strings.Repeat(".", mib), mal, 2, 256},
		{"1 MiB of letters", remote, strings.Repeat("A", mib), mal, 2, 256},
		{"1 MiB in three segments, RS256", remote, limitsForged(t, rs, 256, mib), mal, 2, 256},
		{"1 MiB in three segments, HS256", static, limitsForged(t, hs, 32, mib), mal, 2, 256},
		{"1 MiB, several issuers", multi, limitsForged(t, hs, 32, mib), mal, 2, 256},

		// At the limit the header is decoded and the signature checked,
		// on the stack; the payload is never decoded. What is allocated
		// belongs to the RSA verification, whatever the payload's size.
		{"8 KiB, RS256", remote, limitsForged(t, rs, 256, max), sig, 16, 2048},
		{"8 KiB, HS256", static, limitsForged(t, hs, 32, max), sig, 4, 512},

		// With several issuers the payload's iss chooses the keys, so it
		// is decoded before the signature: one buffer of its size.
		{"8 KiB, several issuers", multi, limitsForged(t, hs, 32, max), mal, 4, max},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			_, err := tc.gate.Validate(ctx, tc.token)
			tokExpect(t, tc.token, err, tc.want)
			cost := limitsMeasure(50, func() { _, _ = tc.gate.Validate(ctx, tc.token) })
			t.Logf("forged token, %s (%d bytes): %.0f allocations, %.0f bytes per Validate "+
				"(ceilings %.0f and %.0f)", tc.name, len(tc.token), cost.allocs, cost.bytes,
				tc.maxAllocs, tc.maxBytes)
			if cost.allocs > tc.maxAllocs || cost.bytes > tc.maxBytes {
				t.Errorf("%.0f allocations and %.0f bytes per Validate, want at most %.0f "+
					"and %.0f", cost.allocs, cost.bytes, tc.maxAllocs, tc.maxBytes)
			}
		})
	}
}

// limitsCounting is a transport that counts the body bytes its client
// reads.
type limitsCounting struct {
	next http.RoundTripper
	read atomic.Int64
}

// RoundTrip forwards req and wraps the response body.
func (c *limitsCounting) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil {
		resp.Body = &limitsBody{resp.Body, &c.read}
	}
	return resp, err
}

// limitsBody counts what is read from a body.
type limitsBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *limitsBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestHugeKeySetCost serves a key set of 64 MiB over a real loopback
// connection. The Gate must stop reading just past its 1 MiB cap, fail
// the fetch, and allocate a small multiple of the cap, not of the body.
func TestHugeKeySetCost(t *testing.T) {
	const size = 64 << 20
	iss := gatetest.New(t)
	jwk := cacheJWK(t, "key-1", iss.PublicKey("key-1"), nil)
	iss.SetFault(gatetest.Fault{Body: cachePadded(t, jwk, size)})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	counter := &limitsCounting{next: tr}

	done := make(chan jwtgate.FetchEvent, 1)
	cfg := cacheConfig(iss)
	cfg.HTTPClient = &http.Client{Transport: counter}
	cfg.Hooks.OnFetch = func(ev jwtgate.FetchEvent) {
		select {
		case done <- ev:
		default:
		}
	}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g := cacheGate(t, cfg)
	var ev jwtgate.FetchEvent
	select {
	case ev = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the first fetch never ended")
	}
	runtime.ReadMemStats(&after)

	if ev.Err == nil {
		t.Fatalf("a 64 MiB key set was accepted")
	}
	_, err := g.Validate(t.Context(), iss.Mint(nil))
	cacheUnavailable(t, err)
	read, allocated := counter.read.Load(), after.TotalAlloc-before.TotalAlloc
	t.Logf("64 MiB key set: %d bytes read, %d bytes allocated by the whole process "+
		"during the fetch (cap %d; ceilings: %d read, %d allocated)", read, allocated,
		jwtgate.DefaultMaxBodySize, limitsMaxRead, limitsMaxAlloc)
	if read > limitsMaxRead {
		t.Errorf("read %d bytes of the body, want at most %d", read, limitsMaxRead)
	}
	if allocated > limitsMaxAlloc {
		t.Errorf("allocated %d bytes, want at most %d", allocated, limitsMaxAlloc)
	}
}

// Ceilings of TestHugeKeySetCost: the body cap plus one read buffer,
// and eight times the cap, which leaves room for the growth of the read
// buffer and for what the HTTP client and the loopback server allocate
// meanwhile.
const (
	limitsMaxRead  = jwtgate.DefaultMaxBodySize + 64<<10
	limitsMaxAlloc = 8 * jwtgate.DefaultMaxBodySize
)
