package benchmarks_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind, with
// one exception: the Fiber JWT middleware of gofiber/contrib, measured
// here as today's Fiber stack, starts a key-set refresher (keyfunc v2)
// that it offers no way to stop. Only that named goroutine is ignored,
// and two of fasthttp's, which Fiber's server starts when a test serves
// over loopback: the clock of its Date header, which lives as long as
// the process, and its worker pool's cleaner, which notices the
// server's stop only after its ten-second sleep.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/MicahParks/keyfunc/v2.(*JWKS).backgroundRefresh"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"))
}
