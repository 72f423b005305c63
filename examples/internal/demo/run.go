package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// shutdownTimeout bounds the wait for requests in flight at shutdown.
const shutdownTimeout = 10 * time.Second

// Server is what an example serves: an *http.Server, or a wrapper
// around a framework that runs its own server.
type Server interface {
	// Serve accepts connections on ln until Shutdown.
	Serve(ln net.Listener) error

	// Shutdown stops accepting connections and waits, until ctx ends,
	// for the requests in flight.
	Shutdown(ctx context.Context) error
}

// NewServer builds an example's routes around g.
type NewServer func(g *jwtgate.Gate) Server

// Main runs the example program called name, whose routes newServer
// builds, with the process's arguments until SIGINT or SIGTERM, and
// exits: with status 0 after a clean shutdown, 2 for a bad command
// line, 1 for any other failure.
func Main(name string, newServer NewServer) {
	os.Exit(mainStatus(name, newServer))
}

// mainStatus is Main without the exit, so that deferred calls run.
func mainStatus(name string, newServer NewServer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	f, err := ParseFlags(name, os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := Run(ctx, f, os.Stdout, logger, newServer); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

// Run sets up the Gate as f says, starting the embedded issuer when f
// names none, listens on f.Addr, prints to stdout how to try the
// program and the "listening on" line, and serves the routes of
// newServer until ctx ends. It then shuts the server down, closes the
// Gate and the issuer, and returns nil.
func Run(ctx context.Context, f Flags, stdout io.Writer, logger *slog.Logger,
	newServer NewServer) error {
	var iss *Issuer
	if f.Embedded() {
		var err error
		if iss, err = startEmbedded(&f); err != nil {
			return err
		}
		defer iss.Close()
	}

	gate, err := jwtgate.New(f.GateConfig(logger))
	if err != nil {
		return err
	}
	defer gate.Close()

	ln, err := net.Listen("tcp", f.Addr)
	if err != nil {
		return err
	}
	base := BaseURL(ln.Addr())
	if iss != nil {
		if err := PrintTry(stdout, iss, base); err != nil {
			ln.Close()
			return err
		}
	}
	if _, err := fmt.Fprintf(stdout, "listening on %s\n", base); err != nil {
		ln.Close()
		return err
	}
	return serve(ctx, newServer(gate), ln)
}

// startEmbedded starts the embedded issuer for the audience of f, or
// DefaultAudience, and points f at it.
func startEmbedded(f *Flags) (*Issuer, error) {
	if f.Audience == "" {
		f.Audience = DefaultAudience
	}
	iss, err := StartIssuer(f.Audience)
	if err != nil {
		return nil, fmt.Errorf("embedded issuer: %w", err)
	}
	f.Issuer = iss.URL
	return iss, nil
}

// serve runs srv on ln until ctx ends or srv fails, then shuts it
// down.
func serve(ctx context.Context, srv Server, ln net.Listener) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// BaseURL returns the http URL of a listener's address. An unspecified
// IP (listening on every interface) is given as the loopback one of
// its family, so that the URL can be used from the same machine.
func BaseURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return "http://" + addr.String()
	}
	host := "127.0.0.1"
	if tcp.IP.To4() == nil {
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// HTTPServer returns an *http.Server for h with timeouts fit for a
// service that faces clients directly.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}
