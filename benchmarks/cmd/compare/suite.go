package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
	"github.com/jwtgate/jwtgate/benchmarks/internal/report"
)

// job is one benchmark of the plan, run once per round.
type job struct {
	name  string // for the progress lines
	key   string // report.Result.Name of its results
	fn    func(*testing.B)
	procs int
	to    func(testing.BenchmarkResult) report.Result
}

// setBenchtime makes testing.Benchmark run each benchmark for d.
func setBenchtime(d time.Duration) error {
	testing.Init()
	return flag.Set("test.benchtime", d.String())
}

// stackJobs returns the jobs of the sane stacks: each case, mode and
// GOMAXPROCS value asked for. A bare framework never reads the token,
// so it runs the valid case only; a jwtgate stack with its token cache
// on runs the cases of -cachedcase only, by default the valid one: the
// cache never holds a rejected token, so for the others it times the
// full validation of the uncached stack and a cache miss.
func stackJobs(cfg config, env *benchmarks.Env, stacks []*benchmarks.Stack) []job {
	modes := []string{benchmarks.ModeSerial}
	if cfg.parallel {
		modes = append(modes, benchmarks.ModeParallel)
	}
	var jobs []job
	for _, procs := range cfg.cpus {
		for _, s := range stacks {
			for _, c := range cfg.cases {
				if skipCase(cfg, s, c) {
					continue
				}
				for _, mode := range modes {
					jobs = append(jobs, stackJob(env, s, c, mode, procs))
				}
			}
		}
	}
	return jobs
}

// skipCase reports whether stackJobs leaves out case c of stack s.
func skipCase(cfg config, s *benchmarks.Stack, c string) bool {
	switch {
	case s.Kind == benchmarks.KindBare:
		return c != benchmarks.CaseValid
	case s.TokenCache:
		return !slices.Contains(cfg.cachedCases, c)
	}
	return false
}

// stackJob returns the job of one stack, case, mode and GOMAXPROCS.
func stackJob(env *benchmarks.Env, s *benchmarks.Stack, c, mode string, procs int) job {
	to := func(r testing.BenchmarkResult) report.Result {
		return report.Result{
			Bench: report.BenchStack, Alg: s.Alg, Framework: s.Framework, Stack: s.Name,
			Case: c, Mode: mode, Kind: s.Kind.String(), Cached: s.TokenCache, Procs: procs,
			N: r.N, Ns: nsPerOp(r), Bytes: r.AllocedBytesPerOp(), Allocs: r.AllocsPerOp(),
		}
	}
	return job{
		name:  fmt.Sprintf("%-5s %-10s %-23s %-8s -%d", s.Alg, c, s.ID(), mode, procs),
		key:   to(testing.BenchmarkResult{}).Name(),
		fn:    benchmarks.Bench(s, c, env.Token(s.Alg, c), mode),
		procs: procs,
		to:    to,
	}
}

// lookupJobs returns the key-lookup jobs, one per implementation and
// GOMAXPROCS value.
func lookupJobs(lookups []*benchmarks.KeyLookup) []job {
	var jobs []job
	for _, procs := range lookupCPUs() {
		for _, k := range lookups {
			to := func(r testing.BenchmarkResult) report.Result {
				return report.Result{
					Bench: report.BenchKeyLookup, Stack: k.Impl, Procs: procs, N: r.N,
					Ns: nsPerOp(r), Bytes: r.AllocedBytesPerOp(), Allocs: r.AllocsPerOp(),
					Refreshes: r.Extra["refreshes/s"],
				}
			}
			jobs = append(jobs, job{
				name:  fmt.Sprintf("key lookup %-8s -%d", k.Impl, procs),
				key:   to(testing.BenchmarkResult{}).Name(),
				fn:    k.Bench,
				procs: procs,
				to:    to,
			})
		}
	}
	return jobs
}

// nsPerOp is r's time per operation, unrounded.
func nsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

// measure runs fn once with testing.Benchmark under GOMAXPROCS procs
// and reports whether it completed without failing.
func measure(fn func(*testing.B), procs int) (testing.BenchmarkResult, bool) {
	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	var failed atomic.Bool
	r := testing.Benchmark(func(b *testing.B) {
		defer func() {
			if b.Failed() {
				failed.Store(true)
			}
		}()
		fn(b)
	})
	return r, !failed.Load() && r.N > 0
}

// execute runs every job once per round, forward in even rounds and
// backward in odd ones, printing a line per run. A job that fails in
// any round loses all its results, and its key is returned in failed.
func execute(jobs []job, rounds int, w io.Writer) (results []report.Result, failed []string) {
	total := len(jobs) * rounds
	start, done := time.Now(), 0
	for round := range rounds {
		order := slices.Clone(jobs)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for i, j := range order {
			r, ok := measure(j.fn, j.procs)
			done++
			eta := time.Duration(float64(time.Since(start)) / float64(done) * float64(total-done))
			prefix := fmt.Sprintf("[%d/%d %4d/%d eta %s]", round+1, rounds, i+1, len(order),
				eta.Round(time.Second))
			if !ok {
				fmt.Fprintf(w, "%s %s  FAILED: wrong answer during the run; left out\n",
					prefix, j.name)
				failed = append(failed, j.key)
				continue
			}
			res := j.to(r)
			fmt.Fprintf(w, "%s %s  %10s %7d B %4d allocs\n", prefix, j.name,
				report.Duration(res.Ns), res.Bytes, res.Allocs)
			results = append(results, res)
		}
	}
	results = slices.DeleteFunc(results, func(r report.Result) bool {
		return slices.Contains(failed, r.Name())
	})
	return results, failed
}
