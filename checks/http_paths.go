package checks

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// wsPath is an external web services path and the versions that serve
// it, From and Until inclusive ("" = no bound).
type wsPath struct {
	Path        string
	From, Until string
}

// externalPaths are the external web services paths (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements): the
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
	pgs := e.pathPages()
	return each(len(pgs), func(i int) []Result {
		return e.onEveryAddress(ctx, pgs[i].Host, false, func(ctx context.Context) Result { return e.pathPublished(ctx, pgs[i]) })
	})
}

func (e *Env) pathPublished(ctx context.Context, p page) Result {
	got := e.fetchPage(ctx, p.Target, p.Host, p.Path)
	if got.Skip != nil {
		return *got.Skip
	}
	r := Result{Target: p.Target, Evidence: got.Answer.evidence()}
	r.Evidence["connect"] = got.Req.Addr
	var direct *answer
	if needsDirect(got.Answer, p.Target) {
		direct = e.askFrontEnd(ctx, p, r.Evidence)
	}
	r.Status, r.Message = judgePath(got.Answer, p.Target, direct)
	if r.Status == Fail || r.Status == Warn {
		r.Remedy = publishPathRemedy(p.Host, firstSegment(p.Path))
	}
	return r
}

// needsDirect: only an answer no sign explains is worth comparing with a
// front end asked directly.
func needsDirect(a answer, url string) bool {
	return a.Status >= 300 && a.frontEndSign() == "" && blockedBy(a, url) == ""
}

// askFrontEnd fetches the page's path from the pool's first front end
// directly, under the public Host; nil when there is no backend or it
// does not answer (evidence says which).
func (e *Env) askFrontEnd(ctx context.Context, p page, ev map[string]any) *answer {
	ws := e.Dep.WebServices[p.Pool]
	if len(ws.Backends) == 0 {
		ev["compared"] = "no web_services.backends to ask directly"
		return nil
	}
	sni := ws.Internal
	if sni == "" {
		sni = p.Host
	}
	req := probe.Request{Addr: ws.Backends[0], SNI: sni, Host: e.Dep.HTTPSAuthority(p.Host), Path: p.Path}
	resp, err := e.Fetch(ctx, req)
	if err != nil {
		ev["compared"] = map[string]any{"front_end": req.Addr, "error": err.Error()}
		return nil
	}
	a := readAnswer(resp)
	ev["compared"] = map[string]any{"front_end": req.Addr, "answer": a.evidence()}
	return &a
}

// judgePath: any answer a front end wrote proves the path is published
// (even IIS's own 404), and so does the answer a front end gives when
// asked directly; only the proxy's own answer (its error page, its
// challenge, its login) proves it is not. An answer neither explains is
// not judged: hardened proxies strip the headers that name IIS.
func judgePath(a answer, url string, direct *answer) (Status, string) {
	if msg := blockedBy(a, url); msg != "" {
		return Skip, msg
	}
	if sign := a.frontEndSign(); sign != "" {
		return Pass, fmt.Sprintf("published: a front end answers (%s; %s)", a.describe(), sign)
	}
	if direct != nil {
		if alike(a, *direct) {
			return Pass, fmt.Sprintf("published: the proxy's answer (%s) is the one a front end gives when asked directly", a.describe())
		}
		if a.Status >= 400 {
			return Fail, fmt.Sprintf("not published: the reverse proxy answers %d %s itself, while a front end asked directly answers %s; no front end saw the request",
				a.Status, http.StatusText(a.Status), direct.describe())
		}
	}
	own := a.proxyOwnSign(url)
	switch {
	case a.Status >= 400 && own != "":
		return Fail, fmt.Sprintf("not published: the reverse proxy answers %d %s itself (%s); no front end saw the request", a.Status, http.StatusText(a.Status), own)
	case a.Status >= 400:
		return Skip, fmt.Sprintf("cannot tell who answered %d %s: nothing in it names a front end or the proxy (a hardened proxy strips Server, X-Powered-By, X-AspNet-Version and X-MS-Server-Fqdn); "+
			"set web_services.backends so that lyncprobe can compare with a front end asked directly", a.Status, http.StatusText(a.Status))
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
// (443) has: the Control Panel and remote PowerShell (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
var internalOnly = []string{"/cscp", "/OcsPowerShell"}

// httpInternalSiteExposed: /cscp or /OcsPowerShell answering from outside
// means the proxy bridges to the internal site instead of the external one.
func httpInternalSiteExposed(ctx context.Context, e *Env) []Result {
	ws := e.Dep.WebServices
	return each(len(ws), func(i int) []Result {
		host := strings.ToLower(ws[i].External)
		return e.onEveryAddress(ctx, host, false, func(ctx context.Context) Result { return e.internalSite(ctx, host) })
	})
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
