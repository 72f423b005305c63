package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
	"github.com/jwtgate/jwtgate/benchmarks/internal/report"
)

// outcome is everything a run measured and found.
type outcome struct {
	machine  []string            // "key: value" lines about the machine
	built    int                 // stacks built
	ids      []string            // stack IDs in build order
	configs  map[string][]string // stack ID: its distinct configurations
	insane   []error             // failed sanity checks
	failed   []string            // benchmarks that failed mid-run
	results  []report.Result     // every run of every benchmark
	rows     []report.Row        // their medians
	verdicts []report.Verdict    // the bars
}

// run measures and reports as cfg says, printing to w.
func run(cfg config, w io.Writer) error {
	if err := setBenchtime(cfg.benchtime); err != nil {
		return err
	}
	env, err := benchmarks.NewEnv()
	if err != nil {
		return err
	}
	defer env.Close()

	o := &outcome{machine: machine(cfg), configs: map[string][]string{}}
	printLines(w, "== jwtgate benchmark comparison", o.machine)

	// Build every stack and keep those that pass the sanity checks.
	stacks, err := buildStacks(cfg, env)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range stacks {
			s.Close()
		}
	}()
	o.built = len(stacks)
	sane := o.check(env, stacks)
	printConfigs(w, o)
	printSanity(w, len(stacks), o.insane)

	// Measure.
	jobs := stackJobs(cfg, env, sane)
	if cfg.keyLookup {
		lookups, err := newLookups(env)
		if err != nil {
			return err
		}
		defer func() {
			for _, k := range lookups {
				k.Close()
			}
		}()
		jobs = append(jobs, lookupJobs(lookups)...)
	}
	fmt.Fprintf(w, "\n== running %d benchmarks x %d rounds, %s each\n", len(jobs), cfg.count,
		cfg.benchtime)
	o.results, o.failed = execute(jobs, cfg.count, w)
	if len(o.results) == 0 {
		return errNoResults
	}
	o.machine = append(o.machine, "load average at end: "+loadAverage())

	// Report.
	o.rows = report.Summarize(o.results)
	o.verdicts = report.Verdicts(o.rows, cfg.cpus[0])
	if err := printReport(w, cfg, o); err != nil {
		return err
	}
	return writeFiles(w, cfg, o)
}

// buildStacks builds the stacks of every algorithm asked for.
func buildStacks(cfg config, env *benchmarks.Env) ([]*benchmarks.Stack, error) {
	var all []*benchmarks.Stack
	for _, alg := range cfg.algs {
		ss, err := env.Stacks(alg, cfg.frameworks)
		if err != nil {
			for _, s := range all {
				s.Close()
			}
			return nil, err
		}
		all = append(all, ss...)
	}
	return all, nil
}

// check runs the sanity check of every stack and returns the sane ones.
// It also records each stack's configurations.
func (o *outcome) check(env *benchmarks.Env, stacks []*benchmarks.Stack) []*benchmarks.Stack {
	var sane []*benchmarks.Stack
	for _, s := range stacks {
		cfgs := o.configs[s.ID()]
		if len(cfgs) == 0 {
			o.ids = append(o.ids, s.ID())
		}
		if !slices.Contains(cfgs, s.Config) {
			o.configs[s.ID()] = append(cfgs, s.Config)
		}
		if err := env.Check(s); err != nil {
			o.insane = append(o.insane, err)
			continue
		}
		sane = append(sane, s)
	}
	return sane
}

// newLookups builds both key-lookup benchmarks.
func newLookups(env *benchmarks.Env) ([]*benchmarks.KeyLookup, error) {
	var out []*benchmarks.KeyLookup
	for _, impl := range []string{benchmarks.LookupJWTGate, benchmarks.LookupRWMutex} {
		k, err := env.NewKeyLookup(impl)
		if err != nil {
			for _, k := range out {
				k.Close()
			}
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// machine describes the machine and the run.
func machine(cfg config) []string {
	return []string{
		"date: " + time.Now().UTC().Format(time.RFC3339),
		"go: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"cpu: " + cpuModel(),
		fmt.Sprintf("cores: %d, GOMAXPROCS: %d", runtime.NumCPU(), runtime.GOMAXPROCS(0)),
		fmt.Sprintf("benchtime: %s, count: %d, parallel: %t, cpu: %v",
			cfg.benchtime, cfg.count, cfg.parallel, cfg.cpus),
		"load average at start: " + loadAverage(),
	}
}

// cpuModel returns the processor's name, where Linux tells it.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(data)) {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimLeft(name, "\t :"))
		}
	}
	return "unknown"
}

// loadAverage returns the 1, 5 and 15 minute load averages, where
// Linux tells them.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// errNoResults means that no benchmark produced a number.
var errNoResults = errors.New("no benchmark produced results")
