//go:build unix

package main

import "golang.org/x/sys/unix"

// termWidth is the terminal's width in columns, 0 when fd is not one.
func termWidth(fd uintptr) int {
	ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
