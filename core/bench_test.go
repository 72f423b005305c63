package jwtgate_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// benchSecret is the static HS256 secret of the benchmarks.
var benchSecret = []byte("0123456789abcdef0123456789abcdef")

// benchSetup is a gate with keys of every benchmarked algorithm, and a
// valid token for each.
type benchSetup struct {
	gate   *jwtgate.Gate
	iss    *gatetest.Issuer
	tokens map[string]string
	keys   map[string]any // verification key per alg
}

func newBenchSetup(b *testing.B) *benchSetup {
	b.Helper()
	iss := gatetest.NewInMemory(b)
	s := &benchSetup{iss: iss, tokens: map[string]string{}, keys: map[string]any{}}
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		kid := iss.AddKey(alg, "bench-"+alg)
		s.tokens[alg] = iss.Mint(map[string]any{"scope": "read write"}, gatetest.WithKey(kid))
		s.keys[alg] = iss.PublicKey(kid)
	}
	hsClaims := iss.Claims()
	hsClaims["iss"] = "https://self.example"
	hsClaims["scope"] = "read write"
	hs, err := gatetest.Sign(map[string]any{"alg": "HS256", "typ": "JWT", "kid": "hs"},
		hsClaims, benchSecret)
	if err != nil {
		b.Fatal(err)
	}
	s.tokens["HS256"], s.keys["HS256"] = hs, benchSecret

	g, err := jwtgate.New(jwtgate.Config{
		Issuers: []jwtgate.Issuer{
			{Name: iss.URL, JWKSURL: iss.JWKSURL()},
			{Name: "https://self.example", Keys: []jwtgate.StaticKey{{ID: "hs", Key: benchSecret}}},
		},
		Audience:          []string{gatetest.Audience},
		HTTPClient:        iss.Client(),
		DisableTokenCache: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Close() })
	if err := g.Ready(context.Background()); err != nil {
		b.Fatal(err)
	}
	s.gate = g
	return s
}

// singleIssuerGate is a gate with only the remote issuer, the common
// deployment, in which the payload is not read before the signature;
// cached says whether its token cache is on.
func (s *benchSetup) singleIssuerGate(b *testing.B, cached bool) *jwtgate.Gate {
	b.Helper()
	g, err := jwtgate.New(jwtgate.Config{
		Issuers:           []jwtgate.Issuer{{Name: s.iss.URL, JWKSURL: s.iss.JWKSURL()}},
		Audience:          []string{gatetest.Audience},
		HTTPClient:        s.iss.Client(),
		DisableTokenCache: !cached,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Close() })
	if err := g.Ready(context.Background()); err != nil {
		b.Fatal(err)
	}
	return g
}

// hsGate is a gate with one issuer and its static HS256 secret.
func hsGate(b *testing.B, cached bool) *jwtgate.Gate {
	b.Helper()
	g, err := jwtgate.New(jwtgate.Config{
		Issuers: []jwtgate.Issuer{
			{Name: "https://self.example", Keys: []jwtgate.StaticKey{{ID: "hs", Key: benchSecret}}},
		},
		Audience:          []string{gatetest.Audience},
		DisableTokenCache: !cached,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Close() })
	return g
}

// floor returns the raw signature check of token: hash and verify with
// the signature already decoded, nothing else.
func floor(b *testing.B, alg, token string, key any) func() bool {
	b.Helper()
	dot := strings.LastIndexByte(token, '.')
	input := []byte(token[:dot])
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	switch alg {
	case "RS256":
		pub := key.(*rsa.PublicKey)
		return func() bool {
			h := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig) == nil
		}
	case "ES256":
		pub := key.(*ecdsa.PublicKey)
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return func() bool {
			h := sha256.Sum256(input)
			return ecdsa.Verify(pub, h[:], r, s)
		}
	case "EdDSA":
		pub := key.(ed25519.PublicKey)
		return func() bool { return ed25519.Verify(pub, input, sig) }
	case "HS256":
		secret := key.([]byte)
		return func() bool {
			m := hmac.New(sha256.New, secret)
			m.Write(input)
			return hmac.Equal(m.Sum(nil), sig)
		}
	}
	b.Fatalf("no floor for %s", alg)
	return nil
}

// jwtParse is golang-jwt's own parsing of the token with a fixed key
// and the same checks: algorithm, issuer, audience, expiry.
func jwtParse(alg, token string, key any, iss string) func() bool {
	p := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithIssuer(iss),
		jwt.WithAudience(gatetest.Audience), jwt.WithExpirationRequired())
	kf := func(*jwt.Token) (any, error) { return key, nil }
	return func() bool {
		_, err := p.Parse(token, kf)
		return err == nil
	}
}

// BenchmarkValidate compares, per algorithm, the gate's full validation
// (token cache off) and its answer for a token seen before (cache on)
// with the raw signature check (the floor) and golang-jwt's jwt.Parse
// with MapClaims, serially and in parallel.
func BenchmarkValidate(b *testing.B) {
	s := newBenchSetup(b)
	single, singleCached := s.singleIssuerGate(b, false), s.singleIssuerGate(b, true)
	ctx := context.Background()
	for _, alg := range []string{"RS256", "ES256", "EdDSA", "HS256"} {
		token, key := s.tokens[alg], s.keys[alg]
		gate, cached, issuer := single, singleCached, s.iss.URL
		if alg == "HS256" {
			gate, cached, issuer = hsGate(b, false), hsGate(b, true), "https://self.example"
		}
		stacks := []struct {
			name string
			run  func() bool
		}{
			{"floor", floor(b, alg, token, key)},
			{"jwtgate", func() bool { _, err := gate.Validate(ctx, token); return err == nil }},
			{"cached", func() bool { _, err := cached.Validate(ctx, token); return err == nil }},
			{"jwtparse", jwtParse(alg, token, key, issuer)},
		}
		for _, st := range stacks {
			if !st.run() {
				b.Fatalf("%s/%s rejects the valid token", alg, st.name)
			}
			b.Run(alg+"/"+st.name+"/serial", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					st.run()
				}
			})
			b.Run(alg+"/"+st.name+"/parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						st.run()
					}
				})
			})
		}
	}
}

// BenchmarkMultiIssuer is RS256 validation on a gate with two issuers,
// where iss chooses the key set.
func BenchmarkMultiIssuer(b *testing.B) {
	s := newBenchSetup(b)
	token := s.tokens["RS256"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.gate.Validate(context.Background(), token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForged is the cost of rejecting forged tokens of 8 KiB: a bad
// signature, checked before the claims are decoded.
func BenchmarkForged(b *testing.B) {
	s := newBenchSetup(b)
	gate := s.singleIssuerGate(b, true)
	claims := s.iss.Claims()
	claims["pad"] = strings.Repeat("x", 5600)
	token := s.iss.Mint(claims, gatetest.WithKey("bench-RS256"))
	dot := strings.LastIndexByte(token, '.')
	forged := token[:dot+1] + strings.Repeat("A", len(token)-dot-1)
	if len(forged) > 8<<10 || len(forged) < 7<<10 {
		b.Fatalf("forged token is %d bytes, want about 8 KiB", len(forged))
	}
	ctx := context.Background()
	key := s.keys["RS256"]
	for _, st := range []struct {
		name string
		run  func() bool
	}{
		{"jwtgate", func() bool { _, err := gate.Validate(ctx, forged); return err == nil }},
		{"jwtparse", jwtParse("RS256", forged, key, s.iss.URL)},
	} {
		if st.run() {
			b.Fatalf("%s accepts the forged token", st.name)
		}
		b.Run(st.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				st.run()
			}
		})
	}
}

// BenchmarkKeyLookup compares the gate's lock-free key lookup with a
// map guarded by a sync.RWMutex, the usual alternative.
func BenchmarkKeyLookup(b *testing.B) {
	s := newBenchSetup(b)
	gate := s.singleIssuerGate(b, false)
	ctx := context.Background()
	issuer := s.iss.URL
	if _, err := gate.Key(ctx, issuer, "bench-RS256", "RS256"); err != nil {
		b.Fatal(err)
	}
	var mu sync.RWMutex
	guarded := map[string]any{"key-1": nil, "bench-RS256": s.keys["RS256"],
		"bench-ES256": s.keys["ES256"], "bench-EdDSA": s.keys["EdDSA"]}

	b.Run("snapshot", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := gate.Key(ctx, issuer, "bench-RS256", "RS256"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("rwmutex", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.RLock()
				k := guarded["bench-RS256"]
				mu.RUnlock()
				if k == nil {
					b.Error("missing key")
					return
				}
			}
		})
	})
}

// BenchmarkTokenCache measures hits of the verified-token cache: one
// RS256 token, and a pool of 1,000 distinct tokens taken round-robin,
// serially and in parallel.
func BenchmarkTokenCache(b *testing.B) {
	s := newBenchSetup(b)
	gate := s.singleIssuerGate(b, true)
	ctx := context.Background()
	pool := make([]string, 1000)
	for i := range pool {
		pool[i] = s.iss.Mint(map[string]any{"sub": "user-" + strconv.Itoa(i), "scope": "read write"},
			gatetest.WithKey("bench-RS256"))
		if _, err := gate.Validate(ctx, pool[i]); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name   string
		tokens []string
	}{
		{"one", pool[:1]},
		{"pool1000", pool},
	} {
		b.Run(c.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := gate.Validate(ctx, c.tokens[i%len(c.tokens)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(c.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(7919))
				for pb.Next() {
					if _, err := gate.Validate(ctx, c.tokens[i%len(c.tokens)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
	if st := gate.Stats().TokenCache; st.Misses != uint64(len(pool)) {
		b.Errorf("token cache missed %d times, want only the %d first sights", st.Misses, len(pool))
	}
}
