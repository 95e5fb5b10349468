package probe

import (
	"context"
	"crypto/tls"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The handshake budget is one process-wide limit on TLS handshakes in
// flight, shared by every deployment of a fleet run and every exporter
// probe. A handshake is mostly CPU (key exchange and signatures on both
// sides); on a loaded machine, more of them at once do not finish sooner,
// they only all take longer, and a check that counts that time as its own
// runs out of it with nothing wrong. Waiting for the budget is not the
// probe's time: a caller's Pauser (WithPauser) stops its clocks meanwhile.

// HandshakesPerCore sizes the budget: handshakes also wait on the network
// (a round trip or two), so several per core keep the cores busy.
const HandshakesPerCore = 8

// DefaultHandshakes is the budget: HandshakesPerCore per core, at least 8.
func DefaultHandshakes() int { return max(8, HandshakesPerCore*runtime.NumCPU()) }

var (
	budget         = make(chan struct{}, DefaultHandshakes())
	budgetWaits    atomic.Int64 // handshakes that had to wait, ever (tests, benchmarks)
	handshakesDone atomic.Int64 // handshakes that had the budget, ever
)

// Handshakes says how many handshakes took the budget since the start,
// and how many of them had to wait for it.
func Handshakes() (done, waited int64) { return handshakesDone.Load(), budgetWaits.Load() }

// Pauser stops a caller's clocks while a probe waits for the handshake
// budget, and starts them again. Waits may overlap.
type Pauser interface {
	Pause()
	Resume()
}

type pauserKey struct{}

// WithPauser has probes under ctx tell p when they wait for the budget.
func WithPauser(ctx context.Context, p Pauser) context.Context {
	return context.WithValue(ctx, pauserKey{}, p)
}

// acquireHandshake takes a place in the budget, waiting while ctx lasts
// with the caller's clocks paused. release gives the place back; it may
// be called more than once.
func acquireHandshake(ctx context.Context) (release func(), err error) {
	select {
	case budget <- struct{}{}:
	default:
		budgetWaits.Add(1)
		if p, ok := ctx.Value(pauserKey{}).(Pauser); ok {
			p.Pause()
			defer p.Resume()
		}
		select {
		case budget <- struct{}{}:
		case <-ctx.Done():
			return nil, classify("tls", ctx.Err())
		}
	}
	handshakesDone.Add(1)
	var once sync.Once
	give := func() { once.Do(func() { <-budget }) }
	// A handshake still under way after budgetHold waits on the network
	// (a stalled or distant server), not on a CPU: its place goes to the
	// next one, so that stalled servers cannot hold the budget of the
	// whole process (one deployment's hung proxy would stall a fleet).
	t := time.AfterFunc(budgetHold, give)
	return func() { t.Stop(); give() }, nil
}

// budgetHold is the longest a handshake holds its place: a handshake's
// CPU is milliseconds, its round trips at most a few hundred.
// A variable for the tests.
var budgetHold = time.Second

// budgetedTLSDial is an http.Transport's DialTLSContext: it takes the
// budget, dials, and hands the transport a *tls.Conn whose handshake the
// transport then makes (so that its trace times it). The place is given
// back when the handshake has checked the server's certificate (the
// expensive part is over) or when the connection closes, whichever is
// first.
func budgetedTLSDial(addr string, cfg *tls.Config) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		release, err := acquireHandshake(ctx)
		if err != nil {
			return nil, err
		}
		raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err != nil {
			release()
			return nil, err
		}
		c := cfg.Clone()
		c.VerifyConnection = func(tls.ConnectionState) error { release(); return nil }
		return tls.Client(&releasingConn{Conn: raw, release: release}, c), nil
	}
}

// releasingConn gives the budget back when closed, for a handshake that
// failed before it checked the certificate.
type releasingConn struct {
	net.Conn
	release func()
}

func (c *releasingConn) Close() error {
	c.release()
	return c.Conn.Close()
}
