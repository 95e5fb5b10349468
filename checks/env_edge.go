package checks

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/probe"
)

// edgeTLS is one TLS handshake with an Edge role, once per run for each
// address and name. It tolerates a server that asks for a client
// certificate (federation is mutual TLS): the chain is kept.
func (e *Env) edgeTLS(ctx context.Context, addr, sni string) (*probe.MTLSFacts, error) {
	v, err := e.memo.get(ctx, "mtls|"+addr+"|"+sni, func(ctx context.Context) (any, error) {
		return e.src.HandshakeMTLS(ctx, addr, sni)
	})
	if err != nil {
		return nil, err
	}
	return v.(*probe.MTLSFacts), nil
}

// avAnswer is what an A/V Edge port said: in MS-TURN, or only to the
// RFC 5389 fallback, or nothing (Err).
type avAnswer struct {
	Facts    *probe.TurnFacts
	Fallback bool  // Facts came from the RFC 5389 Binding fallback
	MSErr    error // why MS-TURN got no usable answer, when Fallback
	Err      error // neither dialect answered
}

// edgeAV asks addr over transport, once per run: an MS-TURN Allocate
// first; when that gets no MS-TURN answer, an RFC 5389 Binding request
// (for servers that are not Lync/SfB), each within its share of the time.
func (e *Env) edgeAV(ctx context.Context, addr, transport string) avAnswer {
	v, _ := e.memo.get(ctx, "turn|"+transport+"|"+addr, func(ctx context.Context) (any, error) {
		return avProbe(ctx, e.src, addr, transport), nil
	})
	if v == nil {
		return avAnswer{Err: ctx.Err()}
	}
	return v.(avAnswer)
}

func avProbe(ctx context.Context, src Source, addr, transport string) avAnswer {
	msCtx, cancel := context.WithTimeout(ctx, turnShare(ctx, transport, 0.6, 3*time.Second))
	f, err := src.TURN(msCtx, addr, transport, probe.DialectMSTURN)
	cancel()
	if err == nil {
		return avAnswer{Facts: f}
	}
	switch probe.KindOf(err) {
	case probe.KindRefused, probe.KindNoRoute, probe.KindCanceled:
		return avAnswer{Err: err}
	}
	if ctx.Err() != nil {
		return avAnswer{Err: err}
	}
	fbCtx, cancel := context.WithTimeout(ctx, turnShare(ctx, transport, 0.5, 2*time.Second))
	defer cancel()
	f, ferr := src.TURN(fbCtx, addr, transport, probe.DialectRFC5389)
	if ferr != nil {
		return avAnswer{Err: err} // the MS-TURN failure is the finding
	}
	return avAnswer{Facts: f, Fallback: true, MSErr: err}
}

// share is part of what is left of ctx's time, at most limit.
// turnShare is a TURN attempt's time. Over UDP silence is the usual
// failure (a firewall dropping 3478), so the wait is also capped at limit,
// leaving the fallback its turn; over TCP the peer has accepted the
// connection, and a slow answer is a loaded peer or client, not silence:
// a fixed cap there turned load into a false "got no answer".
func turnShare(ctx context.Context, transport string, part float64, limit time.Duration) time.Duration {
	if transport != "udp" {
		return share(ctx, part, time.Hour)
	}
	return share(ctx, part, limit)
}

func share(ctx context.Context, part float64, limit time.Duration) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return limit
	}
	return min(limit, time.Duration(float64(time.Until(dl))*part))
}

// edgeEndpoint is one place an Edge role is probed.
type edgeEndpoint struct {
	Addr string // host:port
	Via  string
}

// edgeEndpoints resolves name on the public view and lists addr:port for
// each address; label goes in front of the address in Via ("federation",
// "udp"). It returns nil when the name does not resolve.
func (e *Env) edgeEndpoints(ctx context.Context, name, label string, port int) []edgeEndpoint {
	addrs, _ := e.Addresses(ctx, name)
	return endpointsAt(addrs, label, port)
}

// endpointsAt is one endpoint per address on port.
func endpointsAt(addrs []string, label string, port int) []edgeEndpoint {
	out := make([]edgeEndpoint, 0, len(addrs))
	for _, a := range addrs {
		hp := net.JoinHostPort(a, fmt.Sprint(port))
		out = append(out, edgeEndpoint{Addr: hp, Via: strings.TrimSpace(label + " " + hp)})
	}
	return out
}
