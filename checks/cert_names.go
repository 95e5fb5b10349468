package checks

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// cert.all-names: each certificate against the names it is actually
// served for. A proxy may pick a certificate per name by SNI (Office Web
// Apps or lyncdiscover with a certificate of its own); Microsoft's
// certificate summary lists every name on one reverse proxy certificate,
// but what it requires of the names is that each is covered. The one
// place it requires one certificate across names is mobility: "mobile
// device clients do not support multiple SSL certificates from different
// domains", so lyncdiscover.<domain> and the external web services name
// it leads to must share a certificate when they are in different domains.

// allNames: one summary per distinct certificate: the names it is served
// for that it covers and misses, and the complete SAN list to request.
func allNames(ctx context.Context, e *Env) []Result {
	served, early := e.servedCerts(ctx)
	if early != nil {
		return []Result{*early}
	}
	all := e.certHosts()
	mixed := crossDomainDiscovery(e.Dep, served)
	out := make([]Result, 0, len(served))
	for _, sc := range served {
		names := sc.Hosts
		if len(served) == 1 {
			// One certificate for everything: it must also carry the names no
			// handshake reached (not resolving, say), as before SNI mattered.
			names = all
		}
		r := judgeAllNames(sc.Leaf(), names, all, servedElsewhere(served, sc))
		if r.Status == Pass && mixed[sc] != "" {
			r.Status, r.Message = Fail, mixed[sc]
			r.Remedy = "Serve lyncdiscover and the external web services name with one certificate that covers both (Microsoft: mobile device clients do not support multiple SSL certificates from different domains)."
		}
		r.Target, r.Via = sc.Target, sc.Via
		r.Evidence = mergeEvidence(certEvidence(sc), r.Evidence)
		out = append(out, r)
	}
	return out
}

// servedElsewhere are the names some other certificate was served for
// and sc was not.
func servedElsewhere(served []*servedCert, sc *servedCert) []string {
	var out []string
	for _, o := range served {
		for _, h := range o.Hosts {
			if o != sc && !servedFor(sc, h) {
				out = appendNew(out, h)
			}
		}
	}
	return out
}

// judgeAllNames decides cert.all-names for one leaf served for the names
// servedFor, out of all the published names; elsewhere are the names
// served with other certificates.
func judgeAllNames(leaf *x509.Certificate, servedFor, all, elsewhere []string) Result {
	var covers, misses []string
	for _, h := range servedFor {
		if probe.CoveringSAN(leaf, h) != "" {
			covers = append(covers, h)
		} else {
			misses = append(misses, h)
		}
	}
	request := requestSANs(leaf, misses)
	r := Result{Evidence: map[string]any{"served_for": servedFor, "covers": covers, "misses": misses, "request_sans": request}}
	scope := fmt.Sprintf("%d published names", len(all))
	if len(servedFor) < len(all) {
		scope = fmt.Sprintf("%d names it is served for (%s)", len(servedFor), strings.Join(servedFor, ", "))
		r.Evidence["served_elsewhere"] = elsewhere
	}
	if len(misses) == 0 {
		r.Status = Pass
		r.Message = "covers all " + scope
		if len(elsewhere) > 0 {
			verb := " are"
			if len(elsewhere) == 1 {
				verb = " is"
			}
			r.Message += "; " + strings.Join(elsewhere, ", ") + verb + " served with certificates of their own (chosen by SNI), which Microsoft allows: each name must be covered by the certificate served for it"
		}
		return r
	}
	r.Status = Fail
	r.Message = fmt.Sprintf("covers %d of %s; misses %s", len(covers), scope, strings.Join(misses, ", "))
	r.Remedy = "Re-issue the certificate with these subject alternative names: " + strings.Join(request, ", ") +
		"; keep the external web services FQDN as subject name, and install it on every proxy node (Microsoft's reverse proxy certificate summary lists the names)."
	return r
}

// crossDomainDiscovery finds the certificates served for a lyncdiscover
// name that the external web services names do not share, where the two
// names are in different DNS domains: Microsoft's one requirement for a
// single certificate across names (mobility). It maps each such
// certificate to the finding.
func crossDomainDiscovery(dep *config.Deployment, served []*servedCert) map[*servedCert]string {
	var discover, webext []string
	for _, p := range dep.PublishedHosts() {
		switch p.Role {
		case config.RoleLyncdiscover:
			discover = append(discover, p.Host)
		case config.RoleWebExt:
			webext = append(webext, p.Host)
		}
	}
	out := map[*servedCert]string{}
	for _, sc := range served {
		for _, d := range discover {
			if !servedFor(sc, d) {
				continue
			}
			for _, w := range webext {
				if parentDomain(d) != parentDomain(w) && !servedFor(sc, w) && otherServedFor(served, sc, w) {
					out[sc] = fmt.Sprintf("%s is served with a certificate of its own, and %s (another domain) with another: "+
						"Microsoft: mobile device clients do not support multiple SSL certificates from different domains", d, w)
				}
			}
		}
	}
	return out
}

func servedFor(sc *servedCert, host string) bool { return slices.Contains(sc.Hosts, host) }

// otherServedFor: some certificate other than sc was served for host.
func otherServedFor(served []*servedCert, sc *servedCert, host string) bool {
	for _, o := range served {
		if o != sc && servedFor(o, host) {
			return true
		}
	}
	return false
}
