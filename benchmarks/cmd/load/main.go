// Command load measures the requests per second that each stack of
// the benchmarks serves under real HTTP load over loopback TCP, on
// net/http, Gin, Echo and Fiber: the bare framework, jwtgate's adapter
// with its verified-token cache and without, and the middleware people
// use with the framework today, all with RS256 tokens.
//
// Each stack is served by a child process, the command itself run with
// -serve, so that the server and the load generator do not share a Go
// runtime; they still share the machine's CPUs. A child builds its
// stack, passes the benchmarks' sanity checks, mints its tokens, and
// reports its address on its standard output; it stops when its
// standard input closes.
//
// The load generator keeps -conns persistent connections open, each
// sending GET /me and reading the answer before it sends the next (no
// pipelining), for -warmup and then -duration, counting the 200
// responses whose body is the token's subject in the second span. Any
// other answer, to a token that is valid, voids the stack's figure.
// There are two token modes: one token reused on every request, and a
// pool of -pool distinct valid tokens used round-robin.
//
// The runs are interleaved: each round runs every mode for every stack
// of a framework, the stacks in an order rotated from round to round.
// The command prints a line per run as it goes, then per framework
// and mode a table of median requests per second, each stack's ratio
// to the best peer, and whether jwtgate with its cache serves at least
// twice what the best peer serves.
//
// Usage, from the repository root:
//
//	go run ./benchmarks/cmd/load [flags]
//
// The flags:
//
//	-framework list  frameworks (default nethttp,gin,echo,fiber)
//	-mode list       token modes (default reused,pool)
//	-duration d      measured time per run (default 5s)
//	-warmup d        load before each measured span (default 1s)
//	-count n         rounds (default 3)
//	-conns n         concurrent connections (default 64)
//	-pool n          distinct tokens of the pool mode (default 1000)
//
// -serve and -stack are for the child processes.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if cfg.serve != "" {
		err = serveChild(ctx, cfg, os.Stdin, os.Stdout)
	} else {
		err = run(ctx, cfg, os.Stdout)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}
