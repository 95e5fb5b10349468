package lab

import "strings"

// The lab deployment's names. The public zone is contoso.test (RFC 2606
// reserves .test, so the names never leak onto a real network); the inside
// names use .local as Lync pools commonly did.
const (
	Domain       = "contoso.test"
	ExternalWeb  = "webext." + Domain
	MeetHost     = "meet." + Domain
	DialinHost   = "dialin." + Domain
	DiscoverHost = "lyncdiscover." + Domain
	AccessEdge   = "sip." + Domain
	WebConfEdge  = "webcon." + Domain // the Web Conferencing Edge (edge.go)
	AVEdge       = "av." + Domain     // the A/V Edge (edge.go)
	AdminHost    = "admin." + Domain  // internal only: never in the public zone
	PoolFQDN     = "pool01.contoso.local"
	MeetingPath  = "/alice/LAB0001"
)

// hostLabels are the zone's host names, by their first label.
var hostLabels = []string{"webext", "meet", "dialin", "lyncdiscover", "sip", "webcon", "av"}

// publishedHosts are the names the reverse proxy publishes; its
// certificate covers exactly these.
var publishedHosts = []string{ExternalWeb, MeetHost, DialinHost, DiscoverHost}

// zoneHosts are the FQDNs of hostLabels.
func zoneHosts() []string {
	out := make([]string, len(hostLabels))
	for i, l := range hostLabels {
		out[i] = l + "." + Domain
	}
	return out
}

// hostFQDN reads a short label ("dialin") or an FQDN, in any case, with or
// without the final dot, as the lower-case FQDN.
func hostFQDN(s string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if s != "" && !strings.Contains(s, ".") {
		s += "." + Domain
	}
	return s
}

// frontEndFQDN is a front end's own name in the pool ("fe01.pool01…").
func frontEndFQDN(id string) string { return id + "." + PoolFQDN }
