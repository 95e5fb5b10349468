package lab

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// crlSite is the lab CA's CRL distribution point: plain HTTP on the lab's
// loopback address, as a public CA publishes its CRLs, so that
// cert.revocation can reach it. Under crl-unreachable the leaf names a
// second port instead, which accepts and hangs up at once.
type crlSite struct {
	ln      net.Listener
	base    string // http://127.0.0.1:PORT
	deadURL string // crl-unreachable: the address that does not answer
}

// listenCRL opens the site's port first: its address goes into the
// certificates before they are minted.
func (l *Lab) listenCRL() error {
	ln, err := net.Listen("tcp", net.JoinHostPort(l.opts.Addr, "0"))
	if err != nil {
		return err
	}
	l.closers = append(l.closers, ln)
	l.crl = &crlSite{ln: ln, base: "http://" + ln.Addr().String()}
	if !l.faults.has("crl-unreachable") {
		return nil
	}
	dead, err := net.Listen("tcp", net.JoinHostPort(l.opts.Addr, "0"))
	if err != nil {
		return err
	}
	l.closers = append(l.closers, dead)
	l.crl.deadURL = "http://" + dead.Addr().String() + "/crl/issuing.crl"
	acceptLoop(l.ctx, dead, maxEdgeConns, &l.wg, func(c net.Conn) { c.Close() })
	return nil
}

// crlURL is where the site publishes the CRL of one CA ("issuing", "root").
func (l *Lab) crlURL(name string) string { return l.crl.base + "/crl/" + name + ".crl" }

// serveCRL signs an empty CRL for each public CA and serves both.
func (l *Lab) serveCRL(now time.Time) error {
	mux := http.NewServeMux()
	for name, ca := range map[string]*authority{"issuing": l.pki.intermediate, "root": l.pki.publicRoot} {
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number: big.NewInt(1), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.AddDate(0, 0, 7),
		}, ca.cert, ca.key)
		if err != nil {
			return err
		}
		mux.HandleFunc("GET /crl/"+name+".crl", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/pkix-crl")
			w.Write(der)
		})
	}
	l.serve(l.newHTTPServer(mux), netutil.LimitListener(l.crl.ln, maxProxyConns))
	return nil
}
