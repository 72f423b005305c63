package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Route is the protected route every HTTP stack serves, for GET.
const Route = route

// ShutdownTimeout bounds how long Serve waits, once its context is
// done, for the requests in flight to finish.
const ShutdownTimeout = 5 * time.Second

// serverTimeout bounds each read of a request header and each idle
// wait between the requests of a connection on a net/http server.
const serverTimeout = 30 * time.Second

// errNoHTTP is Serve's answer for a stack that serves no HTTP.
var errNoHTTP = errors.New("benchmarks: the stack serves no HTTP")

// serving is how a stack serves requests: through Requesters in the
// process and, for an HTTP stack, on a network listener.
type serving struct {
	// requester makes a Requester that presents token.
	requester func(token string) Requester

	// serve serves HTTP on ln until ctx is done; nil for a raw stack.
	serve func(ctx context.Context, ln net.Listener) error
}

// rawServing is the serving of a raw stack, which has Requesters
// alone.
func rawServing(requester func(token string) Requester) serving {
	return serving{requester: requester}
}

// Serve serves the stack's Route on ln, with the server the framework
// runs in production (net/http's for net/http, Gin and Echo; fasthttp's
// through the app for Fiber), until ctx is done. It then shuts the
// server down, waiting up to ShutdownTimeout for the requests in flight,
// and returns. Serve closes ln. A raw stack serves no HTTP: Serve
// returns an error at once.
func (s *Stack) Serve(ctx context.Context, ln net.Listener) error {
	if s.newRequester.serve == nil {
		ln.Close()
		return fmt.Errorf("%w: %s", errNoHTTP, s.ID())
	}
	return s.newRequester.serve(ctx, ln)
}

// serveHTTP serves h on ln with a net/http server until ctx is done.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: serverTimeout,
		IdleTimeout:       serverTimeout,
	}
	return serveUntil(ctx, ln, srv.Serve, srv.Shutdown)
}

// serveFiber serves app on ln until ctx is done.
func serveFiber(ctx context.Context, ln net.Listener, app *fiber.App) error {
	return serveUntil(ctx, ln, app.Listener, app.ShutdownWithContext)
}

// serveUntil runs serve on ln in a goroutine until ctx is done, then
// stops it with shutdown and waits for it to return. An error serve
// returns before ctx is done is returned; after, only shutdown's is.
func serveUntil(ctx context.Context, ln net.Listener, serve func(net.Listener) error,
	shutdown func(context.Context) error) error {
	done := make(chan error, 1)
	go func() { done <- serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}

	// Shut down, and close ln in case serve had not yet begun to
	// accept: a server shut down before it serves may never notice.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	err := shutdown(sctx)
	ln.Close()
	<-done
	return err
}
