package report

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// Chart geometry, in pixels.
const (
	chartWidth  = 960
	labelWidth  = 200 // the stack names, left of the bars
	barSpace    = 620 // the longest bar
	barHeight   = 16
	rowHeight   = 22
	groupHead   = 30 // an algorithm's title above its bars
	groupGap    = 14
	chartHead   = 62 // the title and legend
	chartMargin = 10
)

// kindCached is how the chart's legend names jwtgate with its token
// cache on, which it tells apart from jwtgate with the cache off.
const kindCached = "jwtgate, cached"

// legendOf returns the legend entry of a row: its kind, or kindCached.
func legendOf(r Row) string {
	if r.Cached {
		return kindCached
	}
	return r.Kind
}

// colorOf returns the bar colour of a legend entry.
func colorOf(kind string) string {
	switch kind {
	case KindJWTGate:
		return "#2e7d32"
	case kindCached:
		return "#81c784"
	case KindPeer:
		return "#ef6c00"
	case KindBare:
		return "#9e9e9e"
	}
	return "#1565c0"
}

// WriteSVG draws a horizontal bar chart of ns/op: one group per
// algorithm, one bar per stack of rows (as Select returns them, or the
// concatenation of several Selects), each group on its own scale so
// that the cheap HS256 bars stay readable beside RS256's.
func WriteSVG(w io.Writer, title string, rows []Row) error {
	algs := algorithms(rows)
	height := chartHead + chartMargin
	for _, alg := range algs {
		height += groupHead + rowHeight*len(rowsOf(rows, alg)) + groupGap
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" `+
		`viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n",
		chartMargin, html.EscapeString(title))
	legend(&b)
	y := chartHead
	for _, alg := range algs {
		y = group(&b, alg, rowsOf(rows, alg), y)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// legend draws a swatch and a name for each kind, and for jwtgate
// cached.
func legend(b *strings.Builder) {
	x := chartMargin
	for _, k := range []string{KindJWTGate, kindCached, KindPeer, KindBare, KindFloor} {
		fmt.Fprintf(b, `<rect x="%d" y="36" width="12" height="12" fill="%s"/>`+"\n",
			x, colorOf(k))
		fmt.Fprintf(b, `<text x="%d" y="46">%s</text>`+"\n", x+16, k)
		x += 130
	}
}

// group draws one algorithm's bars from y down and returns the next y.
func group(b *strings.Builder, alg string, rows []Row, y int) int {
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n",
		chartMargin, y+20, html.EscapeString(alg))
	y += groupHead
	top := 0.0
	for _, r := range rows {
		top = max(top, r.Ns)
	}
	for _, r := range rows {
		width := 1
		if top > 0 {
			width = max(1, int(r.Ns/top*barSpace))
		}
		label := html.EscapeString(r.Framework + " / " + r.Stack)
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n",
			labelWidth-6, y+12, label)
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n",
			labelWidth, y, width, barHeight, colorOf(legendOf(r)))
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n",
			labelWidth+width+6, y+12, html.EscapeString(fmt.Sprintf("%s, %.0f allocs",
				Duration(r.Ns), r.Allocs)))
		y += rowHeight
	}
	return y + groupGap
}

// rowsOf returns the rows of one algorithm.
func rowsOf(rows []Row, alg string) []Row {
	var out []Row
	for _, r := range rows {
		if r.Alg == alg {
			out = append(out, r)
		}
	}
	return out
}
