package benchmarks_test

import (
	"sync"
	"testing"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// TestKeyLookup checks, under the race detector, that both
// implementations find the key while another goroutine refreshes the
// set.
func TestKeyLookup(t *testing.T) {
	env := newEnv(t)
	for _, impl := range []string{benchmarks.LookupJWTGate, benchmarks.LookupRWMutex} {
		t.Run(impl, func(t *testing.T) {
			k, err := env.NewKeyLookup(impl)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			var wg sync.WaitGroup
			stop := make(chan struct{})
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						k.Refresh()
					}
				}
			})
			for range 1000 {
				if !k.Lookup() {
					t.Fatal("key not found during refresh")
				}
			}
			close(stop)
			wg.Wait()
		})
	}
}

// TestUnknownKeyLookup checks that an unknown implementation is refused.
func TestUnknownKeyLookup(t *testing.T) {
	env := newEnv(t)
	if _, err := env.NewKeyLookup("btree"); err == nil {
		t.Error("NewKeyLookup accepted an unknown implementation")
	}
}
