//go:build unix

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The debian-layout scenario: the proxy runs from Debian's layout (nginx
// with conf.d, sites-enabled and snippets; Apache with mods-enabled,
// ports.conf and sites-enabled, ServerRoot given by -d as Debian's build
// does), its certificate and key under the proxy's own folder. Validate
// reads a checkout of the configuration files only, in another folder:
// the certificate is not in it (it is a skip), and its copy under
// tls.certificate_files is what the cert checks judge.

// debianCheckout copies the files of the proxy's folder (not its pki/
// folder, nor run-time files) to dir/checkout/<name> and returns the
// copy of main.
func debianCheckout(t *testing.T, live, main string) string {
	t.Helper()
	dst := filepath.Join(filepath.Dir(live), "checkout", filepath.Base(live))
	err := filepath.Walk(live, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(live, p)
		if rel == "pki" && fi.IsDir() {
			return filepath.SkipDir
		}
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, filepath.Join(dst, rel))
		}
		if !strings.HasSuffix(p, ".conf") && !strings.Contains(rel, "sites-") && !strings.HasSuffix(p, ".load") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(live, main)
	return filepath.Join(dst, rel)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// writeNginxDebian: nginx.conf includes conf.d/*.conf and
// sites-enabled/* relative to the prefix; the site (a symlink to
// sites-available) includes snippets/lync-tls.conf, which names
// pki/chain.pem, relative to the prefix too.
func writeNginxDebian(t *testing.T, s site, p publishing) string {
	live := filepath.Join(s.Dir, "nginx")
	copyFile(t, s.ChainFile, filepath.Join(live, "pki", "chain.pem"))
	copyFile(t, s.KeyFile, filepath.Join(live, "pki", "key.pem"))
	main := mkfile(t, live, "nginx.conf", nginxMain(s.Dir, "    include conf.d/*.conf;\n    include sites-enabled/*;\n"))
	mkfile(t, live, "conf.d/lync-upstream.conf", nginxUpstream(s, p))
	mkfile(t, live, "snippets/lync-tls.conf", "ssl_certificate pki/chain.pem;\nssl_certificate_key pki/key.pem;\n")
	var srv strings.Builder
	fmt.Fprintf(&srv, "server {\n    listen 127.0.0.1:%d ssl;\n    server_name %s;\n    include snippets/lync-tls.conf;\n", s.Port, strings.Join(s.Names, " "))
	srv.WriteString("    location / {\n")
	nginxPass(&srv, p)
	srv.WriteString("    }\n}\n")
	mkfile(t, live, "sites-available/lync", srv.String())
	symlink(t, "../sites-available/lync", filepath.Join(live, "sites-enabled", "lync"))
	return main
}

// writeApacheDebian: apache2.conf with no ServerRoot (Debian's build sets
// it; here -d), including mods-enabled/*.load, ports.conf and
// sites-enabled/*.conf; the site names pki/chain.pem relative to
// ServerRoot.
func writeApacheDebian(t *testing.T, s site, p publishing) string {
	live := filepath.Join(s.Dir, "apache2")
	copyFile(t, s.ChainFile, filepath.Join(live, "pki", "chain.pem"))
	copyFile(t, s.KeyFile, filepath.Join(live, "pki", "key.pem"))
	apacheModLoads(t, live, "mods-enabled")
	main := mkfile(t, live, "apache2.conf", apacheRuntime(s.Dir)+
		"IncludeOptional mods-enabled/*.load\nInclude ports.conf\nIncludeOptional conf-enabled/*.conf\nIncludeOptional sites-enabled/*.conf\n")
	mkfile(t, live, "ports.conf", fmt.Sprintf("Listen 127.0.0.1:%d\n", s.Port))
	mkfile(t, live, "conf-enabled/lync-cache.conf", fmt.Sprintf("SSLSessionCache shmcb:%s/ssl_scache(51200)\n", s.Dir))
	mkfile(t, live, "sites-available/lync.conf", apacheVhost(s, p, "pki/chain.pem", "pki/key.pem"))
	symlink(t, "../sites-available/lync.conf", filepath.Join(live, "sites-enabled", "lync.conf"))
	return main
}
