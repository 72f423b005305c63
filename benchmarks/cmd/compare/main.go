// Command compare measures what authenticating a request costs with
// jwtgate's adapters and with the middleware people use today, on
// net/http, Gin, Echo and Fiber, for RS256, ES256, EdDSA and HS256.
//
// It runs in-process, with testing.Benchmark: first the sanity checks
// (a stack that fails them is left out of every table), then the
// benchmarks, each once per round, the rounds interleaved so that a
// slow spell on the machine touches every stack alike, printing a line
// per benchmark as it goes. It then prints, per algorithm and case,
// each stack's median ns/op, B/op and allocs/op, its cost above the
// signature floor and its ratio to jwtgate on the same framework; the
// verdict on the performance bars; and the concurrent key-lookup
// benchmark.
//
// jwtgate runs twice on every framework and as the raw core: as
// "jwtgate" (and "jwtgate-core") with its token cache off, every
// request a full validation, which the bars against the peers judge;
// and as "jwtgate-cached" (and "jwtgate-core-cached") in its default
// configuration, whose cache answers the valid token after the first
// request. The cached stacks run the valid case only unless
// -cachedcase says otherwise.
//
// Usage, from the repository root:
//
//	go run ./benchmarks/cmd/compare [flags]
//
// The flags:
//
//	-alg list        algorithms (default RS256,ES256,EdDSA,HS256)
//	-framework list  frameworks (default nethttp,gin,echo,fiber)
//	-case list       token cases (default valid,expired,badsig,unknownkid,oversized)
//	-cachedcase list token cases, among -case, for the cached jwtgate stacks (default valid)
//	-benchtime d     time per benchmark run (default 200ms)
//	-count n         runs of each benchmark (default 5)
//	-parallel        also run, and judge, the b.RunParallel variants
//	-cpu list        GOMAXPROCS values for the stack benchmarks (default: the current one)
//	-keylookup       run the key-lookup benchmark too (default true)
//	-out dir         write results.md and chart.svg into dir
//	-benchstat file  write benchstat-compatible lines, one per run, to file
//
// Nothing is written to disk unless -out or -benchstat is given.
package main

import (
	"fmt"
	"os"
)

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}
