package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// versionProbe is what one pinned-version handshake showed.
type versionProbe struct {
	Version uint16
	Err     error // nil: the version was accepted
}

// certTLSVersions: each endpoint offers TLS 1.2 and no longer accepts
// TLS 1.0 or 1.1.
func certTLSVersions(ctx context.Context, e *Env) []Result {
	return e.perTarget(ctx, func(ctx context.Context, s certSeen) Result {
		probes := e.probeVersions(ctx, s)
		if msg := e.Unfinished(ctx); msg != "" {
			return Result{Status: Error, Message: msg, Evidence: map[string]any{"connect": s.Addr}}
		}
		r := judgeVersions(probes)
		r.Evidence["connect"] = s.Addr
		return r
	})
}

// probeVersions tries every version at once, each with its own config,
// once per address and served certificate: the names a proxy serves with
// one certificate on one address share one listener's protocol settings
// (the proxy chose the certificate; it has no other per-name TLS state
// the probe could see), so their probes are made once. A version the
// run's shared handshake already negotiated (TLS 1.3, usually) is
// accepted without a handshake of its own.
func (e *Env) probeVersions(ctx context.Context, s certSeen) []versionProbe {
	var negotiated uint16
	if f, err := e.Handshake(ctx, s.Addr, s.Host); err == nil { // memoised: observe made it
		negotiated = f.Version
	}
	served := "name:" + strings.ToLower(s.Host)
	if len(s.Chain) > 0 {
		served = "cert:" + probe.ChainFingerprint(s.Chain)
	}
	return inParallel(len(probe.TLSVersions), func(i int) versionProbe {
		v := probe.TLSVersions[i]
		if v == negotiated {
			return versionProbe{Version: v}
		}
		_, err := e.handshakeServed(ctx, s.Addr, s.Host, served, v)
		return versionProbe{Version: v, Err: err}
	})
}

// handshakeServed is handshakeVersion memoised by address and served
// certificate rather than by name: the first name asked for is the SNI.
func (e *Env) handshakeServed(ctx context.Context, addr, sni, served string, v uint16) (*probe.TLSFacts, error) {
	key := fmt.Sprintf("tlsserved|%s|%s|%d", addr, served, v)
	val, err := e.memo.get(ctx, key, func(ctx context.Context) (any, error) {
		return e.src.Handshake(ctx, addr, sni, probe.VersionOptions(v))
	})
	if err != nil {
		return nil, err
	}
	return val.(*probe.TLSFacts), nil
}

// judgeVersions decides cert.tls-versions: TLS 1.2 offered passes, TLS
// 1.0/1.1 still accepted warns, no TLS 1.2 fails. A version counts as
// refused only when the TLS layer refused it; a connection that failed
// below TLS decides nothing (a skip when no connection was made at all).
func judgeVersions(probes []versionProbe) Result {
	var accepted, refused []string
	r := Result{Evidence: map[string]any{}}
	if kind, none := noConnection(probes); none {
		r.Status = Skip
		r.Message = fmt.Sprintf("no connection (%s), so no TLS version to probe; see http.reachable", kind)
		return r
	}
	offers12, legacy := false, false
	for _, p := range probes {
		name := probe.TLSVersionName(p.Version)
		switch {
		case p.Err == nil:
			accepted = append(accepted, name)
			offers12 = offers12 || p.Version == tls.VersionTLS12
			legacy = legacy || p.Version < tls.VersionTLS12
		case probe.KindOf(p.Err) == probe.KindTLSAlert:
			refused = append(refused, name)
			r.Evidence[name] = p.Err.Error()
		default:
			r.Status = Error
			r.Message = fmt.Sprintf("could not probe %s: %s", name, probe.KindOf(p.Err))
			r.Evidence[name] = p.Err.Error()
			return r
		}
	}
	r.Evidence["accepted"], r.Evidence["refused"] = accepted, refused
	summary := "accepts " + orNone(accepted) + "; refuses " + orNone(refused)
	switch {
	case !offers12:
		r.Status, r.Message = Fail, "does not offer TLS 1.2, which current clients (mobile apps) need: "+summary
		r.Remedy = "Enable TLS 1.2 on the proxy's listener: TMG / IIS ARR: enable TLS 1.2 in SCHANNEL (Protocols\\TLS 1.2\\Server, Enabled=1) and reboot; " +
			"nginx: ssl_protocols TLSv1.2 TLSv1.3; HAProxy: ssl-min-ver TLSv1.2; Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3; F5 / KEMP: allow TLS 1.2 in the client SSL profile."
	case legacy:
		r.Status, r.Message = Warn, "still accepts TLS 1.0/1.1: "+summary
		r.Remedy = "Disable TLS 1.0 and 1.1 on the proxy's listener (once every client speaks TLS 1.2): TMG / IIS ARR: SCHANNEL Protocols\\TLS 1.0 and TLS 1.1\\Server, Enabled=0; " +
			"nginx: ssl_protocols TLSv1.2 TLSv1.3; HAProxy: ssl-min-ver TLSv1.2; Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3; F5 / KEMP: No TLSv1, No TLSv1.1 in the client SSL profile."
	default:
		r.Status, r.Message = Pass, summary
	}
	return r
}

// noConnection reports whether every probe failed below TLS, and how.
func noConnection(probes []versionProbe) (probe.Kind, bool) {
	if len(probes) == 0 {
		return "", false
	}
	for _, p := range probes {
		if p.Err == nil || probe.KindOf(p.Err) == probe.KindTLSAlert {
			return "", false
		}
	}
	return probe.KindOf(probes[0].Err), true
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// certNodeConsistency: every address and node serves the same certificate
// for a name.
func certNodeConsistency(ctx context.Context, e *Env) []Result {
	hosts, err := e.observeCerts(ctx)
	if err != nil {
		return []Result{{Status: Error, Message: e.Unfinished(ctx)}}
	}
	var out []Result
	for _, h := range hosts {
		r := judgeConsistency(h.Seen)
		r.Target = h.Host
		if !h.Resolved {
			// The name is skipped; its nodes are still compared, under their own via.
			out = append(out, skipFor("dns.resolves", h.Host, h.Host))
			if len(h.Seen) == 0 {
				continue
			}
			r.Via = "nodes"
		}
		out = append(out, r)
	}
	return out
}

// judgeConsistency decides cert.node-consistency for one name. The
// reference is the newest certificate seen: the endpoints serving another
// one (usually an older one a node was not updated from) are named.
func judgeConsistency(seen []certSeen) Result {
	var ok []certSeen
	for _, s := range seen {
		if len(s.Chain) > 0 {
			ok = append(ok, s)
		}
	}
	r := Result{Evidence: map[string]any{"endpoints": endpointCerts(seen)}}
	if len(ok) < 2 {
		r.Status, r.Message = Info, fmt.Sprintf("%d endpoint showed a certificate for this name: nothing to compare", len(ok))
		return r
	}
	ref := newest(ok)
	var odd []string
	var same []string
	for _, s := range ok {
		if probe.ChainFingerprint(s.Chain) == probe.ChainFingerprint(ref.Chain) {
			same = append(same, s.Via)
		} else {
			odd = append(odd, s.Via+" serves "+differs(s.Chain, ref.Chain))
		}
	}
	if len(odd) == 0 {
		r.Status, r.Message = Pass, fmt.Sprintf("all %d endpoints serve the same certificate (serial %s)", len(ok), ref.Chain[0].SerialNumber.Text(16))
		return r
	}
	r.Status = Fail
	r.Message = strings.Join(odd, "; ") + " than " + strings.Join(same, ", ") + " (serial " + ref.Chain[0].SerialNumber.Text(16) + ")"
	r.Remedy = "Install the same, current certificate and chain on every proxy node (every array member and every load-balanced server): a client that lands on the odd node sees a different certificate."
	return r
}

// newest is the observation whose leaf was issued last.
func newest(seen []certSeen) certSeen {
	best := seen[0]
	for _, s := range seen[1:] {
		if s.Chain[0].NotBefore.After(best.Chain[0].NotBefore) {
			best = s
		}
	}
	return best
}

// differs words how chain differs from the reference.
func differs(chain, ref []*x509.Certificate) string {
	leaf, refLeaf := chain[0], ref[0]
	switch {
	case leaf.Equal(refLeaf):
		return fmt.Sprintf("the same certificate with a different chain (%d certificates, not %d)", len(chain), len(ref))
	case leaf.NotBefore.Before(refLeaf.NotBefore):
		return fmt.Sprintf("an older certificate (serial %s, issued %s, expires %s)", leaf.SerialNumber.Text(16), day(leaf.NotBefore), day(leaf.NotAfter))
	}
	return fmt.Sprintf("a different certificate (%s, serial %s)", certName(leaf), leaf.SerialNumber.Text(16))
}

func endpointCerts(seen []certSeen) map[string]string {
	out := map[string]string{}
	for _, s := range seen {
		if len(s.Chain) > 0 {
			out[s.Via] = probe.Fingerprint(s.Chain[0])
		} else if s.Err != nil {
			out[s.Via] = "no handshake: " + string(probe.KindOf(s.Err))
		}
	}
	return out
}
