package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The bars of the issue that asked for this suite, judged on the valid
// token, served serially.
const (
	BarFaster    = "faster than every peer"
	BarAllocs    = "allocates less than every peer"
	BarOverhead  = "overhead above floor <= 1/3 of best peer's"
	BarAllocsCap = "<= 15 allocs above floor"
	BarHS256     = "HS256 end to end >= 2x faster than best peer"
)

// MaxAllocsOverFloor is the most allocations jwtgate may add above the
// signature floor.
const MaxAllocsOverFloor = 15

// Verdict is the judgement of one bar on one algorithm and framework.
type Verdict struct {
	Bar            string
	Alg, Framework string

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

// Verdicts judges every bar for each algorithm and framework that rows
// hold, comparing jwtgate with the peers on the same framework, on the
// valid token served serially under GOMAXPROCS procs. A framework with
// no peer among the rows is not judged.
func Verdicts(rows []Row, procs int) []Verdict {
	var out []Verdict
	for _, alg := range algorithms(rows) {
		sel := Select(rows, alg, CaseValid, ModeSerial, procs)
		floor, hasFloor := find(sel, FrameworkRaw, StackFloor)
		for _, fw := range frameworks(sel) {
			peers := peersOf(sel, fw)
			if len(peers) == 0 {
				continue
			}
			jw, ok := jwtgateOf(sel, fw)
			j := judge{alg: alg, fw: fw, jw: jw, peers: peers, floor: floor,
				hasJW: ok, hasFloor: hasFloor}
			out = append(out, j.faster(), j.allocs(), j.overhead(), j.allocsCap())
			if alg == "HS256" {
				out = append(out, j.hs256())
			}
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

// judge holds what the bars of one algorithm and framework look at.
type judge struct {
	alg, fw         string
	jw, floor       Row
	peers           []Row
	hasJW, hasFloor bool
}

// verdict starts a Verdict of bar; it is unknown if rows are missing.
func (j judge) verdict(bar string, needFloor bool) (Verdict, bool) {
	v := Verdict{Bar: bar, Alg: j.alg, Framework: j.fw}
	switch {
	case !j.hasJW:
		v.Detail = "no jwtgate numbers"
		return v, false
	case needFloor && !j.hasFloor:
		v.Detail = "no floor numbers"
		return v, false
	}
	v.Known = true
	return v, true
}

func (j judge) faster() Verdict {
	v, ok := j.verdict(BarFaster, false)
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
	v, ok := j.verdict(BarAllocs, false)
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
	v, ok := j.verdict(BarOverhead, true)
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
	v, ok := j.verdict(BarAllocsCap, true)
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
	v, ok := j.verdict(BarHS256, false)
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

// bestPeer returns the fastest peer.
func (j judge) bestPeer() Row {
	return slices.MinFunc(j.peers, func(a, b Row) int { return cmp.Compare(a.Ns, b.Ns) })
}

// VerdictTable returns the verdicts as a table, with a title that
// counts them.
func VerdictTable(vs []Verdict) Table {
	counts := map[string]int{}
	t := Table{Header: []string{"result", "alg", "framework", "bar", "numbers"}}
	for _, v := range vs {
		counts[v.Status()]++
		t.Rows = append(t.Rows, []string{v.Status(), v.Alg, v.Framework, v.Bar, v.Detail})
	}
	t.Title = fmt.Sprintf("Verdict: %d PASS, %d MISS, %d N/A", counts["PASS"], counts["MISS"],
		counts["N/A"])
	return t
}
