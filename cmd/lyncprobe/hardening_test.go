package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/hostile"
	"github.com/lyncprobe/lyncprobe/report"
)

// buildBinary builds lyncprobe into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lyncprobe")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSIGINTPrintsPartialReport sends Ctrl-C to the built binary while its
// DNS questions hang on a silent server: the partial report comes out on
// stdout with the unfinished checks as errors, and the exit code is 2.
func TestSIGINTPrintsPartialReport(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	bin := buildBinary(t)
	b, _ := hostile.Lookup("dns-silent")
	s, err := hostile.Start(b, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg, err := s.WriteConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // watchdog
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "check", "-c", cfg, "--timeout", "90s", "--check-timeout", "60s", "--no-color")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for s.Seen.Load() == 0 && ctx.Err() == nil { // wait until a question is in flight
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitTool {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitTool, &stdout, &stderr)
	}
	out := stdout.String()
	if !strings.Contains(out, "not finished: interrupted") || !strings.Contains(out, "dns.resolves") {
		t.Errorf("the partial report lacks the interrupted checks:\n%s", out)
	}
	if !strings.Contains(strings.ToLower(out), "error") {
		t.Errorf("the interrupted checks are not error results:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", &stderr)
	}
}

// TestPFXPasswordNeverPrinted runs cert inspect in every report format with
// the PFX password from password_env and from password_file, right and
// wrong: the password appears in no output and no error.
func TestPFXPasswordNeverPrinted(t *testing.T) {
	const right, wrong = "lyncprobe-fixture", "Wr0ng-Secret-4d9e"
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cert"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, pw := range []string{right, wrong} {
		pwFile := filepath.Join(dir, "pw-"+pw)
		if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("RP_TEST_PFX", pw)
		for _, source := range []string{"password_env: RP_TEST_PFX", "password_file: " + pwFile} {
			cfg := writeSecretConfig(t, fixtures, source)
			for _, format := range report.Formats {
				for _, args := range [][]string{
					{"cert", "inspect", "-c", cfg, "--format", format},
					{"check", "-c", cfg, "--format", format, "--only", "cert", "--resolver", "127.0.0.1:9", "--timeout", "3s"},
				} {
					ios, out, errOut := testIO()
					code := run(context.Background(), args, ios)
					if args[0] == "cert" && (pw == right) != (code == exitOK) {
						t.Errorf("cert inspect (%s, %s password): exit %d\n%s", source, pw, code, errOut)
					}
					for _, secret := range []string{right, wrong} {
						if strings.Contains(out.String()+errOut.String(), secret) {
							t.Errorf("%s (%s): the password was printed:\n%s\n%s", strings.Join(args[:2], " "), source, out, errOut)
						}
					}
				}
			}
		}
	}
}

func writeSecretConfig(t *testing.T, fixtures, source string) string {
	t.Helper()
	cfg := `sip_domains: [contoso.com]
web_services: [{external: webext.contoso.com}]
simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}
tls:
  ca_file: ` + filepath.Join(fixtures, "root.pem") + `
  certificate_files:
    - {path: ` + filepath.Join(fixtures, "rp.pfx") + `, ` + source + `}
`
	path := filepath.Join(t.TempDir(), "lyncprobe.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
