package examples_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limits of a program's life in a test.
const (
	startTimeout = 30 * time.Second // until the listening line
	stopTimeout  = 15 * time.Second // from the signal to the exit
)

// program is an example program running in a test.
type program struct {
	// base is the URL of the "listening on" line.
	base string

	// vars are the NAME=value lines printed before it.
	vars map[string]string

	cmd    *exec.Cmd
	stderr lockedBuffer
	ready  chan struct{} // closed at the listening line
	exited chan struct{} // closed once the process has been waited for

	mu      sync.Mutex
	out     []string // stdout lines so far; guarded by mu
	waitErr error    // the result of cmd.Wait, readable once exited is closed
}

// start runs the program called name with args on a free loopback port
// and returns once it prints its listening line. At the test's end the
// program gets SIGINT and must exit with status 0.
func start(t *testing.T, name string, args ...string) *program {
	t.Helper()
	p := &program{
		vars:   map[string]string{},
		ready:  make(chan struct{}),
		exited: make(chan struct{}),
	}
	bin := filepath.Join(binDir, name)
	p.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Stderr = &p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go p.read(bufio.NewScanner(stdout))
	t.Cleanup(func() { p.stop(t) })

	select {
	case <-p.ready:
	case <-p.exited:
		t.Fatalf("%s exited before listening: %v\nstderr:\n%s", name, p.waitErr, &p.stderr)
	case <-time.After(startTimeout):
		t.Fatalf("%s printed no listening line in %v\nstdout:\n%s\nstderr:\n%s",
			name, startTimeout, p.stdout(), &p.stderr)
	}
	return p
}

// read collects the program's stdout to its end, then waits for the
// process, as exec requires: Wait only after every read.
func (p *program) read(sc *bufio.Scanner) {
	defer close(p.exited)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		p.line(sc.Text())
	}
	p.waitErr = p.cmd.Wait()
}

// line records one line of stdout.
func (p *program) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out = append(p.out, s)
	select {
	case <-p.ready:
		return // printed after the listening line: kept only
	default:
	}
	if base, ok := strings.CutPrefix(s, "listening on "); ok {
		p.base = base
		close(p.ready)
		return
	}
	if name, value, ok := strings.Cut(s, "="); ok && !strings.ContainsAny(name, " #") {
		p.vars[name] = value
	}
}

// stdout returns what the program printed so far.
func (p *program) stdout() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.out, "\n")
}

// stop interrupts the program and checks that it exits cleanly and
// printed exactly one listening line, killing it if it hangs.
func (p *program) stop(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		t.Errorf("exited before the test's end: %v", p.waitErr)
	default:
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Errorf("interrupt: %v", err)
		}
	}
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("no exit %v after SIGINT; killed", stopTimeout)
	}
	if p.waitErr != nil {
		t.Errorf("exit after SIGINT: %v", p.waitErr)
	}
	if n := strings.Count(p.stdout(), "listening on "); n != 1 {
		t.Errorf("%d listening lines, want 1", n)
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", p.stdout(), &p.stderr)
	}
}

// lockedBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer // guarded by mu
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
