package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
)

// TestReachableWithoutATrustStore: on a machine with no system roots (a
// container without ca-certificates) a certificate from a CA that cannot
// be placed is an error saying so, not a failure of the deployment; with
// roots that do not include the CA it is a failure.
func TestReachableWithoutATrustStore(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	leaf := p.leaf(t, key, []string{webext, meet, dialin, discovr})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<html><title>ok</title></html>"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw, p.inter.Cert.Raw}, PrivateKey: key}}}
	srv.StartTLS()
	defer srv.Close()
	dep := certDeployment(certPort(t, srv.Listener.Addr().String()), "")
	saved := systemRoots
	t.Cleanup(func() { systemRoots = saved })
	for name, tc := range map[string]struct {
		roots  *x509.CertPool
		status Status
		want   string
	}{
		"no trust store":  {x509.NewCertPool(), Error, "no system trust store"},
		"other CAs known": {newCertPKI(t).pool(), Fail, "does not verify"},
	} {
		t.Run(name, func(t *testing.T) {
			systemRoots = func() *x509.CertPool { return tc.roots }
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			o := Options{Only: []string{"http"}, Probes: certProbes(webext, meet, dialin, discovr)}
			o.fill()
			e := newEnv(ctx, dep, o)
			r := e.reachableVia(ctx, dep.PublishedURLs()[0], e.ConnectTargets([]string{"127.0.0.1"}, dep.ReverseProxy.Port)[0])
			if r.Status != tc.status || !strings.Contains(r.Message, tc.want) {
				t.Errorf("http.reachable = %s %q, want %s containing %q", r.Status, r.Message, tc.status, tc.want)
			}
		})
	}
}
