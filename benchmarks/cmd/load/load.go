package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtgate/jwtgate/benchmarks"
)

// dialTimeout bounds each connection's dial.
const dialTimeout = 5 * time.Second

// ioSlack is how long after a run's planned end a read or write may
// still wait before it fails: a server that stops answering ends the
// run instead of stalling it.
const ioSlack = 10 * time.Second

// result is what one run measured.
type result struct {
	rate  float64 // 200 responses per second in the measured span
	fails int64   // requests answered otherwise, or not at all
	err   error   // the first failure
}

// worker sends requests on one connection, one at a time.
type worker struct {
	conn net.Conn
	br   *bufio.Reader
	reqs [][]byte // sent in turn, from next
	next int
	body []byte

	fails int64 // read after the worker stops
	err   error // the first failure; read after the worker stops

	// ok, on a cache line of its own, counts the 200 responses with
	// the subject; the parent reads it while the worker runs.
	_  [64]byte
	ok atomic.Int64
	_  [56]byte
}

// measure opens conns connections to addr and sends reqs on them
// round-robin, each connection starting at its own offset, for warmup
// and then for duration, and returns the rate of good answers in the
// second span. Only ctx's end makes it return an error; every other
// failure is in the result.
func measure(ctx context.Context, addr string, reqs [][]byte, cfg config) (result, error) {
	ws, err := dial(addr, reqs, cfg)
	if err != nil {
		return result{fails: 1, err: err}, nil
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { w.run(&stop) })
	}

	// Count the good answers between the end of the warm-up and the
	// end of the run.
	err = sleep(ctx, cfg.warmup)
	n0, t0 := answered(ws), time.Now()
	if err == nil {
		err = sleep(ctx, cfg.duration)
	}
	n1, t1 := answered(ws), time.Now()

	stop.Store(true)
	wg.Wait()
	r := result{rate: float64(n1-n0) / t1.Sub(t0).Seconds()}
	for _, w := range ws {
		w.conn.Close()
		r.fails += w.fails
		if r.err == nil {
			r.err = w.err
		}
	}
	return r, err
}

// dial opens the connections of a run, with a deadline past its end.
func dial(addr string, reqs [][]byte, cfg config) ([]*worker, error) {
	deadline := time.Now().Add(cfg.warmup + cfg.duration + ioSlack)
	ws := make([]*worker, cfg.conns)
	for i := range ws {
		c, err := net.DialTimeout("tcp", addr, dialTimeout)
		if err == nil {
			err = c.SetDeadline(deadline)
		}
		if err != nil {
			for _, w := range ws[:i] {
				w.conn.Close()
			}
			return nil, err
		}
		ws[i] = &worker{conn: c, br: bufio.NewReader(c), reqs: reqs,
			next: i * len(reqs) / cfg.conns}
	}
	return ws, nil
}

// run sends requests until stop is set or the connection fails.
func (w *worker) run(stop *atomic.Bool) {
	for !stop.Load() {
		if _, err := w.conn.Write(w.reqs[w.next]); err != nil {
			w.fail(err)
			return
		}
		w.next = (w.next + 1) % len(w.reqs)
		status, body, err := readResponse(w.br, w.body)
		if err != nil {
			w.fail(err)
			return
		}
		w.body = body
		if status != 200 || string(body) != benchmarks.Subject {
			w.fail(fmt.Errorf("status %d, body %.60q", status, body))
			continue
		}
		w.ok.Add(1)
	}
}

// fail counts a failure and keeps the first.
func (w *worker) fail(err error) {
	w.fails++
	if w.err == nil {
		w.err = err
	}
}

// answered returns the good answers so far.
func answered(ws []*worker) int64 {
	var n int64
	for _, w := range ws {
		n += w.ok.Load()
	}
	return n
}

// sleep waits for d or for ctx's end.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
