package lab

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Bounds of the lab's own accept loops (the balancer, the Edge roles, the
// dead CRL port). The proxy nodes and the HTTP sites use net/http's loop,
// which retries in the same way, under netutil.LimitListener.
const (
	maxEdgeConns     = 256
	acceptBackoff    = 5 * time.Millisecond // first wait after a temporary error
	maxAcceptBackoff = time.Second          // the longest, as net/http's
)

// acceptLoop calls handle for each connection ln accepts, each in its own
// goroutine that wg tracks, with at most limit open at once; at the limit it
// accepts no more and the rest wait in the kernel's backlog. A temporary
// accept error, such as running out of file descriptors (EMFILE), is
// retried after a wait that doubles from 5ms to 1s, as net/http's
// Server.Serve does, so one such error does not end the listener for
// good. Any other error (ln closed) or the end of ctx ends the loop.
// handle owns the connection, and must close it.
func acceptLoop(ctx context.Context, ln net.Listener, limit int, wg *sync.WaitGroup, handle func(net.Conn)) {
	slots := make(chan struct{}, limit)
	wg.Go(func() {
		var wait time.Duration
		for {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			c, err := ln.Accept()
			if err != nil {
				<-slots
				if !temporary(err) || !sleep(ctx, &wait) {
					return
				}
				continue
			}
			wait = 0
			wg.Go(func() {
				defer func() { <-slots }()
				handle(c)
			})
		}
	})
}

// temporary is net/http's test for an accept error worth retrying
// (net.Error's Temporary is deprecated for other uses, not this one).
func temporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// sleep waits the next backoff step; false when ctx ended first.
func sleep(ctx context.Context, wait *time.Duration) bool {
	*wait = min(max(*wait*2, acceptBackoff), maxAcceptBackoff)
	t := time.NewTimer(*wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
