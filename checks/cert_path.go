package checks

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/probe"
)

// The path a client builds. A server may send more than a client needs
// (a cross-certificate to an older root, a stale intermediate beside the
// current one); a client verifies the leaf up to a trust anchor and
// ignores the rest. Expiry, key strength and revocation are judged on
// that path, so a sent certificate nobody needs cannot fail them.

// clientPath is the path a client builds for chain against roots: the
// best chain x509.Verify returns (at now, else at a moment when the path
// was valid, so that an expired leaf still shows its path), or, when no
// chain verifies at all (a missing intermediate, an unknown root), the
// chain as sent (probe.BuildPath). verified says which of the two it is.
func clientPath(chain []*x509.Certificate, roots *x509.CertPool, now time.Time) (p probe.Path, verified bool) {
	sent := probe.BuildPath(chain)
	if len(chain) == 0 {
		return sent, false
	}
	for _, at := range verifyTimes(sent, now) {
		if chains, err := probe.VerifyPath(chain, roots, at); err == nil && len(chains) > 0 {
			return pathOf(bestChain(chains, now), chain), true
		}
	}
	return sent, false
}

// verifyTimes are the moments to try: now; then one when every sent
// certificate on the built path was valid; then one when the leaf was.
func verifyTimes(sent probe.Path, now time.Time) []time.Time {
	out := []time.Time{now}
	for _, at := range []time.Time{validityTime(sent.Certs, now), validityTime(sent.Certs[:1], now)} {
		if !slices.ContainsFunc(out, at.Equal) {
			out = append(out, at)
		}
	}
	return out
}

// bestChain is the verified chain with the fewest problems now (expired,
// weak), then the shortest: the one a careful client settles on.
func bestChain(chains [][]*x509.Certificate, now time.Time) []*x509.Certificate {
	score := func(c []*x509.Certificate) int {
		n := 0
		for _, cert := range c[:len(c)-1] { // the anchor is trusted as configured
			if now.After(cert.NotAfter) || now.Before(cert.NotBefore) || len(keyProblems(cert, probe.Path{Certs: c})) > 0 {
				n++
			}
		}
		return n*100 + len(c)
	}
	return slices.MinFunc(chains, func(a, b []*x509.Certificate) int { return score(a) - score(b) })
}

// pathOf words a verified chain as a probe.Path; the anchor at its top
// counts as the root (belowRoot leaves it out), and every sent
// certificate not on it is Unused.
func pathOf(verified, sent []*x509.Certificate) probe.Path {
	p := probe.Path{Certs: verified, TopSelfSigned: len(verified) > 1 || probe.SelfSigned(verified[0])}
	for _, c := range sent {
		if !slices.ContainsFunc(verified, c.Equal) {
			p.Unused = append(p.Unused, c)
		}
	}
	return p
}

// unneededProblems words what is wrong with the sent certificates the
// client's path does not use: at most info, since no client needs them.
func unneededProblems(p probe.Path, now time.Time) []string {
	var out []string
	for _, c := range p.Unused {
		var why []string
		switch {
		case now.After(c.NotAfter):
			why = append(why, "expired on "+day(c.NotAfter))
		case now.Before(c.NotBefore):
			why = append(why, "not valid before "+day(c.NotBefore))
		}
		if weak := probe.WeakSignature(c); weak != "" && !probe.SelfSigned(c) {
			why = append(why, "signed with "+weak)
		}
		if alg, bits := probe.KeyInfo(c.PublicKey); bits < minKeyBits(alg) {
			why = append(why, fmt.Sprintf("a %d-bit %s key", bits, alg))
		}
		if len(why) > 0 {
			out = append(out, certName(c)+" ("+strings.Join(why, ", ")+")")
		}
	}
	return out
}
