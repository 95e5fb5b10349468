package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// certConfig writes a config for contoso.com that trusts the fixture root
// and lists the fixture PFX with its password in RP_TEST_PFX.
func certConfig(t *testing.T) string {
	t.Helper()
	fixtures, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cert"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := `sip_domains: [contoso.com]
web_services: [{external: webext.contoso.com}]
simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}
tls:
  ca_file: ` + filepath.Join(fixtures, "root.pem") + `
  certificate_files:
    - {path: ` + filepath.Join(fixtures, "rp.pfx") + `, password_env: RP_TEST_PFX}
`
	path := filepath.Join(t.TempDir(), "lyncprobe.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCertInspectPFXPassword(t *testing.T) {
	cfg := certConfig(t)
	const wrong = "wrong-password-7f1c"
	t.Setenv("RP_TEST_PFX", wrong)
	ios, out, errOut := testIO()
	if code := run(context.Background(), []string{"cert", "inspect", "-c", cfg}, ios); code != exitTool {
		t.Fatalf("wrong password: exit %d, want %d; stderr %s", code, exitTool, errOut)
	}
	if !strings.Contains(errOut.String(), "rp.pfx: the PFX password is wrong or missing") {
		t.Errorf("stderr does not name the file and the cause: %s", errOut)
	}
	if strings.Contains(out.String()+errOut.String(), wrong) {
		t.Fatal("the password was printed")
	}

	t.Setenv("RP_TEST_PFX", "lyncprobe-fixture")
	ios, out, errOut = testIO()
	ios.Width = 1000 // one result per line
	if code := run(context.Background(), []string{"cert", "inspect", "-v", "-c", cfg}, ios); code != exitOK {
		t.Fatalf("right password: exit %d; stdout %s stderr %s", code, out, errOut)
	}
	for _, want := range []string{"PASS   cert.san-coverage on", "lyncdiscover.contoso.com", "trusted through tls.ca_file", "0 fail"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "lyncprobe-fixture") {
		t.Fatal("the password was printed")
	}
}

// A PFX named on the command line takes its password settings from the
// config's list; unlisted, it has none and cannot be opened.
func TestCertInspectCommandLinePFX(t *testing.T) {
	cfg := certConfig(t)
	t.Setenv("RP_TEST_PFX", "lyncprobe-fixture")
	pfx := filepath.Join("..", "..", "testdata", "cert", "rp.pfx")
	ios, out, errOut := testIO()
	if code := run(context.Background(), []string{"cert", "inspect", "-c", cfg, pfx}, ios); code != exitOK {
		t.Fatalf("listed PFX: exit %d; %s %s", code, out, errOut)
	}
	legacy := filepath.Join("..", "..", "testdata", "cert", "rp-legacy.pfx")
	ios, _, errOut = testIO()
	if code := run(context.Background(), []string{"cert", "inspect", "-c", cfg, legacy}, ios); code != exitTool ||
		!strings.Contains(errOut.String(), "list the file under tls.certificate_files with password_env or password_file") {
		t.Fatalf("unlisted PFX: exit %d; %s", code, errOut)
	}
}
