package lab

import (
	"context"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// flakyListener fails its first accepts with EMFILE, as a process out of
// file descriptors does, then accepts from the real listener.
type flakyListener struct {
	net.Listener
	failures atomic.Int32
}

func (f *flakyListener) Accept() (net.Conn, error) {
	if f.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return f.Listener.Accept()
}

func loopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// echoOnce answers one byte so that the client sees it was served.
func echoOnce(c net.Conn) {
	defer c.Close()
	b := make([]byte, 1)
	if _, err := c.Read(b); err == nil {
		c.Write(b)
	}
}

func servedOnce(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) // a hang detector, not a margin
	b := []byte{'x'}
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(b); err != nil {
		t.Fatalf("connection after the accept errors was not served: %v", err)
	}
}

// TestAcceptLoopOutlivesTemporaryErrors: six EMFILE accept errors in a
// row (the balancer's death in the field) are waited out, and the next
// connection is served; closing the listener ends the loop.
func TestAcceptLoopOutlivesTemporaryErrors(t *testing.T) {
	real := loopback(t)
	ln := &flakyListener{Listener: real}
	ln.failures.Store(6)
	var wg sync.WaitGroup
	acceptLoop(context.Background(), ln, 4, &wg, echoOnce)
	servedOnce(t, real.Addr().String())
	if n := ln.failures.Load(); n >= 0 {
		t.Errorf("%d temporary errors left unconsumed", n+1)
	}
	real.Close()
	wg.Wait() // returns: a closed listener is no temporary error
}

// TestAcceptLoopEndsWithItsContext: a loop waiting out a temporary error
// ends when its context does.
func TestAcceptLoopEndsWithItsContext(t *testing.T) {
	real := loopback(t)
	defer real.Close()
	ln := &flakyListener{Listener: real}
	ln.failures.Store(1 << 30)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	acceptLoop(ctx, ln, 4, &wg, echoOnce)
	cancel()
	wg.Wait()
}

// TestAcceptLoopCapsConnections: with a limit of one and one connection
// held by its handler, the next is not accepted until the first ends.
func TestAcceptLoopCapsConnections(t *testing.T) {
	ln := loopback(t)
	defer ln.Close()
	release := make(chan struct{})
	var open, most atomic.Int32
	var wg sync.WaitGroup
	acceptLoop(context.Background(), ln, 1, &wg, func(c net.Conn) {
		n := open.Add(1)
		if n > most.Load() {
			most.Store(n)
		}
		<-release
		open.Add(-1)
		echoOnce(c)
	})
	first, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			c.Write([]byte{'x'})
			_, err = c.Read(make([]byte, 1))
		}
		second <- err
	}()
	// The first is held; the second must not be served meanwhile. A
	// broken cap shows here; a working one can only make this wait.
	select {
	case err := <-second:
		t.Fatalf("second connection answered (%v) while the only slot was held", err)
	case <-time.After(200 * time.Millisecond):
	}
	first.Close() // its handler, released, then ends at once
	close(release)
	if err := <-second; err != nil {
		t.Errorf("second connection after the first ended: %v", err)
	}
	if most.Load() != 1 {
		t.Errorf("%d connections were handled at once, want at most 1", most.Load())
	}
	ln.Close()
	wg.Wait()
}
