//go:build unix

// Package fifotest makes named pipes for the tests that prove lyncprobe
// never blocks reading one; where the system has none (Windows) Make
// fails and those tests skip.
package fifotest

import "syscall"

// Make creates a FIFO at path.
func Make(path string) error { return syscall.Mkfifo(path, 0o600) }
