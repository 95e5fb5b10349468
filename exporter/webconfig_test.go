package exporter_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/exporter"
	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"golang.org/x/crypto/bcrypt"
)

// writeWebConfig writes an exporter-toolkit web config with a self-signed
// certificate for 127.0.0.1 and one basic-auth user; it returns the
// config's path and the certificate's pool.
func writeWebConfig(t *testing.T, dir, user, password string) (string, *x509.CertPool) {
	t.Helper()
	tmpl := tlstest.LeafTemplate("lyncprobe test")
	tmpl.DNSNames, tmpl.IPAddresses = nil, []net.IP{net.IPv4(127, 0, 0, 1)}
	cert := tlstest.Leaf(t, tmpl, nil)
	certPEM, keyPEM := tlstest.PEM(t, cert)
	os.WriteFile(filepath.Join(dir, "web.crt"), certPEM, 0o600)
	os.WriteFile(filepath.Join(dir, "web.key"), keyPEM, 0o600)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "web.yml")
	cfg := "tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\nbasic_auth_users:\n  " + user + ": " + string(hash) + "\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, tlstest.Pool(cert.Leaf)
}

// TestWebConfigGivesTLSAndBasicAuth: with --web.config.file the exporter
// answers over TLS only, and only to the configured user.
func TestWebConfigGivesTLSAndBasicAuth(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	web, pool := writeWebConfig(t, t.TempDir(), "prometheus", "s3cret")
	s, err := exporter.New(exporter.Options{Paths: []string{dir}, WebConfigFile: web})
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := serving(t, s, nil)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	do := func(url, user, password string) (int, error) {
		req, _ := http.NewRequest("GET", url, nil)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := do("https://"+addr+"/metrics", "", ""); err != nil || code != http.StatusUnauthorized {
		t.Errorf("HTTPS without credentials: HTTP %d, %v; want 401", code, err)
	}
	if code, err := do("https://"+addr+"/metrics", "prometheus", "wrong"); err != nil || code != http.StatusUnauthorized {
		t.Errorf("HTTPS with a wrong password: HTTP %d, %v; want 401", code, err)
	}
	if code, err := do("https://"+addr+"/probe?target=one&module=dns", "prometheus", "s3cret"); err != nil || code != http.StatusOK {
		t.Errorf("HTTPS probe with the user's password: HTTP %d, %v; want 200", code, err)
	}
	if code, err := do("http://"+addr+"/metrics", "prometheus", "s3cret"); err == nil && code == http.StatusOK {
		t.Error("plain HTTP was served with a TLS web config")
	}
}

// TestBadWebConfigFailsTheStart: a web config that does not parse stops
// serve before it listens, as in every exporter.
func TestBadWebConfigFailsTheStart(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	web := filepath.Join(t.TempDir(), "web.yml")
	os.WriteFile(web, []byte("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n"), 0o600)
	_, err := exporter.New(exporter.Options{Paths: []string{dir}, WebConfigFile: web})
	if err == nil || !strings.Contains(err.Error(), "web config") {
		t.Errorf("start with a web config naming missing files: %v, want an error", err)
	}
}
