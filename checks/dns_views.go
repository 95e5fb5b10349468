package checks

import (
	"fmt"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// viewResolvers are the resolvers of dns.views, each labelled with its view
// so that every result about it names both.
func viewResolvers(dep *config.Deployment) []Resolver {
	var out []Resolver
	for i := range dep.DNS.Views {
		v := &dep.DNS.Views[i]
		for _, a := range v.Resolvers {
			out = append(out, Resolver{Addr: a, Label: fmt.Sprintf("resolver %s in view %s", a, v.Name), View: v, ViewIndex: i})
		}
	}
	return out
}

// zonesTakeViews gives each zone file the view of the configured resolver
// it stands for, when there is one file per configured resolver, in
// config order (dns.resolvers, then each view's). It reports whether it did.
func zonesTakeViews(zones, configured []Resolver) bool {
	if len(zones) != len(configured) || configured[0].Addr == probe.SystemResolver {
		return false
	}
	for i, c := range configured {
		if c.View != nil {
			zones[i].View, zones[i].ViewIndex = c.View, c.ViewIndex
			zones[i].Label += " in view " + c.View.Name
		}
	}
	return true
}

// viewName names the resolver's view for grouping: "" is the default view
// (dns.resolvers, --resolver, zone files).
func (r Resolver) viewName() string {
	if r.View == nil {
		return ""
	}
	return r.View.Name
}

// dnsExpectFor is what res's answer for a name must hold: the view's own
// addresses for a view's resolver; reverse_proxy.addresses (edge.addresses)
// for the default view; and, when --resolver or a zone file stands in for
// configured views, any view's address (anyOf: one region's answer is
// whole). ok is false when there is nothing to compare with.
func (e *Env) dnsExpectFor(res Resolver, edge bool) (x dnsExpectation, ok bool) {
	d := e.Dep
	owner, field := "the reverse proxy", "proxy_addresses"
	if edge {
		owner, field = "the Access Edge", "edge_addresses"
	}
	switch {
	case res.View != nil:
		x = dnsExpectation{e.viewAddrs(*res.View, edge), config.ViewKey(res.ViewIndex, field), "view " + res.View.Name + "'s " + strings.TrimPrefix(owner, "the "), false}
	case e.viewsReplaced && edge:
		x = dnsExpectation{d.EdgeAddresses(), "edge.addresses and dns.views[*].edge_addresses", owner + " in some view", true}
	case e.viewsReplaced:
		x = dnsExpectation{d.ProxyAddresses(), "reverse_proxy.addresses and dns.views[*].proxy_addresses", owner + " in some view", true}
	case edge && d.Edge != nil:
		x = dnsExpectation{d.Edge.Addresses, "edge.addresses", owner, false}
	case !edge:
		x = dnsExpectation{d.ReverseProxy.Addresses, "reverse_proxy.addresses", owner, false}
	}
	return x, len(x.addrs) > 0
}

// viewHolding names the view (other than res's) whose own addresses hold
// every one of addrs: an answer from another region. "" when none does.
func (e *Env) viewHolding(res Resolver, addrs []string, edge bool) string {
	for _, v := range e.Dep.DNS.Views {
		if res.View != nil && v.Name == res.View.Name {
			continue
		}
		own := e.viewAddrs(v, edge)
		if extra, _ := dnsAddrDiff(addrs, own); len(extra) == 0 && len(own) > 0 {
			return v.Name
		}
	}
	return ""
}

// viewAddrs are v's own proxy (or Edge) addresses; Load fills them from
// reverse_proxy.addresses (edge.addresses) when the file leaves them out,
// and so does this for a deployment built in code.
func (e *Env) viewAddrs(v config.View, edge bool) []string {
	switch {
	case !edge && len(v.ProxyAddresses) > 0:
		return v.ProxyAddresses
	case !edge:
		return e.Dep.ReverseProxy.Addresses
	case len(v.EdgeAddresses) > 0:
		return v.EdgeAddresses
	case e.Dep.Edge != nil:
		return e.Dep.Edge.Addresses
	}
	return nil
}
