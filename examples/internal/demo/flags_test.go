package demo_test

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"testing"
	"time"

	jwtgate "github.com/jwtgate/jwtgate/core"
	"github.com/jwtgate/jwtgate/examples/internal/demo"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    demo.Flags
		wantErr bool
	}{
		{
			name: "defaults",
			want: demo.Flags{Addr: demo.DefaultAddr},
		},
		{
			name: "discovery",
			args: []string{"-addr", ":0", "-issuer", "https://id.example/", "-audience", "api"},
			want: demo.Flags{Addr: ":0", Issuer: "https://id.example/", Audience: "api"},
		},
		{
			name: "jwks and refresh",
			args: []string{
				"-jwks", "https://id.example/keys", "-issuer", "https://id.example/",
				"-audience", "api", "-refresh", "30s",
			},
			want: demo.Flags{
				Addr: demo.DefaultAddr, JWKS: "https://id.example/keys",
				Issuer: "https://id.example/", Audience: "api", Refresh: 30 * time.Second,
			},
		},
		{
			name: "embedded with audience",
			args: []string{"-audience", "mine"},
			want: demo.Flags{Addr: demo.DefaultAddr, Audience: "mine"},
		},
		{name: "jwks, no issuer", args: []string{"-jwks", "https://a.example/k"}, wantErr: true},
		{name: "no audience", args: []string{"-issuer", "https://a.example/"}, wantErr: true},
		{name: "negative refresh", args: []string{"-refresh", "-1s"}, wantErr: true},
		{name: "bad duration", args: []string{"-refresh", "soon"}, wantErr: true},
		{name: "unknown flag", args: []string{"-port", "80"}, wantErr: true},
		{name: "stray argument", args: []string{"serve"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := demo.ParseFlags("test", tt.args, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseFlags(%q) error = %v, want error: %v", tt.args, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("ParseFlags(%q) = %+v, want %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	_, err := demo.ParseFlags("test", []string{"-h"}, io.Discard)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("ParseFlags(-h) error = %v, want flag.ErrHelp", err)
	}
}

func TestGateConfig(t *testing.T) {
	const iss, keys = "https://id.example/", "https://id.example/keys"
	tests := []struct {
		name              string
		flags             demo.Flags
		wantIssuer        jwtgate.Issuer
		wantAudience      []string
		refresh, min, max time.Duration
	}{
		{
			name:         "discovery, default refresh",
			flags:        demo.Flags{Issuer: iss, Audience: "api"},
			wantIssuer:   jwtgate.Issuer{Name: iss},
			wantAudience: []string{"api"},
		},
		{
			name: "jwks, short refresh",
			flags: demo.Flags{
				Issuer: iss, JWKS: keys, Audience: "api", Refresh: time.Second,
			},
			wantIssuer:   jwtgate.Issuer{Name: iss, JWKSURL: keys},
			wantAudience: []string{"api"},
			refresh:      time.Second, min: time.Second, max: time.Second,
		},
		{
			name:         "long refresh",
			flags:        demo.Flags{Issuer: iss, Audience: "api", Refresh: time.Hour},
			wantIssuer:   jwtgate.Issuer{Name: iss},
			wantAudience: []string{"api"},
			refresh:      time.Hour, min: jwtgate.DefaultMinRefreshInterval, max: time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.flags.GateConfig(nil)
			if !reflect.DeepEqual(cfg.Issuers, []jwtgate.Issuer{tt.wantIssuer}) {
				t.Errorf("Issuers = %+v, want [%+v]", cfg.Issuers, tt.wantIssuer)
			}
			if !reflect.DeepEqual(cfg.Audience, tt.wantAudience) {
				t.Errorf("Audience = %q, want %q", cfg.Audience, tt.wantAudience)
			}
			got := [3]time.Duration{
				cfg.RefreshInterval, cfg.MinRefreshInterval, cfg.MaxRefreshInterval,
			}
			if want := [3]time.Duration{tt.refresh, tt.min, tt.max}; got != want {
				t.Errorf("refresh, min, max = %v, want %v", got, want)
			}
			g, err := jwtgate.New(cfg)
			if err != nil {
				t.Fatalf("jwtgate.New: %v", err)
			}
			g.Close()
		})
	}
}
