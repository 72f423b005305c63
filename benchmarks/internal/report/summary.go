package report

import (
	"slices"
)

// Row is the median of one benchmark over its runs.
type Row struct {
	Bench, Alg, Framework, Stack, Case, Mode, Kind string
	Procs                                          int

	// Cached is true for a jwtgate stack with its token cache on.
	Cached bool

	// Runs is how many runs the medians are of.
	Runs int

	// Ns, Bytes and Allocs are the medians per operation; Spread is
	// (slowest - fastest) / median of the runs' ns/op.
	Ns, Bytes, Allocs float64
	Spread            float64

	// Refreshes is the median refreshes per second of a key lookup.
	Refreshes float64
}

// Summarize returns one Row per benchmark, in the order of each
// benchmark's first result.
func Summarize(results []Result) []Row {
	var order []string
	runs := map[string][]Result{}
	for _, r := range results {
		k := r.key()
		if runs[k] == nil {
			order = append(order, k)
		}
		runs[k] = append(runs[k], r)
	}
	rows := make([]Row, 0, len(order))
	for _, k := range order {
		rows = append(rows, summarize(runs[k]))
	}
	return rows
}

// summarize returns the Row of the runs of one benchmark.
func summarize(rs []Result) Row {
	r := rs[0]
	ns := make([]float64, len(rs))
	bytes := make([]float64, len(rs))
	allocs := make([]float64, len(rs))
	refreshes := make([]float64, len(rs))
	for i, x := range rs {
		ns[i], bytes[i], allocs[i] = x.Ns, float64(x.Bytes), float64(x.Allocs)
		refreshes[i] = x.Refreshes
	}
	row := Row{
		Bench: r.Bench, Alg: r.Alg, Framework: r.Framework, Stack: r.Stack,
		Case: r.Case, Mode: r.Mode,
		Kind: r.Kind, Cached: r.Cached, Procs: r.Procs, Runs: len(rs),
		Ns: median(ns), Bytes: median(bytes), Allocs: median(allocs),
		Refreshes: median(refreshes),
	}
	if row.Ns > 0 {
		row.Spread = (slices.Max(ns) - slices.Min(ns)) / row.Ns
	}
	return row
}

// median returns the median of xs, which must not be empty.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Line is a Row set against its floor and its jwtgate.
type Line struct {
	Row

	// OverNs and OverAllocs are the row's cost above the signature
	// floor of the same algorithm, case and mode; HasFloor is false
	// when there is no floor row, or for a bare framework, which does
	// not check signatures at all.
	OverNs, OverAllocs float64
	HasFloor           bool

	// Ratio is the row's ns/op over that of jwtgate with its token
	// cache off on the same framework (the core for the raw stacks);
	// HasRatio is false when there is no such row.
	Ratio    float64
	HasRatio bool
}

// Select returns the rows of one algorithm, case, mode and GOMAXPROCS.
func Select(rows []Row, alg, c, mode string, procs int) []Row {
	var out []Row
	for _, r := range rows {
		if r.Alg == alg && r.Case == c && r.Mode == mode && r.Procs == procs {
			out = append(out, r)
		}
	}
	return out
}

// Lines sets each of rows, which Select returned, against its floor and
// its jwtgate.
func Lines(rows []Row) []Line {
	floor, hasFloor := find(rows, FrameworkRaw, StackFloor)
	out := make([]Line, len(rows))
	for i, r := range rows {
		l := Line{Row: r}
		if hasFloor && r.Kind != KindBare {
			l.OverNs, l.OverAllocs, l.HasFloor = r.Ns-floor.Ns, r.Allocs-floor.Allocs, true
		}
		if jw, ok := gateOf(rows, r.Framework, false); ok && jw.Ns > 0 {
			l.Ratio, l.HasRatio = r.Ns/jw.Ns, true
		}
		out[i] = l
	}
	return out
}

// find returns the row of a framework and stack.
func find(rows []Row, framework, stack string) (Row, bool) {
	for _, r := range rows {
		if r.Framework == framework && r.Stack == stack {
			return r, true
		}
	}
	return Row{}, false
}

// gateOf returns the row of jwtgate on a framework, the adapter or, on
// the raw one, the core, with its token cache on or off.
func gateOf(rows []Row, framework string, cached bool) (Row, bool) {
	for _, r := range rows {
		if r.Framework == framework && r.Kind == KindJWTGate && r.Cached == cached {
			return r, true
		}
	}
	return Row{}, false
}

// peersOf returns the peer rows of a framework.
func peersOf(rows []Row, framework string) []Row {
	var out []Row
	for _, r := range rows {
		if r.Framework == framework && r.Kind == KindPeer {
			out = append(out, r)
		}
	}
	return out
}
