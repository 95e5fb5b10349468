package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCertificateFilesBothForms(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"rp.pem", "rp.pfx", "old.pfx", "pw.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src := "sip_domains: [contoso.com]\n" +
		"web_services: [{external: webext.contoso.com}]\n" +
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n" +
		"tls:\n  certificate_files:\n" +
		"    - rp.pem\n" +
		"    - {path: rp.pfx, password_env: RP_PFX_PASSWORD}\n" +
		"    - path: old.pfx\n      password_file: pw.txt\n" +
		"    - {path: rp.pem, names: [LyncDiscover.contoso.com.]}\n"
	d, err := Parse([]byte(src), filepath.Join(dir, "lyncprobe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []CertificateFile{
		{Path: filepath.Join(dir, "rp.pem")},
		{Path: filepath.Join(dir, "rp.pfx"), PasswordEnv: "RP_PFX_PASSWORD"},
		{Path: filepath.Join(dir, "old.pfx"), PasswordFile: filepath.Join(dir, "pw.txt")},
		{Path: filepath.Join(dir, "rp.pem"), Names: []string{"lyncdiscover.contoso.com"}},
	}
	got := d.TLS.CertificateFiles
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("item %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if d.Line("tls.certificate_files[2]") != 8 {
		t.Errorf("item 2 at line %d, want 8", d.Line("tls.certificate_files[2]"))
	}
}

func TestCertificateFilePassword(t *testing.T) {
	t.Setenv("LYNCPROBE_TEST_PW", "from env")
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("from file\r\n"), 0o600)
	cases := []struct {
		item    CertificateFile
		want    string
		wantErr bool
	}{
		{CertificateFile{Path: "a.pem"}, "", false},
		{CertificateFile{Path: "a.pfx", PasswordEnv: "LYNCPROBE_TEST_PW"}, "from env", false},
		{CertificateFile{Path: "a.pfx", PasswordEnv: "LYNCPROBE_TEST_UNSET_5c1"}, "", true},
		{CertificateFile{Path: "a.pfx", PasswordFile: pwFile}, "from file", false},
		{CertificateFile{Path: "a.pfx", PasswordFile: pwFile + ".missing"}, "", true},
	}
	for _, c := range cases {
		got, err := c.item.Password()
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%+v: %q, %v", c.item, got, err)
		}
	}
	// password_file is read under the caller's context (Ctrl-C, --timeout).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := (CertificateFile{Path: "a.pfx", PasswordFile: pwFile}).PasswordContext(ctx); got != "" || !errors.Is(err, context.Canceled) {
		t.Errorf("password_file under an ended context: %q, %v; want context.Canceled", got, err)
	}
}

func TestCertificateFileNamesRejected(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "rp.pem"), []byte("x"), 0o600)
	head := "sip_domains: [contoso.com]\n" +
		"web_services: [{external: webext.contoso.com}]\n" +
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n" +
		"tls:\n  certificate_files:\n"
	for item, want := range map[string]string{
		"    - {path: rp.pem, names: lyncdiscover.contoso.com}\n": "names: must be a non-empty list of host names",
		"    - {path: rp.pem, names: []}\n":                       "names: must be a non-empty list of host names",
		"    - {path: rp.pem, names: [\"https://x\"]}\n":          `names: "https://x" is not a host name`,
		"    - {path: rp.pem, nmes: [a.b]}\n":                     "nmes: unknown key",
	} {
		_, err := Parse([]byte(head+item), filepath.Join(dir, "lyncprobe.yaml"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", strings.TrimSpace(item), err, want)
		}
	}
}
