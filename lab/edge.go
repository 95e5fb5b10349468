package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net"
	"strconv"
	"time"
)

// The emulated Edge: the Access Edge (SIP/TLS and federation, mutual TLS),
// the Web Conferencing Edge (TLS) and the A/V Edge (MS-TURN on UDP and
// TCP), all on the lab's address, each on a port of its own (a real Edge
// has three public addresses and uses 443 for each role; the ports are in
// the config). The TLS roles share one certificate from the lab's public
// CA, as Microsoft's Edge certificate does: sip. and webcon. names
// (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements). Faults: edge-no-udp, edge-cert-missing-sip,
// edge-no-federation, edge-no-webconf (edgeFaults below).

// The Edge's TCP listeners, in the order of Lab.EdgeAddrs.
const (
	edgeSIP = iota
	edgeFederation
	edgeWebConf
	edgeAVTCP
	edgeTCPPorts
)

// edgeConfig is the config's view of the Edge beyond access and the SIP
// ports.
type edgeConfig struct {
	WebConf, AV               string
	WebConfPort, AVUDP, AVTCP int
}

func (l *Lab) edgeConfig() edgeConfig {
	_, udpPort, _ := net.SplitHostPort(l.EdgeUDPAddr)
	p, _ := strconv.Atoi(udpPort)
	return edgeConfig{WebConf: WebConfEdge, AV: AVEdge, WebConfPort: portOf(l.lns.edge[edgeWebConf]),
		AVUDP: p, AVTCP: portOf(l.lns.edge[edgeAVTCP])}
}

// edgeLeafSpec is the Edge's external certificate; edge-cert-missing-sip
// leaves sip.<domain> out of the SANs (the CN keeps it: a CN not repeated
// in the SANs is the usual way this happens).
func (l *Lab) edgeLeafSpec(now time.Time) leafSpec {
	s := leafSpec{CN: AccessEdge, DNS: []string{AccessEdge, WebConfEdge}, RSABits: l.rsaBits(),
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}
	if l.faults.has("edge-cert-missing-sip") {
		s.DNS = []string{WebConfEdge}
	}
	return s
}

func (l *Lab) startEdge() error {
	lf, err := l.pki.intermediate.issue(l.edgeLeafSpec(time.Now()), l.pki.intermediate)
	if err != nil {
		return err
	}
	cert := lf.tlsCert()
	plain := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	// Federation is mutual TLS: the Edge asks the partner for its
	// certificate and ends the handshake when none comes.
	mutual := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, ClientAuth: tls.RequireAnyClientCert}
	roles := []struct {
		fault string
		serve func(net.Conn)
	}{
		edgeSIP:        {"", func(c net.Conn) { tlsHello(c, plain) }},
		edgeFederation: {"edge-no-federation", func(c net.Conn) { tlsHello(c, mutual) }},
		edgeWebConf:    {"edge-no-webconf", func(c net.Conn) { tlsHello(c, plain) }},
		edgeAVTCP:      {"", turnTCP},
	}
	for i, role := range roles {
		ln := l.lns.edge[i]
		if role.fault != "" && l.faults.has(role.fault) {
			ln.Close() // the role's port is closed: connections are refused
			continue
		}
		l.acceptEach(ln, role.serve)
	}
	return l.startAVUDP()
}

// acceptEach serves every connection of ln in its own goroutine, at most
// maxEdgeConns at once; each ends within 10 seconds or when the lab
// closes.
func (l *Lab) acceptEach(ln net.Listener, serve func(net.Conn)) {
	acceptLoop(l.ctx, ln, maxEdgeConns, &l.wg, func(c net.Conn) {
		defer c.Close()
		stop := context.AfterFunc(l.ctx, func() { c.Close() })
		defer stop()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		serve(c)
	})
}

// tlsHello completes the TLS handshake and hangs up: the lab speaks no SIP
// or PSOM behind it (a simplification: the checks judge the handshake).
func tlsHello(c net.Conn, cfg *tls.Config) {
	tls.Server(c, cfg).Handshake()
}

// startAVUDP binds the A/V Edge's UDP port. Under edge-no-udp it reads
// and drops every datagram, as a firewall that drops UDP 3478 does (the
// probe then times out, the finding of the field, rather than being
// refused at once).
func (l *Lab) startAVUDP() error {
	pc, err := net.ListenPacket("udp", net.JoinHostPort(l.opts.Addr, "0"))
	if err != nil {
		return err
	}
	l.closers = append(l.closers, pc)
	l.EdgeUDPAddr = pc.LocalAddr().String()
	drop := l.faults.has("edge-no-udp")
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if drop {
				continue
			}
			if answer := turnAnswer(buf[:n]); answer != nil {
				pc.WriteTo(answer, from)
			}
		}
	}()
	return nil
}

// turnTCP serves MS-TURN over TCP: each message comes behind the 4-byte
// framing header of [MS-TURN] 2.1.4 (type 0x02 = TURN control message,
// reserved 0, length), and so does each answer. Anything else ends the
// connection, as [MS-TURN] 3.1.10 says a server SHOULD. The pseudo-TLS
// exchange of [MS-TURN] 2.1.1 is not emulated (the lab hangs up on it).
func turnTCP(c net.Conn) {
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != 0x02 {
			return
		}
		n := int(binary.BigEndian.Uint16(hdr[2:4]))
		if n > 1500 {
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		answer := turnAnswer(msg)
		if answer == nil {
			return
		}
		frame := binary.BigEndian.AppendUint16([]byte{0x02, 0}, uint16(len(answer)))
		if _, err := c.Write(append(frame, answer...)); err != nil {
			return
		}
	}
}

// MS-TURN as the lab speaks it, written from [MS-TURN] independently of
// the probe so that the two check each other.
const (
	labMSCookie = 0x72C64BC6 // [MS-TURN] 2.2.2.8
	labRealm    = "SIP Communications Service"
)

// turnAnswer is the A/V Edge's answer to one MS-TURN message, nil when it
// ignores it. It verifies as [MS-TURN] 3.1.10 asks (20-byte header, top
// two bits zero, the Magic Cookie attribute first) and answers an
// Allocate request (0x0003) with the digest challenge of [MS-TURN]
// 3.3.5.1: Allocate error response 0x0113, Error Code 401, Realm, Nonce
// and MS-Version. Simplified: every Allocate gets the challenge, with or
// without Message Integrity (the lab has no users whose credentials it
// could check), no Alternate Server is offered, the nonce is random
// rather than encoding its validity, and RFC 5389 messages (with the
// 0x2112A442 cookie in the header) are ignored like any malformed one.
func turnAnswer(b []byte) []byte {
	if len(b) < 20 || b[0]&0xC0 != 0 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if 20+n > len(b) || n < 8 || binary.BigEndian.Uint16(b[0:2]) != 0x0003 {
		return nil
	}
	first := b[20:28] // Magic Cookie: type 0x000F, length 4, value
	if !bytes.Equal(first[:4], []byte{0x00, 0x0F, 0x00, 0x04}) || binary.BigEndian.Uint32(first[4:]) != labMSCookie {
		return nil
	}
	nonce := make([]byte, 16)
	rand.Read(nonce)
	var attrs []byte
	add := func(t uint16, v []byte) { // unpadded TLV, [MS-TURN] 2.2.2
		attrs = binary.BigEndian.AppendUint16(attrs, t)
		attrs = binary.BigEndian.AppendUint16(attrs, uint16(len(v)))
		attrs = append(attrs, v...)
	}
	add(0x000F, binary.BigEndian.AppendUint32(nil, labMSCookie))
	add(0x0009, append([]byte{0, 0, 4, 1}, "Unauthorized"...)) // class 4, number 1
	add(0x0015, []byte(labRealm))                              // Realm, [MS-TURN] 2.2.2.14
	add(0x0014, []byte(hex.EncodeToString(nonce)))             // Nonce, [MS-TURN] 2.2.2.13
	add(0x8008, binary.BigEndian.AppendUint32(nil, 3))         // MS-Version, [MS-TURN] 2.2.2.17
	out := binary.BigEndian.AppendUint16(nil, 0x0113)
	out = binary.BigEndian.AppendUint16(out, uint16(len(attrs)))
	out = append(out, b[4:20]...) // the request's transaction ID
	return append(out, attrs...)
}
