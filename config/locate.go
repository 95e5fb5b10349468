package config

import (
	"fmt"
	"strings"
)

// DeclaringLine is the line of the config key that declares target (a URL,
// an FQDN or an SRV name as results name their targets): the simple URL,
// web services FQDN, lyncdiscover or Edge name, else the SIP domain the
// name lies in, else the deployment's name. It is 1 when nothing matches
// or the deployment was not loaded from a file: code scanning wants a line
// for every finding, and the config is where the finding is fixed.
func (d *Deployment) DeclaringLine(target string) int {
	host := HostOf(target)
	if host == "" {
		host = strings.ToLower(strings.TrimSuffix(target, "."))
	}
	for _, c := range d.declarations() {
		if c.value != "" && (strings.EqualFold(c.value, target) || HostOf(c.value) == host || strings.EqualFold(c.value, host)) {
			if line := d.Line(c.key); line > 0 {
				return line
			}
		}
	}
	for i, dom := range d.SIPDomains {
		if host == dom || strings.HasSuffix(host, "."+dom) {
			if line := d.Line(fmt.Sprintf("sip_domains[%d]", i)); line > 0 {
				return line
			}
		}
	}
	return max(d.Line("name"), 1)
}

type declaration struct{ key, value string }

// declarations lists the keys that declare names, most specific first.
func (d *Deployment) declarations() []declaration {
	var out []declaration
	add := func(key, value string) { out = append(out, declaration{key, value}) }
	add("meeting_url", d.MeetingURL)
	for i, m := range d.SimpleURLs.Meet {
		add(fmt.Sprintf("simple_urls.meet[%d]", i), m)
	}
	add("simple_urls.dialin", d.SimpleURLs.Dialin)
	add("simple_urls.admin", d.SimpleURLs.Admin)
	for i, ws := range d.WebServices {
		add(fmt.Sprintf("web_services[%d].external", i), ws.External)
	}
	for i, n := range d.Lyncdiscover {
		add(fmt.Sprintf("lyncdiscover[%d]", i), n)
	}
	add("office_web_apps", d.OfficeWebApps)
	if e := d.Edge; e != nil {
		add("edge.access", e.Access)
		add("edge.webconf", e.WebConf)
		add("edge.av", e.AV)
	}
	return out
}
