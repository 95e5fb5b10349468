package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
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
	req, err := buildRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	var tm timer
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), tm.trace()))
	tr := transport(r)
	defer tr.CloseIdleConnections()
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
	if resp.TLS != nil {
		out.TLS = factsOf(r.Addr, r.sni(), *resp.TLS, tm.connect+tm.tls)
	}
	out.Timings = tm.timings()
	return out, nil
}

func buildRequest(ctx context.Context, r Request) (*http.Request, error) {
	scheme := r.Scheme
	if scheme == "" {
		scheme = "https"
	}
	path := r.Path
	if path == "" {
		path = "/"
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, scheme+"://"+r.Host+path, nil)
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
// connect address stay independent.
func transport(r Request) *http.Transport {
	dialer := &net.Dialer{}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", r.Addr)
		},
		TLSClientConfig:        clientConfig(r.sni(), TLSOptions{}),
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ForceAttemptHTTP2:      false,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
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

// timer records the phases of one request through httptrace.
type timer struct {
	start, connStart, tlsStart, wrote time.Time
	connect, tls, firstByte           time.Duration
	phase                             phase
}

func (t *timer) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		ConnectStart: func(string, string) { t.connStart = time.Now() },
		ConnectDone: func(string, string, error) {
			t.connect = time.Since(t.connStart)
			t.phase.Store(int32(phaseTLS))
		},
		TLSHandshakeStart: func() { t.tlsStart = time.Now() },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			t.tls = time.Since(t.tlsStart)
			if err == nil {
				t.phase.Store(int32(phaseHeader))
			}
		},
		WroteRequest: func(httptrace.WroteRequestInfo) { t.wrote = time.Now() },
		GotFirstResponseByte: func() {
			t.firstByte = time.Since(t.wrote)
			t.phase.Store(int32(phaseHeaderDrip))
		},
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
	return Timings{Connect: t.connect, TLS: t.tls, FirstByte: t.firstByte, Total: time.Since(t.start)}
}
