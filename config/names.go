package config

import (
	"net/url"
	"strconv"
	"strings"
)

// Role says why a name is published.
type Role string

// Roles of published names, in the order reports list them.
const (
	RoleWebExt       Role = "webext"
	RoleMeet         Role = "meet"
	RoleDialin       Role = "dialin"
	RoleLyncdiscover Role = "lyncdiscover"
	RoleOWA          Role = "owa"
)

// Published is one URL the reverse proxy publishes.
type Published struct {
	Role Role
	Host string // lower-case FQDN, no port
	URL  string // https URL as configured (no port), e.g. https://meet.contoso.com
}

// PublishedURLs lists every URL the reverse proxy publishes, in a stable
// order: web services, meet, dial-in, lyncdiscover, Office Web Apps.
// A URL appears once even when configured twice.
func (d *Deployment) PublishedURLs() []Published {
	var out []Published
	seen := map[string]bool{}
	add := func(role Role, raw string) {
		host := HostOf(raw)
		if host == "" || seen[raw] {
			return
		}
		seen[raw] = true
		out = append(out, Published{Role: role, Host: host, URL: raw})
	}
	for _, ws := range d.WebServices {
		add(RoleWebExt, "https://"+ws.External)
	}
	for _, m := range d.SimpleURLs.Meet {
		add(RoleMeet, m)
	}
	add(RoleDialin, d.SimpleURLs.Dialin)
	for _, n := range d.LyncdiscoverNames() {
		add(RoleLyncdiscover, "https://"+n)
	}
	if d.OfficeWebApps != "" {
		add(RoleOWA, "https://"+d.OfficeWebApps)
	}
	return out
}

// PublishedHosts lists the distinct host names of PublishedURLs, in order.
func (d *Deployment) PublishedHosts() []Published {
	var out []Published
	seen := map[string]bool{}
	for _, p := range d.PublishedURLs() {
		if !seen[p.Host] {
			seen[p.Host] = true
			out = append(out, p)
		}
	}
	return out
}

// LyncdiscoverNames is the configured override, or lyncdiscover.<d> for
// each SIP domain.
func (d *Deployment) LyncdiscoverNames() []string {
	if len(d.Lyncdiscover) > 0 {
		return d.Lyncdiscover
	}
	out := make([]string, 0, len(d.SIPDomains))
	for _, dom := range d.SIPDomains {
		out = append(out, "lyncdiscover."+dom)
	}
	return out
}

// HTTPSAuthority is host, or host:port when the published port is not 443:
// what a browser puts in the Host header.
func (d *Deployment) HTTPSAuthority(host string) string {
	if d.ReverseProxy.Port == 0 || d.ReverseProxy.Port == DefaultPort {
		return host
	}
	return host + ":" + strconv.Itoa(d.ReverseProxy.Port)
}

// HostOf returns the lower-case host of an URL, or "" when it has none.
func HostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}

// OverHTTPOnly reports whether host is published over plain HTTP only: a
// lyncdiscover name under lyncdiscover_http_only (and no other role's name).
// Such a name is not on the certificate, and nothing asks it over HTTPS.
func (d *Deployment) OverHTTPOnly(host string) bool {
	if !d.LyncdiscoverHTTPOnly {
		return false
	}
	host = strings.ToLower(host)
	only := false
	for _, p := range d.PublishedURLs() {
		if p.Host == host {
			if p.Role != RoleLyncdiscover {
				return false
			}
			only = true
		}
	}
	return only
}

// NeedsCertificate reports whether the reverse proxy's certificate must
// cover host: every published name but one published over HTTP only.
func (d *Deployment) NeedsCertificate(host string) bool { return !d.OverHTTPOnly(host) }
