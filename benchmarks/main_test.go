package benchmarks_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind, with
// one exception: the Fiber JWT middleware of gofiber/contrib, measured
// here as today's Fiber stack, starts a key-set refresher (keyfunc v2)
// that it offers no way to stop. Only that named goroutine is ignored.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/MicahParks/keyfunc/v2.(*JWKS).backgroundRefresh"))
}
