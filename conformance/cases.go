package conformance

import (
	"net/http"
	"strings"
	"testing"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// tcase is one request through an app and the exact answer expected.
type tcase struct {
	name  string
	setup func(e *env) Setup  // nil: the shared gate with default options
	token func(e *env) string // nil: no token
	req   request
	want  want

	// fetches is how many key-set fetches of the shared issuer the case
	// may cause; only an unknown kid may cause one.
	fetches int
}

// Requests the cases share.
var (
	bearer     = request{auth: []string{"Bearer " + tokenVar}}
	adminReq   = request{target: "/admin", auth: []string{"Bearer " + tokenVar}}
	groupReq   = request{target: "/group/write", auth: []string{"Bearer " + tokenVar}}
	publicReq  = request{target: "/public/ping", auth: []string{"Bearer " + tokenVar}}
	preflight  = request{method: http.MethodOptions, header: corsHeaders}
	noTokenReq = request{}
)

// corsHeaders make an OPTIONS request a CORS preflight.
var corsHeaders = [][2]string{
	{"Origin", "https://app.example"},
	{"Access-Control-Request-Method", "GET"},
}

// runCases runs every group of cases as subtests, on gates whose
// token cache is as m says.
func runCases(t *testing.T, m cacheMode, build Build) {
	e := newEnv(t, m)
	groups := []struct {
		name  string
		cases []tcase
	}{
		{"accept", acceptCases()},
		{"missing", missingCases()},
		{"malformed-request", malformedRequestCases()},
		{"bad-token", badTokenCases()},
		{"scope", scopeCases()},
		{"unavailable", unavailableCases()},
		{"optional", optionalCases()},
		{"skip", skipCases()},
		{"preflight", preflightCases()},
		{"source", sourceCases()},
		{"realm", realmCases()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) { runCase(t, e, build, c) })
			}
		})
	}
	t.Run("rotation", func(t *testing.T) { runRotation(t, m, build) })
}

// runCase builds the app for c and sends its request twice: both
// answers must be the expected one, and identical. A token the gate
// accepts is thus seen twice, so with the cache on the second request
// must be a cache hit.
func runCase(t *testing.T, e *env, build Build, c tcase) {
	t.Helper()
	s := e.setup()
	if c.setup != nil {
		s = c.setup(e)
	}
	var tok string
	if c.token != nil {
		tok = c.token(e)
	}
	h := build(t, s)

	before, hits := e.iss.Fetches(), cacheHits(s.Gate)
	first := serve(h, c.req.newRequest(tok))
	check(t, first, c.want, tok, e.secrets)
	second := serve(h, c.req.newRequest(tok))
	sameAnswer(t, first, second)
	if n := e.iss.Fetches() - before; n > c.fetches {
		t.Errorf("the case caused %d key-set fetches, want at most %d", n, c.fetches)
	}
	if authenticated(c.want) {
		e.cache.checkCacheHits(t, s.Gate, hits)
	}
}

// authenticated reports whether w is the answer of a request the
// middleware authenticated.
func authenticated(w want) bool {
	return w.status == http.StatusOK && strings.HasPrefix(w.body, `{"authenticated":true`)
}

// withSetup returns a setup function on the shared gate changed by f.
func withSetup(f func(s *Setup)) func(e *env) Setup {
	return func(e *env) Setup {
		s := e.setup()
		f(&s)
		return s
	}
}

// onGate returns a setup function on one of the env's other gates.
func onGate(pick func(e *env) *jwtgate.Gate) func(e *env) Setup {
	return func(e *env) Setup { return Setup{Gate: pick(e)} }
}
