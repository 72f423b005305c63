package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Table is a titled grid of cells that renders as aligned text or as
// Markdown.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
}

// StackTable returns the table of lines: each stack's medians, its
// cost above the floor and its ratio to jwtgate.
func StackTable(title string, lines []Line) Table {
	t := Table{
		Title: title,
		Header: []string{"framework", "stack", "ns/op", "±", "B/op", "allocs/op",
			"over floor", "allocs over floor", "× jwtgate"},
	}
	for _, l := range lines {
		over, overAllocs, ratio := "—", "—", "—"
		if l.HasFloor {
			over, overAllocs = Signed(l.OverNs), fmt.Sprintf("%+.0f", l.OverAllocs)
		}
		if l.HasRatio {
			ratio = fmt.Sprintf("%.2f", l.Ratio)
		}
		t.Rows = append(t.Rows, []string{
			l.Framework, l.Stack, Duration(l.Ns), fmt.Sprintf("%.0f%%", 100*l.Spread),
			fmt.Sprintf("%.0f", l.Bytes), fmt.Sprintf("%.0f", l.Allocs), over, overAllocs, ratio,
		})
	}
	return t
}

// WriteText writes t as aligned columns under its title.
func (t Table) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n", t.Title)
	fmt.Fprintln(tw, strings.Join(t.Header, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// WriteMarkdown writes t as a Markdown table under a level-3 heading.
func (t Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", t.Title)
	b.WriteString("| " + strings.Join(t.Header, " | ") + " |\n")
	b.WriteString(strings.Repeat("|---", len(t.Header)) + "|\n")
	for _, r := range t.Rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// Duration formats a number of nanoseconds with three significant
// digits and a unit: "216 ns", "36.3 µs", "1.20 ms".
func Duration(ns float64) string {
	sign := ""
	if ns < 0 {
		sign, ns = "-", -ns
	}
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%s%.0f ns", sign, ns)
	case ns < 1e6:
		return sign + sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sign + sig3(ns/1e6) + " ms"
	}
	return sign + sig3(ns/1e9) + " s"
}

// Signed is Duration with a sign: "+2.10 µs", "-300 ns".
func Signed(ns float64) string {
	if ns < 0 {
		return Duration(ns)
	}
	return "+" + Duration(ns)
}

// sig3 formats x, between 1 and 1000, with three significant digits.
func sig3(x float64) string {
	switch {
	case x < 10:
		return fmt.Sprintf("%.2f", x)
	case x < 100:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}

// LookupTable returns the table of the key-lookup rows of rows: each
// implementation's medians and its ratio to the RWMutex baseline under
// the same GOMAXPROCS.
func LookupTable(title string, rows []Row) Table {
	t := Table{
		Title: title,
		Header: []string{"impl", "GOMAXPROCS", "ns/op", "±", "allocs/op", "refreshes/s",
			"× rwmutex"},
	}
	for _, r := range rows {
		if r.Bench != BenchKeyLookup {
			continue
		}
		ratio := "—"
		for _, base := range rows {
			if base.Bench == BenchKeyLookup && base.Stack == "rwmutex" && base.Procs == r.Procs &&
				base.Ns > 0 {
				ratio = fmt.Sprintf("%.2f", r.Ns/base.Ns)
			}
		}
		t.Rows = append(t.Rows, []string{
			r.Stack, fmt.Sprint(r.Procs), Duration(r.Ns), fmt.Sprintf("%.0f%%", 100*r.Spread),
			fmt.Sprintf("%.0f", r.Allocs), fmt.Sprintf("%.0f", r.Refreshes), ratio,
		})
	}
	return t
}
