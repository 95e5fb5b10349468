package hostile

import (
	"crypto/rand"
	"net"
	"strings"

	"github.com/miekg/dns"
)

func dnsBehaviours() []Behaviour {
	return []Behaviour{
		{"dns-silent", "dns", "never answers", func(s *Server) error { return s.rawUDP(nil) }},
		{"dns-garbage", "dns", "answers garbage bytes", func(s *Server) error { return s.rawUDP(garbage) }},
		{"dns-wrong-id", "dns", "answers with the wrong message ID", func(s *Server) error { return s.miekg(wrongID, false) }},
		{"dns-truncated-tcp-silent", "dns", "truncates every UDP answer and never answers over TCP", func(s *Server) error { return s.miekg(truncated, true) }},
		{"dns-cname-loop", "dns", "answers a CNAME loop", func(s *Server) error { return s.miekg(cnameLoop, false) }},
		{"dns-many-records", "dns", "answers 3000 A records (truncated over UDP, in full over TCP)", func(s *Server) error { return s.miekg(manyRecords, false) }},
		{"dns-other-question", "dns", "answers a different question", func(s *Server) error { return s.miekg(otherQuestion, false) }},
	}
}

// healthyDNS answers 127.0.0.1 for every A question, nothing else.
func (s *Server) healthyDNS() (string, error) {
	pc, ln, err := listenBoth()
	if err != nil {
		return "", err
	}
	h := func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Qtype == dns.TypeA {
			m.Answer = append(m.Answer, aRecord(q.Question[0].Name, net.IPv4(127, 0, 0, 1)))
		}
		_ = w.WriteMsg(m)
	}
	s.serveDNS(pc, ln, h)
	return pc.LocalAddr().String(), nil
}

func aRecord(name string, ip net.IP) dns.RR {
	return &dns.A{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: ip}
}

// miekg serves h over UDP and TCP on one port; silentTCP makes the TCP side
// accept and never answer.
func (s *Server) miekg(h dns.HandlerFunc, silentTCP bool) error {
	pc, ln, err := listenBoth()
	if err != nil {
		return err
	}
	if silentTCP {
		s.serveDNS(pc, nil, h)
		s.serveTCP(ln, func(net.Conn) { s.wait() })
	} else {
		s.serveDNS(pc, ln, h)
	}
	s.DNS = pc.LocalAddr().String()
	return nil
}

func (s *Server) serveDNS(pc net.PacketConn, ln net.Listener, h dns.HandlerFunc) {
	servers := []*dns.Server{{PacketConn: pc, Handler: h}}
	if ln != nil {
		servers = append(servers, &dns.Server{Listener: ln, Handler: h})
	}
	for _, srv := range servers {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = srv.ActivateAndServe() }()
		<-started
		s.onClose(func() { _ = srv.Shutdown() })
	}
}

// listenBoth binds one loopback port over UDP and TCP.
func listenBoth() (net.PacketConn, net.Listener, error) {
	var last error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		last = err
		pc.Close()
	}
	return nil, nil, last
}

// rawUDP answers each datagram with reply(query), or not at all when nil.
func (s *Server) rawUDP(reply func([]byte) []byte) error {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.DNS = pc.LocalAddr().String()
	s.onClose(func() { pc.Close() })
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.Seen.Add(1)
			if reply != nil {
				_, _ = pc.WriteTo(reply(buf[:n]), from)
			}
		}
	}()
	return nil
}

// garbage keeps the query's ID (so the client reads it) and sends noise.
func garbage(q []byte) []byte {
	out := make([]byte, 64)
	_, _ = rand.Read(out)
	if len(q) >= 2 {
		copy(out, q[:2])
	}
	return out
}

func reply(w dns.ResponseWriter, q *dns.Msg, edit func(m *dns.Msg)) {
	m := new(dns.Msg)
	m.SetReply(q)
	edit(m)
	_ = w.WriteMsg(m)
}

func wrongID(w dns.ResponseWriter, q *dns.Msg) {
	reply(w, q, func(m *dns.Msg) {
		m.Id = q.Id + 1
		m.Answer = []dns.RR{aRecord(q.Question[0].Name, net.IPv4(127, 0, 0, 1))}
	})
}

func truncated(w dns.ResponseWriter, q *dns.Msg) {
	reply(w, q, func(m *dns.Msg) { m.Truncated = true })
}

// cnameLoop: x → loop-a → loop-b → loop-a …, each answer one step.
func cnameLoop(w dns.ResponseWriter, q *dns.Msg) {
	name := q.Question[0].Name
	next := "loop-a.contoso.test."
	if strings.HasPrefix(name, "loop-a.") {
		next = "loop-b.contoso.test."
	}
	reply(w, q, func(m *dns.Msg) {
		m.Answer = []dns.RR{&dns.CNAME{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: next}}
	})
}

func manyRecords(w dns.ResponseWriter, q *dns.Msg) {
	if q.Question[0].Qtype != dns.TypeA {
		reply(w, q, func(*dns.Msg) {})
		return
	}
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		reply(w, q, func(m *dns.Msg) { m.Truncated = true })
		return
	}
	reply(w, q, func(m *dns.Msg) {
		for i := range 3000 {
			// 127.1.x.y: loopback where nothing listens, so probes are refused fast
			m.Answer = append(m.Answer, aRecord(q.Question[0].Name, net.IPv4(127, 1, byte(i>>8), byte(i))))
		}
		m.Compress = true
	})
}

func otherQuestion(w dns.ResponseWriter, q *dns.Msg) {
	reply(w, q, func(m *dns.Msg) {
		m.Question[0].Name = "elsewhere.example."
		m.Answer = []dns.RR{aRecord("elsewhere.example.", net.IPv4(127, 0, 0, 1))}
	})
}
