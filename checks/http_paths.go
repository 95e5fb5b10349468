package checks

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
)

// wsPath is an external web services path and the versions that serve
// it, From and Until inclusive ("" = no bound).
type wsPath struct {
	Path        string
	From, Until string
}

// externalPaths are the external web services paths (DOMAIN.md §1): the
// Get-CsService list, the Autodiscover root, and the mobility paths. /lwa
// and /ucwa came with Lync 2013; /mcx (the Lync 2010 mobility service)
// is taken to last until Skype for Business 2015 — that cut-off is
// inferred, not read in a Microsoft source.
var externalPaths = []wsPath{
	{Path: "/meet"},
	{Path: "/dialin"},
	{Path: "/abs/handler"},
	{Path: "/GroupExpansion/service.svc"},
	{Path: "/CertProv/CertProvisioningService.svc"},
	{Path: "/WebTicket/WebTicketService.svc"},
	{Path: autodiscoverRoot},
	{Path: "/Reach"},
	{Path: "/lwa", From: "lync2013"},
	{Path: "/ucwa", From: "lync2013"},
	{Path: "/mcx", Until: "sfb2015"},
}

// pathsFor lists the paths the version serves, in the table's order.
func pathsFor(version string) []string {
	v := slices.Index(config.Versions, version)
	var out []string
	for _, p := range externalPaths {
		from, until := slices.Index(config.Versions, p.From), slices.Index(config.Versions, p.Until)
		if (p.From == "" || v >= from) && (p.Until == "" || v <= until) {
			out = append(out, p.Path)
		}
	}
	return out
}

// httpPaths: every external web services path of the version is answered
// by a front end, not by the proxy's own error page.
func httpPaths(ctx context.Context, e *Env) []Result {
	type job struct{ host, path string }
	var jobs []job
	for _, ws := range e.Dep.WebServices {
		for _, p := range pathsFor(e.Dep.Version) {
			jobs = append(jobs, job{strings.ToLower(ws.External), p})
		}
	}
	return each(len(jobs), func(i int) []Result { return []Result{e.pathPublished(ctx, jobs[i].host, jobs[i].path)} })
}

func (e *Env) pathPublished(ctx context.Context, host, path string) Result {
	target := "https://" + host + path
	got := e.fetchPage(ctx, target, host, path)
	if got.Skip != nil {
		return *got.Skip
	}
	r := Result{Target: target, Evidence: got.Answer.evidence()}
	r.Evidence["connect"] = got.Req.Addr
	r.Status, r.Message = judgePath(got.Answer, target)
	if r.Status == Fail || r.Status == Warn {
		r.Remedy = publishPathRemedy(host, firstSegment(path))
	}
	return r
}

// judgePath: any answer a front end wrote proves the path is published
// (even IIS's own 404); the proxy's own 4xx proves it is not.
func judgePath(a answer, url string) (Status, string) {
	if msg := blockedBy(a, url); msg != "" {
		return Skip, msg
	}
	sign := a.frontEndSign()
	switch {
	case sign != "":
		return Pass, fmt.Sprintf("published: a front end answers (%s; %s)", a.describe(), sign)
	case a.Status >= 400:
		return Fail, fmt.Sprintf("not published: the reverse proxy answers %d %s itself; no front end saw the request", a.Status, http.StatusText(a.Status))
	case a.Status >= 300:
		return Warn, fmt.Sprintf("the reverse proxy redirects it (%s) instead of passing it to a front end", a.describe())
	}
	return Pass, fmt.Sprintf("published: answers %s (no front-end header; the answer itself is the evidence)", a.describe())
}

// firstSegment is "/abs" for "/abs/handler".
func firstSegment(path string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return "/" + seg
}

// internalOnly are the virtual directories only the internal web site
// (443) has: the Control Panel and remote PowerShell (DOMAIN.md §1).
var internalOnly = []string{"/cscp", "/OcsPowerShell"}

// httpInternalSiteExposed: /cscp or /OcsPowerShell answering from outside
// means the proxy bridges to the internal site instead of the external one.
func httpInternalSiteExposed(ctx context.Context, e *Env) []Result {
	ws := e.Dep.WebServices
	return each(len(ws), func(i int) []Result { return []Result{e.internalSite(ctx, strings.ToLower(ws[i].External))} })
}

func (e *Env) internalSite(ctx context.Context, host string) Result {
	target := "https://" + host
	r := Result{Target: target, Evidence: map[string]any{}}
	var exposed, unknown []string
	pages := e.fetchPages(ctx, target, host, internalOnly)
	for i, p := range internalOnly {
		got := pages[i]
		if got.Skip != nil {
			s := *got.Skip
			s.Target = target
			return s
		}
		r.Evidence[p] = got.Answer.evidence()
		switch judgeExposed(got.Answer, target+p) {
		case Fail:
			exposed = append(exposed, fmt.Sprintf("%s: %s", p, got.Answer.describe()))
		case Skip:
			unknown = append(unknown, fmt.Sprintf("%s answers %s", p, got.Answer.describe()))
		}
	}
	switch {
	case len(exposed) > 0:
		r.Status = Fail
		r.Message = "the internal web site answers from outside (" + strings.Join(exposed, "; ") + "): the proxy bridges to the front ends' internal web site (443) instead of the external one (4443), exposing the Control Panel and remote PowerShell"
		r.Remedy = bridgeRemedy
		r.Evidence["security"] = "administration interfaces reachable from the Internet"
	case len(unknown) > 0:
		r.Status, r.Message = Skip, "cannot tell: "+strings.Join(unknown, "; ")+" (see http.preauth and http.reachable)"
	default:
		r.Status, r.Message = Pass, "/cscp and /OcsPowerShell are not reachable from outside: the proxy bridges to the external web site"
	}
	return r
}

// judgeExposed: Fail when the internal-only path answers (a page, a
// challenge, a refusal or a redirect from a front end), Skip when the
// answer cannot tell (a login, a proxy 5xx), Pass for a 404.
func judgeExposed(a answer, url string) Status {
	sign := a.frontEndSign()
	switch {
	case blockedBy(a, url) != "":
		return Skip
	case a.Status >= 200 && a.Status < 300:
		return Fail
	case sign != "" && (a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden || (a.Status >= 300 && a.Status < 400)):
		return Fail
	}
	return Pass
}
