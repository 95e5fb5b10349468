package lab

import "net/http"

// brandingHeaders are the headers a hardened proxy strips: penetration
// tests report them as information disclosure (the server software, the
// framework and its version, the internal server name).
var brandingHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-MS-Server-Fqdn"}

func stripBranding(h http.Header) {
	for _, k := range brandingHeaders {
		h.Del(k)
	}
}

// defaultLB is the balancing mode a setting needs when none is given:
// Lync 2010 requires MS-WSMAN cookie persistence for external clients, and
// a hardened proxy leaves the cookie as the only name of the front end;
// otherwise source-address affinity.
func (o Options) defaultLB() lbMode {
	if o.Version == "lync2010" || o.Hardened {
		return lbCookie
	}
	return lbSourceIP
}

// identityCookie is affinity.identity_cookie in the config: under
// --lab-hardened with cookie persistence, MS-WSMAN, whose value is the
// front end's id.
func (l *Lab) identityCookie() string {
	if l.opts.Hardened && l.opts.LB == string(lbCookie) {
		return WSMANCookie
	}
	return ""
}
