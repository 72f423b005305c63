package benchmarks

import (
	"fmt"
	"slices"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// Kind says what part a stack plays in the comparison.
type Kind int

// The kinds of stack.
const (
	// KindBare is a framework serving the route with no middleware.
	KindBare Kind = iota

	// KindJWTGate is a jwtgate adapter, or the core alone.
	KindJWTGate

	// KindPeer is middleware people use with the framework today.
	KindPeer

	// KindFloor is a raw floor: the signature check alone, or
	// golang-jwt's parsing with a fixed key.
	KindFloor
)

// String returns the kind's name as the reports print it.
func (k Kind) String() string {
	switch k {
	case KindBare:
		return "bare"
	case KindJWTGate:
		return "jwtgate"
	case KindPeer:
		return "peer"
	}
	return "floor"
}

// Framework names.
const (
	FrameworkNetHTTP = "nethttp"
	FrameworkGin     = "gin"
	FrameworkEcho    = "echo"
	FrameworkFiber   = "fiber"

	// FrameworkRaw holds the stacks that serve no HTTP at all: the
	// floors and jwtgate's core.
	FrameworkRaw = "raw"
)

// Stack names. Each jwtgate stack comes twice: with the Gate's token
// cache off, so that every request is a full validation, and, under
// the name with "-cached", in the default configuration, where a token
// seen before is answered from the cache.
const (
	StackBare          = "bare"                // the framework, no middleware
	StackJWTGate       = "jwtgate"             // the jwtgate adapter, cache off
	StackJWTGateCached = "jwtgate-cached"      // the jwtgate adapter, cache on
	StackAuth0         = "auth0"               // net/http + auth0/go-jwt-middleware v2
	StackKeyfunc       = "keyfunc"             // Gin + a handwritten keyfunc v3 middleware
	StackEchoJWT       = "echo-jwt"            // Echo + labstack/echo-jwt + keyfunc v3
	StackContribJWT    = "contrib-jwt"         // Fiber + gofiber/contrib/jwt
	StackVerify        = "verify"              // raw: hash and signature check alone
	StackJWTParse      = "jwt-parse"           // raw: golang-jwt's Parse, fixed key
	StackCore          = "jwtgate-core"        // raw: jwtgate's Gate.Validate, cache off
	StackCoreCached    = "jwtgate-core-cached" // raw: jwtgate's Gate.Validate, cache on
)

// Frameworks returns the HTTP frameworks, in report order.
func Frameworks() []string {
	return []string{FrameworkNetHTTP, FrameworkGin, FrameworkEcho, FrameworkFiber}
}

// Requester serves one prepared request, the same each time, through a
// stack. It is not safe for concurrent use: each goroutine makes its
// own with Stack.NewRequester.
type Requester interface {
	// Do serves the request once and returns the response's status
	// code. A raw stack answers 200 for an accepted token and 401
	// otherwise.
	Do() int

	// Body returns the body of the last response; it is valid until
	// the next Do. Raw stacks have none.
	Body() []byte
}

// Stack is one way of authenticating a request for one algorithm.
type Stack struct {
	Framework string // one of Frameworks, or FrameworkRaw
	Name      string // one of the Stack names
	Alg       string // the algorithm it is configured for
	Kind      Kind

	// Config says in one line how the stack is configured.
	Config string

	// SignatureOnly is true for a stack that checks the signature and
	// nothing else, and so accepts an expired, foreign or misaddressed
	// token with a good signature.
	SignatureOnly bool

	// TokenCache is true for a jwtgate stack whose Gate caches verified
	// tokens (the default configuration), false for every other stack.
	TokenCache bool

	// newRequester makes the stack's Requesters and, for an HTTP
	// stack, serves it on a listener.
	newRequester serving
	closers      []func()

	// gate is the Gate of a jwtgate stack, nil for the others.
	gate *jwtgate.Gate
}

// ID returns "framework/name".
func (s *Stack) ID() string { return s.Framework + "/" + s.Name }

// NewRequester returns a Requester that presents token as a Bearer
// token, or, for a raw stack, hands it over directly.
func (s *Stack) NewRequester(token string) Requester {
	return s.newRequester.requester(token)
}

// Accepts reports whether the stack must accept the token of case c.
func (s *Stack) Accepts(c string) bool {
	switch {
	case s.Kind == KindBare:
		return true
	case s.SignatureOnly:
		return slices.Contains(
			[]string{CaseValid, CaseExpired, CaseWrongIssuer, CaseWrongAudience}, c)
	}
	return c == CaseValid
}

// Close releases what the stack holds: key caches and their
// goroutines, where the middleware lets them be stopped.
func (s *Stack) Close() {
	for _, c := range slices.Backward(s.closers) {
		c()
	}
	s.closers = nil
}

// onClose adds f to what Close runs.
func (s *Stack) onClose(f func()) { s.closers = append(s.closers, f) }

// builder makes one stack for alg in e.
type builder func(e *Env, alg string) (*Stack, error)

// builders returns the stack builders of a framework, bare first,
// then jwtgate with its token cache off and on, then the peers; for the
// raw stacks, the floors, then jwtgate's core off and on.
func builders(framework string) ([]builder, error) {
	switch framework {
	case FrameworkRaw:
		return withGate([]builder{newVerifyStack, newJWTParseStack}, newCoreStack), nil
	case FrameworkNetHTTP:
		return withGate([]builder{newNetHTTPBare}, newNetHTTPJWTGate, newNetHTTPAuth0), nil
	case FrameworkGin:
		return withGate([]builder{newGinBare}, newGinJWTGate, newGinKeyfunc), nil
	case FrameworkEcho:
		return withGate([]builder{newEchoBare}, newEchoJWTGate, newEchoJWT), nil
	case FrameworkFiber:
		return withGate([]builder{newFiberBare}, newFiberJWTGate, newFiberContrib), nil
	}
	return nil, fmt.Errorf("benchmarks: unknown framework %q", framework)
}
