//go:build unix

package inputfile

import (
	"context"
	"errors"
	"github.com/lyncprobe/lyncprobe/internal/fifotest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A FIFO, a device and a folder are refused by name before any read (a
// FIFO with no writer would block the open and the read for ever); a file
// over the cap is refused; a regular file under it is read whole.
func TestReadRegularFilesOnlyUnderTheCap(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := fifotest.Make(fifo); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	big := filepath.Join(dir, "big")
	small := filepath.Join(dir, "small")
	os.WriteFile(big, make([]byte, 3*chunk), 0o600)
	os.WriteFile(small, []byte("hello"), 0o600)
	for _, c := range []struct {
		path string
		want error
	}{
		{fifo, ErrNotRegular},
		{"/dev/zero", ErrNotRegular},
		{dir, ErrNotRegular},
		{big, &TooLargeError{}},
	} {
		_, err := Read(context.Background(), c.path, 2*chunk)
		var tl *TooLargeError
		if !errors.Is(err, c.want) && !(errors.As(c.want, &tl) && errors.As(err, &tl)) {
			t.Errorf("Read(%s) = %v, want %v", c.path, err, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), c.path) {
			t.Errorf("Read(%s): %q does not name the file", c.path, err)
		}
		if c.want == ErrNotRegular && !errors.Is(Check(c.path), ErrNotRegular) {
			t.Errorf("Check(%s) = %v, want not regular", c.path, Check(c.path))
		}
	}
	if data, err := Read(context.Background(), small, 5); err != nil || string(data) != "hello" {
		t.Errorf("Read(small) = %q, %v", data, err)
	}
}

// A cancelled context stops the read: Ctrl-C and --timeout reach it.
func TestReadHonoursItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("x"), 0o600)
	if _, err := Read(ctx, path, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context = %v, want context.Canceled", err)
	}
}

// Quote shows short name-like tokens, and of anything else only its length.
func TestQuoteShowsOnlyShortPlainTokens(t *testing.T) {
	for token, want := range map[string]string{
		"3600x":                 `"3600x"`,
		"$ORIGIN":               `"$ORIGIN"`,
		"meet.contoso.com":      `"meet.contoso.com"`,
		"2001:db8::1":           `"2001:db8::1"`,
		"SECRET=hunter2":        "a 14-byte token, not shown",
		"a\x00b":                "a 3-byte token, not shown",
		";":                     `";"`,
		"]}":                    `"]}"`,
		"\x00":                  "a 1-byte token, not shown",
		"=;'":                   "a 3-byte token, not shown",
		"x:$6$salt$hash":        "a 14-byte token, not shown",
		strings.Repeat("a", 40): "a 40-byte token, not shown",
		"":                      "a 0-byte token, not shown",
	} {
		if got := Quote(token); got != want {
			t.Errorf("Quote(%q) = %s, want %s", token, got, want)
		}
	}
}

// A "regular" file that waits for data (/proc/kmsg, readable by root) is
// refused like a FIFO: without the check the read waits for ever.
func TestReadRefusesFilesThatWait(t *testing.T) {
	const kmsg = "/proc/kmsg"
	f, err := os.Open(kmsg)
	if err != nil {
		t.Skipf("%s cannot be opened here: %v", kmsg, err)
	}
	f.Close()
	done := make(chan error, 1)
	go func() { _, err := Read(context.Background(), kmsg, 1<<20); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), kmsg+": not a regular file: it waits for data") {
			t.Errorf("Read(%s) = %v, want it refused as waiting for data", kmsg, err)
		}
	case <-time.After(20 * time.Second): // only reached when the check is gone
		t.Fatalf("Read(%s) is still waiting", kmsg)
	}
	if err := Check(kmsg); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Check(%s) = %v, want not regular", kmsg, err)
	}
}

// The kernel's files look regular but say they hold 0 bytes:
// /proc/self/environ (the CI secrets) is refused, never read into a
// parser whose error could quote it.
func TestReadRefusesKernelFiles(t *testing.T) {
	const environ = "/proc/self/environ"
	if _, err := os.Stat(environ); err != nil {
		t.Skipf("no %s here", environ)
	}
	t.Setenv("LYNCPROBE_TEST_SECRET", "hunter2-environ")
	data, err := Read(context.Background(), environ, 1<<20)
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "holds more than its size says") {
		t.Errorf("Read(%s) = %d bytes, %v; want it refused", environ, len(data), err)
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error quotes the environment: %v", err)
	}
}
