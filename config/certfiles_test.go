package config

import (
	"os"
	"path/filepath"
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
		"    - path: old.pfx\n      password_file: pw.txt\n"
	d, err := Parse([]byte(src), filepath.Join(dir, "lyncprobe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []CertificateFile{
		{Path: filepath.Join(dir, "rp.pem")},
		{Path: filepath.Join(dir, "rp.pfx"), PasswordEnv: "RP_PFX_PASSWORD"},
		{Path: filepath.Join(dir, "old.pfx"), PasswordFile: filepath.Join(dir, "pw.txt")},
	}
	got := d.TLS.CertificateFiles
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
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
}
