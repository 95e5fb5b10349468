package checks

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lyncprobe/lyncprobe/probe"
)

// joinFollowUps is how many follow-up connections the join replay opens
// (Lync Web App opens several while it joins); it stops at the first that
// breaks.
const joinFollowUps = 6

// joinMaxBody caps what a join step reads: a join page, an error page.
const joinMaxBody = 256 << 10

const joinRemedy = "Keep every connection of one client on one front end for the whole join: source-address affinity on the " +
	"load balancer in front of the reverse-proxy array (Windows NLB port rule Affinity \"Single\"), or MS-WSMAN cookie " +
	"persistence (needed when clients come through a NAT pool). A fix reported in a comment on Microsoft's TMG remote conferencing article (2011) was to put the balancer in failover, so that all requests took one path."

// joinStep is one request of the replayed join and what answered it.
type joinStep struct {
	Step     int // 0 = the join page
	Path     string
	Source   string
	Status   int
	FrontEnd string
	SameConn bool   // FrontEnd came from an identity request on the step's connection
	Note     string // what an error page said
	Err      error
}

func (s joinStep) broken() bool { return s.Err != nil || s.Status >= 400 }

// affinityJoinFlow replays the Lync Web App join against meeting_url.
func affinityJoinFlow(ctx context.Context, e *Env) []Result {
	raw := e.Dep.MeetingURL
	if raw == "" {
		return []Result{{Target: meetTarget(e), Status: Skip,
			Message: "no meeting_url is configured: set it to a test meeting to replay a Lync Web App join"}}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return []Result{{Target: raw, Status: Skip, Message: "meeting_url cannot be read: " + err.Error()}}
	}
	host := strings.ToLower(u.Hostname())
	addrs, err := e.Addresses(ctx, host)
	if err != nil {
		return []Result{{Target: raw, Status: Error, Message: e.Unfinished(ctx)}}
	}
	if len(addrs) == 0 {
		return []Result{skipFor("dns.resolves", raw, host)}
	}
	// The join is replayed on every address of the meet name.
	return e.onEveryAddress(ctx, host, false, func(ctx context.Context) Result {
		return e.joinOn(ctx, raw, host, pick(ctx, host, addrs), u.RequestURI())
	})
}

// joinOn replays the join on one address of host.
func (e *Env) joinOn(ctx context.Context, raw, host, ip, uri string) Result {
	// Wait for the affinity probe first: it says whether an identity asked on
	// a step's own connection can be trusted, and keeps the replay out of
	// the probe's burst of connections. (affinityFor stops the check's clock
	// while it waits: the probe has its own limit.)
	trust := e.sameConnTrusted(ctx)
	addr := net.JoinHostPort(ip, fmt.Sprint(e.Dep.ReverseProxy.Port))
	steps := e.replayJoin(ctx, host, addr, uri, trust)
	if msg := e.Unfinished(ctx); msg != "" {
		return Result{Target: raw, Via: e.via(ip), Status: Error, Message: msg}
	}
	r := judgeJoin(steps, trust)
	r.Target, r.Via = raw, e.via(ip)
	r.Evidence = map[string]any{"connect": addr, "steps": stepTable(steps), "same_connection_identity_trusted": trust}
	return r
}

// sameConnTrusted: an identity asked on a step's connection names the
// step's front end unless some web services name balanced the requests of
// one connection one by one and cookies did not pin a client either.
func (e *Env) sameConnTrusted(ctx context.Context) bool {
	for _, ws := range e.Dep.WebServices {
		run, early := e.affinityFor(ctx, ws)
		if early != nil {
			continue
		}
		perRequest := len(frontEnds(e.samples(runOneConn, run.OneConn))) > 1
		pinned := len(frontEnds(e.samples(runJar, run.Jar))) <= 1
		if perRequest && !pinned {
			return false
		}
	}
	return true
}

// replayJoin fetches the join page, then follows up on new connections
// carrying the cookies it set, as the web app does; connections take the
// configured source addresses in turn, as a NAT pool would. askID: ask
// the identity resource on a step's connection (only when its answer is
// trusted; see joinStep).
//
// The follow-ups are opened together (at most --concurrency at once), as
// a browser opens its parallel connections to one site once the join page
// is in: each carries the cookies the join page left, so none depends on
// another's answer, and a balancer places each new connection the same
// whether they come together or one by one. The replay still reports up
// to the first follow-up that broke.
func (e *Env) replayJoin(ctx context.Context, host, addr, path string, askID bool) []joinStep {
	jar := &probe.Jar{}
	first, body := e.joinStep(ctx, addr, host, joinStep{Path: path, Source: e.source(0)}, jar, askID)
	if first.broken() || first.Status >= 300 {
		return []joinStep{first}
	}
	next := followUpPath(body, e.Dep.Version)
	follow := make([]joinStep, joinFollowUps)
	// Each follow-up keeps its own trace of facts a recorded run lacks:
	// which follow-ups start past the first broken one depends on timing,
	// and those are not judged, so only the judged ones' traces count.
	traces := make([]*missTrace, joinFollowUps)
	var broken atomic.Int64 // the first follow-up known broken; later ones need not start
	broken.Store(joinFollowUps + 1)
	work := make(chan int, joinFollowUps)
	for i := 1; i <= joinFollowUps; i++ {
		work <- i
	}
	close(work)
	var wg sync.WaitGroup
	for range max(1, min(joinFollowUps, cap(e.memo.sem))) {
		wg.Go(func() {
			for i := range work {
				if int64(i) > broken.Load() {
					continue
				}
				stepCtx, trace := withTrace(ctx)
				traces[i-1] = trace
				s, _ := e.joinStep(stepCtx, addr, host, joinStep{Step: i, Path: next, Source: e.source(i)}, jar.Clone(), askID)
				follow[i-1] = s
				if s.broken() {
					lowerTo(&broken, int64(i))
				}
			}
		})
	}
	wg.Wait()
	judged := min(joinFollowUps, int(broken.Load()))
	if t := traceOf(ctx); t != nil {
		for _, st := range traces[:judged] {
			if st != nil {
				t.merge(st)
			}
		}
	}
	return append([]joinStep{first}, follow[:judged]...)
}

// lowerTo sets v to n if n is smaller.
func lowerTo(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n >= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}

// meetTarget names the join-flow result when there is no meeting URL: the
// first meet simple URL.
func meetTarget(e *Env) string {
	if len(e.Dep.SimpleURLs.Meet) > 0 {
		return e.Dep.SimpleURLs.Meet[0]
	}
	return "meeting_url"
}

func (e *Env) source(i int) string {
	src := e.Dep.Affinity.SourceAddresses
	if len(src) == 0 {
		return ""
	}
	return src[i%len(src)]
}

// joinStep sends one step on a new connection, then, if the answer names
// no front end and askID, asks the identity resource on the same
// connection. Behind a proxy that balances each request (real nginx,
// HAProxy and Apache round-robin do), that extra request is not only
// untrusted but harmful: with two front ends it moved the rotation on by
// one, so every step landed on the join page's front end and a broken
// join passed (found by the e2e suite).
func (e *Env) joinStep(ctx context.Context, addr, host string, s joinStep, jar *probe.Jar, askID bool) (joinStep, string) {
	c, err := e.src.Open(ctx, fmt.Sprintf("join|%s|%d", addr, s.Step), probe.DialSpec{Addr: addr, SNI: host, Local: s.Source})
	if err != nil {
		s.Err = err
		return s, ""
	}
	defer c.Close()
	s.Source = c.Local()
	carried, _ := jar.Cookie()
	resp, err := c.Do(ctx, e.withJar(probe.Request{Host: e.Dep.HTTPSAuthority(host), Path: s.Path, MaxBody: joinMaxBody}, jar))
	if err != nil {
		s.Err = err
		return s, ""
	}
	jar.Take(resp.Header)
	s.Status, s.FrontEnd = resp.Status, e.identity(resp.Header)
	if s.FrontEnd == "" {
		s.FrontEnd = e.carriedIdentity(carried)
	}
	if s.broken() {
		s.Note = errorNote(string(resp.Body))
	}
	if s.FrontEnd == "" && askID {
		if id, err := c.Do(ctx, e.withJar(e.identityRequest(host), jar)); err == nil {
			s.FrontEnd, s.SameConn = e.identity(id.Header), true
		}
	}
	return s, string(resp.Body)
}

func (e *Env) withJar(r probe.Request, jar *probe.Jar) probe.Request {
	if line, _ := jar.Cookie(); line != "" {
		r.Header = map[string][]string{"Cookie": {line}}
	}
	return r
}

// followUpPath is the web app URL the join page links to (/lwa/… from
// Lync 2013 on, /Reach/… in Lync 2010), or the version's default when the
// page names none.
func followUpPath(body, version string) string {
	for _, link := range parsePage(body).Links {
		u, err := url.Parse(link)
		if err != nil {
			continue
		}
		low := strings.ToLower(u.Path)
		if strings.HasPrefix(low, "/lwa/") || strings.HasPrefix(low, "/reach/") {
			return u.RequestURI()
		}
	}
	if version == "lync2010" {
		return "/Reach/Client/WebPages/ReachJoin.aspx"
	}
	return "/lwa/WebPages/LwaClient.aspx"
}

// errorNote is what an error page says, briefly.
func errorNote(body string) string {
	if strings.Contains(strings.ToLower(body), "session not found") {
		return "session not found"
	}
	return parsePage(body).Title
}

// parsePage reads an HTML body the way the HTTP checks do.
func parsePage(body string) answer {
	var a answer
	a.readHTML([]byte(body))
	return a
}
