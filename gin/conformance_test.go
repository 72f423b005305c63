package gingate_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/jwtgate/jwtgate/conformance"
	gingate "github.com/jwtgate/jwtgate/gin"
)

// build is the conformance.Build of the Gin adapter.
func build(t testing.TB, s conformance.Setup) http.Handler {
	t.Helper()
	if s.NoAuth {
		return newApp()
	}
	return newApp(gingate.New(s.Gate, options(s)))
}

// options turns a conformance.Setup into the adapter's Options.
func options(s conformance.Setup) gingate.Options {
	o := gingate.Options{
		Extractor:     s.Extractor,
		Optional:      s.Optional,
		SkipPreflight: s.SkipPreflight,
	}
	if prefix := s.SkipPrefix; prefix != "" {
		o.Skip = func(c *gin.Context) bool {
			return strings.HasPrefix(c.Request.URL.Path, prefix)
		}
	}
	return o
}

func TestConformance(t *testing.T) {
	conformance.Run(t, build)
}

func TestRace(t *testing.T) {
	conformance.RunRace(t, build)
}

func BenchmarkConformance(b *testing.B) {
	conformance.Benchmark(b, build)
}
