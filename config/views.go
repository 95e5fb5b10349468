package config

import (
	"fmt"
	"slices"
)

// checkViews checks dns.views and fills each view's addresses from
// reverse_proxy.addresses and edge.addresses when it leaves them out.
func (l *loader) checkViews(d *Deployment) {
	if len(d.DNS.Views) == 0 {
		return
	}
	seen := map[string]bool{}
	for i := range d.DNS.Views {
		v := &d.DNS.Views[i]
		key := indexKey("dns.views", i)
		switch {
		case v.Name == "":
			l.fail(key+".name", "must not be empty")
		case seen[v.Name]:
			l.fail(key+".name", "%q names another view too", v.Name)
		}
		seen[v.Name] = true
		if len(v.Resolvers) == 0 {
			l.fail(key+".resolvers", "must list at least one resolver, host[:port]")
		}
		l.hostPorts(key+".resolvers", v.Resolvers, 53)
		l.ips(key+".proxy_addresses", v.ProxyAddresses)
		l.ips(key+".edge_addresses", v.EdgeAddresses)
		if len(v.ProxyAddresses) == 0 {
			v.ProxyAddresses = slices.Clone(d.ReverseProxy.Addresses)
		}
		if len(v.EdgeAddresses) == 0 && d.Edge != nil {
			v.EdgeAddresses = slices.Clone(d.Edge.Addresses)
		}
	}
}

// ProxyAddresses are every address the reverse proxy answers on in some
// view: reverse_proxy.addresses, then each view's own, without repeats.
func (d *Deployment) ProxyAddresses() []string {
	out := slices.Clone(d.ReverseProxy.Addresses)
	for _, v := range d.DNS.Views {
		out = appendNew(out, v.ProxyAddresses...)
	}
	return out
}

// EdgeAddresses are every address of the Access Edge in some view.
func (d *Deployment) EdgeAddresses() []string {
	var out []string
	if d.Edge != nil {
		out = slices.Clone(d.Edge.Addresses)
	}
	for _, v := range d.DNS.Views {
		out = appendNew(out, v.EdgeAddresses...)
	}
	return out
}

// ViewKey is the config key of view i's addresses, for messages.
func ViewKey(i int, field string) string {
	return fmt.Sprintf("dns.views[%d].%s", i, field)
}

func appendNew(out []string, items ...string) []string {
	for _, s := range items {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
