package lab

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
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

// ocspURL is the issuing CA's OCSP responder on the same site.
func (l *Lab) ocspURL() string { return l.crl.base + "/ocsp" }

// revokedSerials are the proxy certificates the issuing CA has revoked:
// under revoked-cert, the one every node serves.
func (l *Lab) revokedSerials() []*big.Int {
	if !l.faults.has("revoked-cert") {
		return nil
	}
	return []*big.Int{l.pki.proxy.cert.SerialNumber}
}

// serveCRL signs a CRL for each public CA (the issuing CA's lists the
// revoked serials) and serves both, with the issuing CA's OCSP responder.
func (l *Lab) serveCRL(now time.Time) error {
	mux := http.NewServeMux()
	revoked := l.revokedSerials()
	for name, ca := range map[string]*authority{"issuing": l.pki.intermediate, "root": l.pki.publicRoot} {
		var entries []x509.RevocationListEntry
		if ca == l.pki.intermediate {
			for _, sn := range revoked {
				entries = append(entries, x509.RevocationListEntry{SerialNumber: sn, RevocationTime: now.Add(-time.Hour)})
			}
		}
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number: big.NewInt(1), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.AddDate(0, 0, 7),
			RevokedCertificateEntries: entries,
		}, ca.cert, ca.key)
		if err != nil {
			return err
		}
		mux.HandleFunc("GET /crl/"+name+".crl", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/pkix-crl")
			w.Write(der)
		})
	}
	responder := &ocspResponder{ca: l.pki.intermediate, revoked: revoked}
	l.serve(l.newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The OCSP GET form puts base64 (which holds "/") in the path:
		// answered before the mux, which would clean such paths.
		if r.URL.Path == "/ocsp" || strings.HasPrefix(r.URL.Path, "/ocsp/") {
			responder.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})), netutil.LimitListener(l.crl.ln, maxProxyConns))
	return nil
}

// ocspResponder answers RFC 6960 requests about the issuing CA's
// certificates, signed by the CA itself: revoked for the revoked serials,
// good for the others.
type ocspResponder struct {
	ca      *authority
	revoked []*big.Int
}

// maxOCSPRequest caps a request: one CertID is about a hundred bytes.
const maxOCSPRequest = 4 << 10

func (o *ocspResponder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var der []byte
	var err error
	switch r.Method {
	case http.MethodGet: // RFC 6960 A.1: /ocsp/{url-encoding of base64 of the DER request}
		der, err = base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/ocsp"), "/"))
	case http.MethodPost:
		der, err = io.ReadAll(io.LimitReader(r.Body, maxOCSPRequest))
	default:
		http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
		return
	}
	var req *ocsp.Request
	if err == nil {
		req, err = ocsp.ParseRequest(der)
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	if err != nil {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	resp, err := o.answer(req)
	if err != nil {
		w.Write(ocsp.InternalErrorErrorResponse)
		return
	}
	w.Write(resp)
}

func (o *ocspResponder) answer(req *ocsp.Request) ([]byte, error) {
	now := time.Now()
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber,
		ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
	for _, sn := range o.revoked {
		if sn.Cmp(req.SerialNumber) == 0 {
			tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, now.Add(-time.Hour), ocsp.KeyCompromise
		}
	}
	return ocsp.CreateResponse(o.ca.cert, o.ca.cert, tmpl, o.ca.key)
}
