package report_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/jwtgate/jwtgate/benchmarks/internal/report"
)

// res is a result of the valid case, served serially on two procs; a
// stack named "-cached" has its token cache on.
func res(fw, stack, kind string, ns float64, allocs int64) report.Result {
	return report.Result{
		Alg: "RS256", Framework: fw, Stack: stack, Case: "valid", Mode: "serial", Kind: kind,
		Cached: strings.HasSuffix(stack, "-cached"),
		Procs:  2, N: 1000, Ns: ns, Bytes: allocs * 100, Allocs: allocs,
	}
}

// sample is one algorithm's results: a floor, jwtgate's core with its
// token cache off and on, and one framework with its bare baseline,
// jwtgate with its cache off (jwNs, jwAllocs) and on, and two peers.
func sample(jwNs float64, jwAllocs int64) []report.Result {
	return []report.Result{
		res("raw", "verify", report.KindFloor, 30000, 9),
		res("raw", "jwtgate-core", report.KindJWTGate, 31000, 17),
		res("raw", "jwtgate-core-cached", report.KindJWTGate, 450, 0),
		res("gin", "bare", report.KindBare, 100, 0),
		res("gin", "jwtgate", report.KindJWTGate, jwNs, jwAllocs),
		res("gin", "jwtgate-cached", report.KindJWTGate, 1200, 0),
		res("gin", "keyfunc", report.KindPeer, 37200, 60),
		res("gin", "other", report.KindPeer, 40000, 80),
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name       string
		ns         []float64
		wantMedian float64
		wantSpread float64
	}{
		{"one run", []float64{10}, 10, 0},
		{"odd", []float64{30, 10, 20}, 20, 1},
		{"even", []float64{10, 40, 20, 30}, 25, 1.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs []report.Result
			for _, ns := range tt.ns {
				rs = append(rs, res("gin", "jwtgate", report.KindJWTGate, ns, 3))
			}
			rows := report.Summarize(append(rs, res("gin", "bare", report.KindBare, 1, 0)))
			if len(rows) != 2 || rows[0].Stack != "jwtgate" {
				t.Fatalf("rows %+v, want jwtgate then bare", rows)
			}
			r := rows[0]
			if r.Ns != tt.wantMedian || r.Runs != len(tt.ns) || r.Allocs != 3 {
				t.Errorf("median %v over %d runs, allocs %v; want %v over %d, 3", r.Ns, r.Runs,
					r.Allocs, tt.wantMedian, len(tt.ns))
			}
			if diff := r.Spread - tt.wantSpread; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("spread %v, want %v", r.Spread, tt.wantSpread)
			}
		})
	}
}

func TestLines(t *testing.T) {
	rows := report.Select(report.Summarize(sample(32000, 20)), "RS256", "valid", "serial", 2)
	lines := map[string]report.Line{}
	for _, l := range report.Lines(rows) {
		lines[l.Framework+"/"+l.Stack] = l
	}
	tests := []struct {
		id                 string
		hasFloor, hasRatio bool
		over, ratio        float64
	}{
		{"raw/verify", true, true, 0, 30000.0 / 31000},
		{"raw/jwtgate-core", true, true, 1000, 1},
		{"raw/jwtgate-core-cached", true, true, -29550, 450.0 / 31000},
		{"gin/bare", false, true, 0, 100.0 / 32000},
		{"gin/jwtgate", true, true, 2000, 1},
		{"gin/jwtgate-cached", true, true, -28800, 1200.0 / 32000},
		{"gin/keyfunc", true, true, 7200, 37200.0 / 32000},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			l := lines[tt.id]
			if l.HasFloor != tt.hasFloor || l.OverNs != tt.over {
				t.Errorf("floor %t %v, want %t %v", l.HasFloor, l.OverNs, tt.hasFloor, tt.over)
			}
			if l.HasRatio != tt.hasRatio || l.Ratio != tt.ratio {
				t.Errorf("ratio %t %v, want %t %v", l.HasRatio, l.Ratio, tt.hasRatio, tt.ratio)
			}
		})
	}
}

func TestVerdicts(t *testing.T) {
	tests := []struct {
		name     string
		jwNs     float64
		jwAllocs int64
		want     map[string]string // bar: status
	}{
		{"all pass", 32000, 20, map[string]string{
			report.BarFaster: "PASS", report.BarAllocs: "PASS",
			report.BarOverhead: "PASS", report.BarAllocsCap: "PASS",
			report.BarCachedCost: "PASS", report.BarCachedReuse: "PASS",
		}},
		{"slower, fat", 38000, 70, map[string]string{
			report.BarFaster: "MISS", report.BarAllocs: "MISS",
			report.BarOverhead: "MISS", report.BarAllocsCap: "MISS",
		}},
		{"overhead just at a third", 32400, 24, map[string]string{
			report.BarFaster: "PASS", report.BarOverhead: "PASS", report.BarAllocsCap: "PASS",
		}},
		{"overhead just above a third", 32401, 25, map[string]string{
			report.BarOverhead: "MISS", report.BarAllocsCap: "MISS",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for _, v := range report.Verdicts(report.Summarize(sample(tt.jwNs, tt.jwAllocs)), 2) {
				fw := "gin"
				if v.Bar == report.BarCachedCost {
					fw = "raw"
				}
				if v.Alg != "RS256" || v.Mode != "serial" || v.Framework != fw {
					t.Errorf("%s: verdict for %s %s %s", v.Bar, v.Alg, v.Mode, v.Framework)
				}
				got[v.Bar] = v.Status()
			}
			for bar, want := range tt.want {
				if got[bar] != want {
					t.Errorf("%s: %s, want %s", bar, got[bar], want)
				}
			}
		})
	}
}

func TestVerdictsHS256AndMissingRows(t *testing.T) {
	rs := append(sample(5000, 10), res("echo", "echo-jwt", report.KindPeer, 9000, 50))
	for i := range rs {
		rs[i].Alg = "HS256"
	}
	want := map[string]string{
		"gin " + report.BarHS256:   "PASS", // 37.2 µs against 5 µs
		"echo " + report.BarHS256:  "N/A",  // no jwtgate row on echo
		"echo " + report.BarFaster: "N/A",
	}
	got := map[string]string{}
	for _, v := range report.Verdicts(report.Summarize(rs), 2) {
		got[v.Framework+" "+v.Bar] = v.Status()
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}

// cacheSample is jwtgate's core and Gin adapter with the token cache
// off and on, under alg, with no peer: the cache's bars alone.
func cacheSample(alg string, coreNs float64, coreAllocs int64, ginNs float64) []report.Result {
	rs := []report.Result{
		res("raw", "verify", report.KindFloor, 30000, 9),
		res("raw", "jwtgate-core", report.KindJWTGate, 31000, 17),
		res("raw", "jwtgate-core-cached", report.KindJWTGate, coreNs, coreAllocs),
		res("gin", "jwtgate", report.KindJWTGate, 32000, 20),
		res("gin", "jwtgate-cached", report.KindJWTGate, ginNs, 0),
	}
	for i := range rs {
		rs[i].Alg = alg
	}
	return rs
}

// TestVerdictsCache checks the bars of the token cache at their
// limits: a cached validation within 1 µs and without allocation, and
// a reused RS256 token 20 times faster than the uncached adapter.
func TestVerdictsCache(t *testing.T) {
	tests := []struct {
		name  string
		rs    []report.Result
		want  map[string]string // framework and bar: status
		wantN int               // verdicts in all
	}{
		{"at the limits", cacheSample("RS256", 1000, 0, 1600), map[string]string{
			"raw " + report.BarCachedCost:  "PASS",
			"gin " + report.BarCachedReuse: "PASS", // 32 µs over 1.6 µs: 20x
		}, 2},
		{"just over", cacheSample("RS256", 1001, 0, 1601), map[string]string{
			"raw " + report.BarCachedCost:  "MISS",
			"gin " + report.BarCachedReuse: "MISS",
		}, 2},
		{"allocates", cacheSample("RS256", 400, 1, 900), map[string]string{
			"raw " + report.BarCachedCost: "MISS",
		}, 2},
		{"reuse judged for RS256 only", cacheSample("ES256", 400, 0, 900), map[string]string{
			"raw " + report.BarCachedCost: "PASS",
		}, 1},
		{"no cached rows", slices.DeleteFunc(cacheSample("RS256", 400, 0, 900),
			func(r report.Result) bool { return r.Cached }),
			map[string]string{
				"raw " + report.BarCachedCost:  "N/A",
				"gin " + report.BarCachedReuse: "N/A",
			}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := report.Verdicts(report.Summarize(tt.rs), 2)
			got := map[string]string{}
			for _, v := range vs {
				got[v.Framework+" "+v.Bar] = v.Status()
			}
			if len(vs) != tt.wantN {
				t.Errorf("%d verdicts, want %d: %v", len(vs), tt.wantN, got)
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s: %q, want %q", k, got[k], w)
				}
			}
		})
	}
}

// TestVerdictsParallel checks that the parallel rows are judged too,
// on their own, and that the verdict table names the mode.
func TestVerdictsParallel(t *testing.T) {
	rs := sample(32000, 20)
	for _, r := range sample(32000, 20) {
		r.Mode = "parallel"
		rs = append(rs, r)
	}
	vs := report.Verdicts(report.Summarize(rs), 2)
	modes := map[string]int{}
	for _, v := range vs {
		modes[v.Mode]++
		if v.Status() != "PASS" {
			t.Errorf("%s %s %s: %s (%s)", v.Mode, v.Framework, v.Bar, v.Status(), v.Detail)
		}
	}
	if modes["serial"] != 6 || modes["parallel"] != 6 {
		t.Errorf("verdicts per mode %v, want 6 serial and 6 parallel", modes)
	}
	tab := report.VerdictTable(vs)
	last := tab.Rows[len(tab.Rows)-1]
	if tab.Header[2] != "mode" || last[2] != "parallel" {
		t.Errorf("header %q, last row %q: want the mode third", tab.Header, last)
	}
	if want := "Verdict: 12 PASS, 0 MISS, 0 N/A"; tab.Title != want {
		t.Errorf("title %q, want %q", tab.Title, want)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		ns   float64
		want string
	}{
		{0, "0 ns"},
		{216.2, "216 ns"},
		{1500, "1.50 µs"},
		{36264, "36.3 µs"},
		{142797, "143 µs"},
		{1.2e6, "1.20 ms"},
		{-2500, "-2.50 µs"},
		{3e9, "3.00 s"},
	}
	for _, tt := range tests {
		if got := report.Duration(tt.ns); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.ns, got, tt.want)
		}
	}
}

func TestBenchstat(t *testing.T) {
	lookup := report.Result{Bench: report.BenchKeyLookup, Stack: "jwtgate", Procs: 2, N: 10,
		Ns: 5.5, Refreshes: 52}
	var b bytes.Buffer
	err := report.WriteBenchstat(&b, []string{"goos: linux"},
		[]report.Result{res("gin", "jwtgate", report.KindJWTGate, 32000, 20), lookup})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := [][]string{
		{"goos:", "linux"},
		{"BenchmarkStack/framework=gin/stack=jwtgate/alg=RS256/case=valid/mode=serial-2",
			"1000", "32000.0", "ns/op", "2000", "B/op", "20", "allocs/op"},
		{"BenchmarkKeyLookup/impl=jwtgate-2", "10", "5.5", "ns/op", "0", "B/op", "0",
			"allocs/op", "52", "refreshes/s"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), b.String())
	}
	for i, w := range want {
		if got := strings.Fields(lines[i]); strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("line %d: %q, want %q", i, got, w)
		}
	}
}

func TestWriteSVG(t *testing.T) {
	rows := report.Summarize(sample(32000, 20))
	var b bytes.Buffer
	if err := report.WriteSVG(&b, "a <title> & more", rows); err != nil {
		t.Fatal(err)
	}
	// The legend's swatch and the two cached rows' bars.
	if n := strings.Count(b.String(), `fill="#81c784"`); n != 3 {
		t.Errorf("%d shapes in the colour of jwtgate, cached; want 3", n)
	}
	dec := xml.NewDecoder(&b)
	rects := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	// The background, five legend swatches and a bar per row.
	if want := 1 + 5 + len(rows); rects != want {
		t.Errorf("%d rects, want %d", rects, want)
	}
}

func TestTableMarkdown(t *testing.T) {
	tab := report.Table{Title: "T", Header: []string{"a", "b"}, Rows: [][]string{{"1", "2"}}}
	var b bytes.Buffer
	if err := tab.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	want := "### T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestSigned(t *testing.T) {
	tests := []struct {
		ns   float64
		want string
	}{
		{2100, "+2.10 µs"},
		{0, "+0 ns"},
		{-300, "-300 ns"},
	}
	for _, tt := range tests {
		if got := report.Signed(tt.ns); got != tt.want {
			t.Errorf("Signed(%v) = %q, want %q", tt.ns, got, tt.want)
		}
	}
}
