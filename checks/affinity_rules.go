package checks

import (
	"slices"
)

// AffinityRule is one cell of the version × balancing-mode table the
// affinity checks follow: what Microsoft asks of the external web services
// for that version, and the verdict lyncprobe gives.
type AffinityRule struct {
	Versions []string // config.Versions values
	Mode     string   // one of the balancing modes below
	Status   Status
	Rule     string // what the sources say, as the result quotes it
	Sources  []string
}

// Balancing modes as the affinity probe sees them.
const (
	modeNone   = "no affinity (each connection or request balanced)"
	modeSource = "source-address persistence only"
	modeWSMAN  = "MS-WSMAN cookie persistence"
	modeOther  = "cookie persistence under another name"
)

// Public sources of the table (Microsoft's own pages first).
const (
	srcNextHop2010 = "http://blogs.technet.com/b/nexthop/archive/2011/11/03/hardware-load-balancer-requirements-for-lync-server-2010.aspx (Lync 2010: cookie-based persistence required for external clients; source affinity recommended for internal)"
	srcHLB2013     = "MicrosoftDocs/OfficeDocs-SkypeForBusiness: Lync/LyncServer/lync-server-2013-hardware-load-balancer-requirements.md (cookie affinity needed only while Lync 2010 pools remain; summary table: external web services FQDN \"No affinity\")"
	srcSfBLB       = "MicrosoftDocs/OfficeDocs-SkypeForBusiness: Skype/SfbServer/plan-your-deployment/network-requirements/load-balancing.md (\"If you ... will not retain any Lync Server 2010 Front End Servers or Front End pools, you do not need cookie-based persistence\"; summary table: external \"No affinity\"; external VIP persistence profile \"None\"; typical source-address affinity \"is fine\"; mobile needs each request balanced individually)"
	srcMobility13  = "MicrosoftDocs/OfficeDocs-SkypeForBusiness: Lync/LyncServer/lync-server-2013-technical-requirements-for-mobility.md (external web services VIPs configured for source affinity)"
	srcJoinSplit   = "comment on https://blogs.technet.microsoft.com/drrez/2011/02/21/remote-conferencing-with-lync-web-app-with-forefront-threat-management-gateway-2010-reverse-proxy-part-1/ (a balancer in front of a TMG array split a meeting join)"
)

var later = []string{"lync2013", "sfb2015", "sfb2019", "sfbse"}

// conflictNote is said wherever the 2013-and-later verdict rests on
// Microsoft pages that disagree.
const conflictNote = "Microsoft's pages conflict here: the load-balancing summary tables ask for no affinity on the external web services FQDN, " +
	"the Lync 2013 mobility page for source affinity; lyncprobe does not pick a side silently and lets affinity.join-flow show whether a join breaks"

// AffinityRules is the table, in the order the README prints it. The
// judge reads its verdicts from here, so the table and the results agree.
var AffinityRules = []AffinityRule{
	{[]string{"lync2010"}, modeNone, Fail, "Lync 2010 requires cookie persistence (MS-WSMAN) for external clients; without any affinity a Lync Web App join is split", []string{srcNextHop2010, srcSfBLB, srcJoinSplit}},
	{[]string{"lync2010"}, modeSource, Warn, "Lync 2010 requires MS-WSMAN cookie persistence for external clients; source-address persistence alone keeps a client only while its address does not change (a NAT pool or a mobile client changing networks is split)", []string{srcNextHop2010, srcSfBLB}},
	{[]string{"lync2010"}, modeWSMAN, Pass, "what Lync 2010 requires; affinity.cookie checks the cookie's attributes", []string{srcNextHop2010, srcSfBLB}},
	{[]string{"lync2010"}, modeOther, Warn, "the Lync 2010 web services expect the cookie to be named MS-WSMAN (affinity.cookie)", []string{srcSfBLB}},
	{later, modeNone, Warn, "a Lync Web App join needs its connections on one front end; " + conflictNote, []string{srcHLB2013, srcSfBLB, srcMobility13, srcJoinSplit}},
	{later, modeSource, Pass, "source-address affinity \"is fine\" (typical configuration); behind a NAT pool it splits clients (warn)", []string{srcSfBLB, srcMobility13}},
	{later, modeWSMAN, Pass, "not needed without Lync 2010 pools, but \"there is no negative impact\"", []string{srcSfBLB}},
	{later, modeOther, Info, "not needed without Lync 2010 pools; the web services only read MS-WSMAN", []string{srcSfBLB}},
}

// affinityRule is the rule for a version and mode; ok is false when the
// table has none (an unknown version).
func affinityRule(version, mode string) (AffinityRule, bool) {
	if version != "lync2010" && !slices.Contains(later, version) {
		version = "sfb2019" // an unset version: the default
	}
	for _, r := range AffinityRules {
		if r.Mode == mode && slices.Contains(r.Versions, version) {
			return r, true
		}
	}
	return AffinityRule{}, false
}
