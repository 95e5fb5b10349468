package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxBody caps the body a probe reads: pages we judge are small and a
// hostile server must not make us hold more.
const DefaultMaxBody = 1 << 20

// maxHeaderBytes caps response headers for the same reason.
const maxHeaderBytes = 64 << 10

var errNoCertificate = errors.New("the server sent no certificate")

// Request is one HTTP request whose connect address, SNI and Host header
// are set independently (like curl --connect-to plus -H Host:).
type Request struct {
	Scheme  string // "https" (default) or "http"
	Addr    string // host:port to connect to, exactly
	SNI     string // TLS server name; defaults to the Host without port
	Host    string // Host header
	Method  string // default GET
	Path    string // path and query, default "/"
	Header  http.Header
	MaxBody int64 // default DefaultMaxBody
}

// Timings are the phases of one request. DNS is zero when the request
// was sent to a given address; Chain fills it for the hops it resolves.
type Timings struct {
	DNS, Connect, TLS, FirstByte, Total time.Duration
}

// Response is what came back. Redirects are not followed.
type Response struct {
	Status    int
	Proto     string
	Header    http.Header
	Body      []byte
	Truncated bool      // the body was longer than MaxBody
	TLS       *TLSFacts // nil over plain HTTP
	Timings   Timings
}

// Fetch sends r on a fresh connection to r.Addr and reads at most MaxBody
// bytes of the answer. Nothing is pooled, no environment proxy is used,
// and certificates are captured, never verified.
func Fetch(ctx context.Context, r Request) (*Response, error) {
	tr := transport(r, false)
	defer tr.CloseIdleConnections()
	return fetch(ctx, r, tr, false)
}

// Client is Fetch with connections kept alive for one run: a request to
// an address and server name that an earlier request of the run already
// connected to goes out on that connection once it is idle, as a browser's
// would, instead of paying for a new TCP and TLS handshake. Connections
// are never shared between addresses (proxy nodes) or server names, and
// the affinity probes do not use a Client (they open their own, fresh).
type Client struct {
	mu     sync.Mutex
	trs    map[clientKey]*http.Transport
	closed bool
}

type clientKey struct{ scheme, addr, sni string }

// NewClient is an empty Client; Close it when the run ends.
func NewClient() *Client { return &Client{trs: map[clientKey]*http.Transport{}} }

// Fetch is Fetch on the client's connections.
func (c *Client) Fetch(ctx context.Context, r Request) (*Response, error) {
	tr := c.transport(r)
	if tr == nil {
		return Fetch(ctx, r) // closed: what is still running gets a fresh connection
	}
	return fetch(ctx, r, tr, false)
}

func (c *Client) transport(r Request) *http.Transport {
	k := clientKey{r.scheme(), r.Addr, r.sni()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	tr := c.trs[k]
	if tr == nil {
		tr = transport(r, true)
		c.trs[k] = tr
	}
	return tr
}

// Close ends the client's idle connections; a request still running ends
// its own when it finishes.
func (c *Client) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, tr := range c.trs {
		tr.CloseIdleConnections()
	}
}

// fetch sends r through tr and reads the answer; connected says tr hands
// out a connection already made (Conn), so a stall is the answer's.
func fetch(ctx context.Context, r Request, tr *http.Transport, connected bool) (*Response, error) {
	req, err := buildRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	// One transport serves one address and server name, whatever the Host
	// header: the URL's host names the pool, not the peer.
	req.URL.Host = connKey
	var tm timer
	if connected {
		tm.phase.Store(int32(phaseHeader))
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), tm.trace()))
	tm.start = time.Now()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return nil, tm.phase.explain(classify("http", err))
	}
	defer resp.Body.Close()
	out := &Response{Status: resp.StatusCode, Proto: resp.Proto, Header: resp.Header}
	out.Body, out.Truncated, err = readCapped(resp.Body, r.maxBody())
	if err != nil {
		tm.phase.Store(int32(phaseBody))
		return nil, tm.phase.explain(classify("http", err))
	}
	out.Timings = tm.timings()
	if resp.TLS != nil {
		out.TLS = factsOf(r.Addr, r.sni(), *resp.TLS, out.Timings.Connect+out.Timings.TLS)
	}
	return out, nil
}

func buildRequest(ctx context.Context, r Request) (*http.Request, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.scheme()+"://"+r.Host+r.path(), nil)
	if err != nil {
		return nil, &Error{Op: "http", Kind: KindOther, Err: err}
	}
	req.Host = r.Host
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "lyncprobe")
	}
	return req, nil
}

// transport dials r.Addr whatever the URL says, so the Host header and the
// connect address stay independent; keepAlive pools its connections.
func transport(r Request, keepAlive bool) *http.Transport {
	dialer := &net.Dialer{}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", r.Addr)
		},
		DialTLSContext:         budgetedTLSDial(r.Addr, clientConfig(r.sni(), TLSOptions{})),
		DisableKeepAlives:      !keepAlive,
		MaxIdleConnsPerHost:    keepAliveIdle,
		IdleConnTimeout:        30 * time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ForceAttemptHTTP2:      false,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}

// keepAliveIdle is how many idle connections a Client keeps per address
// and server name.
const keepAliveIdle = 4

func (r Request) scheme() string {
	if r.Scheme == "" {
		return "https"
	}
	return r.Scheme
}

func (r Request) path() string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

func (r Request) sni() string {
	if r.SNI != "" {
		return r.SNI
	}
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		return h
	}
	return r.Host
}

func (r Request) maxBody() int64 {
	if r.MaxBody > 0 {
		return r.MaxBody
	}
	return DefaultMaxBody
}

// readCapped reads up to max bytes and reports whether there was more.
func readCapped(body io.Reader, max int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > max {
		return b[:max], true, nil
	}
	return b, false, nil
}

// timer records the phases of one request through httptrace. With kept-
// alive connections (Client) a dial the transport started for a request
// may finish on its own goroutine after the request took another, idle
// connection: hence the lock, and the dial's late reports are ignored.
type timer struct {
	mu                         sync.Mutex
	start, connStart, tlsStart time.Time
	wrote                      time.Time
	connect, tls, firstByte    time.Duration
	gotConn                    bool
	phase                      phase
}

func (t *timer) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		ConnectStart: func(string, string) { t.dial(func() { t.connStart = time.Now() }) },
		ConnectDone: func(string, string, error) {
			t.dial(func() {
				t.connect = time.Since(t.connStart)
				t.phase.Store(int32(phaseTLS))
			})
		},
		TLSHandshakeStart: func() { t.dial(func() { t.tlsStart = time.Now() }) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			t.dial(func() {
				t.tls = time.Since(t.tlsStart)
				if err == nil {
					t.phase.Store(int32(phaseHeader))
				}
			})
		},
		GotConn: func(info httptrace.GotConnInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.gotConn = true
			if info.Reused { // no handshake of its own: straight to the answer
				t.connect, t.tls = 0, 0
				t.phase.Store(int32(phaseHeader))
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.wrote = time.Now()
		},
		GotFirstResponseByte: func() {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.firstByte = time.Since(t.wrote)
			t.phase.Store(int32(phaseHeaderDrip))
		},
	}
}

// dial records a report of the request's own dial, unless the request
// already has its connection.
func (t *timer) dial(record func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.gotConn {
		record()
	}
}

// phase is how far a request got; atomic because the transport's
// goroutines report it.
type phase struct{ atomic.Int32 }

const (
	phaseConnect = iota
	phaseTLS
	phaseHeader
	phaseHeaderDrip
	phaseBody
)

var phaseCauses = map[int32]string{
	phaseConnect:    "the server did not accept the connection",
	phaseTLS:        "the server accepted the connection but did not complete the TLS handshake",
	phaseHeader:     "the server completed TLS but sent no response header",
	phaseHeaderDrip: "the server started its response header but did not finish it",
	phaseBody:       "the server did not finish sending the body",
}

// explain names, for a timeout or a closed connection, the phase where
// the server stopped.
func (p *phase) explain(err error) error {
	var pe *Error
	if !errors.As(err, &pe) || pe.Cause != "" {
		return err
	}
	switch pe.Kind {
	case KindTimeout, KindClosed, KindReset:
		pe.Cause = phaseCauses[p.Load()]
	}
	return err
}

func (t *timer) timings() Timings {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Timings{Connect: t.connect, TLS: t.tls, FirstByte: t.firstByte, Total: time.Since(t.start)}
}
