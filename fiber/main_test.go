package fibergate_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind, except
// two of fasthttp, under Fiber: the process-wide clock that refreshes
// the Date header, which never stops, and the idle-worker cleaner of a
// server, which notices the server's shutdown only after its ten-second
// sleep.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"))
}
