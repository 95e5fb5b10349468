package lab

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// connSet tracks open connections so that Close can cut them.
type connSet struct {
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// add tracks c; it refuses (and closes c) once the set is closed.
func (s *connSet) add(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return false
	}
	if s.conns == nil {
		s.conns = map[net.Conn]struct{}{}
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *connSet) remove(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
}

// balancer is the L4 load balancer in front of the proxy nodes (the
// the classic TMG LB before the TMG array): it picks a node by a hash of
// the client's address, so one client always reaches one node.
type balancer struct {
	ln    net.Listener
	nodes []string
	ctx   context.Context // the lab's: done when the lab closes
	pause func(context.Context) bool
	conns connSet
	wg    sync.WaitGroup

	// roundRobin spreads connections over the nodes with no affinity (the
	// no-affinity fault: the classic TMG LB splitting a join).
	roundRobin bool
	rr         atomic.Uint64
}

// start accepts clients, as many at once as one proxy node takes.
func (b *balancer) start() {
	acceptLoop(b.ctx, b.ln, maxProxyConns, &b.wg, func(c net.Conn) {
		if b.conns.add(c) {
			b.handle(c)
		}
	})
}

func (b *balancer) handle(c net.Conn) {
	defer b.conns.remove(c)
	if !b.pause(b.ctx) {
		return
	}
	up, err := b.dial(c.RemoteAddr())
	if err != nil || !b.conns.add(up) {
		return
	}
	defer b.conns.remove(up)
	splice(c, up)
}

// dial connects to the client's node. Like an L4 balancer without source
// NAT, it keeps the client's address where it can (a loopback client), so
// that the nodes' own source-address affinity sees the real client.
func (b *balancer) dial(client net.Addr) (net.Conn, error) {
	node := b.nodes[sourceHash(client.String())%uint32(len(b.nodes))]
	if b.roundRobin {
		node = b.nodes[(b.rr.Add(1)-1)%uint64(len(b.nodes))]
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	if tcp, ok := client.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		d.LocalAddr = &net.TCPAddr{IP: tcp.IP}
		if up, err := d.DialContext(b.ctx, "tcp", node); err == nil {
			return up, nil
		}
		d.LocalAddr = nil
	}
	return d.DialContext(b.ctx, "tcp", node)
}

// splice copies both ways. A clean end of one direction is passed on as
// a half-close, so the other direction can still finish; an error cuts
// both.
func splice(a, b net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pipe(a, b) }()
	go func() { defer wg.Done(); pipe(b, a) }()
	wg.Wait()
}

func pipe(dst, src net.Conn) {
	_, err := io.Copy(dst, src)
	cw, ok := dst.(interface{ CloseWrite() error })
	if err != nil || !ok {
		dst.Close()
		src.Close()
		return
	}
	cw.CloseWrite()
}

func (b *balancer) close() {
	b.ln.Close()
	b.conns.closeAll()
	b.wg.Wait()
}
