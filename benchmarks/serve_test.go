package benchmarks_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// TestServe serves every HTTP stack on loopback and checks that it
// answers the valid token with the subject, rejects the forged one,
// and stops when its context is done.
func TestServe(t *testing.T) {
	env := newEnv(t)
	for _, s := range stacks(t, env, "RS256") {
		if s.Framework == benchmarks.FrameworkRaw {
			continue
		}
		t.Run(s.ID(), func(t *testing.T) {
			url, stop := serve(t, s)
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()

			status, body := get(t, tr, url, env.Token("RS256", benchmarks.CaseValid))
			if status != http.StatusOK || body != benchmarks.Subject {
				t.Errorf("valid token: %d %q, want 200 %q", status, body, benchmarks.Subject)
			}
			status, _ = get(t, tr, url, env.Token("RS256", benchmarks.CaseBadSignature))
			if s.Kind != benchmarks.KindBare && status != http.StatusUnauthorized {
				t.Errorf("forged token: status %d, want 401", status)
			}
			if err := stop(); err != nil {
				t.Errorf("Serve returned %v", err)
			}
		})
	}
}

// TestServeRaw checks that a raw stack refuses to serve.
func TestServeRaw(t *testing.T) {
	env := newEnv(t)
	s := stacks(t, env, "HS256")[0]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(context.Background(), ln); err == nil {
		t.Errorf("%s served HTTP", s.ID())
	}
}

// serve starts s on a loopback listener and returns the URL of its
// route and a stop that waits for Serve and returns its error.
func serve(t *testing.T, s *benchmarks.Stack) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { stop() })
	return "http://" + ln.Addr().String() + benchmarks.Route, stop
}

// get sends GET url with token as Bearer credentials.
func get(t *testing.T, tr http.RoundTripper, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
