package examples_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jwtgate/jwtgate/core/gatetest"
)

// programs are the example programs, by directory.
var programs = []string{"nethttp", "gin", "echo", "fiber"}

// binDir holds the built programs; empty when the tests are skipped.
var binDir string

// TestMain builds every program once, in one go build, before the
// tests run them, and fails the run if any test leaves a goroutine
// behind.
func TestMain(m *testing.M) {
	flag.Parse()
	code := runTests(m)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

func runTests(m *testing.M) int {
	if testing.Short() {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "jwtgate-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, p := range programs {
		args = append(args, "./"+p)
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go %s: %v\n%s", strings.Join(args, " "), err, out)
		return 1
	}
	binDir = dir
	return m.Run()
}

// forEachProgram runs test as a parallel subtest per program.
func forEachProgram(t *testing.T, test func(t *testing.T, name string)) {
	t.Helper()
	if binDir == "" {
		t.Skip("programs are not built in -short mode")
	}
	for _, name := range programs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, name)
		})
	}
}

// check is one request to a running program and what it must answer.
type check struct {
	name   string
	path   string
	token  string // sent as a Bearer token unless empty
	status int

	// challenge, for a rejection, is what WWW-Authenticate must hold:
	// the whole value when exact, else each of its comma-separated
	// parts.
	challenge string
	exact     bool

	// sub and scopes, for a 200 from /me or /admin, are the identity
	// the body must report.
	sub    string
	scopes []string
}

// run sends c to the program at base and checks its answer.
func (c check) run(t *testing.T, base string) {
	t.Helper()
	resp, body := get(t, base+c.path, c.token)
	if resp.StatusCode != c.status {
		t.Fatalf("%s: status %d, want %d; body %s", c.name, resp.StatusCode, c.status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", c.name, ct)
	}
	if c.status >= 400 {
		c.checkRejection(t, resp)
		return
	}
	if c.path == "/healthz" {
		if got := strings.TrimSpace(string(body)); got != `{"status":"ok"}` {
			t.Errorf("%s: body %s, want {\"status\":\"ok\"}", c.name, body)
		}
		return
	}
	c.checkIdentity(t, body)
}

// checkRejection checks the challenge and caching of a rejection.
func (c check) checkRejection(t *testing.T, resp *http.Response) {
	t.Helper()
	got := resp.Header.Get("WWW-Authenticate")
	switch {
	case c.exact && got != c.challenge:
		t.Errorf("%s: WWW-Authenticate %q, want %q", c.name, got, c.challenge)
	case !c.exact:
		for part := range strings.SplitSeq(c.challenge, ", ") {
			if !strings.Contains(got, part) {
				t.Errorf("%s: WWW-Authenticate %q lacks %q", c.name, got, part)
			}
		}
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", c.name, cc)
	}
}

// checkIdentity checks the JSON body of /me or /admin.
func (c check) checkIdentity(t *testing.T, body []byte) {
	t.Helper()
	var id struct {
		Sub    string   `json:"sub"`
		Scopes []string `json:"scopes"`
	}
	if err := json.Unmarshal(body, &id); err != nil {
		t.Fatalf("%s: body %s: %v", c.name, body, err)
	}
	if id.Sub != c.sub || !slices.Equal(id.Scopes, c.scopes) {
		t.Errorf("%s: identity %+v, want sub %q scopes %q", c.name, id, c.sub, c.scopes)
	}
}

// get sends GET url with token, if any, and returns the response and
// its body.
func get(t *testing.T, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// do sends req and returns the response and its body.
func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp, body
}

// Challenges the checks expect, in the default realm.
const (
	bareChallenge = `Bearer realm="api"`
	badToken      = `Bearer realm="api", error="invalid_token"`
	noAdmin       = `Bearer realm="api", error="insufficient_scope", scope="admin"`
)

// commonChecks are the checks that need no token of an issuer.
func commonChecks() []check {
	// A well-formed token longer than the core's 8 KiB cap must get
	// the Gate's answer, not a framework's 431.
	big := strings.Repeat("a", 9<<10) + ".b.c"
	return []check{
		{name: "health", path: "/healthz", status: http.StatusOK},
		{name: "health ignores tokens", path: "/healthz", token: "x.y.z", status: http.StatusOK},
		{name: "me without token", path: "/me", status: http.StatusUnauthorized,
			challenge: bareChallenge, exact: true},
		{name: "admin without token", path: "/admin", status: http.StatusUnauthorized,
			challenge: bareChallenge, exact: true},
		{name: "me with garbage", path: "/me", token: "not-a-jwt",
			status: http.StatusUnauthorized, challenge: badToken},
		{name: "me with oversized token", path: "/me", token: big,
			status: http.StatusUnauthorized, challenge: badToken},
	}
}

// TestEmbeddedIssuer runs each program with its embedded issuer and
// tries the tokens it prints.
func TestEmbeddedIssuer(t *testing.T) {
	forEachProgram(t, func(t *testing.T, name string) {
		p := start(t, name)
		token, read := p.vars["TOKEN"], p.vars["READ_TOKEN"]
		if token == "" || read == "" {
			t.Fatalf("TOKEN or READ_TOKEN missing from the output:\n%s", p.stdout())
		}
		curl := `curl -i -H "Authorization: Bearer $TOKEN" ` + p.base + "/me"
		if !strings.Contains(p.stdout(), curl) {
			t.Errorf("no curl command for %s/me in the output:\n%s", p.base, p.stdout())
		}
		checks := append(commonChecks(),
			check{name: "me", path: "/me", token: token, status: http.StatusOK,
				sub: "demo-user", scopes: []string{"read", "admin"}},
			check{name: "admin", path: "/admin", token: token, status: http.StatusOK,
				sub: "demo-user", scopes: []string{"read", "admin"}},
			check{name: "me, read only", path: "/me", token: read, status: http.StatusOK,
				sub: "demo-user", scopes: []string{"read"}},
			check{name: "admin, read only", path: "/admin", token: read,
				status: http.StatusForbidden, challenge: noAdmin},
		)
		for _, c := range checks {
			c.run(t, p.base)
		}
	})
}

// issuerChecks returns the checks for tokens that iss mints.
func issuerChecks(t *testing.T, iss *gatetest.Issuer) []check {
	t.Helper()
	read := iss.Mint(map[string]any{"scope": "read"})
	admin := iss.Mint(map[string]any{"scope": "read admin"})
	otherAud := iss.Mint(map[string]any{"aud": "https://other.invalid", "scope": "admin"})
	expired := iss.Mint(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})
	return append(commonChecks(),
		check{name: "me", path: "/me", token: read, status: http.StatusOK,
			sub: "user-1", scopes: []string{"read"}},
		check{name: "admin without scope", path: "/admin", token: read,
			status: http.StatusForbidden, challenge: noAdmin},
		check{name: "admin", path: "/admin", token: admin, status: http.StatusOK,
			sub: "user-1", scopes: []string{"read", "admin"}},
		check{name: "other audience", path: "/me", token: otherAud,
			status: http.StatusUnauthorized, challenge: badToken},
		check{name: "expired", path: "/me", token: expired,
			status: http.StatusUnauthorized, challenge: badToken},
	)
}

// TestExternalIssuer runs each program against a test issuer, with the
// key set URL given and found by discovery.
func TestExternalIssuer(t *testing.T) {
	forEachProgram(t, func(t *testing.T, name string) {
		for _, discovery := range []bool{false, true} {
			t.Run(fmt.Sprintf("discovery=%v", discovery), func(t *testing.T) {
				iss := gatetest.New(t)
				args := []string{"-issuer", iss.URL, "-audience", gatetest.Audience}
				if !discovery {
					args = append(args, "-jwks", iss.JWKSURL())
				}
				p := start(t, name, args...)
				for _, c := range issuerChecks(t, iss) {
					c.run(t, p.base)
				}
				if got := iss.DiscoveryFetches() > 0; got != discovery {
					t.Errorf("discovery document fetched: %v, want %v", got, discovery)
				}
			})
		}
	})
}

// TestRefresh checks -refresh: after the issuer rotates its key, the
// periodic refresh alone must stop a token of the withdrawn key from
// validating, and a token of the new key validates.
func TestRefresh(t *testing.T) {
	forEachProgram(t, func(t *testing.T, name string) {
		iss := gatetest.New(t)
		p := start(t, name,
			"-issuer", iss.URL, "-audience", gatetest.Audience, "-refresh", "100ms")
		old := iss.Mint(map[string]any{"scope": "read"})
		ok := check{name: "before rotation", path: "/me", token: old, status: http.StatusOK,
			sub: "user-1", scopes: []string{"read"}}
		ok.run(t, p.base)

		iss.Rotate("RS256")
		waitStatus(t, p.base+"/me", old, http.StatusUnauthorized, 10*time.Second)

		ok.name, ok.token = "after rotation", iss.Mint(map[string]any{"scope": "read"})
		ok.run(t, p.base)
	})
}

// waitStatus polls url with token until it answers status, failing the
// test at the deadline. The key refresh it waits for happens in
// another process, on that process's clock, so polling is the only way
// to observe it.
func waitStatus(t *testing.T, url, token string, status int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, body := get(t, url, token)
		if resp.StatusCode == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: status %d after %v, want %d; body %s",
				url, resp.StatusCode, timeout, status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIssuerDown runs each program against an issuer whose key set
// cannot be fetched: a valid token gets 503 with Retry-After, never a
// claim that it is invalid.
func TestIssuerDown(t *testing.T) {
	forEachProgram(t, func(t *testing.T, name string) {
		iss := gatetest.New(t)
		iss.SetFault(gatetest.Fault{Status: http.StatusInternalServerError})
		p := start(t, name, "-issuer", iss.URL, "-audience", gatetest.Audience)

		resp, body := get(t, p.base+"/me", iss.Mint(nil))
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503; body %s", resp.StatusCode, body)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		if got := resp.Header.Get("WWW-Authenticate"); strings.Contains(got, "invalid_token") {
			t.Errorf("WWW-Authenticate %q calls the token invalid", got)
		}
	})
}
