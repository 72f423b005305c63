// Package report turns the measurements of the compare command into
// what it shows: benchstat lines, the median of each benchmark over its
// runs, tables per algorithm and case in plain text and Markdown, the
// verdict on the performance bars jwtgate set itself, and an SVG bar
// chart. It knows nothing of how the numbers were taken.
package report
