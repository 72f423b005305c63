package benchmarks

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
)

// route is the protected route every framework serves.
const route = "/me"

// recorder is a ResponseWriter that keeps its memory from one request
// to the next, so that a benchmark times the stack rather than the
// recorder, as a server's pooled connection state would.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

// Header returns the response header map.
func (w *recorder) Header() http.Header { return w.header }

// WriteHeader records the status of the first call.
func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// Write appends to the body.
func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, p...)
	return len(p), nil
}

// WriteString appends to the body without a conversion.
func (w *recorder) WriteString(s string) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, s...)
	return len(s), nil
}

// reset forgets the last response.
func (w *recorder) reset() {
	clear(w.header)
	w.status = 0
	w.body = w.body[:0]
}

// httpRequester serves one prepared request through an http.Handler:
// a net/http handler chain, a Gin engine or an Echo instance.
type httpRequester struct {
	h http.Handler
	r *http.Request
	w recorder
}

// newHTTPRequester prepares GET /me with token as Bearer credentials.
func newHTTPRequester(h http.Handler, token string) *httpRequester {
	r := httptest.NewRequest(http.MethodGet, route, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return &httpRequester{h: h, r: r, w: recorder{header: http.Header{}}}
}

// Do serves the request once.
func (q *httpRequester) Do() int {
	q.w.reset()
	q.h.ServeHTTP(&q.w, q.r)
	if q.w.status == 0 {
		return http.StatusOK
	}
	return q.w.status
}

// Body returns the last response's body.
func (q *httpRequester) Body() []byte { return q.w.body }

// httpStack returns the serving of h: Requesters over it, and a
// net/http server.
func httpStack(h http.Handler) serving {
	return serving{
		requester: func(token string) Requester { return newHTTPRequester(h, token) },
		serve: func(ctx context.Context, ln net.Listener) error {
			return serveHTTP(ctx, ln, h)
		},
	}
}
