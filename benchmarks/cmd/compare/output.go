package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/jwtgate/jwtgate/benchmarks"
	"github.com/jwtgate/jwtgate/benchmarks/internal/report"
)

// printLines prints a title and indented lines.
func printLines(w io.Writer, title string, lines []string) {
	fmt.Fprintln(w, title)
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
}

// printConfigs prints how each stack is configured.
func printConfigs(w io.Writer, o *outcome) {
	fmt.Fprintln(w, "\n== stacks (configuration)")
	for _, id := range o.ids {
		for _, c := range o.configs[id] {
			fmt.Fprintf(w, "  %-23s %s\n", id, c)
		}
	}
}

// printSanity prints the outcome of the sanity checks.
func printSanity(w io.Writer, n int, insane []error) {
	fmt.Fprintf(w, "\n== sanity: %d stack builds checked, %d pass", n, n-len(insane))
	if len(insane) > 0 {
		fmt.Fprint(w, "; these are left out of every table:")
	}
	fmt.Fprintln(w)
	for _, err := range insane {
		fmt.Fprintln(w, "  FAIL "+strings.ReplaceAll(err.Error(), "\n", "\n       "))
	}
}

// tables returns the stack tables: one per algorithm, case, mode and
// GOMAXPROCS value that has rows.
func tables(cfg config, rows []report.Row) []report.Table {
	modes := []string{benchmarks.ModeSerial}
	if cfg.parallel {
		modes = append(modes, benchmarks.ModeParallel)
	}
	var out []report.Table
	for _, alg := range cfg.algs {
		for _, c := range cfg.cases {
			for _, mode := range modes {
				for _, procs := range cfg.cpus {
					sel := report.Select(rows, alg, c, mode, procs)
					if len(sel) == 0 {
						continue
					}
					title := fmt.Sprintf("%s, case %s, %s, GOMAXPROCS %d (median of %d)",
						alg, c, mode, procs, sel[0].Runs)
					out = append(out, report.StackTable(title, report.Lines(sel)))
				}
			}
		}
	}
	return out
}

// lookupTable returns the key-lookup table.
func lookupTable(rows []report.Row) report.Table {
	return report.LookupTable(fmt.Sprintf("Key lookup: %d readers while the key set is "+
		"refreshed every %s", benchmarks.KeyReaders, benchmarks.RefreshEvery), rows)
}

// verdictNote explains what the verdict compares.
const verdictNote = "Bars judged on the valid token, in each mode run (serial; parallel " +
	"with -parallel), under the first -cpu value. Issue 4's bars set jwtgate with its " +
	"token cache off (every request a full validation) against the peers on the same " +
	"framework; the floor is raw/verify for the same algorithm. Issue 6's bars judge " +
	"the cache: a cached validation on raw/jwtgate-core-cached, and on each framework " +
	"the reused RS256 token through jwtgate-cached against jwtgate."

// printReport prints the tables, the key lookup and the verdict.
func printReport(w io.Writer, cfg config, o *outcome) error {
	for _, t := range tables(cfg, o.rows) {
		fmt.Fprintln(w)
		if err := t.WriteText(w); err != nil {
			return err
		}
	}
	if cfg.keyLookup {
		fmt.Fprintln(w)
		if err := lookupTable(o.rows).WriteText(w); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, verdictNote)
	return report.VerdictTable(o.verdicts).WriteText(w)
}

// writeFiles writes results.md, chart.svg and the benchstat file, as
// far as the flags ask for them, and says where.
func writeFiles(w io.Writer, cfg config, o *outcome) error {
	if cfg.benchstat != "" {
		var b bytes.Buffer
		if err := report.WriteBenchstat(&b, benchstatHeader(), o.results); err != nil {
			return err
		}
		if err := writeFile(cfg.benchstat, b.Bytes()); err != nil {
			return err
		}
		fmt.Fprintln(w, "\nwrote", cfg.benchstat)
	}
	if cfg.outDir == "" {
		return nil
	}
	var md, svg bytes.Buffer
	if err := markdown(&md, cfg, o); err != nil {
		return err
	}
	if err := chart(&svg, cfg, o.rows); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"results.md": md.Bytes(), "chart.svg": svg.Bytes()} {
		path := filepath.Join(cfg.outDir, name)
		if err := writeFile(path, data); err != nil {
			return err
		}
		fmt.Fprintln(w, "wrote", path)
	}
	return nil
}

// writeFile writes data to path, making its directory if need be.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// benchstatHeader is the configuration benchstat shows.
func benchstatHeader() []string {
	return []string{
		"goos: " + runtime.GOOS,
		"goarch: " + runtime.GOARCH,
		"pkg: github.com/jwtgate/jwtgate/benchmarks",
		"cpu: " + cpuModel(),
	}
}

// chart draws the valid-token bars of the verdict's mode and procs.
func chart(w io.Writer, cfg config, rows []report.Row) error {
	procs := cfg.cpus[0]
	var sel []report.Row
	for _, alg := range cfg.algs {
		sel = append(sel, report.Select(rows, alg, benchmarks.CaseValid, benchmarks.ModeSerial,
			procs)...)
	}
	title := fmt.Sprintf("ns/op to serve one request with a valid token (serial, "+
		"GOMAXPROCS %d; each algorithm on its own scale)", procs)
	return report.WriteSVG(w, title, sel)
}

// markdown writes results.md.
func markdown(w io.Writer, cfg config, o *outcome) error {
	var b bytes.Buffer
	b.WriteString("# jwtgate benchmark comparison\n\n")
	for _, l := range o.machine {
		b.WriteString("- " + l + "\n")
	}
	b.WriteString("\nMade by `go run ./benchmarks/cmd/compare`. ns/op, B/op and allocs/op " +
		"are medians over the runs; ± is the spread of the runs' ns/op (slowest − " +
		"fastest) over the median; \"over floor\" is the cost above raw/verify, the " +
		"signature check alone, for the same case; × jwtgate is the ratio to jwtgate with " +
		"its token cache off on the same framework (to jwtgate's core for raw). The " +
		"-cached rows are jwtgate in its default configuration, token cache on: for the " +
		"valid token they time cache hits.\n\n![chart](chart.svg)\n\n")

	fmt.Fprintf(&b, "## Sanity\n\n%d stack builds checked, %d pass.\n", o.built,
		o.built-len(o.insane))
	for _, err := range o.insane {
		fmt.Fprintf(&b, "\n- FAIL (left out): %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	for _, key := range o.failed {
		fmt.Fprintf(&b, "\n- FAILED during the run (left out): %s", key)
	}

	fmt.Fprintf(&b, "\n\n## Verdict\n\n%s\n\n", verdictNote)
	if err := report.VerdictTable(o.verdicts).WriteMarkdown(&b); err != nil {
		return err
	}
	b.WriteString("## Results\n\n")
	for _, t := range tables(cfg, o.rows) {
		if err := t.WriteMarkdown(&b); err != nil {
			return err
		}
	}
	if cfg.keyLookup {
		if err := lookupTable(o.rows).WriteMarkdown(&b); err != nil {
			return err
		}
	}
	b.WriteString("## Stacks\n\n")
	for _, id := range o.ids {
		for _, c := range o.configs[id] {
			fmt.Fprintf(&b, "- `%s`: %s\n", id, c)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
