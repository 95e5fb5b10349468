package probe

// The affinity probes open fresh connections on purpose: what matters is
// where a NEW connection of one client lands. Nothing here is pooled or
// resumed, and the checks must not memoise single connections either (they
// may memoise a whole probe run, which is one fact about the balancer).

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultWorkers is how many affinity connections are in flight at once:
// enough to be quick, few enough not to look like an attack.
const DefaultWorkers = 8

// connKey is the URL host every request of a Conn uses, so that the
// transport never wants a second connection for another Host header.
const connKey = "lyncprobe.conn.invalid"

var errConnGone = errors.New("the server closed the keep-alive connection")

// DialSpec says how to open one fresh connection.
type DialSpec struct {
	Addr  string // host:port to connect to, exactly
	SNI   string // TLS server name
	Local string // local IP to connect from (a NAT pool member); "" = the system's choice
}

// Conn is one fresh TCP and TLS connection (no session resumption) that
// carries requests one after another, keep-alive, as a browser's does.
type Conn struct {
	tc    *tls.Conn
	tr    *http.Transport
	local string // the local IP the connection came from
}

// Open dials d now: a new TCP connection and a full TLS handshake.
func Open(ctx context.Context, d DialSpec) (*Conn, error) {
	dialer := &net.Dialer{}
	if d.Local != "" {
		ip := net.ParseIP(d.Local)
		if ip == nil {
			return nil, &Error{Op: "dial", Kind: KindOther, Err: fmt.Errorf("local address %q is not an IP address", d.Local)}
		}
		dialer.LocalAddr = &net.TCPAddr{IP: ip}
	}
	release, err := acquireHandshake(ctx) // before the dial, as in Handshake
	if err != nil {
		return nil, err
	}
	defer release()
	raw, err := dialer.DialContext(ctx, "tcp", d.Addr)
	if err != nil {
		return nil, classify("dial", err)
	}
	tc := tls.Client(raw, freshConfig(d.SNI))
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, classify("tls", err)
	}
	local, _, _ := net.SplitHostPort(raw.LocalAddr().String())
	return &Conn{tc: tc, tr: oneConnTransport(tc), local: local}, nil
}

// freshConfig is the TLS config of Open's connections: the default one
// with X25519 as the only key share offered (P-256 and P-384 listed for a
// server without it, such as Windows Server 2008 R2 under TMG, which then
// asks for one: TLS 1.3's HelloRetryRequest, or TLS 1.2's ECDHE choice).
// Where such a connection lands is the balancer's choice, which no key
// exchange changes, and the hybrid post-quantum share Go offers by default
// (X25519MLKEM768) costs the client and the server more CPU than the rest
// of the handshake's key exchange; an affinity probe makes dozens of
// these connections. The run's memoised handshake (Handshake) keeps the
// defaults, so the facts it records are what modern clients negotiate.
func freshConfig(sni string) *tls.Config {
	cfg := clientConfig(sni, TLSOptions{})
	cfg.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}
	return cfg
}

// oneConnTransport hands out tc once; a second dial means the server
// closed the connection, which is reported rather than silently redialled.
func oneConnTransport(tc *tls.Conn) *http.Transport {
	var used atomic.Bool
	return &http.Transport{
		Proxy: nil,
		DialTLSContext: func(context.Context, string, string) (net.Conn, error) {
			if used.Swap(true) {
				return nil, &Error{Op: "http", Kind: KindClosed, Err: errConnGone}
			}
			return tc, nil
		},
		MaxConnsPerHost:        1,
		MaxIdleConnsPerHost:    1,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}

// Local is the IP address the connection came from.
func (c *Conn) Local() string { return c.local }

// Do sends r over the connection (r.Addr and r.SNI are ignored) and reads
// at most r.MaxBody bytes of the answer. A body longer than that ends the
// connection: the next Do reports it closed.
func (c *Conn) Do(ctx context.Context, r Request) (*Response, error) {
	r.Addr, r.SNI = c.tc.RemoteAddr().String(), c.tc.ConnectionState().ServerName
	return fetch(ctx, r, c.tr, true)
}

// Close ends the connection.
func (c *Conn) Close() error {
	c.tr.CloseIdleConnections()
	return c.tc.Close()
}

// Jar keeps the cookies a client was given and sends them back, as a
// browser does for one site. Paths and domains are not told apart: every
// request of an affinity probe goes to one name.
type Jar struct {
	mu    sync.Mutex
	names []string
	vals  map[string]string
}

// Take stores the cookies of h's Set-Cookie lines; a cookie that expires
// now (Max-Age<0 or a past Expires) is dropped.
func (j *Jar) Take(h http.Header) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.vals == nil {
		j.vals = map[string]string{}
	}
	for _, line := range h.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		if ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) {
			delete(j.vals, ck.Name)
			continue
		}
		if _, ok := j.vals[ck.Name]; !ok {
			j.names = append(j.names, ck.Name)
		}
		j.vals[ck.Name] = ck.Value
	}
}

// Cookie is the Cookie header to send ("" when empty) and the names in it.
func (j *Jar) Cookie() (string, []string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var parts, names []string
	for _, n := range j.names {
		if v, ok := j.vals[n]; ok {
			parts = append(parts, n+"="+v)
			names = append(names, n)
		}
	}
	return strings.Join(parts, "; "), names
}

// Clone is a jar holding the same cookies, to change apart from j: each of
// a browser's parallel connections starts from what the browser had.
func (j *Jar) Clone() *Jar {
	j.mu.Lock()
	defer j.mu.Unlock()
	return &Jar{names: slices.Clone(j.names), vals: maps.Clone(j.vals)}
}
