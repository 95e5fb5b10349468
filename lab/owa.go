package lab

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// OWAHost is the Office Web Apps / Office Online Server farm's name under
// --lab-owa; it is published on 443 like the Lync names, but to its own
// farm, not to the pool's port 4443.
const OWAHost = "owa." + Domain

// owaSite emulates an Office Web Apps farm: its WOPI discovery document,
// served over TLS with its own certificate from the internal CA.
type owaSite struct {
	addr  string
	proxy http.Handler // the proxy's rule for OWAHost
}

func (l *Lab) startOWA() error {
	now := time.Now()
	lf, err := l.pki.internalRoot.issue(leafSpec{CN: OWAHost, DNS: []string{OWAHost},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)})
	if err != nil {
		return err
	}
	ln, err := l.listenHTTPPart()
	if err != nil {
		return err
	}
	l.serve(l.newHTTPServer(http.HandlerFunc(owaServe)), tls.NewListener(ln, serverTLS(lf)))
	roots := x509.NewCertPool()
	roots.AddCert(l.pki.internalRoot.cert)
	l.httpx.owa = &owaSite{addr: ln.Addr().String(), proxy: owaProxy(ln.Addr().String(), roots)}
	return nil
}

// owaProxy forwards to the farm with the original Host, verifying the
// farm's certificate under its name. No idle connections are kept, so
// nothing outlives the lab.
func owaProxy(addr string, roots *x509.CertPool) http.Handler {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSClientConfig:     &tls.Config{RootCAs: roots, ServerName: OWAHost, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 5 * time.Second,
		DisableKeepAlives:   true,
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: "https", Host: addr})
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		Transport:    tr,
		ErrorHandler: badGateway,
		ErrorLog:     quietLog,
	}
}

func owaServe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "Microsoft-IIS/10.0")
	w.Header().Set("X-Powered-By", "ASP.NET")
	if normPath(r.URL.Path) != "/hosting/discovery" {
		iisNotFound(w)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(w, owaDiscoveryXML, OWAHost, OWAHost)
}

// owaDiscoveryXML is a shortened WOPI discovery document: the zone, one
// app with its view action, the proof key.
const owaDiscoveryXML = `<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery><net-zone name="external-https">
<app name="PowerPoint" favIconUrl="https://%s/p/resources/1033/FavIcon_Ppt.ico" checkLicense="true">
<action name="view" ext="pptx" default="true" urlsrc="https://%s/p/PowerPointFrame.aspx?&lt;ui=UI_LLCC&amp;&gt;"/>
</app>
</net-zone><proof-key oldvalue="" value=""/></wopi-discovery>
`

// owaName is the name the config lists in office_web_apps, "" without.
func (l *Lab) owaName() string {
	if l.opts.OWA {
		return OWAHost
	}
	return ""
}
