package checks

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Confidence of a Host-forwarding verdict, put in evidence.
const (
	confidenceCompared = "certain: the public answer was compared with a front end's answers under the public Host and under another Host"
	confidenceInferred = "likely: inferred from the public answers alone (no backends to compare, or they did not answer)"
)

// httpHostForwarding: the classic TMG fault. IIS on the front ends
// routes meet and dial-in by Host; a proxy that sends the internal name
// instead gets a blank page or a 404 while the web services keep working.
func httpHostForwarding(ctx context.Context, e *Env) []Result {
	pgs := e.pages()
	return each(len(pgs), func(i int) []Result {
		return e.onEveryAddress(ctx, pgs[i].Host, false, func(ctx context.Context) Result { return e.hostForwarding(ctx, pgs[i]) })
	})
}

// hostFacts is what the verdict rests on, all recorded answers.
type hostFacts struct {
	Kind        string
	Public      answer
	Forwarded   *answer // a front end under the public Host (what a forwarding proxy sends)
	Foreign     *answer // the same front end under another Host (what a rewriting proxy sends)
	PublicHost  string
	ForeignHost string
	Control     *answer  // a web services page through the public name, for the inference
	Internal    []string // names whose appearance betrays the rewrite
}

type hostVerdict struct {
	Status     Status
	Message    string
	Confidence string
	Signs      []string // what showed the rewrite, when inferred
}

func (e *Env) hostForwarding(ctx context.Context, p page) Result {
	// The front end is asked beside the public fetch, not after it: what
	// it is asked (the public Host header) is known before DNS answers.
	f := hostFacts{Kind: p.Kind, PublicHost: e.Dep.HTTPSAuthority(p.Host), Internal: e.internalNames()}
	beEv := map[string]any{}
	asked := make(chan struct{})
	e.Go(func() { defer close(asked); e.askBackend(ctx, p, &f, beEv) })
	pub := e.fetchPage(ctx, p.Target, p.Host, p.Path)
	// Without a public answer to judge, the front end's answers are not
	// waited for (the request ends with the check).
	if pub.Skip != nil {
		return *pub.Skip
	}
	ev := map[string]any{"connect": pub.Req.Addr, "path": p.Path, "host_header": pub.Req.Host, "public": pub.Answer.evidence()}
	if msg := blockedBy(pub.Answer, p.Target); msg != "" {
		return Result{Target: p.Target, Status: Skip, Message: msg, Evidence: ev}
	}
	<-asked
	maps.Copy(ev, beEv)
	f.Public = pub.Answer
	if f.Forwarded == nil && hostRouted(p.Kind) {
		f.Control = e.controlAnswer(ctx, p.Pool)
	}
	if msg := e.Unfinished(ctx); msg != "" {
		return Result{Target: p.Target, Status: Error, Message: msg, Evidence: ev}
	}
	v := judgeHost(f)
	ev["confidence"] = v.Confidence
	if len(v.Signs) > 0 {
		ev["signs"] = v.Signs
	}
	r := Result{Target: p.Target, Status: v.Status, Message: v.Message, Evidence: ev}
	if v.Status == Fail {
		r.Remedy = hostForwardRemedy
	}
	return r
}

// askBackend fetches the page's path from the pool's first front end
// twice: under the public Host and under the Host a rewriting proxy sends
// (web_services.internal, else the backend's own address, as nginx and
// Apache send the upstream name). It records nothing when there is no
// backend or it does not answer; the verdict is then inferred.
func (e *Env) askBackend(ctx context.Context, p page, f *hostFacts, ev map[string]any) {
	ws := e.Dep.WebServices[p.Pool]
	if len(ws.Backends) == 0 {
		ev["backends"] = "none configured"
		return
	}
	be := ws.Backends[0]
	f.ForeignHost = ws.Internal
	if f.ForeignHost == "" {
		f.ForeignHost = be
	}
	sni := ws.Internal
	if sni == "" {
		sni = p.Host
	}
	base := probe.Request{Addr: be, SNI: sni, Path: p.Path}
	var fwd, foreign *probe.Response
	var errFwd, errForeign error
	var wg sync.WaitGroup
	wg.Go(func() { r := base; r.Host = f.PublicHost; fwd, errFwd = e.Fetch(ctx, r) })
	wg.Go(func() { r := base; r.Host = f.ForeignHost; foreign, errForeign = e.Fetch(ctx, r) })
	wg.Wait()
	cmp := map[string]any{"front_end": be, "sni": sni, "forwarded_host": f.PublicHost, "foreign_host": f.ForeignHost}
	ev["compared"] = cmp
	if errFwd != nil || errForeign != nil {
		cmp["error"] = fmt.Sprint(firstErr(errFwd, errForeign))
		return
	}
	a, b := readAnswer(fwd), readAnswer(foreign)
	f.Forwarded, f.Foreign = &a, &b
	cmp["forwarded"], cmp["foreign"] = a.evidence(), b.evidence()
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// controlAnswer is the pool's Lync Web App page through the public name:
// a web services path that does not depend on Host.
func (e *Env) controlAnswer(ctx context.Context, pool int) *answer {
	host := strings.ToLower(e.Dep.WebServices[pool].External)
	got := e.fetchPage(ctx, "https://"+host+lwaPath(e.Dep.Version), host, lwaPath(e.Dep.Version))
	if got.Skip != nil {
		return nil
	}
	return &got.Answer
}

// internalNames are the inside names a rewriting proxy may send or echo.
func (e *Env) internalNames() []string {
	var out []string
	for _, ws := range e.Dep.WebServices {
		if ws.Internal != "" {
			out = append(out, strings.ToLower(ws.Internal))
		}
		for _, b := range ws.Backends {
			if h, _, err := net.SplitHostPort(b); err == nil && net.ParseIP(h) == nil {
				out = append(out, strings.ToLower(h))
			}
		}
	}
	return out
}

// hostRouted: IIS picks these pages by the Host header (the simple URLs
// and the lyncdiscover root); the Lync Web App path answers under any Host.
func hostRouted(kind string) bool {
	return kind == kindMeet || kind == kindDialin || kind == kindLyncdiscover
}

func judgeHost(f hostFacts) hostVerdict {
	if f.Forwarded != nil && f.Foreign != nil {
		return judgeCompared(f)
	}
	return judgeInferred(f)
}

// judgeCompared decides which of the front end's two answers the public
// one matches.
func judgeCompared(f hostFacts) hostVerdict {
	pub, fwd, foreign := f.Public, *f.Forwarded, *f.Foreign
	likeFwd, likeForeign := alike(pub, fwd), alike(pub, foreign)
	v := hostVerdict{Confidence: confidenceCompared}
	switch {
	case alike(fwd, foreign) && likeFwd:
		v.Status = Pass
		v.Message = fmt.Sprintf("answers like the front end (%s); this path answers the same under any Host, so it works whatever the proxy sends", pub.describe())
	case alike(fwd, foreign):
		v.Status = Skip
		v.Message = fmt.Sprintf("the public answer (%s) differs from the front end's (%s) for a reason other than the Host header; see http.paths and http.preauth", pub.describe(), fwd.describe())
	case likeFwd && !likeForeign:
		v.Status = Pass
		v.Message = fmt.Sprintf("the reverse proxy forwards the original Host header: the public answer (%s) matches the front end's under Host %s, not under Host %s",
			pub.describe(), f.PublicHost, f.ForeignHost)
	case likeForeign && !likeFwd:
		v.Status = Fail
		v.Message = fmt.Sprintf("the reverse proxy does not forward the original Host header: the public name answers %s, as the front end does under Host %s; under Host %s the front end answers %s",
			pub.describe(), f.ForeignHost, f.PublicHost, fwd.describe())
	default:
		v.Status = Skip
		v.Message = fmt.Sprintf("cannot tell: the public answer (%s) matches neither the front end's under Host %s (%s) nor under Host %s (%s)",
			pub.describe(), f.PublicHost, fwd.describe(), f.ForeignHost, foreign.describe())
	}
	return v
}

// judgeInferred decides from the public answers alone: a blank page or a
// front end's 404 (or the internal name showing) where the page should be,
// while a web services path works, is the rewrite's signature.
func judgeInferred(f hostFacts) hostVerdict {
	v := hostVerdict{Confidence: confidenceInferred}
	pub := f.Public
	signs := rewriteSigns(pub, f.Internal)
	works := pub.Status == http.StatusOK && !pub.Blank() && !pub.Password
	switch {
	case !hostRouted(f.Kind) && works:
		v.Status, v.Message = Pass, fmt.Sprintf("answers %s; this path does not depend on the Host header", pub.describe())
	case !hostRouted(f.Kind):
		v.Status, v.Message = Skip, fmt.Sprintf("answers %s; this path does not depend on the Host header, so it cannot show how Host is handled", pub.describe())
	case len(signs) > 0 && f.Control != nil && controlWorks(*f.Control):
		v.Status = Fail
		v.Message = fmt.Sprintf("the reverse proxy does not forward the original Host header: the public name answers %s while the web services work (Lync Web App: %s)",
			pub.describe(), f.Control.describe())
		v.Signs = signs
	case len(signs) > 0:
		v.Status = Skip
		v.Message = fmt.Sprintf("answers %s, but the web services do not answer either, so it is not the Host header alone", pub.describe())
	case works:
		v.Status, v.Message = Pass, fmt.Sprintf("renders under the public name (%s): the proxy forwards the Host header", pub.describe())
	default:
		v.Status, v.Message = Skip, fmt.Sprintf("answers %s: cannot tell how the proxy handles the Host header from it", pub.describe())
	}
	return v
}

func controlWorks(a answer) bool { return a.Status == http.StatusOK && !a.Blank() }

// rewriteSigns are what a Host rewrite shows in a public answer.
func rewriteSigns(a answer, internal []string) []string {
	var out []string
	switch {
	case a.Blank():
		out = append(out, "nothing visible where the page should be")
	case a.Status == http.StatusNotFound && a.frontEndSign() != "":
		out = append(out, "the front end does not know the page under the Host it was sent")
	}
	for _, n := range internal {
		if shows(a, n) {
			out = append(out, "the internal name "+n+" shows in the answer")
		}
	}
	return out
}

// shows reports whether name appears in the answer's redirect, links or
// visible text (X-MS-Server-Fqdn names the front end on every healthy
// deployment and does not count).
func shows(a answer, name string) bool {
	for _, l := range append([]string{a.Header.Get("Location")}, a.Links...) {
		if u, err := url.Parse(l); err == nil && strings.EqualFold(u.Hostname(), name) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(a.Text), name)
}

// publishedHost reports whether host is one of the deployment's own
// published names.
func publishedHost(d *config.Deployment, host string) bool {
	for _, p := range d.PublishedHosts() {
		if strings.EqualFold(p.Host, host) {
			return true
		}
	}
	return false
}
