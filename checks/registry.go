// Package checks holds lyncprobe's diagnostics. Each check turns probe facts
// about a deployment into results with a stable ID, a status, evidence and
// a remedy. Checks are plain functions listed once, in order, in registry.
package checks

import (
	"context"
	"slices"
)

// Check is one diagnostic.
type Check struct {
	ID     string // stable, dotted: module.name
	Module string
	Title  string
	Needs  []string // checks whose failure for a target makes this one skip it
	Run    func(ctx context.Context, e *Env) []Result
	About  About
}

// About is a check's knowledge-base entry.
type About struct {
	What    string
	Why     string
	Sources []string
}

// registry is every check, in report order. Add a check here and nowhere
// else.
var registry = []Check{
	{
		ID: "dns.resolves", Module: "dns", Title: "Published names resolve in public DNS",
		Run: dnsResolves,
		About: About{
			What:    "Every published name (web services, meet, dial-in, lyncdiscover, Office Web Apps) resolves on every public-view resolver.",
			Why:     "External clients find the reverse proxy only through public DNS; a missing record breaks that service alone.",
			Sources: []string{"MicrosoftDocs/OfficeDocs-SkypeForBusiness: Skype/SfbServer/plan-your-deployment/network-requirements/dns.md"},
		},
	},
	{
		ID: "http.reachable", Module: "http", Title: "Published URLs answer over HTTPS with a trusted certificate",
		Needs: []string{"dns.resolves"},
		Run:   httpReachable,
		About: About{
			What:    "Each published URL answers over HTTPS on the published port, on every address it resolves to and every proxy node, with a certificate that verifies.",
			Why:     "A name that resolves but does not answer, or answers with an untrusted certificate, fails for every external client.",
			Sources: []string{"MicrosoftDocs/OfficeDocs-SkypeForBusiness: Lync/LyncServer/lync-server-2013-verify-access-through-your-reverse-proxy.md"},
		},
	},
}

// Registry returns the checks in report order.
func Registry() []Check { return append([]Check(nil), registry...) }

// Modules lists the module names --only accepts, in report order.
func Modules() []string {
	out := append([]string(nil), moduleOrder...)
	for _, c := range registry {
		if !slices.Contains(out, c.Module) {
			out = append(out, c.Module)
		}
	}
	return out
}

// moduleOrder fixes the order of modules in reports and listings.
var moduleOrder = []string{"dns", "cert", "http", "affinity"}
