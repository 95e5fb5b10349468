package lab

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
)

// Options.DiscoverHTTPOnly: lyncdiscover is published over plain HTTP only,
// as Microsoft supports for the first Autodiscover request (the proxy's
// port 80 bridged to the front ends' 8080): the proxy's certificate leaves
// the name out, and an HTTP listener (its port is the config's
// reverse_proxy.http_port) answers lyncdiscover's root with the document
// of the front ends' HTTP site, a single Redirect link to the external
// web services' Autodiscover over HTTPS ([MS-OCDISCWS]).
//
// Faults on it: http-closed (nothing answers on the HTTP port) and
// http-to-https (the HTTP port redirects to HTTPS, the fallback gone).

// startDiscoverHTTP opens the HTTP listener under DiscoverHTTPOnly.
func (l *Lab) startDiscoverHTTP() error {
	if !l.opts.DiscoverHTTPOnly {
		return nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(l.opts.Addr, "0"))
	if err != nil {
		return err
	}
	l.HTTPPort = portOf(ln)
	if l.faults.has("http-closed") {
		// The port stays in the config and nothing answers there: a
		// probe is refused at once.
		return ln.Close()
	}
	l.closers = append(l.closers, ln)
	l.serve(l.newHTTPServer(http.HandlerFunc(l.discoverHTTP)), ln)
	return nil
}

// discoverHTTP answers lyncdiscover's root over HTTP; every other request
// gets the proxy's 404 (nothing else is published over HTTP).
func (l *Lab) discoverHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if !strings.EqualFold(host, DiscoverHost) || r.URL.Path != "/" {
		notPublished(w, r)
		return
	}
	if l.faults.has("http-to-https") {
		http.Redirect(w, r, fmt.Sprintf("https://%s:%d/", DiscoverHost, l.Port), http.StatusMovedPermanently)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"_links":{"redirect":{"href":"https://%s:%d/Autodiscover/AutodiscoverService.svc/root"}}}`, ExternalWeb, l.Port)
}

// certNames are the names the proxy's certificate covers: every published
// name, less lyncdiscover when it is published over HTTP only.
func (l *Lab) certNames() []string {
	if !l.opts.DiscoverHTTPOnly {
		return l.publishedNames()
	}
	return slices.DeleteFunc(slices.Clone(l.publishedNames()), func(h string) bool { return h == DiscoverHost })
}

// impliedDiscoverHTTPOnly reports whether a switched-on fault needs it.
func (fs faultSet) impliedDiscoverHTTPOnly() bool {
	return fs.has("http-closed") || fs.has("http-to-https")
}
