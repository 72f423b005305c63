package gatetest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"time"
)

// Fault describes how the issuer misbehaves when it answers a request for
// its key set or its discovery document. The zero value is a healthy
// issuer. Several fields may be combined: the issuer first waits (Hang,
// then Delay), then breaks the connection (Reset), and otherwise responds
// with Status and Body, written slowly if SlowBody is set.
//
// Every wait uses the time package's timers and ends early when the
// request's context ends, so inside a testing/synctest bubble it passes on
// the bubble's fake clock.
type Fault struct {
	// Status, if neither 0 nor 200, is the status code of the response,
	// which then carries a short plain-text body unless Body is set. It
	// must be a final status, 200 or above.
	Status int

	// Delay is how long the issuer waits before it responds.
	Delay time.Duration

	// Hang makes the issuer wait until the request's context ends. Like
	// every wait that a context ends, it then breaks the connection.
	Hang bool

	// Body, if not nil, is served instead of the real document, with
	// status 200 unless Status says otherwise.
	Body []byte

	// Reset breaks the connection instead of responding. Through
	// Issuer.Client the request then fails with an error wrapping
	// io.ErrUnexpectedEOF; over a real connection, such as one to the
	// server of New, the connection is hijacked and closed.
	Reset bool

	// SlowBody, if positive, sends the response header at once and then
	// the body one byte at a time, waiting SlowBody before each byte.
	SlowBody time.Duration
}

// SetFault makes every later request for the key set or the discovery
// document misbehave as f says, until ClearFault or the next SetFault.
// Requests already waiting keep the fault they started with.
func (i *Issuer) SetFault(f Fault) {
	f.Body = bytes.Clone(f.Body)

	i.mu.Lock()
	defer i.mu.Unlock()
	i.fault = f
}

// ClearFault makes the issuer healthy again.
func (i *Issuer) ClearFault() { i.SetFault(Fault{}) }

// hold waits as f asks before a response is written. It reports false
// when the request's context ended first.
func (f Fault) hold(ctx context.Context) bool {
	if f.Hang {
		<-ctx.Done()
		return false
	}
	return sleep(ctx, f.Delay)
}

// sleep waits for d or until ctx ends, and reports whether the full d
// passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// connBreaker is implemented by response writers that can fail a request
// as a broken connection without a real connection to break.
type connBreaker interface {
	breakConnection()
}

// breakConnection fails the request behind w as a broken connection. When
// w can be neither broken nor hijacked, it aborts the handler the way
// net/http servers understand.
func breakConnection(w http.ResponseWriter) {
	if b, ok := w.(connBreaker); ok {
		b.breakConnection()
		return
	}

	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // send a reset rather than an orderly close
	}
	_ = conn.Close()
}

// writeSlowly sends the header of w at once, then body one byte at a time
// with a pause of every before each byte. It stops when ctx ends or a
// write fails.
func writeSlowly(ctx context.Context, w http.ResponseWriter, body []byte, every time.Duration) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	for k := range body {
		if !sleep(ctx, every) {
			return
		}
		if _, err := w.Write(body[k : k+1]); err != nil {
			return
		}
		_ = rc.Flush()
	}
}
