package report

import (
	"fmt"
	"io"
	"strings"
)

// Kinds of stack, as Result.Kind holds them.
const (
	KindBare    = "bare"
	KindJWTGate = "jwtgate"
	KindPeer    = "peer"
	KindFloor   = "floor"
)

// Names the report gives a meaning to.
const (
	FrameworkRaw = "raw"    // the stacks that serve no HTTP
	StackFloor   = "verify" // the signature floor of each case
	CaseValid    = "valid"  // the case the verdict judges
)

// Benchmarks the results can be of.
const (
	BenchStack     = "Stack"     // a stack serving a token
	BenchKeyLookup = "KeyLookup" // the concurrent key lookup
)

// Result is one run of one benchmark.
type Result struct {
	// Bench is BenchStack, the default when empty, or BenchKeyLookup.
	Bench string

	// Alg, Framework, Case and Mode name a stack benchmark; Stack is
	// the stack, or the implementation of a key lookup.
	Alg, Framework, Stack, Case, Mode string

	// Kind is one of the Kind constants.
	Kind string

	// Cached is true for a jwtgate stack with its token cache on (the
	// default configuration); a framework's jwtgate stack with it off,
	// every request a full validation, is the one set against the peers.
	Cached bool

	// Procs is GOMAXPROCS during the run.
	Procs int

	// N is the number of iterations; Ns, Bytes and Allocs are per
	// iteration.
	N      int
	Ns     float64
	Bytes  int64
	Allocs int64

	// Refreshes is the key set refreshes per second of a key lookup.
	Refreshes float64
}

// Name returns the benchmark's name as go test would print it,
// "BenchmarkStack/framework=gin/stack=jwtgate/alg=RS256/case=valid/mode=serial-2"
// or "BenchmarkKeyLookup/impl=jwtgate-2".
func (r Result) Name() string {
	if r.Bench == BenchKeyLookup {
		return fmt.Sprintf("BenchmarkKeyLookup/impl=%s-%d", r.Stack, r.Procs)
	}
	return fmt.Sprintf("BenchmarkStack/framework=%s/stack=%s/alg=%s/case=%s/mode=%s-%d",
		r.Framework, r.Stack, r.Alg, r.Case, r.Mode, r.Procs)
}

// key identifies the benchmark a result belongs to, whatever the run.
func (r Result) key() string { return r.Name() }

// WriteBenchstat writes the results as go test -bench output, one line
// per run, after the header lines ("goos: linux", "cpu: ..."), which
// benchstat shows as the configuration.
func WriteBenchstat(w io.Writer, header []string, results []Result) error {
	var b strings.Builder
	for _, h := range header {
		b.WriteString(h)
		b.WriteByte('\n')
	}
	for _, r := range results {
		b.WriteString(BenchstatLine(r))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// BenchstatLine formats r as one line of go test -bench -benchmem output.
func BenchstatLine(r Result) string {
	line := fmt.Sprintf("%s \t%8d\t%12.1f ns/op\t%8d B/op\t%6d allocs/op",
		r.Name(), r.N, r.Ns, r.Bytes, r.Allocs)
	if r.Bench == BenchKeyLookup {
		line += fmt.Sprintf("\t%10.0f refreshes/s", r.Refreshes)
	}
	return line
}
