package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"sync"

	"github.com/lyncprobe/lyncprobe/probe"
)

// certSeen is one certificate observation: the chain one endpoint
// presented for one published name (offline: the chain one file holds).
type certSeen struct {
	Host  string              // the published name, sent as SNI
	Via   string              // "address 203.0.113.10", "node 203.0.113.11:443", "file rp.pem"
	Addr  string              // host:port dialled; "" offline
	File  string              // offline: the file, as named by the user
	Chain []*x509.Certificate // as sent, leaf first
	Note  string              // how the chain was had, when not by a default handshake
	Err   error               // no chain: the handshake failed
}

// hostCerts is every observation for one published name.
type hostCerts struct {
	Host     string
	Resolved bool // a public resolver gave an address (always true offline)
	Seen     []certSeen
}

// certHosts are the names a certificate must cover: the published host
// names (but one published over HTTP only, config.NeedsCertificate), or
// the names given to cert inspect.
func (e *Env) certHosts() []string {
	if e.certFiles != nil && len(e.certFiles.names) > 0 {
		return e.certFiles.names
	}
	var out []string
	for _, p := range e.Dep.PublishedHosts() {
		if e.Dep.NeedsCertificate(p.Host) {
			out = append(out, p.Host)
		}
	}
	return out
}

// observeCerts is every name's observations, in config order: offline the
// files, live one memoised handshake per address and node. err is set
// only when ctx ended.
func (e *Env) observeCerts(ctx context.Context) ([]hostCerts, error) {
	if e.certFiles != nil {
		return e.certFiles.observations(e.certHosts()), nil
	}
	hosts := e.certHosts()
	out := inParallel(len(hosts), func(i int) hostCerts { return e.observeHost(ctx, hosts[i]) })
	return out, ctx.Err()
}

func (e *Env) observeHost(ctx context.Context, host string) hostCerts {
	addrs, _ := e.Addresses(ctx, host)
	targets := e.ConnectTargets(addrs, e.Dep.ReverseProxy.Port)
	return hostCerts{Host: host, Resolved: len(addrs) > 0,
		Seen: inParallel(len(targets), func(i int) certSeen { return e.observe(ctx, host, targets[i]) })}
}

// observe takes the chain from the run's shared handshake. A proxy that
// stops below TLS 1.2 fails that handshake yet still shows its certificate
// over an older version: judge it anyway, and leave the version itself to
// cert.tls-versions.
func (e *Env) observe(ctx context.Context, host string, t Target) certSeen {
	s := certSeen{Host: host, Via: t.Via, Addr: t.Addr}
	f, err := e.Handshake(ctx, t.Addr, host)
	if err == nil {
		s.Chain = f.Chain
		return s
	}
	s.Err = err
	if probe.KindOf(err) != probe.KindTLSAlert {
		return s
	}
	for _, v := range []uint16{tls.VersionTLS11, tls.VersionTLS10} {
		if f, verr := e.handshakeVersion(ctx, t.Addr, host, v); verr == nil {
			s.Chain, s.Err = f.Chain, nil
			s.Note = fmt.Sprintf("chain captured over %s: a TLS 1.2/1.3 handshake failed (%v)", probe.TLSVersionName(v), err)
			return s
		}
	}
	return s
}

// handshakeVersion opens TLS pinned to one protocol version, once per run
// for each address, name and version.
func (e *Env) handshakeVersion(ctx context.Context, addr, sni string, v uint16) (*probe.TLSFacts, error) {
	key := fmt.Sprintf("tlsv|%s|%s|%d", addr, sni, v)
	val, err := e.memo.get(ctx, key, func(ctx context.Context) (any, error) {
		return e.src.Handshake(ctx, addr, sni, probe.VersionOptions(v))
	})
	if err != nil {
		return nil, err
	}
	return val.(*probe.TLSFacts), nil
}

// systemRoots are the platform's trust anchors alone, without tls.ca_file:
// cert.chain verifies once against them and once against e.Roots, to say
// whether a chain is publicly trusted or trusted only by the user's choice.
var systemRoots = sync.OnceValue(func() *x509.CertPool {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		return x509.NewCertPool()
	}
	return pool
})
