package lab

import (
	"context"
	"net"
	"sync"
	"time"
)

// pause waits out the lab's latency. It returns false, early, when ctx
// or the lab ends, so that nothing stays blocked after Close.
func (l *Lab) pause(ctx context.Context) bool {
	if l.latency <= 0 {
		return l.ctx.Err() == nil
	}
	t := time.NewTimer(l.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-l.ctx.Done():
		return false
	}
}

// slowListener delays each accepted connection's first read, i.e. before
// the TLS handshake, without holding up the accept loop for the others.
type slowListener struct {
	net.Listener
	pause func(context.Context) bool
}

func (sl slowListener) Accept() (net.Conn, error) {
	c, err := sl.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &slowConn{Conn: c, pause: sl.pause}, nil
}

type slowConn struct {
	net.Conn
	pause  func(context.Context) bool
	once   sync.Once
	closed bool
}

func (c *slowConn) Read(b []byte) (int, error) {
	c.once.Do(func() { c.closed = !c.pause(context.Background()) })
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.Conn.Read(b)
}
