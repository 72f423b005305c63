package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// The token modes.
const (
	modeReused = "reused" // one token on every request
	modePool   = "pool"   // distinct tokens, round-robin
)

// modes returns the token modes, in report order.
func modes() []string { return []string{modeReused, modePool} }

// config is what the flags ask for.
type config struct {
	frameworks []string
	modes      []string
	duration   time.Duration
	warmup     time.Duration
	count      int
	conns      int
	pool       int

	// serve, in a child, names the framework whose stack it serves;
	// stack is the stack's index among the framework's.
	serve string
	stack int
}

// parseFlags reads the command line.
func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fw := fs.String("framework", strings.Join(benchmarks.Frameworks(), ","), "frameworks")
	mode := fs.String("mode", strings.Join(modes(), ","), "token modes")
	var c config
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "measured time per run")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "load before each measured span")
	fs.IntVar(&c.count, "count", 3, "rounds, interleaved")
	fs.IntVar(&c.conns, "conns", 64, "concurrent connections")
	fs.IntVar(&c.pool, "pool", 1000, "distinct tokens of the pool mode")
	fs.StringVar(&c.serve, "serve", "", "serve a stack of this framework (for the children)")
	fs.IntVar(&c.stack, "stack", 0, "index of the stack to serve (for the children)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	var errs []error
	c.frameworks, errs = choose("framework", *fw, benchmarks.Frameworks(), errs)
	c.modes, errs = choose("mode", *mode, modes(), errs)
	if c.serve != "" && !slices.Contains(benchmarks.Frameworks(), c.serve) {
		errs = append(errs, fmt.Errorf("unknown framework %q to serve", c.serve))
	}
	if c.duration <= 0 || c.warmup < 0 {
		errs = append(errs, errors.New("-duration must be positive, -warmup not negative"))
	}
	if c.count < 1 || c.conns < 1 || c.pool < 1 || c.stack < 0 {
		errs = append(errs, errors.New("-count, -conns and -pool must be at least 1"))
	}
	return c, errors.Join(errs...)
}

// choose returns the names of a comma-separated list that known
// holds, in known's order, and an error for each one it does not.
func choose(what, list string, known []string, errs []error) ([]string, []error) {
	asked := strings.Split(list, ",")
	for _, name := range asked {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(known, name) {
			errs = append(errs, fmt.Errorf("unknown %s %q (known: %s)", what, name,
				strings.Join(known, ",")))
		}
	}
	out := slices.DeleteFunc(slices.Clone(known), func(name string) bool {
		return !slices.ContainsFunc(asked, func(a string) bool {
			return strings.TrimSpace(a) == name
		})
	})
	if len(out) == 0 {
		errs = append(errs, fmt.Errorf("no %s selected", what))
	}
	return out, errs
}
