package jwtgate_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/core/gatetest"
)

// The tests of this file cover where the Gate fetches from: the rule
// that only loopback hosts may use plain http, OpenID Connect
// discovery, redirects, URLs named by tokens, and several issuers side
// by side. Redirects and the https rule run against real loopback
// servers, the rest in memory.

// cacheOffline is a transport that refuses every request, for gates
// that must not reach the network.
type cacheOffline struct{}

// RoundTrip fails.
func (cacheOffline) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("cacheOffline: no network in this test")
}

// TestFetchURLPolicy configures key set and discovery URLs: only https,
// or http on a loopback address, is accepted.
func TestFetchURLPolicy(t *testing.T) {
	cases := []struct {
		url       string
		discovery bool // the URL is the issuer's Name, for discovery
		ok        bool
	}{
		{url: "https://keys.example.com/jwks.json", ok: true},
		{url: "HTTPS://KEYS.EXAMPLE.COM/jwks.json", ok: true},
		{url: "http://127.0.0.1:8080/jwks.json", ok: true},
		{url: "http://127.0.0.2/jwks.json", ok: true},
		{url: "http://localhost/jwks.json", ok: true},
		{url: "http://[::1]:8080/jwks.json", ok: true},
		{url: "http://keys.example.com/jwks.json"},
		{url: "HTTP://KEYS.EXAMPLE.COM/jwks.json"},
		{url: "http://10.0.0.1/jwks.json"},
		{url: "http://0.0.0.0/jwks.json"},
		{url: "http://[::]/jwks.json"},
		{url: "http://127.0.0.1.example.com/jwks.json"},
		{url: "http://localhost.example.com/jwks.json"},
		{url: "ftp://keys.example.com/jwks.json"},
		{url: "file:///etc/jwks.json"},
		{url: "ws://127.0.0.1/jwks.json"},
		{url: "https:///jwks.json"},
		{url: "//keys.example.com/jwks.json"},
		{url: "keys.example.com/jwks.json"},
		{url: "https://issuer.example.com", discovery: true, ok: true},
		{url: "http://127.0.0.1:9000", discovery: true, ok: true},
		{url: "http://localhost:9000/tenant", discovery: true, ok: true},
		{url: "http://issuer.example.com", discovery: true},
		{url: "http://192.168.1.1", discovery: true},
		{url: "issuer.example.com", discovery: true},
		{url: "urn:example:issuer", discovery: true},
	}
	for _, tc := range cases {
		name := tc.url
		if tc.discovery {
			name = "discovery " + name
		}
		t.Run(name, func(t *testing.T) {
			is := jwtgate.Issuer{Name: "https://issuer.example.com", JWKSURL: tc.url}
			if tc.discovery {
				is = jwtgate.Issuer{Name: tc.url}
			}
			g, err := jwtgate.New(jwtgate.Config{
				Issuers:    []jwtgate.Issuer{is},
				Audience:   []string{gatetest.Audience},
				HTTPClient: &http.Client{Transport: cacheOffline{}},
			})
			if g != nil {
				_ = g.Close()
			}
			if (err == nil) != tc.ok {
				t.Errorf("New: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// cacheDiscoveryConfig returns a configuration that finds the key set of
// iss through discovery from name.
func cacheDiscoveryConfig(iss *gatetest.Issuer, name string) jwtgate.Config {
	cfg := cacheConfig(iss)
	cfg.Issuers = []jwtgate.Issuer{{Name: name}}
	return cfg
}

// TestDiscovery finds the key set through the jwks_uri of the issuer's
// discovery document.
func TestDiscovery(t *testing.T) {
	cases := []struct {
		name    string
		jwksURI func(iss *gatetest.Issuer) string // advertised; "" for the default
	}{
		{"default jwks_uri", func(*gatetest.Issuer) string { return "" }},
		{"jwks_uri with a query", func(iss *gatetest.Issuer) string {
			return iss.JWKSURL() + "?tenant=1"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			iss := gatetest.NewInMemory(t)
			iss.SetDiscovery("", tc.jwksURI(iss))
			g := cacheGate(t, cacheDiscoveryConfig(iss, iss.URL))
			cacheReady(t, g)
			cacheExpect(t, g, iss.Mint(nil), nil)

			want := tc.jwksURI(iss)
			if want == "" {
				want = iss.JWKSURL()
			}
			if got := g.Stats().Issuers[0].URL; got != want {
				t.Errorf("key set URL %q, want %q", got, want)
			}
			if iss.DiscoveryFetches() != 1 || iss.Fetches() != 1 {
				t.Errorf("%d discovery fetches and %d key set fetches, want 1 and 1",
					iss.DiscoveryFetches(), iss.Fetches())
			}
		})
	}
}

// TestDiscoveryOverLoopbackHTTP discovers the keys of an issuer served
// over plain http on a real loopback connection.
func TestDiscoveryOverLoopbackHTTP(t *testing.T) {
	iss := gatetest.New(t)
	cfg := cacheDiscoveryConfig(iss, iss.URL)
	cfg.HTTPClient = cacheRealClient(t)
	g := cacheGate(t, cfg)
	cacheReady(t, g)
	cacheExpect(t, g, iss.Mint(nil), nil)
	if iss.DiscoveryFetches() != 1 || iss.Fetches() != 1 {
		t.Errorf("%d discovery fetches and %d key set fetches, want 1 and 1",
			iss.DiscoveryFetches(), iss.Fetches())
	}
}

// TestDiscoveryRefused serves discovery documents the Gate must not
// follow. It keeps retrying for a while of fake time, and never fetches
// a key set or accepts a token.
func TestDiscoveryRefused(t *testing.T) {
	const issuer = "https://issuer.gatetest.invalid"
	cases := []struct {
		name     string
		config   string // the configured issuer; default issuer
		issuer   string // advertised issuer; "" for the real one
		jwksURI  string // advertised jwks_uri; "" for the real one
		document string // served instead of the document, if set
	}{
		{name: "other issuer", issuer: "https://evil.example"},
		{name: "issuer with a trailing slash", issuer: issuer + "/"},
		{name: "issuer in upper case", issuer: strings.ToUpper(issuer)},
		{name: "configured with a trailing slash", config: issuer + "/"},
		{name: "jwks_uri over http",
			jwksURI: "http://issuer.gatetest.invalid/.well-known/jwks.json"},
		{name: "jwks_uri over http elsewhere", jwksURI: "http://keys.example/jwks.json"},
		{name: "jwks_uri of another scheme", jwksURI: "ftp://issuer.gatetest.invalid/jwks.json"},
		{name: "relative jwks_uri", jwksURI: "/.well-known/jwks.json"},
		{name: "no issuer", document: `{"jwks_uri":"` + issuer + `/.well-known/jwks.json"}`},
		{name: "no jwks_uri", document: `{"issuer":"` + issuer + `"}`},
		{name: "duplicate issuer", document: `{"issuer":"https://evil.example","issuer":"` +
			issuer + `","jwks_uri":"` + issuer + `/.well-known/jwks.json"}`},
		{name: "issuer not a string", document: `{"issuer":["` + issuer + `"],"jwks_uri":"` +
			issuer + `/.well-known/jwks.json"}`},
		{name: "not JSON", document: `<html></html>`},
	}
	iss := gatetest.NewInMemory(t) // shared: each case restores it
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			iss.SetDiscovery(tc.issuer, tc.jwksURI)
			if tc.document != "" {
				iss.SetFault(gatetest.Fault{Body: []byte(tc.document)})
			}
			t.Cleanup(func() {
				iss.SetDiscovery("", "")
				iss.ClearFault()
			})
			name := issuer
			if tc.config != "" {
				name = tc.config
			}
			synctest.Test(t, func(t *testing.T) {
				g := cacheGate(t, cacheDiscoveryConfig(iss, name))
				cacheNeverAccepted(t, g, iss, iss.Mint(map[string]any{"iss": name}))
			})
		})
	}
}

// cacheNeverAccepted checks over a minute of fake time that g answers
// token with 503, keeps trying discovery and never fetches a key set.
func cacheNeverAccepted(t *testing.T, g *jwtgate.Gate, iss *gatetest.Issuer, token string) {
	t.Helper()
	fetches, discoveries := iss.Fetches(), iss.DiscoveryFetches()
	for range 6 {
		_, err := g.Validate(t.Context(), token)
		cacheUnavailable(t, err)
		time.Sleep(10 * time.Second)
	}
	st := g.Stats()
	fetches, discoveries = iss.Fetches()-fetches, iss.DiscoveryFetches()-discoveries
	if fetches != 0 || discoveries < 3 || st.Issuers[0].LastErr == nil {
		t.Errorf("%d key set fetches, %d discovery fetches, last error %v: want "+
			"retried discovery only", fetches, discoveries, st.Issuers[0].LastErr)
	}
}

// TestDiscoveryBodyCap serves a discovery document over the size limit,
// which the Gate must refuse before it reads a jwks_uri from it.
func TestDiscoveryBodyCap(t *testing.T) {
	cases := []struct {
		name    string
		size    int // of the document
		maxBody int64
		ok      bool
	}{
		{"over the default limit", jwtgate.DefaultMaxBodySize + 1, 0, false},
		{"over a configured limit", 4097, 4096, false},
		{"control: at a configured limit", 4096, 4096, true},
	}
	iss := gatetest.NewInMemory(t)
	head := `{"issuer":"` + iss.URL + `","jwks_uri":"` + iss.JWKSURL() + `","pad":"`
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := head + strings.Repeat("x", tc.size-len(head)-2) + `"}`
			iss.SetFault(gatetest.Fault{Body: []byte(doc)})
			before := iss.Fetches()
			cfg := cacheDiscoveryConfig(iss, iss.URL)
			cfg.MaxBodySize = tc.maxBody
			g := cacheGate(t, cfg)

			// The fault serves the document for the key set too, so no
			// token passes; the control shows that discovery passed
			// when the key set URL was requested.
			_, err := g.Validate(t.Context(), iss.Mint(nil))
			cacheUnavailable(t, err)
			if fetched := iss.Fetches() > before; fetched != tc.ok {
				t.Errorf("key set fetched: %v, want %v", fetched, tc.ok)
			}
		})
	}
}

// TestRedirectPolicy fetches key sets through real servers that
// redirect: the Gate follows a redirect only within its origin.
func TestRedirectPolicy(t *testing.T) {
	iss := gatetest.New(t)
	mux := http.NewServeMux()
	mux.Handle("/.well-known/jwks.json", iss.Handler())
	plain := httptest.NewServer(mux)
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(mux)
	t.Cleanup(secure.Close)
	other := httptest.NewTLSServer(mux)
	t.Cleanup(other.Close)
	cacheRedirect(mux, "/same", func(*http.Request) string { return "/.well-known/jwks.json" })
	cacheRedirect(mux, "/same-absolute", func(r *http.Request) string {
		return cacheScheme(r) + "://" + r.Host + "/.well-known/jwks.json"
	})
	cacheRedirect(mux, "/other-port", func(*http.Request) string { return iss.JWKSURL() })
	cacheRedirect(mux, "/other-https", func(*http.Request) string {
		return other.URL + "/.well-known/jwks.json"
	})
	cacheRedirect(mux, "/other-name", func(r *http.Request) string {
		_, port, _ := strings.Cut(r.Host, ":")
		return cacheScheme(r) + "://localhost:" + port + "/.well-known/jwks.json"
	})
	cacheRedirect(mux, "/downgrade", func(r *http.Request) string {
		return "http://" + r.Host + "/.well-known/jwks.json"
	})
	cacheRedirect(mux, "/loop", func(*http.Request) string { return "/loop" })

	cases := []struct {
		name string
		base *httptest.Server
		path string
		ok   bool
	}{
		{"http same origin", plain, "/same", true},
		{"http same origin, absolute", plain, "/same-absolute", true},
		{"https same origin", secure, "/same", true},
		{"https same origin, absolute", secure, "/same-absolute", true},
		{"http to another port", plain, "/other-port", false},
		{"http to another host name", plain, "/other-name", false},
		{"https to another host name", secure, "/other-name", false},
		{"https to another https origin", secure, "/other-https", false},
		{"https to http on the same host and port", secure, "/downgrade", false},
		{"https to http elsewhere", secure, "/other-port", false},
		{"redirect loop", plain, "/loop", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cacheConfig(iss)
			cfg.Issuers[0].JWKSURL = tc.base.URL + tc.path
			cfg.HTTPClient = secure.Client() // trusts the test certificate
			before := iss.Fetches()
			g := cacheGate(t, cfg)
			if tc.ok {
				cacheReady(t, g)
				cacheExpect(t, g, iss.Mint(nil), nil)
			} else {
				_, err := g.Validate(t.Context(), iss.Mint(nil))
				cacheUnavailable(t, err)
			}
			if n := iss.Fetches() - before; (n > 0) != tc.ok {
				t.Errorf("issuer served %d fetches, want ok=%v", n, tc.ok)
			}
		})
	}
}

// cacheRedirect makes mux answer path with a redirect to where(r).
func cacheRedirect(mux *http.ServeMux, path string, where func(*http.Request) string) {
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, where(r), http.StatusFound)
	})
}

// cacheScheme returns the scheme a server request came in with.
func cacheScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// TestTokenURLsNeverFetched presents tokens whose headers point at an
// attacker's key set. Over real connections that could reach it, the
// Gate never asks the attacker for anything.
func TestTokenURLsNeverFetched(t *testing.T) {
	legit, evil := gatetest.New(t), gatetest.New(t)
	evil.AddKey("ES256", "evil")
	evilJWK := cacheJWK(t, "evil", evil.PublicKey("evil"), nil)
	cfg := cacheConfig(legit)
	cfg.HTTPClient = cacheRealClient(t)
	g := cacheGate(t, cfg)
	cacheReady(t, g)

	mint := func(kid string, header map[string]any) string {
		opts := []gatetest.TokenOption{gatetest.WithKey("evil"), gatetest.WithKID(kid)}
		for name, v := range header {
			opts = append(opts, gatetest.WithHeader(name, v))
		}
		return evil.Mint(map[string]any{"iss": legit.URL}, opts...)
	}
	var jwk map[string]any
	if err := json.Unmarshal(evilJWK, &jwk); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		token string
		want  error
	}{
		{"jku", mint("evil", map[string]any{"jku": evil.JWKSURL()}), jwtgate.ErrKeyNotFound},
		{"x5u", mint("evil", map[string]any{"x5u": evil.JWKSURL()}), jwtgate.ErrKeyNotFound},
		{"embedded jwk", mint("evil", map[string]any{"jwk": jwk}), jwtgate.ErrKeyNotFound},
		{"x5c", mint("evil", map[string]any{"x5c": []string{"MIIBAAAA"}}),
			jwtgate.ErrKeyNotFound},
		{"jku with a known kid", evil.Mint(map[string]any{"iss": legit.URL},
			gatetest.WithKey("key-1"), gatetest.WithHeader("jku", evil.JWKSURL())),
			jwtgate.ErrSignatureInvalid},
		{"kid that is a URL", mint(evil.JWKSURL(), nil), jwtgate.ErrKeyNotFound},
		{"iss of the attacker", evil.Mint(nil, gatetest.WithHeader("jku", evil.JWKSURL())),
			jwtgate.ErrIssuer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cacheExpect(t, g, tc.token, tc.want)
		})
	}
	if evil.Fetches() != 0 || evil.DiscoveryFetches() != 0 {
		t.Errorf("the attacker's issuer served %d key sets and %d discovery documents",
			evil.Fetches(), evil.DiscoveryFetches())
	}
}

// cacheRouter is a transport that sends the requests for each host to
// the in-memory issuer registered for it, so that several in-memory
// issuers can serve one gate under names of their own.
type cacheRouter map[string]*gatetest.Issuer

// RoundTrip serves req with the issuer registered for its host.
func (m cacheRouter) RoundTrip(req *http.Request) (*http.Response, error) {
	iss, ok := m[req.URL.Host]
	if !ok {
		return nil, errors.New("cacheRouter: unknown host " + req.URL.Host)
	}
	target, err := url.Parse(iss.URL)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = target.Scheme, target.Host, ""
	return iss.Client().Transport.RoundTrip(out)
}

// TestSeveralIssuers serves two issuers whose keys share a kid. A
// token's iss chooses the key set, and no key of one issuer verifies a
// token of the other.
func TestSeveralIssuers(t *testing.T) {
	const nameA, nameB = "https://a.example", "https://b.example"
	a, b := gatetest.NewInMemory(t), gatetest.NewInMemory(t)
	a.AddKey("ES256", "a-only")
	cfg := jwtgate.Config{
		Issuers: []jwtgate.Issuer{
			{Name: nameA, JWKSURL: nameA + "/.well-known/jwks.json"},
			{Name: nameB, JWKSURL: nameB + "/.well-known/jwks.json"},
		},
		Audience:   []string{gatetest.Audience},
		HTTPClient: &http.Client{Transport: cacheRouter{"a.example": a, "b.example": b}},
	}
	g := cacheGate(t, cfg)
	cacheReady(t, g)
	asA, asB := map[string]any{"iss": nameA}, map[string]any{"iss": nameB}
	key1 := gatetest.WithKey("key-1")

	cases := []struct {
		name           string
		token          string
		want           error
		fetchA, fetchB int // fetches each issuer serves for the token
	}{
		{"A's token", a.Mint(asA, key1), nil, 0, 0},
		{"B's token", b.Mint(asB, key1), nil, 0, 0},
		{"A's key-1 claiming B", a.Mint(asB, key1), jwtgate.ErrSignatureInvalid, 0, 0},
		{"B's key-1 claiming A", b.Mint(asA, key1), jwtgate.ErrSignatureInvalid, 0, 0},
		{"A's own kid claiming B", a.Mint(asB, gatetest.WithKey("a-only")),
			jwtgate.ErrKeyNotFound, 0, 1},
		{"A's own kid claiming A", a.Mint(asA, gatetest.WithKey("a-only")), nil, 0, 0},
		{"unknown issuer", a.Mint(map[string]any{"iss": "https://c.example"}, key1),
			jwtgate.ErrIssuer, 0, 0},
		{"no issuer", a.Mint(map[string]any{"iss": nil}, key1), jwtgate.ErrIssuer, 0, 0},
		{"issuer with a trailing slash", a.Mint(map[string]any{"iss": nameA + "/"}, key1),
			jwtgate.ErrIssuer, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			beforeA, beforeB := a.Fetches(), b.Fetches()
			cacheExpect(t, g, tc.token, tc.want)
			if a.Fetches()-beforeA != tc.fetchA || b.Fetches()-beforeB != tc.fetchB {
				t.Errorf("fetches A %d, B %d, want %d and %d", a.Fetches()-beforeA,
					b.Fetches()-beforeB, tc.fetchA, tc.fetchB)
			}
		})
	}
}

// TestIssuerDownAlone keeps one of two issuers down from the start: its
// tokens get 503 while the other's pass.
func TestIssuerDownAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const nameA, nameB = "https://a.example", "https://b.example"
		a, b := gatetest.NewInMemory(t), gatetest.NewInMemory(t)
		b.SetFault(gatetest.Fault{Hang: true})
		g := cacheGate(t, jwtgate.Config{
			Issuers: []jwtgate.Issuer{
				{Name: nameA, JWKSURL: nameA + "/.well-known/jwks.json"},
				{Name: nameB, JWKSURL: nameB + "/.well-known/jwks.json"},
			},
			Audience:   []string{gatetest.Audience},
			HTTPClient: &http.Client{Transport: cacheRouter{"a.example": a, "b.example": b}},
		})
		time.Sleep(time.Minute)
		cacheExpect(t, g, a.Mint(map[string]any{"iss": nameA}), nil)
		_, err := g.Validate(t.Context(), b.Mint(map[string]any{"iss": nameB}))
		cacheUnavailable(t, err)
		if st := g.Stats(); !st.Issuers[0].Ready || st.Issuers[1].Ready {
			t.Errorf("Stats = %+v, want only A ready", st.Issuers)
		}
	})
}

// TestRedirectHops fetches a key set at the end of a chain of
// same-origin redirects: three hops are followed, a fourth is refused.
func TestRedirectHops(t *testing.T) {
	iss := gatetest.New(t)
	mux := http.NewServeMux()
	mux.Handle("/.well-known/jwks.json", iss.Handler())
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		switch {
		case err != nil:
			http.NotFound(w, r)
		case n == 0:
			http.Redirect(w, r, "/.well-known/jwks.json", http.StatusFound)
		default:
			http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusFound)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for hops := 1; hops <= 5; hops++ {
		t.Run(strconv.Itoa(hops), func(t *testing.T) {
			cfg := cacheConfig(iss)
			cfg.Issuers[0].JWKSURL = srv.URL + "/hop/" + strconv.Itoa(hops-1)
			cfg.HTTPClient = cacheRealClient(t)
			before := iss.Fetches()
			g := cacheGate(t, cfg)
			ok := hops <= 3
			if ok {
				cacheReady(t, g)
				cacheExpect(t, g, iss.Mint(nil), nil)
			} else {
				_, err := g.Validate(t.Context(), iss.Mint(nil))
				cacheUnavailable(t, err)
			}
			if n := iss.Fetches() - before; (n > 0) != ok {
				t.Errorf("%d hops: the issuer served %d fetches, want ok=%v", hops, n, ok)
			}
		})
	}
}
