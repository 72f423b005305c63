package demo

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
)

// DefaultAddr is the address the programs listen on without -addr.
const DefaultAddr = "127.0.0.1:8080"

// DefaultAudience is the audience of the embedded issuer's tokens, and
// the one the Gate requires, when -audience is not given.
const DefaultAudience = "jwtgate-example"

// Flags is a program's parsed command line.
type Flags struct {
	// Addr is the TCP address to listen on; port 0 picks a free one.
	Addr string

	// JWKS is the URL of the issuer's key set. Empty: found by OpenID
	// Connect discovery from Issuer.
	JWKS string

	// Issuer is the accepted token issuer. Empty: the embedded issuer
	// runs and is the only one accepted.
	Issuer string

	// Audience is the aud value tokens must name. Required with
	// Issuer; DefaultAudience for the embedded issuer.
	Audience string

	// Refresh is the longest time between two fetches of the key set.
	// Zero: the core's defaults.
	Refresh time.Duration
}

// ParseFlags parses the arguments of the program called name, writing
// usage and errors to output. It returns flag.ErrHelp for -h.
func ParseFlags(name string, args []string, output io.Writer) (Flags, error) {
	var f Flags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&f.Addr, "addr", DefaultAddr, "listen `address` (port 0 picks a free one)")
	fs.StringVar(&f.JWKS, "jwks", "", "key set `URL` of the issuer (needs -issuer)")
	fs.StringVar(&f.Issuer, "issuer", "",
		"accepted token issuer `URL`; keys by discovery unless -jwks is set\n"+
			"(neither: run an embedded issuer and print tokens to try)")
	fs.StringVar(&f.Audience, "audience", "",
		"`name` tokens must have in aud (default "+DefaultAudience+" for the embedded issuer)")
	fs.DurationVar(&f.Refresh, "refresh", 0,
		"fetch the key set at least this often (`duration`; default 5m, or the issuer's max-age)")
	if err := fs.Parse(args); err != nil {
		return Flags{}, err
	}
	if fs.NArg() > 0 {
		return Flags{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f, f.check()
}

// check reports flag combinations that cannot work.
func (f Flags) check() error {
	switch {
	case f.JWKS != "" && f.Issuer == "":
		return errors.New("-jwks needs -issuer: every token's iss is checked")
	case f.Issuer != "" && f.Audience == "":
		return errors.New("-issuer needs -audience: every token's aud is checked")
	case f.Refresh < 0:
		return errors.New("-refresh is negative")
	}
	return nil
}

// Embedded reports whether the flags name no issuer, so that the
// program runs its own.
func (f Flags) Embedded() bool {
	return f.Issuer == ""
}

// GateConfig returns the Gate configuration the flags describe, with
// logger for the Gate's background events. Call it once Issuer is set.
//
// A Refresh shorter than the core's minimum lowers the bound on the
// issuer's Cache-Control max-age with it, and Refresh also caps that
// max-age, so that keys are fetched at least every Refresh whatever
// the issuer says.
func (f Flags) GateConfig(logger *slog.Logger) jwtgate.Config {
	cfg := jwtgate.Config{
		Issuers:  []jwtgate.Issuer{{Name: f.Issuer, JWKSURL: f.JWKS}},
		Audience: []string{f.Audience},
		Logger:   logger,
	}
	if f.Refresh > 0 {
		cfg.RefreshInterval = f.Refresh
		cfg.MinRefreshInterval = min(f.Refresh, jwtgate.DefaultMinRefreshInterval)
		cfg.MaxRefreshInterval = f.Refresh
	}
	return cfg
}
