package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// barStack is the stack the bar judges: jwtgate with its cache on.
const barStack = benchmarks.StackJWTGateCached

// barRatio is how many times the best peer's rate barStack must serve.
const barRatio = 2

// summary is a stack's figures over the rounds of one mode.
type summary struct {
	median float64 // requests per second
	spread float64 // (fastest − slowest) / median
	fails  int64   // failures over every round: the figures are void
	err    error   // the first failure
}

// summarize reduces the results of the rounds.
func summarize(rs []result) summary {
	var s summary
	rates := make([]float64, 0, len(rs))
	for _, r := range rs {
		rates = append(rates, r.rate)
		s.fails += r.fails
		if s.err == nil {
			s.err = r.err
		}
	}
	slices.Sort(rates)
	n := len(rates)
	if n == 0 {
		return s
	}
	s.median = (rates[(n-1)/2] + rates[n/2]) / 2
	if s.median > 0 {
		s.spread = (rates[n-1] - rates[0]) / s.median
	}
	return s
}

// printRun prints the line of one run.
func printRun(out io.Writer, fw, mode string, round, rounds int, name string, r result) {
	fmt.Fprintf(out, "round %d/%d  %-7s %-6s %-16s %9.0f req/s", round+1, rounds, fw, mode,
		name, r.rate)
	if r.fails > 0 {
		fmt.Fprintf(out, "  %d failures, first: %v", r.fails, r.err)
	}
	fmt.Fprintln(out)
}

// printTable prints, for fw and mode, each stack's median rate, its
// spread and its ratio to the best peer, then the verdict on the bar.
func printTable(out io.Writer, fw, mode string, cfg config, servers []*server,
	rs map[string][]result) {
	title := "one reused token"
	if mode == modePool {
		title = fmt.Sprintf("a pool of %d tokens, round-robin", cfg.pool)
	}
	fmt.Fprintf(out, "%s, %s (median of %d)\n", fw, title, cfg.count)

	sums := map[string]summary{}
	best, bestName := 0.0, ""
	for _, s := range servers {
		sum := summarize(rs[s.Name])
		sums[s.Name] = sum
		if s.Kind == benchmarks.KindPeer && sum.fails == 0 && sum.median > best {
			best, bestName = sum.median, s.Name
		}
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "stack\tkind\t    req/s\t   ±\t× best peer")
	for _, s := range servers {
		sum := sums[s.Name]
		ratio := "-"
		if best > 0 {
			ratio = fmt.Sprintf("%.2f", sum.median/best)
		}
		rate := fmt.Sprintf("%.0f", sum.median)
		if sum.fails > 0 {
			rate = "void"
		}
		fmt.Fprintf(tw, "%s\t%s\t%9s\t%3.0f%%\t%11s\n", s.Name, s.Kind, rate, sum.spread*100,
			ratio)
	}
	tw.Flush()
	for _, s := range servers {
		if sum := sums[s.Name]; sum.fails > 0 {
			fmt.Fprintf(out, "%s void: %d failures, first: %v\n", s.Name, sum.fails, sum.err)
		}
	}
	fmt.Fprintf(out, "bar: %s ≥ %d× best peer (%s): %s\n\n", barStack, barRatio, bestName,
		verdict(sums[barStack], best))
}

// verdict judges the bar.
func verdict(s summary, best float64) string {
	switch {
	case best == 0 || s.fails > 0:
		return "VOID"
	case s.median >= barRatio*best:
		return fmt.Sprintf("%.2f× PASS", s.median/best)
	}
	return fmt.Sprintf("%.2f× MISS", s.median/best)
}
