//go:build unix

package e2e

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runProxy is how every e2e runner starts a real proxy: the family's own
// test of conf first (nginx -t, haproxy -c, apache2 -t), so that a
// refused file fails with the proxy's words and the file, then the proxy
// in the foreground until the test ends, once 127.0.0.1:port accepts
// connections. Its output goes to dir/<family>.log.
func runProxy(t *testing.T, px proxy, dir string, port int, conf string) {
	t.Helper()
	bin := binary(t, px.Binary)
	if out, err := runTest(dir, bin, px.args(conf, true)); err != nil {
		t.Fatalf("%s refused %s: %v\n%s\n%s", px.Binary, conf, err, out, readFile(conf))
	}
	start(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), filepath.Join(dir, px.Family+".log"), bin, px.args(conf, false)...)
}

// args are the arguments that make px test conf or run it in the
// foreground. The main file's folder is nginx's prefix and Apache's
// ServerRoot (Debian's apache2.conf names none: its build sets it).
func (px proxy) args(conf string, test bool) []string {
	root := filepath.Dir(conf)
	switch px.Family {
	case "nginx":
		if test {
			return []string{"-t", "-p", root, "-c", conf}
		}
		return []string{"-p", root, "-c", conf, "-g", "daemon off;"}
	case "haproxy":
		if test {
			return []string{"-c", "-f", conf}
		}
		return []string{"-f", conf, "-db"}
	case "apache":
		if test {
			return []string{"-t", "-d", root, "-f", conf}
		}
		return []string{"-d", root, "-f", conf, "-DFOREGROUND"}
	}
	panic("no arguments for the family " + px.Family)
}

// nginxMain is a main nginx.conf that runs as this user with everything
// it writes in runDir (pid, error log, temp folders) and one worker; http
// is the http block's directives, indented by four.
func nginxMain(runDir, http string) string {
	var b strings.Builder
	if isRoot() {
		b.WriteString("user root;\n") // else the workers become nobody, who cannot read the temp dir
	}
	fmt.Fprintf(&b, "worker_processes 1;\npid %s/nginx.pid;\nerror_log %s/error.log;\nevents {\n    worker_connections 256;\n}\n", runDir, runDir)
	b.WriteString("http {\n    access_log off;\n")
	for _, tmp := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "    %s_temp_path %s/tmp_%s;\n", tmp, runDir, tmp)
	}
	return b.String() + http + "}\n"
}

// nginxUpstream is the pool's upstream block: source-address persistence
// (ip_hash) unless p says none.
func nginxUpstream(s site, p publishing) string {
	var b strings.Builder
	b.WriteString("upstream lync_pool {\n")
	if p.Persist != "none" {
		b.WriteString("    ip_hash;\n")
	}
	for _, be := range s.Backends {
		fmt.Fprintf(&b, "    server %s;\n", be)
	}
	return b.String() + "}\n"
}

// nginxPass is a location's body that proxies to the pool.
func nginxPass(b *strings.Builder, p publishing) {
	b.WriteString("        proxy_pass https://lync_pool;\n        proxy_http_version 1.1;\n        proxy_read_timeout 960s; # mobile push long polls\n")
	if !p.HostRewrite {
		b.WriteString("        proxy_set_header Host $host;\n") // without it nginx sends $proxy_host: lync_pool
	}
}

// apacheModules are the modules the site needs, from Debian's build.
var apacheModules = []string{"mpm_event", "authz_core", "ssl", "socache_shmcb", "proxy", "proxy_http",
	"proxy_balancer", "slotmem_shm", "lbmethod_byrequests", "headers"}

// apacheLoad is the LoadModule line of module m in Debian's build.
func apacheLoad(m string) string {
	return fmt.Sprintf("LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n", m, m)
}

// apacheModLoads writes each module's LoadModule line as Debian's
// a2enmod does: dir/modsDir/<module>.load.
func apacheModLoads(t *testing.T, dir, modsDir string) {
	for _, m := range apacheModules {
		mkfile(t, dir, modsDir+"/"+m+".load", apacheLoad(m))
	}
}

// apacheRuntime is what a running Apache writes, all in runDir, and the
// server name that keeps it from asking DNS for its own.
func apacheRuntime(runDir string) string {
	return fmt.Sprintf("DefaultRuntimeDir %s\nPidFile %s/httpd.pid\nErrorLog %s/error.log\nServerName localhost\n", runDir, runDir, runDir)
}

// apacheVhost is the Lync site: TLS with chain and key, a balancer of the
// front ends, persistence by a route cookie unless p says none.
func apacheVhost(s site, p publishing, chain, key string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<VirtualHost 127.0.0.1:%d>\n    ServerName %s\n    ServerAlias %s\n", s.Port, s.Names[0], strings.Join(s.Names[1:], " "))
	fmt.Fprintf(&b, "    SSLEngine on\n    SSLCertificateFile %s\n    SSLCertificateKeyFile %s\n", chain, key)
	b.WriteString("    SSLProxyEngine on\n    SSLProxyVerify none\n    SSLProxyCheckPeerName off\n    SSLProxyCheckPeerExpire off\n    ProxyTimeout 960\n")
	if !p.HostRewrite {
		b.WriteString("    ProxyPreserveHost On\n") // the default, Off, sends the BalancerMember's name
	}
	b.WriteString("    <Proxy balancer://lyncpool>\n")
	for i, be := range s.Backends {
		fmt.Fprintf(&b, "        BalancerMember https://%s route=fe%02d\n", be, i+1)
	}
	if p.Persist != "none" {
		b.WriteString("        ProxySet stickysession=ROUTEID\n")
	}
	b.WriteString("    </Proxy>\n")
	if p.Persist != "none" {
		b.WriteString("    Header add Set-Cookie \"ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/\" env=BALANCER_ROUTE_CHANGED\n")
	}
	b.WriteString("    ProxyPass / balancer://lyncpool/\n    ProxyPassReverse / balancer://lyncpool/\n</VirtualHost>\n")
	return b.String()
}
