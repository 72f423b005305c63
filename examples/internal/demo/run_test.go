package demo_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/examples/internal/demo"
	httpgate "github.com/jwtgate/jwtgate/nethttp"
)

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name string
		addr net.Addr
		want string
	}{
		{"ipv4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080"},
		{"ipv6", &net.TCPAddr{IP: net.IPv6loopback, Port: 80}, "http://[::1]:80"},
		{"any ipv4", &net.TCPAddr{IP: net.IPv4zero, Port: 9}, "http://127.0.0.1:9"},
		{"any ipv6", &net.TCPAddr{IP: net.IPv6unspecified, Port: 9}, "http://[::1]:9"},
		{"other", &net.UnixAddr{Name: "sock", Net: "unix"}, "http://sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := demo.BaseURL(tt.addr); got != tt.want {
				t.Errorf("BaseURL(%v) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestIdentify(t *testing.T) {
	tests := []struct {
		name   string
		claims *jwtgate.Claims
		want   string
	}{
		{"nil claims", nil, `{"sub":"","scopes":[]}`},
		{"no scopes", &jwtgate.Claims{Subject: "a"}, `{"sub":"a","scopes":[]}`},
		{"scopes", &jwtgate.Claims{Subject: "a", Scopes: []string{"x", "y"}},
			`{"sub":"a","scopes":["x","y"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(demo.Identify(tt.claims))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("Identify encodes as %s, want %s", b, tt.want)
			}
		})
	}
}

// newServer guards GET /me with httpgate, as the examples do.
func newServer(g *jwtgate.Gate) demo.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /me", httpgate.New(g, httpgate.Options{})(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			c, _ := httpgate.Claims(r)
			demo.WriteJSON(w, demo.Identify(c))
		})))
	return demo.HTTPServer(mux)
}

// TestRun runs the embedded setup in process: it prints tokens and the
// listening line, serves them, and returns nil once its context ends.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		f := demo.Flags{Addr: "127.0.0.1:0"}
		err := demo.Run(ctx, f, w, slog.New(slog.DiscardHandler), newServer)
		w.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		out.Close()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	vars, base := readUntilListening(t, out)
	go func() { _, _ = io.Copy(io.Discard, out) }()
	for _, name := range []string{"TOKEN", "READ_TOKEN"} {
		id := getIdentity(t, base+"/me", vars[name])
		if id.Subject != demo.Subject {
			t.Errorf("%s: sub %q, want %q", name, id.Subject, demo.Subject)
		}
	}
}

// readUntilListening reads Run's output up to the listening line and
// returns the shell assignments before it and the base URL.
func readUntilListening(t *testing.T, r io.Reader) (map[string]string, string) {
	t.Helper()
	vars := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if base, ok := strings.CutPrefix(line, "listening on "); ok {
			return vars, base
		}
		if name, value, ok := strings.Cut(line, "="); ok && !strings.Contains(name, " ") {
			vars[name] = value
		}
	}
	t.Fatalf("output ended before the listening line: %v", sc.Err())
	return nil, ""
}

// getIdentity GETs url with token and decodes the Identity it answers.
func getIdentity(t *testing.T, url, token string) demo.Identity {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var id demo.Identity
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&id); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return id
}
