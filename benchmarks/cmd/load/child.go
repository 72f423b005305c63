package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// alg is the algorithm of every stack and token.
const alg = "RS256"

// hello is what a child reports on its standard output once it
// listens: its stack, its address and the tokens to present.
type hello struct {
	Stacks int             // how many stacks the framework has
	Name   string          // the stack's name
	Kind   benchmarks.Kind // the part it plays
	Addr   string          // host:port of its listener
	Token  string          // the token of the reused mode
	Pool   []string        // the tokens of the pool mode
}

// serveChild builds stack cfg.stack of framework cfg.serve in an Env
// of its own, checks it, reports a hello on stdout and serves until
// ctx is done or stdin closes.
func serveChild(ctx context.Context, cfg config, stdin io.Reader, stdout io.Writer) error {
	env, err := benchmarks.NewEnv()
	if err != nil {
		return err
	}
	defer env.Close()

	s, n, err := buildStack(env, cfg.serve, cfg.stack)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := env.Check(s); err != nil {
		return err
	}

	pool, err := env.Issuer.MintValid(alg, time.Now(), cfg.pool)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	h := hello{Stacks: n, Name: s.Name, Kind: s.Kind, Addr: ln.Addr().String(),
		Token: env.Token(alg, benchmarks.CaseValid), Pool: pool}
	if err := json.NewEncoder(stdout).Encode(h); err != nil {
		ln.Close()
		return err
	}

	// The parent closes stdin to stop the child, or dies, which
	// closes it too.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		io.Copy(io.Discard, stdin)
		cancel()
	}()
	return s.Serve(ctx, ln)
}

// buildStack returns stack i of framework fw and how many it has,
// closing the stacks it built and does not return.
func buildStack(env *benchmarks.Env, fw string, i int) (*benchmarks.Stack, int, error) {
	all, err := env.Stacks(alg, []string{fw})
	if err != nil {
		return nil, 0, err
	}
	var keep *benchmarks.Stack
	n := 0
	for _, s := range all {
		if s.Framework == fw && n == i {
			keep = s
		} else {
			s.Close()
		}
		if s.Framework == fw {
			n++
		}
	}
	if keep == nil {
		return nil, 0, fmt.Errorf("%s has %d stacks, no stack %d", fw, n, i)
	}
	return keep, n, nil
}
