//go:build unix

package proxyconf

import (
	"context"
	"errors"
	"fmt"
	"github.com/lyncprobe/lyncprobe/internal/fifotest"
	"path/filepath"
	"strings"
	"testing"
)

// An include of /proc/self/environ must not put the environment (CI
// secrets) in the error: kernel files are not read, and an error quotes
// at most a short token of a file.
func TestIncludeKernelFileLeaksNothing(t *testing.T) {
	t.Setenv("LYNCPROBE_TEST_SECRET", "s3cr3t-token-value")
	dir := t.TempDir()
	for _, fam := range []struct {
		f    Family
		text string
	}{{Nginx, "include /proc/self/environ;\n"}, {Apache, "Include /proc/self/environ\n"}} {
		p := write(t, dir, string(fam.f)+".conf", fam.text)
		_, err := Parse(p, fam.f)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") || !errors.Is(err, errNotRegular) {
			t.Errorf("%s: got %v, want a not-a-regular-file error without the environment", fam.f, err)
		}
	}
	// The main file itself.
	if _, err := Parse("/proc/self/environ", Nginx); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("main file /proc/self/environ: %v", err)
	}
}

// A syntax error quotes a short, escaped token, never a line of the file.
func TestSyntaxErrorQuotesShortToken(t *testing.T) {
	dir := t.TempDir()
	long := "SECRET=" + strings.Repeat("x", 5000) + "\x00\x1b[31m"
	for name, tc := range map[string]struct {
		f    Family
		text string
	}{
		"nginx":   {Nginx, long + "\n}\n"},
		"nginx2":  {Nginx, long},
		"apache":  {Apache, "</" + long + ">\n"},
		"haproxy": {HAProxy, long + "\n"},
		"arr":     {ARR, "<a><" + long + "></a>"},
	} {
		p := write(t, dir, name+".conf", tc.text)
		_, err := Parse(p, tc.f)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a syntax error", name, err)
			continue
		}
		if len(se.Msg) > 200 || strings.ContainsAny(se.Msg, "\x00\x1b") {
			t.Errorf("%s: message of %d bytes quotes the file: %.300q", name, len(se.Msg), se.Msg)
		}
		if se.Pos.Line < 1 || se.Pos.File != p {
			t.Errorf("%s: at %v, want the file and its line", name, se.Pos)
		}
	}
}

// Devices and named pipes are refused, not read: /dev/zero would never
// end, a FIFO would block for ever.
func TestIncludeDeviceOrFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.conf")
	if err := fifotest.Make(fifo); err != nil {
		t.Skip("no FIFO here:", err)
	}
	for _, target := range []string{"/dev/zero", fifo} {
		p := write(t, dir, "main.conf", "http { include "+target+"; }\n")
		if _, err := Parse(p, Nginx); !errors.Is(err, errNotRegular) {
			t.Errorf("include %s: %v, want it refused as not a regular file", target, err)
		}
		if _, err := Parse(target, Nginx); !errors.Is(err, errNotRegular) {
			t.Errorf("main file %s: %v", target, err)
		}
	}
	c := write(t, dir, "crt.cfg", "frontend f\n  bind :443 ssl crt-list "+fifo+"\n")
	if _, err := Parse(c, HAProxy); err != nil {
		t.Errorf("a FIFO crt-list: %v, want it taken as a file not here, not read", err)
	}
}

// Ten files, each including the next forty times, stay within the depth
// cap yet make 40^9 reads; the file budget ends them first.
func TestIncludeFanOut(t *testing.T) {
	dir := t.TempDir()
	for _, fam := range []struct {
		f    Family
		line string
	}{{Nginx, "include %d.conf;\n"}, {Apache, "Include %d.conf\n"}} {
		sub := filepath.Join(dir, string(fam.f))
		for i := range 9 {
			write(t, sub, fmt.Sprintf("%d.conf", i), strings.Repeat(fmt.Sprintf(fam.line, i+1), 40))
		}
		write(t, sub, "9.conf", "")
		_, err := Parse(filepath.Join(sub, "0.conf"), fam.f)
		if err == nil || !strings.Contains(err.Error(), "included files") {
			t.Errorf("%s: %v, want the included-files budget", fam.f, err)
		}
	}
}

// The bytes of all included files share one budget.
func TestIncludeByteBudget(t *testing.T) {
	old := totalBudget
	totalBudget = 1000
	defer func() { totalBudget = old }()
	dir := t.TempDir()
	write(t, dir, "big.conf", "# "+strings.Repeat("x", 400)+"\n")
	p := write(t, dir, "main.conf", strings.Repeat("include big.conf;\n", 3))
	if _, err := Parse(p, Nginx); err == nil || !strings.Contains(err.Error(), "may read") {
		t.Errorf("got %v, want the byte budget", err)
	}
}

// Deep nesting is an error, not a stack overflow or a gigabyte.
func TestDeepNesting(t *testing.T) {
	dir := t.TempDir()
	const n = 5000 // past the cap; main had none, and overflowed its stack at a few million
	for name, tc := range map[string]struct {
		f    Family
		text string
	}{
		"nginx":  {Nginx, strings.Repeat("a {", n)},
		"apache": {Apache, strings.Repeat("<If x>\n", n)},
		"arr":    {ARR, strings.Repeat("<a>", n)},
	} {
		p := write(t, dir, name+".conf", tc.text)
		_, err := Parse(p, tc.f)
		if err == nil || !strings.Contains(err.Error(), "nested deeper") {
			t.Errorf("%s: %v, want a nesting error", name, err)
		}
	}
}

// A long include path is not echoed whole either.
func TestLongIncludePathNotEchoed(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("SECRETSECRET/", 400)
	for _, fam := range []struct {
		f    Family
		text string
	}{{Nginx, "include " + long + ";\n"}, {Apache, "Include " + long + "\n"}} {
		p := write(t, dir, string(fam.f)+".conf", fam.text)
		_, err := Parse(p, fam.f)
		if err == nil || len(err.Error()) > 800 {
			t.Errorf("%s: %d bytes: %.200v", fam.f, len(fmt.Sprint(err)), err)
		}
	}
}

// TestParseHonoursItsContext: a configuration is read under the run's
// context (Ctrl-C, --timeout): once it has ended, neither the main file
// nor an include is read.
func TestParseHonoursItsContext(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "inc.conf", "server { listen 443; }\n")
	main := write(t, dir, "nginx.conf", "http { include "+filepath.Join(dir, "inc.conf")+"; }\n")
	if _, err := ParseWith(context.Background(), main, Options{Family: Nginx}); err != nil {
		t.Fatalf("the control parse failed: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ParseWith(ctx, main, Options{Family: Nginx}); !errors.Is(err, context.Canceled) {
		t.Errorf("ParseWith under an ended context: %v, want context.Canceled", err)
	}
	l := newLoader(ctx, main, Nginx, Options{})
	if _, err := l.read(filepath.Join(dir, "inc.conf"), 1); !errors.Is(err, context.Canceled) {
		t.Errorf("an include read under an ended context: %v, want context.Canceled", err)
	}
}
