package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
)

// samples holds a framework's results by mode and stack name, one
// per round.
type samples map[string]map[string][]result

// run measures every framework of cfg in turn, printing a line per run
// and the framework's tables once its rounds are done.
func run(ctx context.Context, cfg config, out io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s tokens, %d connections, %v per run after %v of warm-up, "+
		"%d rounds; server and load generator in separate processes on %d CPUs\n\n",
		alg, cfg.conns, cfg.duration, cfg.warmup, cfg.count, runtime.NumCPU())
	for _, fw := range cfg.frameworks {
		if err := runFramework(ctx, exe, fw, cfg, out); err != nil {
			return fmt.Errorf("%s: %w", fw, err)
		}
	}
	return nil
}

// runFramework starts a child for every stack of fw, runs the rounds
// and prints the tables.
func runFramework(ctx context.Context, exe, fw string, cfg config, out io.Writer) error {
	pool := cfg.pool
	if len(cfg.modes) == 1 && cfg.modes[0] == modeReused {
		pool = 1
	}
	servers, err := startServers(ctx, exe, fw, pool)
	if err != nil {
		return err
	}
	defer stopAll(servers)

	got := samples{}
	for round := range cfg.count {
		for _, mode := range cfg.modes {
			if got[mode] == nil {
				got[mode] = map[string][]result{}
			}
			for i := range servers {
				s := servers[(i+round)%len(servers)]
				r, err := measure(ctx, s.Addr, s.requests[mode], cfg)
				if err != nil {
					return err
				}
				got[mode][s.Name] = append(got[mode][s.Name], r)
				printRun(out, fw, mode, round, cfg.count, s.Name, r)
			}
		}
	}
	fmt.Fprintln(out)
	for _, mode := range cfg.modes {
		printTable(out, fw, mode, cfg, servers, got[mode])
	}
	return nil
}
