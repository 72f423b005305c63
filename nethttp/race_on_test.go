//go:build race

package httpgate_test

// raceEnabled reports whether the race detector is on; it changes how
// much the runtime allocates.
const raceEnabled = true
