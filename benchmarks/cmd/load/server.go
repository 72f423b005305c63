package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// startTimeout bounds how long a child may take to build its stack,
// mint its tokens and report.
const startTimeout = 2 * time.Minute

// server is a child process serving one stack.
type server struct {
	hello
	cmd   *exec.Cmd
	stdin io.Closer

	// requests holds, by mode, the requests to send, prepared.
	requests map[string][][]byte
}

// startServers starts a child for every stack of fw, waits for their
// reports and returns them in the framework's order. pool is the size
// of the token pool each mints.
func startServers(ctx context.Context, exe, fw string, pool int) ([]*server, error) {
	first, err := startServer(ctx, exe, fw, 0, pool)
	if err != nil {
		return nil, err
	}
	servers := []*server{first}
	for i := 1; i < first.Stacks; i++ {
		s, err := startServer(ctx, exe, fw, i, pool)
		if err != nil {
			stopAll(servers)
			return nil, err
		}
		servers = append(servers, s)
	}
	return servers, nil
}

// startServer starts the child serving stack i of fw and reads its
// report.
func startServer(ctx context.Context, exe, fw string, i, pool int) (*server, error) {
	cmd := exec.CommandContext(ctx, exe, "-serve", fw, "-stack", strconv.Itoa(i),
		"-pool", strconv.Itoa(pool))
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = benchmarks.ShutdownTimeout + time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stdin: stdin}

	timer := time.AfterFunc(startTimeout, func() { cmd.Process.Kill() })
	err = json.NewDecoder(stdout).Decode(&s.hello)
	timer.Stop()
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("starting %s stack %d: %w", fw, i, err)
	}
	s.requests = map[string][][]byte{
		modeReused: {request(s.Addr, s.Token)},
		modePool:   requests(s.Addr, s.Pool),
	}
	return s, nil
}

// stop closes the child's standard input, which stops it, and waits
// for it to exit.
func (s *server) stop() error {
	s.stdin.Close()
	return s.cmd.Wait()
}

// stopAll stops every server.
func stopAll(servers []*server) {
	for _, s := range servers {
		s.stop()
	}
}
