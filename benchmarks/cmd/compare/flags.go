package main

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// config is what the flags ask for.
type config struct {
	algs        []string
	frameworks  []string
	cases       []string
	cachedCases []string
	benchtime   time.Duration
	count       int
	parallel    bool
	cpus        []int
	keyLookup   bool
	outDir      string
	benchstat   string
}

// parseFlags reads the command line.
func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	alg := fs.String("alg", strings.Join(benchmarks.Algorithms(), ","), "algorithms")
	fw := fs.String("framework", strings.Join(benchmarks.Frameworks(), ","), "frameworks")
	cs := fs.String("case", strings.Join(benchmarks.Cases(), ","), "token cases")
	ccs := fs.String("cachedcase", benchmarks.CaseValid,
		"token cases, among -case, for the jwtgate stacks with the token cache on")
	cpu := fs.String("cpu", strconv.Itoa(runtime.GOMAXPROCS(0)),
		"GOMAXPROCS values for the stack benchmarks")
	var c config
	fs.DurationVar(&c.benchtime, "benchtime", 200*time.Millisecond, "time per benchmark run")
	fs.IntVar(&c.count, "count", 5, "runs of each benchmark, interleaved")
	fs.BoolVar(&c.parallel, "parallel", false, "also run, and judge, the b.RunParallel variants")
	fs.BoolVar(&c.keyLookup, "keylookup", true, "run the concurrent key-lookup benchmark")
	fs.StringVar(&c.outDir, "out", "", "directory for results.md and chart.svg (default: none)")
	fs.StringVar(&c.benchstat, "benchstat", "",
		"file for benchstat-compatible lines (default: none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	var errs []error
	c.algs, errs = pick("algorithm", *alg, benchmarks.Algorithms(), errs)
	c.frameworks, errs = pick("framework", *fw, benchmarks.Frameworks(), errs)
	c.cases, errs = pick("case", *cs, benchmarks.Cases(), errs)
	c.cachedCases, errs = pick("case", *ccs, benchmarks.Cases(), errs)
	c.cpus, errs = parseCPUs(*cpu, errs)
	if c.benchtime <= 0 {
		errs = append(errs, errors.New("-benchtime must be positive"))
	}
	if c.count < 1 {
		errs = append(errs, errors.New("-count must be at least 1"))
	}
	return c, errors.Join(errs...)
}

// pick splits a comma-separated list and checks each name against
// known, in which order it returns them.
func pick(what, list string, known []string, errs []error) ([]string, []error) {
	var out []string
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
		case !slices.Contains(known, name):
			errs = append(errs, fmt.Errorf("unknown %s %q (known: %s)", what, name,
				strings.Join(known, ",")))
		case !slices.Contains(out, name):
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		errs = append(errs, fmt.Errorf("no %s selected", what))
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return slices.Index(known, a) - slices.Index(known, b)
	})
	return out, errs
}

// parseCPUs reads a comma-separated list of GOMAXPROCS values.
func parseCPUs(list string, errs []error) ([]int, []error) {
	var out []int
	for f := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("bad -cpu value %q", f))
			continue
		}
		out = append(out, n)
	}
	return out, errs
}

// lookupCPUs returns the GOMAXPROCS values of the key-lookup benchmark:
// 1, 2, then powers of two up to the number of CPUs, and that number.
func lookupCPUs() []int {
	out := []int{1}
	n := runtime.NumCPU()
	for p := 2; p <= n; p *= 2 {
		out = append(out, p)
	}
	if out[len(out)-1] != n {
		out = append(out, n)
	}
	if len(out) == 1 {
		out = append(out, 2)
	}
	return out
}
