// Package inputfile reads the files a user names (deployment configs, zone
// files, certificate files, password files, proxy configs) with hard
// bounds, and quotes their contents in messages only as a short, harmless
// token. In CI these files come from pull requests: a FIFO must not hang a
// run, /dev/zero must not fill memory, and /proc/self/environ must not end
// up in a log.
package inputfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// ErrNotRegular is the cause when a path names a FIFO, a device, a socket
// or a folder: such a file may never end, or never start.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is the cause when a file holds more than the cap its
// caller set.
type TooLargeError struct{ Max int64 }

func (e *TooLargeError) Error() string {
	if e.Max >= 1<<20 && e.Max%(1<<20) == 0 {
		return fmt.Sprintf("larger than %d MiB", e.Max>>20)
	}
	return fmt.Sprintf("larger than %d KB", e.Max>>10)
}

// chunk is how much Read reads between two looks at ctx.
const chunk = 64 << 10

// Read returns the contents of the regular file at path, refusing a file
// that is not regular (before any read: the open does not block on a
// FIFO), one larger than max bytes, and one that holds more than its size
// says (the kernel's files under /proc and /sys say 0). It stops when ctx ends. Every
// error it makes is an *fs.PathError naming path, whose Err is
// ErrNotRegular, a *TooLargeError, ctx's error or the system's.
func Read(ctx context.Context, path string, max int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := regular(f, fi); err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if fi.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Max: max}}
	}
	data, err := readSize(ctx, f, fi.Size())
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, nil
}

// readSize reads the size bytes a file says it holds, and one more to
// refuse a file that holds more: the kernel's files (/proc/self/environ)
// say 0 and hold the environment, a file may grow under a writer.
func readSize(ctx context.Context, f *os.File, size int64) ([]byte, error) {
	data := make([]byte, 0, size+1)
	r := io.LimitReader(f, size+1)
	buf := make([]byte, chunk)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := r.Read(buf)
		data = append(data, buf[:n]...)
		if int64(len(data)) > size {
			return nil, fmt.Errorf("%w: it holds more than its size says (a kernel or growing file)", ErrNotRegular)
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Check reports whether Read could read path now: it exists, is a
// regular file and opens. It reads nothing.
func Check(path string) error {
	f, err := openNoBlock(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := regular(f, fi); err != nil {
		return &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return nil
}

// regular refuses what is not a regular file, and a "regular" file that
// the runtime can poll: such a file (/proc/kmsg) waits for data like a
// FIFO, while a file on a disk is never pollable. SetReadDeadline tells
// the two apart: it fails with os.ErrNoDeadline on a file it cannot poll.
func regular(f *os.File, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return ErrNotRegular
	}
	if err := f.SetReadDeadline(time.Time{}); err == nil {
		return fmt.Errorf("%w: it waits for data", ErrNotRegular)
	}
	return nil
}

// Cause is the reason in a Read or Check error without the path, for
// messages that name the file already.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxToken is the longest token Quote shows.
const maxToken = 32

// Quote shows a token of a file that failed to parse, for a message that
// also names the file and line: quoted when it is short and made only of
// the characters of names, numbers and keywords, or is one or two
// printable characters (a delimiter: "expected ';'"); otherwise only its
// length. A parser handed /proc/self/environ or a .env file then never
// prints "SECRET=..." or a password hash.
func Quote(token string) string {
	if token != "" && (len(token) <= maxToken && plain(token) || len(token) <= 2 && printable(token)) {
		return strconv.Quote(token)
	}
	return fmt.Sprintf("a %d-byte token, not shown", len(token))
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// plain: letters, digits and . - _ * @ / : (names, numbers, addresses),
// and a $ only in front ($ORIGIN). No =, quote, space or control byte.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '-' || c == '_' || c == '*' || c == '@' || c == '/' || c == ':':
		case c == '$' && i == 0:
		default:
			return false
		}
	}
	return true
}
