package conformance

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// request describes one request of a case. The placeholder tokenVar in
// any of its strings stands for the case's token.
type request struct {
	method string      // default GET
	target string      // path and query, default /me
	auth   []string    // Authorization header values, one header each
	header [][2]string // other headers, name and value
}

// tokenVar is the placeholder for a case's token in a request.
const tokenVar = "{tok}"

// want is the exact response a case expects.
type want struct {
	status     int
	challenge  string // the WWW-Authenticate value; "" means no header
	retryAfter bool   // a Retry-After header with a positive number of seconds
	body       string // the exact body; "" means none
}

// newRequest builds r with tok in place of tokenVar.
func (r request) newRequest(tok string) *http.Request {
	fill := func(s string) string { return strings.ReplaceAll(s, tokenVar, tok) }
	method, target := r.method, r.target
	if method == "" {
		method = http.MethodGet
	}
	if target == "" {
		target = "/me"
	}
	req := httptest.NewRequest(method, fill(target), nil)
	for _, v := range r.auth {
		req.Header.Add("Authorization", fill(v))
	}
	for _, h := range r.header {
		req.Header.Add(h[0], fill(h[1]))
	}
	return req
}

// serve sends req through h and returns the recorded response.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// check compares a response with w, header by header, and makes sure
// it leaks neither the token nor any of the secrets.
func check(t testing.TB, rec *httptest.ResponseRecorder, w want, tok string, secrets []string) {
	t.Helper()
	res := rec.Result()
	body := rec.Body.String()
	if res.StatusCode != w.status {
		t.Errorf("status = %d, want %d (body %q)", res.StatusCode, w.status, body)
	}
	checkHeader(t, res.Header, "WWW-Authenticate", w.challenge)
	checkRetryAfter(t, res.Header, w.retryAfter)
	if body != w.body {
		t.Errorf("body = %q\n     want %q", body, w.body)
	}
	switch {
	case w.status >= 400:
		checkHeader(t, res.Header, "Content-Type", "application/json")
		checkHeader(t, res.Header, "Cache-Control", "no-store")
	case w.body != "":
		checkHeader(t, res.Header, "Content-Type", "application/json")
	}
	checkLeaks(t, res.Header, rec.Body.Bytes(), tok, secrets)
}

// sameAnswer fails unless two responses to the same request have the
// same status, headers and body.
func sameAnswer(t testing.TB, first, second *httptest.ResponseRecorder) {
	t.Helper()
	a, b := first.Result(), second.Result()
	if a.StatusCode != b.StatusCode || first.Body.String() != second.Body.String() {
		t.Errorf("the same request answered %d %q, then %d %q",
			a.StatusCode, first.Body, b.StatusCode, second.Body)
	}
	if !maps.EqualFunc(a.Header, b.Header, slices.Equal) {
		t.Errorf("the same request answered with headers %q, then %q", a.Header, b.Header)
	}
}

// checkHeader requires exactly one value v for name, or none if v is "".
func checkHeader(t testing.TB, h http.Header, name, v string) {
	t.Helper()
	got := h.Values(name)
	switch {
	case v == "" && len(got) > 0:
		t.Errorf("%s = %q, want no such header", name, got)
	case v != "" && (len(got) != 1 || got[0] != v):
		t.Errorf("%s = %q\n     want [%q]", name, got, v)
	}
}

// checkRetryAfter requires a Retry-After of delay-seconds when present
// is true, and no Retry-After otherwise.
func checkRetryAfter(t testing.TB, h http.Header, present bool) {
	t.Helper()
	got := h.Values("Retry-After")
	if !present {
		if len(got) > 0 {
			t.Errorf("Retry-After = %q, want no such header", got)
		}
		return
	}
	if len(got) != 1 {
		t.Errorf("Retry-After = %q, want one value", got)
		return
	}
	if n, err := strconv.Atoi(got[0]); err != nil || n < 1 {
		t.Errorf("Retry-After = %q, want a positive number of seconds", got[0])
	}
}

// minSecretLen is the shortest string checkLeaks looks for: shorter
// ones (test garbage such as "abc") could match by chance.
const minSecretLen = 16

// checkLeaks fails if the headers or the body contain the token, its
// signature, or any of the secrets.
func checkLeaks(t testing.TB, h http.Header, body []byte, tok string, secrets []string) {
	t.Helper()
	look := append([]string{tok}, secrets...)
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		look = append(look, tok[i+1:])
	}
	for _, s := range look {
		if len(s) < minSecretLen {
			continue
		}
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("the body contains the token or key material")
		}
		for name, vals := range h {
			for _, v := range vals {
				if strings.Contains(v, s) {
					t.Errorf("header %s contains the token or key material", name)
				}
			}
		}
	}
}
