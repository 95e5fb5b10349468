package lab

// The affinity faults: how the proxy array and the balancer in front of it
// keep (or fail to keep) one client on one front end.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// ErrUnavailable marks a fault this system cannot host (nat-pool where
// 127.0.0.2 is not a loopback address); tests skip rather than fail.
var ErrUnavailable = errors.New("unavailable on this system")

// cookieLifetime is the Max-Age the cookie-expires fault writes.
const cookieLifetime = 3600

// impliedLB applies the balancing mode the switched-on faults need over
// the user's setting (the cookie faults need cookie persistence to bend,
// nat-pool needs source-address affinity); two faults that need
// different modes exclude each other.
func (fs faultSet) impliedLB(lb string) (string, error) {
	from := ""
	for _, f := range Faults {
		if f.LB == "" || !fs.has(f.Name) {
			continue
		}
		if from != "" && lb != f.LB {
			return "", fmt.Errorf("faults %s and %s need different balancing modes (%s, %s)", from, f.Name, lb, f.LB)
		}
		from, lb = f.Name, f.LB
	}
	return lb, nil
}

// bendAffinity applies the cookie faults to a proxy node.
func (l *Lab) bendAffinity(p *proxyNode) {
	p.cookie.httpOnly = l.faults.has("cookie-httponly")
	if l.faults.has("cookie-expires") {
		p.cookie.maxAge = cookieLifetime
	}
	p.cookie.oncePerConn = l.faults.has("cookie-once-per-connection")
}

// natPoolSources are the client addresses the nat-pool fault writes into
// the config: 127.0.0.1 and the first other loopback address whose hash
// puts it on the other front end, so one "client" behind this pool is
// split by source-address affinity. Nil when the fault is off.
func (l *Lab) natPoolSources() []string {
	if !l.faults.has("nat-pool") {
		return nil
	}
	return natPool(len(l.lns.fe))
}

func natPool(frontEnds int) []string {
	first := "127.0.0.1"
	for i := 2; i < 255; i++ {
		ip := fmt.Sprintf("127.0.0.%d", i)
		if sourceHash(ip)%uint32(frontEnds) != sourceHash(first)%uint32(frontEnds) {
			return []string{first, ip}
		}
	}
	return []string{first}
}

// checkNATPool refuses nat-pool where the second loopback address cannot
// be used: Linux routes all of 127.0.0.0/8 to lo, macOS and Windows only
// 127.0.0.1 unless an alias is added.
func checkNATPool(addr string) error {
	if ip := net.ParseIP(addr); ip == nil || ip.To4() == nil || !ip.IsLoopback() {
		return fmt.Errorf("fault nat-pool needs the lab on an IPv4 loopback address, not %s", addr)
	}
	pool := natPool(2)
	ln, err := net.Listen("tcp", net.JoinHostPort(pool[len(pool)-1], "0"))
	if err != nil {
		return fmt.Errorf("fault nat-pool is %w: it needs %s on the loopback interface "+
			"(Linux has all of 127.0.0.0/8; on macOS: sudo ifconfig lo0 alias %s): %v", ErrUnavailable, pool[1], pool[1], err)
	}
	return ln.Close()
}

// connState is what a proxy node remembers about one client connection:
// the front end it picked for it (round-robin mode balances connections,
// not requests) and whether it already set MS-WSMAN on it.
type connState struct {
	mu        sync.Mutex
	picked    *backend
	cookieSet bool
}

type connStateKey struct{}

// withConnState is the proxy servers' ConnContext.
func withConnState(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connStateKey{}, &connState{})
}

func stateOf(ctx context.Context) *connState {
	if st, ok := ctx.Value(connStateKey{}).(*connState); ok {
		return st
	}
	return &connState{} // a request served outside a lab server (tests)
}

// perConnection is round robin per TCP connection, as an L4 balancer
// without affinity does: each new connection may land elsewhere.
func (p *proxyNode) perConnection(ctx context.Context) backend {
	st := stateOf(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.picked == nil {
		be := p.next()
		st.picked = &be
	}
	return *st.picked
}

// setCookieNow reports whether this response gets MS-WSMAN: always,
// unless the once-per-connection fault already set it on this connection.
func (p *proxyNode) setCookieNow(ctx context.Context) bool {
	if !p.cookie.oncePerConn {
		return true
	}
	st := stateOf(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	first := !st.cookieSet
	st.cookieSet = true
	return first
}
