package checks

import (
	"context"
	"fmt"
	"sync"

	"github.com/lyncprobe/lyncprobe/probe"
)

// edgeAVResults: the A/V Edge answers on UDP av_udp (3478) and TCP av_tcp
// (443), for every address av resolves to: UDP first, then TCP.
func edgeAVCheck(ctx context.Context, e *Env) []Result {
	ed := e.Dep.Edge
	switch {
	case ed == nil:
		return nil
	case ed.AV == "":
		return []Result{{Target: ed.Access, Status: Skip, Message: "edge.av is not set: the A/V Edge (audio, video, sharing) is not checked"}}
	}
	// One lookup for both lists: two could differ if the check's deadline
	// ended between them (a TCP list shorter than the UDP one).
	addrs, _ := e.Addresses(ctx, ed.AV)
	udp, tcp := endpointsAt(addrs, "udp", ed.Ports.AVUDP), endpointsAt(addrs, "tcp", ed.Ports.AVTCP)
	if len(udp) == 0 {
		return []Result{e.edgeUnresolved(ctx, ed.AV, "")}
	}
	out := make([]Result, 0, 2*len(udp))
	for i := range udp {
		var ua, ta avAnswer
		var wg sync.WaitGroup
		wg.Go(func() { ua = e.edgeAV(ctx, udp[i].Addr, "udp") })
		ta = e.edgeAV(ctx, tcp[i].Addr, "tcp")
		wg.Wait()
		out = append(out,
			e.judgeAV(ctx, ua, fmt.Sprintf("UDP %d", ed.Ports.AVUDP), ta.Err == nil),
			e.judgeAV(ctx, ta, fmt.Sprintf("TCP %d", ed.Ports.AVTCP), false))
		out[len(out)-2].Via, out[len(out)-1].Via = udp[i].Via, tcp[i].Via
	}
	for i := range out {
		out[i].Target = ed.AV
	}
	return out
}

// judgeAV decides one A/V Edge port. A UDP port that gets no answer while
// TCP does is a warning (media falls back to TCP, at a cost), else a fail.
func (e *Env) judgeAV(ctx context.Context, a avAnswer, what string, tcpAnswered bool) Result {
	av := e.Dep.Edge.AV
	if a.Err != nil {
		r := e.edgeConnectFailure(ctx, a.Err, what+" to "+av)
		if r.Status == Fail && probe.KindOf(a.Err) == probe.KindTimeout {
			r.Message = fmt.Sprintf("%s to %s got no answer: audio/video will fall back to TCP %d or fail", what, av, e.Dep.Edge.Ports.AVTCP)
			if what[:3] == "TCP" {
				r.Message = what + " to " + av + " got no answer: clients that cannot use UDP get no audio/video, and no desktop sharing"
			}
		}
		if r.Status == Fail && what[:3] == "UDP" && tcpAnswered {
			r.Status = Warn
		}
		r.Remedy = "Open " + what + " inbound (and UDP 3478 / TCP 443 both ways) to the A/V Edge's external address on the firewall; the A/V Edge's external address must not be NATed behind a load balancer (Microsoft: Skype for Business Server Edge system requirements)."
		return r
	}
	f := a.Facts
	r := Result{Evidence: map[string]any{"dialect": f.Dialect, "message_type": fmt.Sprintf("0x%04X", f.Type), "rtt_ms": f.RTT.Milliseconds()}}
	if f.ErrorCode != 0 {
		r.Evidence["error_code"] = f.ErrorCode
	}
	if f.Realm != "" {
		r.Evidence["realm"] = f.Realm
	}
	if f.MSVersion != 0 {
		r.Evidence["ms_version"] = f.MSVersion
	}
	if a.Fallback {
		r.Evidence["ms_turn"] = a.MSErr.Error()
		r.Status = Warn
		r.Message = fmt.Sprintf("%s answers only the RFC 5389 Binding request (fallback), not the MS-TURN Allocate that Lync/Skype for Business clients send: this is not an A/V Edge, or not the one clients will use", what)
		r.Remedy = "Point " + av + " at the A/V Edge's external address, and check that nothing in front of it (a load balancer, another TURN server) answers instead."
		return r
	}
	r.Status = Pass
	if f.Challenged() {
		r.Message = fmt.Sprintf("%s answers MS-TURN: the Allocate drew the authentication challenge (401, realm %q)", what, f.Realm)
	} else {
		r.Message = fmt.Sprintf("%s answers MS-TURN (message 0x%04X, code %d)", what, f.Type, f.ErrorCode)
	}
	return r
}
