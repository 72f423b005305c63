package gatetest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// errReset is how a request broken by Fault.Reset fails through Client.
var errReset = fmt.Errorf("gatetest: connection reset by issuer: %w", io.ErrUnexpectedEOF)

// Client returns an HTTP client that serves every request for the
// issuer's URL, whatever its path, by calling Handler in-process. Requests
// for any other scheme or host fail with an error. It works for issuers
// made by New and by NewInMemory alike.
//
// Each request runs the handler on a goroutine of its own, which ends once
// the response is complete, or as soon as the request's context ends or
// its body is closed; Close waits for it. When the context ends before the
// response header, the request fails with the context's error; a request
// broken by Fault.Reset fails with an error wrapping io.ErrUnexpectedEOF.
func (i *Issuer) Client() *http.Client {
	return &http.Client{Transport: &transport{origin: i.URL, handler: i.Handler()}}
}

// transport is an http.RoundTripper that calls a handler in-process.
type transport struct {
	origin  string // scheme and host it serves, as in Issuer.URL
	handler http.Handler
}

// RoundTrip serves req with the handler and returns once the handler has
// sent the response header.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme+"://"+req.URL.Host != t.origin {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("gatetest: %s is not served by issuer %s",
			req.URL.Redacted(), t.origin)
	}

	ctx, cancel := context.WithCancel(req.Context())
	w := newMemWriter(serverRequest(ctx, req))
	go w.serve(t.handler)

	select {
	case <-w.ready:
	case <-ctx.Done():
	}
	if err := w.failure(); err != nil {
		cancel()
		<-w.done
		return nil, err
	}
	return w.response(req, cancel), nil
}

// serverRequest returns req as a handler would receive it, with ctx as its
// context.
func serverRequest(ctx context.Context, req *http.Request) *http.Request {
	r := req.Clone(ctx)
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "192.0.2.1:1234" // a TEST-NET-1 address, as httptest uses
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	return r
}

// memWriter is the http.ResponseWriter of one in-process request. The
// handler writes into a buffer that the response body reads from, so
// the handler never waits for the reader.
type memWriter struct {
	req    *http.Request // as the handler sees it; Body.Close ends its context
	header http.Header   // used by the handler goroutine only

	ready     chan struct{} // closed once the header is sent or the handler ends
	readyOnce sync.Once
	more      chan struct{} // holds a token when buf or err may have changed
	done      chan struct{} // closed when the handler has returned

	mu     sync.Mutex  // guards the fields below
	status int         // status code sent; 0 before the header is sent
	sent   http.Header // the header as sent
	buf    []byte      // body written and not yet read
	err    error       // once the handler ends: io.EOF, or why the body broke
}

// newMemWriter returns a writer for the response to r.
func newMemWriter(r *http.Request) *memWriter {
	return &memWriter{
		req:    r,
		header: make(http.Header),
		ready:  make(chan struct{}),
		more:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
}

// serve runs h for the request and records how it ended.
func (w *memWriter) serve(h http.Handler) {
	defer close(w.done)
	defer func() { _ = w.req.Body.Close() }()
	defer func() {
		switch v := recover(); v {
		case nil:
			w.end(nil)
		case http.ErrAbortHandler:
			w.end(errReset)
		default:
			panic(v)
		}
	}()
	h.ServeHTTP(w, w.req)
}

// Header returns the header the handler is building.
func (w *memWriter) Header() http.Header { return w.header }

// WriteHeader sends the header with status code. Informational codes
// and repeated calls are ignored.
func (w *memWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.commitLocked(code)
}

// Write appends p to the body, sending the header first if needed.
func (w *memWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, io.ErrClosedPipe
	}
	if err := w.req.Context().Err(); err != nil {
		return 0, err
	}
	w.commitLocked(http.StatusOK)
	w.buf = append(w.buf, p...)
	w.signal()
	return len(p), nil
}

// Flush sends the header if it has not been sent. Written bytes need no
// flushing: the reader sees them at once.
func (w *memWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.commitLocked(http.StatusOK)
}

// breakConnection fails the request as a broken connection.
func (w *memWriter) breakConnection() { w.end(errReset) }

// commitLocked sends the header with code unless it was sent or the
// handler ended. The caller holds w.mu.
func (w *memWriter) commitLocked(code int) {
	if w.status != 0 || w.err != nil || code < 200 {
		return
	}
	w.status = code
	w.sent = w.header.Clone()
	w.readyOnce.Do(func() { close(w.ready) })
}

// end records that the response is over: complete when err is nil, or
// broken by err. Only the first call counts.
func (w *memWriter) end(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	if err == nil {
		w.commitLocked(http.StatusOK)
		err = io.EOF
		if cerr := w.req.Context().Err(); cerr != nil {
			err = cerr // the handler may have stopped short
		}
	}
	w.err = err
	w.readyOnce.Do(func() { close(w.ready) })
	w.signal()
}

// signal wakes a waiting reader. The caller holds w.mu.
func (w *memWriter) signal() {
	select {
	case w.more <- struct{}{}:
	default:
	}
}

// failure returns why the request produced no response, or nil.
func (w *memWriter) failure() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.req.Context().Err(); err != nil {
		return err
	}
	if w.status == 0 {
		return w.err
	}
	return nil
}

// response returns the response to req once the header has been sent.
// cancel ends the handler's context.
func (w *memWriter) response(req *http.Request, cancel context.CancelFunc) *http.Response {
	w.mu.Lock()
	defer w.mu.Unlock()
	resp := &http.Response{
		Status:        fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		Body:          &memBody{w: w, cancel: cancel},
		ContentLength: -1,
		Request:       req,
	}
	if n, err := strconv.ParseInt(w.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	return resp
}

// read waits for body bytes and copies them into p.
func (w *memWriter) read(p []byte) (int, error) {
	for {
		n, err := w.take(p)
		if n > 0 || err != nil || len(p) == 0 {
			return n, err
		}
		select {
		case <-w.more:
		case <-w.req.Context().Done():
			return 0, w.req.Context().Err()
		}
	}
}

// take copies buffered body bytes into p. With none buffered it returns
// how the body ended, or nil while the handler is still writing.
func (w *memWriter) take(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := copy(p, w.buf)
	w.buf = w.buf[n:]
	if n > 0 {
		return n, nil
	}
	return 0, w.err
}

// memBody is the body of an in-process response.
type memBody struct {
	w      *memWriter
	cancel context.CancelFunc
	closed atomic.Bool
}

// Read reads the body as the handler writes it. It fails with the
// request's context error once that context ends.
func (b *memBody) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.w.read(p)
	if err == io.EOF {
		b.cancel() // the handler is done; release the context
	}
	return n, err
}

// Close ends the request's context and waits for the handler to return.
func (b *memBody) Close() error {
	b.closed.Store(true)
	b.cancel()
	<-b.w.done
	return nil
}
