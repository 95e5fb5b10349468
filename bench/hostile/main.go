//go:build unix

// Command hostile runs the built lyncprobe binary against each hostile
// server of internal/hostile and prints a Markdown table: wall time against
// --timeout and peak memory (RSS) per behaviour. Run it through
// bench/hostile/run.sh, which builds the binary first.
//
//	go run ./bench/hostile --bin /tmp/lyncprobe [--timeout 5s] [--only NAME]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/hostile"
)

func main() {
	bin := flag.String("bin", "", "the lyncprobe binary to run")
	timeout := flag.Duration("timeout", 5*time.Second, "--timeout given to lyncprobe check")
	only := flag.String("only", "", "run only behaviours whose name contains this")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "hostile: --bin is required")
		os.Exit(2)
	}
	fmt.Printf("`lyncprobe check --timeout %s`, one run per behaviour.\n\n", *timeout)
	fmt.Println("| behaviour | what the server does | wall time | over --timeout | peak RSS | exit |")
	fmt.Println("|---|---|---:|---:|---:|---:|")
	failed := false
	for _, b := range hostile.Behaviours() {
		if !strings.Contains(b.Name, *only) {
			continue
		}
		row, ok := measure(*bin, b, *timeout)
		failed = failed || !ok
		fmt.Println(row)
	}
	if failed {
		os.Exit(1)
	}
}

// measure runs one check against b; ok is false when the goals (within 1 s
// of --timeout, under 100 MB) are missed or the binary did not run.
func measure(bin string, b hostile.Behaviour, timeout time.Duration) (string, bool) {
	dir, err := os.MkdirTemp("", "hostile")
	if err != nil {
		return fmt.Sprintf("| %s | %s | setup failed: %v | | | |", b.Name, b.Does, err), false
	}
	defer os.RemoveAll(dir)
	s, err := hostile.Start(b, dir)
	if err != nil {
		return fmt.Sprintf("| %s | %s | setup failed: %v | | | |", b.Name, b.Does, err), false
	}
	defer s.Close()
	cfg, err := s.WriteConfig(dir)
	if err != nil {
		return fmt.Sprintf("| %s | %s | setup failed: %v | | | |", b.Name, b.Does, err), false
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "check", "-c", cfg, "--timeout", timeout.String(), "--no-color")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		return fmt.Sprintf("| %s | %s | did not run: %v | | | |", b.Name, b.Does, err), false
	}
	rssMB := peakRSS(cmd.ProcessState) / 1024
	over := wall - timeout
	ok := over <= time.Second && rssMB < 100 && cmd.ProcessState.ExitCode() != 2
	return fmt.Sprintf("| %s | %s | %.2f s | %+.2f s | %d MB | %d |", b.Name, b.Does,
		wall.Seconds(), over.Seconds(), rssMB, cmd.ProcessState.ExitCode()), ok
}

// peakRSS is the child's maximum resident set in KB (Linux reports KB).
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
