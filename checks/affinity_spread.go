package checks

import (
	"context"
	"fmt"

	"github.com/lyncprobe/lyncprobe/probe"
)

// affinityPerRequest: whether the requests of one keep-alive connection
// are balanced one by one (what mobile clients need from Lync 2013 on).
func affinityPerRequest(ctx context.Context, e *Env) []Result {
	return e.affinityEach(ctx, func(run *affinityRun) Result {
		one := e.samples(runOneConn, run.OneConn)
		r := judgePerRequest(one, e.Dep.Affinity.IdentityHeader)
		r.Evidence = map[string]any{"requests": connectionTable(one)}
		return r
	})
}

// judgePerRequest is the verdict of affinity.per-request on recorded facts.
func judgePerRequest(one []sample, header string) Result {
	if r := noAnswer(one); r != nil {
		return *r
	}
	answered := 0
	for _, s := range one {
		if s.Err == nil {
			answered++
		}
	}
	const mobile = "mobile clients from Lync 2013 on need each request balanced individually (F5 \"OneConnect\"; Microsoft: Skype for Business Server load balancing requirements)"
	if last := one[len(one)-1]; last.Err != nil && probe.KindOf(last.Err) == probe.KindClosed && answered < 2 {
		return Result{Status: Info, Message: "the proxy closed the connection after the first request: requests are not kept on one connection; " + mobile}
	}
	fes := frontEnds(one)
	switch {
	case len(fes) == 0:
		return unidentified(header, one)
	case len(fes) > 1:
		return Result{Status: Info, Message: fmt.Sprintf(
			"the %d requests on one keep-alive connection reached %d front ends (%s): the balancer balances each request, as %s",
			answered, len(fes), barsText(fes), mobile)}
	}
	return Result{Status: Info, Message: fmt.Sprintf(
		"all %d requests on one keep-alive connection reached %s: the balancer keeps a connection on one front end, while %s",
		answered, fes[0].Label, mobile)}
}

// affinityDistribution: how new connections without cookies spread over
// the front ends, as a chart.
func affinityDistribution(ctx context.Context, e *Env) []Result {
	return e.affinityEach(ctx, func(run *affinityRun) Result {
		plain := e.samples(runPlain, run.Plain)
		if r := noAnswer(plain); r != nil {
			return *r
		}
		bars := distribution(plain, run.Backends)
		fes := frontEnds(plain)
		if len(fes) == 0 {
			return unidentified(e.Dep.Affinity.IdentityHeader, plain)
		}
		return Result{Status: Info, Evidence: map[string]any{EvidenceDistribution: bars},
			Message: fmt.Sprintf("%d new connections without cookies reached %d front end(s)%s",
				len(plain), len(fes), failedNote(plain))}
	})
}

// distribution is one bar per front end (those known but not reached
// show 0), then the connections that named none or got no answer.
func distribution(plain []sample, backends []backendIdentity) []Bar {
	bars := frontEnds(plain)
	for _, b := range backends {
		if b.Identity != "" && !hasBar(bars, b.Identity) && (len(bars) == 0 || sameKind(bars[0].Label, b.Identity)) {
			bars = append(bars, Bar{Label: b.Identity})
		}
	}
	unnamed, failed := 0, 0
	for _, s := range plain {
		switch {
		case s.Err != nil:
			failed++
		case s.FrontEnd == "":
			unnamed++
		}
	}
	if unnamed > 0 {
		bars = append(bars, Bar{Label: "(front end not named)", Count: unnamed})
	}
	if failed > 0 {
		bars = append(bars, Bar{Label: "(no answer)", Count: failed})
	}
	return bars
}

func hasBar(bars []Bar, label string) bool {
	for _, b := range bars {
		if b.Label == label {
			return true
		}
	}
	return false
}
