package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain serves a stack when the test binary runs as a child of
// TestRun, and otherwise runs the tests and fails on any goroutine
// left behind.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-serve" {
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// TestRun runs one short round on Gin, both token modes, with this
// test binary as the children, and checks that every stack answered
// every request and every table was printed.
func TestRun(t *testing.T) {
	cfg, err := parseFlags([]string{"-framework", "gin", "-duration", "200ms",
		"-warmup", "50ms", "-count", "1", "-conns", "4", "-pool", "10"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"gin, one reused token", "gin, a pool of 10 tokens",
		"bar: jwtgate"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "fail") || strings.Contains(got, "void") {
		t.Errorf("some requests failed:\n%s", got)
	}
}

// TestReadResponse reads responses as the servers write them, and
// rejects what the load generator cannot count.
func TestReadResponse(t *testing.T) {
	tests := []struct {
		name, in string
		status   int
		body     string
		err      error
	}{
		{"net/http", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" +
			"Content-Length: 6\r\n\r\nuser-1", 200, "user-1", nil},
		{"fasthttp", "HTTP/1.1 200 OK\r\nServer: x\r\ncontent-length: 6\r\n\r\nuser-1",
			200, "user-1", nil},
		{"empty 401", "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 401, "", nil},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nuser-1\r\n0\r\n\r\n",
			200, "", errMalformed},
		{"bad status", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", 0, "", errMalformed},
		{"not http", "SSH-2.0-OpenSSH\r\n", 0, "", errMalformed},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: six\r\n\r\n", 200, "", errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.in))
			status, body, err := readResponse(br, nil)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if status != tt.status || (err == nil && string(body) != tt.body) {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.body)
			}
		})
	}
}

// TestResponsesInARow reads two responses from one connection's
// stream, as a worker does.
func TestResponsesInARow(t *testing.T) {
	one := "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nuser-1"
	br := bufio.NewReader(strings.NewReader(one + one))
	var buf []byte
	for i := range 2 {
		status, body, err := readResponse(br, buf)
		if err != nil || status != 200 || string(body) != "user-1" {
			t.Fatalf("response %d: %d %q %v", i, status, body, err)
		}
		buf = body
	}
}

// TestParseFlags checks the defaults and the rejection of unknown
// names.
func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.frameworks) != 4 || len(cfg.modes) != 2 || cfg.count != 3 || cfg.pool != 1000 {
		t.Errorf("defaults %+v", cfg)
	}
	cfg, err = parseFlags([]string{"-mode", "pool, reused", "-framework", "fiber"})
	if err != nil || cfg.modes[0] != modeReused || cfg.frameworks[0] != "fiber" {
		t.Errorf("got %+v, %v", cfg, err)
	}
	for _, args := range [][]string{{"-mode", "cold"}, {"-framework", "chi"}, {"-count", "0"}} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
