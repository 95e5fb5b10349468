package lab

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// backendClient is the proxy's HTTP/1.1 client to its front ends: a pool
// of kept-alive TLS connections, each request written and its answer read
// in the handler's own goroutine. http.Transport hands every request to a
// connection's read and write goroutines, which under keep-alive load cost
// the lab proxy a fifth of its CPU (pprof, ab -k -c 16; BENCHMARKS.md).
// Only the lab's own front ends are ever dialled (rewrite picks them).
type backendClient struct {
	tls     *tls.Config
	maxIdle int           // idle connections kept per front end
	timeout time.Duration // a request's deadline when its context has none

	mu     sync.Mutex
	idle   map[string][]*backendConn
	closed bool
}

type backendConn struct {
	nc net.Conn
	br *bufio.Reader
	bw *bufio.Writer
}

func newBackendClient(cfg *tls.Config, maxIdle int, timeout time.Duration) *backendClient {
	return &backendClient{tls: cfg, maxIdle: maxIdle, timeout: timeout, idle: map[string][]*backendConn{}}
}

// RoundTrip sends req to req.URL.Host. A kept-alive connection that the
// front end closed meanwhile fails before any answer; a request without a
// body is then sent once more on a fresh connection, as http.Transport does.
func (b *backendClient) RoundTrip(req *http.Request) (*http.Response, error) {
	c, reused, err := b.conn(req.Context(), req.URL.Host)
	if err != nil {
		return nil, err
	}
	resp, err := b.exchange(c, req)
	if err != nil && reused && (req.Body == nil || req.Body == http.NoBody) {
		if c, err = b.dial(req.Context(), req.URL.Host); err != nil {
			return nil, err
		}
		resp, err = b.exchange(c, req)
	}
	return resp, err
}

// deadline bounds c's next exchange by ctx (or fallback); the returned
// stop reports false when ctx ended first.
func (c *backendConn) deadline(ctx context.Context, fallback time.Duration) func() bool {
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(fallback)
	}
	c.nc.SetDeadline(dl)
	// A cancelled request (the client went away) unblocks at once.
	return context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
}

// exchange writes req on c and reads the answer's header; the body is read
// by the caller, and c goes back to the pool when it is done.
func (b *backendClient) exchange(c *backendConn, req *http.Request) (*http.Response, error) {
	stop := c.deadline(req.Context(), b.timeout)
	fail := func(err error) (*http.Response, error) {
		stop()
		c.nc.Close()
		return nil, err
	}
	if err := req.Write(c.bw); err != nil {
		return fail(err)
	}
	if err := c.bw.Flush(); err != nil {
		return fail(err)
	}
	resp, err := http.ReadResponse(c.br, req)
	if err != nil {
		return fail(err)
	}
	resp.Body = &backendBody{ReadCloser: resp.Body, c: c, client: b, addr: req.URL.Host, stop: stop,
		keep: !resp.Close && !req.Close, eof: resp.Body == http.NoBody}
	return resp, nil
}

// conn is an idle connection to addr, or a new one.
func (b *backendClient) conn(ctx context.Context, addr string) (*backendConn, bool, error) {
	b.mu.Lock()
	if list := b.idle[addr]; len(list) > 0 {
		c := list[len(list)-1]
		b.idle[addr] = list[:len(list)-1]
		b.mu.Unlock()
		return c, true, nil
	}
	b.mu.Unlock()
	c, err := b.dial(ctx, addr)
	return c, false, err
}

func (b *backendClient) dial(ctx context.Context, addr string) (*backendConn, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d := tls.Dialer{Config: b.tls}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &backendConn{nc: nc, br: bufio.NewReader(nc), bw: bufio.NewWriter(nc)}, nil
}

// put keeps c for the next request to addr, or closes it.
func (b *backendClient) put(addr string, c *backendConn) {
	b.mu.Lock()
	if !b.closed && len(b.idle[addr]) < b.maxIdle {
		b.idle[addr] = append(b.idle[addr], c)
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	c.nc.Close()
}

// CloseIdleConnections closes the pool for good (the lab is closing).
func (b *backendClient) CloseIdleConnections() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for addr, list := range b.idle {
		for _, c := range list {
			c.nc.Close()
		}
		delete(b.idle, addr)
	}
}

// backendBody returns its connection to the pool once the answer was read
// to its end; an answer abandoned half-way closes the connection, since
// what is left of it would be read as the next answer.
type backendBody struct {
	io.ReadCloser
	c      *backendConn
	client *backendClient
	addr   string
	stop   func() bool
	keep   bool
	eof    bool
	once   sync.Once
}

func (r *backendBody) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		r.eof = true
	}
	return n, err
}

func (r *backendBody) Close() error {
	err := r.ReadCloser.Close()
	r.once.Do(func() {
		cancelled := !r.stop()
		if r.keep && r.eof && !cancelled && err == nil {
			r.client.put(r.addr, r.c)
			return
		}
		r.c.nc.Close()
	})
	return err
}
