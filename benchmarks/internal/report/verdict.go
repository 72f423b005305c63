package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The bars of the issue that asked for this suite, judged on the valid
// token with jwtgate's token cache off: every request a full
// validation.
const (
	BarFaster    = "faster than every peer"
	BarAllocs    = "allocates less than every peer"
	BarOverhead  = "overhead above floor <= 1/3 of best peer's"
	BarAllocsCap = "<= 15 allocs above floor"
	BarHS256     = "HS256 end to end >= 2x faster than best peer"
)

// The bars of the issue that asked for the verified-token cache,
// judged on the valid token, which the cached stacks serve from their
// cache after the first request.
const (
	BarCachedCost  = "cached validation <= 1 µs and 0 allocs"
	BarCachedReuse = "reused RS256 token >= 20x faster than uncached"
)

// MaxAllocsOverFloor is the most allocations jwtgate may add above the
// signature floor.
const MaxAllocsOverFloor = 15

// MaxCachedNs is the most a validation answered from the token cache
// may cost, in nanoseconds; it may not allocate.
const MaxCachedNs = 1000

// MinCachedSpeedup is how many times faster than the uncached path of
// the same adapter a reused RS256 token must be served.
const MinCachedSpeedup = 20

// Verdict is the judgement of one bar on one algorithm, mode and
// framework.
type Verdict struct {
	Bar                  string
	Alg, Mode, Framework string

	// Pass is the judgement. Known is false when a row it needs is
	// missing, and then Pass means nothing.
	Pass, Known bool

	// Detail gives the numbers behind the judgement.
	Detail string
}

// Status returns "PASS", "MISS" or "N/A".
func (v Verdict) Status() string {
	switch {
	case !v.Known:
		return "N/A"
	case v.Pass:
		return "PASS"
	}
	return "MISS"
}

// Verdicts judges every bar on the valid token under GOMAXPROCS procs,
// for each algorithm and mode that rows hold. On each framework that
// has peers among the rows, jwtgate with its cache off is set against
// them; the cost of a cached validation is judged on the core with its
// cache on; and for RS256, on each framework with a jwtgate row, the
// adapter with its cache on against the same adapter with it off.
func Verdicts(rows []Row, procs int) []Verdict {
	var out []Verdict
	for _, alg := range algorithms(rows) {
		for _, mode := range modes(rows) {
			sel := Select(rows, alg, CaseValid, mode, procs)
			if len(sel) > 0 {
				out = append(out, verdictsOf(alg, mode, sel)...)
			}
		}
	}
	return out
}

// verdictsOf judges the bars of one algorithm and mode on sel, the
// rows of the valid case.
func verdictsOf(alg, mode string, sel []Row) []Verdict {
	var out []Verdict
	if j := newJudge(alg, mode, FrameworkRaw, sel); j.hasJW || j.hasCached {
		out = append(out, j.cachedCost())
	}
	for _, fw := range frameworks(sel) {
		j := newJudge(alg, mode, fw, sel)
		if len(j.peers) > 0 {
			out = append(out, j.faster(), j.allocs(), j.overhead(), j.allocsCap())
			if alg == "HS256" {
				out = append(out, j.hs256())
			}
		}
		if alg == "RS256" && (j.hasJW || j.hasCached) {
			out = append(out, j.cachedReuse())
		}
	}
	return out
}

// algorithms returns the algorithms of rows in order of appearance.
func algorithms(rows []Row) []string {
	var out []string
	for _, r := range rows {
		if !slices.Contains(out, r.Alg) {
			out = append(out, r.Alg)
		}
	}
	return out
}

// modes returns the modes of the stack rows in order of appearance.
func modes(rows []Row) []string {
	var out []string
	for _, r := range rows {
		if r.Mode != "" && !slices.Contains(out, r.Mode) {
			out = append(out, r.Mode)
		}
	}
	return out
}

// frameworks returns the HTTP frameworks of rows in order of appearance.
func frameworks(rows []Row) []string {
	var out []string
	for _, r := range rows {
		if r.Framework != FrameworkRaw && !slices.Contains(out, r.Framework) {
			out = append(out, r.Framework)
		}
	}
	return out
}

// judge holds what the bars of one algorithm, mode and framework look
// at: jwtgate with its token cache off (jw) and on (cached), the peers,
// and the signature floor.
type judge struct {
	alg, mode, fw              string
	jw, cached, floor          Row
	peers                      []Row
	hasJW, hasCached, hasFloor bool
}

// newJudge picks the rows of framework fw out of sel.
func newJudge(alg, mode, fw string, sel []Row) judge {
	j := judge{alg: alg, mode: mode, fw: fw, peers: peersOf(sel, fw)}
	j.jw, j.hasJW = gateOf(sel, fw, false)
	j.cached, j.hasCached = gateOf(sel, fw, true)
	j.floor, j.hasFloor = find(sel, FrameworkRaw, StackFloor)
	return j
}

// needs says which rows a bar looks at.
type needs int

const (
	needJW needs = 1 << iota
	needCached
	needFloor
)

// verdict starts a Verdict of bar; it is unknown if rows are missing.
func (j judge) verdict(bar string, n needs) (Verdict, bool) {
	v := Verdict{Bar: bar, Alg: j.alg, Mode: j.mode, Framework: j.fw}
	switch {
	case n&needJW != 0 && !j.hasJW:
		v.Detail = "no numbers of jwtgate, token cache off"
	case n&needCached != 0 && !j.hasCached:
		v.Detail = "no numbers of jwtgate, token cache on"
	case n&needFloor != 0 && !j.hasFloor:
		v.Detail = "no floor numbers"
	default:
		v.Known = true
	}
	return v, v.Known
}

func (j judge) faster() Verdict {
	v, ok := j.verdict(BarFaster, needJW)
	if !ok {
		return v
	}
	parts := []string{"jwtgate " + Duration(j.jw.Ns)}
	v.Pass = true
	for _, p := range j.peers {
		v.Pass = v.Pass && j.jw.Ns < p.Ns
		parts = append(parts, fmt.Sprintf("%s %s (%.2fx)", p.Stack, Duration(p.Ns), p.Ns/j.jw.Ns))
	}
	v.Detail = strings.Join(parts, "; ")
	return v
}

func (j judge) allocs() Verdict {
	v, ok := j.verdict(BarAllocs, needJW)
	if !ok {
		return v
	}
	parts := []string{fmt.Sprintf("jwtgate %.0f allocs %.0f B", j.jw.Allocs, j.jw.Bytes)}
	v.Pass = true
	for _, p := range j.peers {
		v.Pass = v.Pass && j.jw.Allocs < p.Allocs && j.jw.Bytes < p.Bytes
		parts = append(parts, fmt.Sprintf("%s %.0f allocs %.0f B", p.Stack, p.Allocs, p.Bytes))
	}
	v.Detail = strings.Join(parts, "; ")
	return v
}

func (j judge) overhead() Verdict {
	v, ok := j.verdict(BarOverhead, needJW|needFloor)
	if !ok {
		return v
	}
	best := j.bestPeer()
	mine, theirs := j.jw.Ns-j.floor.Ns, best.Ns-j.floor.Ns
	v.Pass = mine <= theirs/3
	v.Detail = fmt.Sprintf("jwtgate %s; best peer %s %s; limit %s (floor %s)",
		Signed(mine), best.Stack, Signed(theirs), Signed(theirs/3), Duration(j.floor.Ns))
	return v
}

func (j judge) allocsCap() Verdict {
	v, ok := j.verdict(BarAllocsCap, needJW|needFloor)
	if !ok {
		return v
	}
	over := j.jw.Allocs - j.floor.Allocs
	v.Pass = over <= MaxAllocsOverFloor
	v.Detail = fmt.Sprintf("jwtgate %+.0f allocs (%.0f, floor %.0f)", over, j.jw.Allocs,
		j.floor.Allocs)
	return v
}

func (j judge) hs256() Verdict {
	v, ok := j.verdict(BarHS256, needJW)
	if !ok {
		return v
	}
	best := j.bestPeer()
	ratio := best.Ns / j.jw.Ns
	v.Pass = ratio >= 2
	v.Detail = fmt.Sprintf("jwtgate %s; best peer %s %s; %.2fx",
		Duration(j.jw.Ns), best.Stack, Duration(best.Ns), ratio)
	return v
}

func (j judge) cachedCost() Verdict {
	v, ok := j.verdict(BarCachedCost, needCached)
	if !ok {
		return v
	}
	c := j.cached
	v.Pass = c.Ns <= MaxCachedNs && c.Allocs == 0
	v.Detail = fmt.Sprintf("%s %s, %.0f allocs %.0f B", c.Stack, Duration(c.Ns), c.Allocs,
		c.Bytes)
	if j.hasJW && c.Ns > 0 {
		v.Detail += fmt.Sprintf("; cache off %s (%.0fx)", Duration(j.jw.Ns), j.jw.Ns/c.Ns)
	}
	return v
}

func (j judge) cachedReuse() Verdict {
	v, ok := j.verdict(BarCachedReuse, needJW|needCached)
	if !ok {
		return v
	}
	ratio := 0.0
	if j.cached.Ns > 0 {
		ratio = j.jw.Ns / j.cached.Ns
	}
	v.Pass = ratio >= MinCachedSpeedup
	v.Detail = fmt.Sprintf("%s %s; %s %s; %.1fx", j.cached.Stack, Duration(j.cached.Ns),
		j.jw.Stack, Duration(j.jw.Ns), ratio)
	return v
}

// bestPeer returns the fastest peer.
func (j judge) bestPeer() Row {
	return slices.MinFunc(j.peers, func(a, b Row) int { return cmp.Compare(a.Ns, b.Ns) })
}

// VerdictTable returns the verdicts as a table, with a title that
// counts them.
func VerdictTable(vs []Verdict) Table {
	counts := map[string]int{}
	t := Table{Header: []string{"result", "alg", "mode", "framework", "bar", "numbers"}}
	for _, v := range vs {
		counts[v.Status()]++
		t.Rows = append(t.Rows, []string{v.Status(), v.Alg, v.Mode, v.Framework, v.Bar,
			v.Detail})
	}
	t.Title = fmt.Sprintf("Verdict: %d PASS, %d MISS, %d N/A", counts["PASS"], counts["MISS"],
		counts["N/A"])
	return t
}
