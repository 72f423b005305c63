package examples_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/core/gatetest"
)

// answer is what a rejection must repeat byte for byte in every
// program.
type answer struct {
	status                               int
	challenge, contentType, cache, retry string
	body                                 string
}

// TestRejectionsIdentical sends the same rejected requests to every
// program, all trusting one issuer, and checks that they answer with
// the same status, headers and body.
func TestRejectionsIdentical(t *testing.T) {
	if binDir == "" {
		t.Skip("programs are not built in -short mode")
	}
	iss := gatetest.New(t)
	bases := make([]string, len(programs))
	for i, name := range programs {
		p := start(t, name, "-issuer", iss.URL, "-audience", gatetest.Audience)
		bases[i] = p.base
	}
	read := "Bearer " + iss.Mint(map[string]any{"scope": "read"})
	tests := []struct {
		name   string
		path   string
		header []string // Authorization values
	}{
		{name: "no token", path: "/me"},
		{name: "basic", path: "/me", header: []string{"Basic dXNlcjpwYXNz"}},
		{name: "two headers", path: "/me", header: []string{read, read}},
		{name: "empty bearer", path: "/me", header: []string{"Bearer "}},
		{name: "garbage", path: "/me", header: []string{"Bearer a.b.c"}},
		{name: "expired", path: "/me", header: []string{"Bearer " + iss.Mint(map[string]any{
			"exp": time.Now().Add(-time.Hour).Unix(),
		})}},
		{name: "unknown kid", path: "/me", header: []string{"Bearer " + iss.Mint(nil,
			gatetest.WithKID("nobody"))}},
		{name: "missing scope", path: "/admin", header: []string{read}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var first answer
			for i, base := range bases {
				got := send(t, base+tt.path, tt.header)
				if got.status < 400 {
					t.Fatalf("%s: status %d, want a rejection", programs[i], got.status)
				}
				if i == 0 {
					first = got
				} else if got != first {
					t.Errorf("%s answers\n%+v\n%s answers\n%+v", programs[0], first,
						programs[i], got)
				}
			}
		})
	}
}

// send GETs url with the given Authorization headers and returns the
// parts of the answer every adapter must share.
func send(t *testing.T, url string, authorization []string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range authorization {
		req.Header.Add("Authorization", v)
	}
	resp, body := do(t, req)
	return answer{
		status:      resp.StatusCode,
		challenge:   resp.Header.Get("WWW-Authenticate"),
		contentType: resp.Header.Get("Content-Type"),
		cache:       resp.Header.Get("Cache-Control"),
		retry:       resp.Header.Get("Retry-After"),
		body:        string(body),
	}
}
