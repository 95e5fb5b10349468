package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DNSAnswer is what one resolver said about one name and type, after
// following the CNAME chain.
type DNSAnswer struct {
	Server    string   `json:"server"`
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Rcode     string   `json:"rcode"`         // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …
	CNAMEs    []string `json:"cname_chain"`   // names the chain went through, in order
	Addresses []string `json:"addresses"`     // A/AAAA of the final name
	Records   []string `json:"records"`       // every answer RR, as zone text
	SRV       []SRV    `json:"srv,omitempty"` // SRV records of the final name
	TCP       bool     `json:"tcp,omitempty"` // the UDP answer was truncated
	// OutOfZone is set only by a Zone (offline): the name the chain reached
	// that the zone file does not hold, so the answer stops there.
	OutOfZone string        `json:"out_of_zone,omitempty"`
	RTT       time.Duration `json:"-"`
}

// SRV is one service record: where a service listens.
type SRV struct {
	Priority uint16 `json:"priority"`
	Weight   uint16 `json:"weight"`
	Port     uint16 `json:"port"`
	Target   string `json:"target"` // lower case, no final dot ("." = service not offered)
}

// NoData reports a successful answer that holds no record of the type asked.
func (a *DNSAnswer) NoData() bool {
	return a.Rcode == "NOERROR" && a.OutOfZone == "" && len(a.Addresses) == 0 && len(a.typed()) == 0
}

func (a *DNSAnswer) typed() []string {
	var out []string
	for _, r := range a.Records {
		if strings.Contains(r, "\t"+a.Type+"\t") {
			out = append(out, r)
		}
	}
	return out
}

// SystemResolver is the label used for the system's own resolver.
const SystemResolver = "system"

// maxCNAMEs bounds the chain we follow: a loop must not hang a run.
const maxCNAMEs = 8

// ErrTCPFallback marks a truncated UDP answer whose TCP retry failed.
var ErrTCPFallback = errors.New("the UDP answer was truncated and the TCP retry failed")

// maxAnswerRecords bounds the records of one answer: a published name has
// a handful of addresses, and thousands would each become a probe target.
const maxAnswerRecords = 100

// udpAttempt is how long one UDP try waits before it is sent again.
const udpAttempt = 1500 * time.Millisecond

// udpTries bounds the sends of one UDP question.
const udpTries = 4

// defaultExchange bounds one exchange when the caller set no deadline.
const defaultExchange = 5 * time.Second

// Resolve asks server (host:port, or SystemResolver) for name and type
// (dns.TypeA, dns.TypeAAAA, dns.TypeSRV, …) and follows CNAMEs that the
// answer does not resolve itself. Rcodes are data; an error means the
// server could not be asked or did not answer.
func Resolve(ctx context.Context, server, name string, qtype uint16) (*DNSAnswer, error) {
	addr, err := serverAddr(server)
	if err != nil {
		return nil, err
	}
	if addr == "" {
		return resolveGo(ctx, name, qtype)
	}
	ans := &DNSAnswer{Server: server, Name: dns.Fqdn(strings.ToLower(name)), Type: dns.TypeToString[qtype]}
	qname := ans.Name
	for hop := 0; hop <= maxCNAMEs; hop++ {
		msg, tcp, err := Exchange(ctx, addr, qname, qtype)
		if err != nil {
			return nil, err
		}
		ans.TCP = ans.TCP || tcp
		if len(msg.Answer) > maxAnswerRecords {
			return nil, &Error{Op: "dns", Kind: KindTooLarge, Err: fmt.Errorf("%d records for %s, more than %d", len(msg.Answer), qname, maxAnswerRecords)}
		}
		ans.Rcode = dns.RcodeToString[msg.Rcode]
		next := ans.absorb(msg, qname, qtype)
		if next == "" || msg.Rcode != dns.RcodeSuccess {
			return ans, nil
		}
		qname = next
	}
	return nil, &Error{Op: "dns", Kind: KindGarbage, Err: fmt.Errorf("CNAME chain longer than %d", maxCNAMEs)}
}

// absorb records msg's answers for qname and returns the name still to be
// resolved when the chain ends in a CNAME without the target's records.
func (a *DNSAnswer) absorb(msg *dns.Msg, qname string, qtype uint16) string {
	for _, rr := range msg.Answer {
		a.Records = append(a.Records, rr.String())
	}
	cur := qname
	for i := 0; i < maxCNAMEs; i++ {
		target := cnameOf(msg.Answer, cur)
		if target == "" {
			break
		}
		a.CNAMEs = append(a.CNAMEs, strings.TrimSuffix(target, "."))
		cur = target
	}
	found := false
	for _, rr := range msg.Answer {
		if !strings.EqualFold(rr.Header().Name, cur) || rr.Header().Rrtype != qtype {
			continue
		}
		found = true
		a.take(rr)
	}
	if !found && !strings.EqualFold(cur, qname) {
		return cur
	}
	return ""
}

// take keeps the data of one record of the type asked.
func (a *DNSAnswer) take(rr dns.RR) {
	switch v := rr.(type) {
	case *dns.A:
		a.Addresses = append(a.Addresses, v.A.String())
	case *dns.AAAA:
		a.Addresses = append(a.Addresses, v.AAAA.String())
	case *dns.SRV:
		target := strings.ToLower(v.Target)
		if target != "." {
			target = strings.TrimSuffix(target, ".")
		}
		a.SRV = append(a.SRV, SRV{Priority: v.Priority, Weight: v.Weight, Port: v.Port, Target: target})
	}
}

func cnameOf(rrs []dns.RR, name string) string {
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
			return strings.ToLower(c.Target)
		}
	}
	return ""
}

// Exchange sends one question to addr over UDP with EDNS0, retries a lost
// UDP answer, falls back to TCP when the answer is truncated, and checks
// that the reply answers the question asked. tcp reports the fallback.
func Exchange(ctx context.Context, addr, qname string, qtype uint16) (msg *dns.Msg, tcp bool, err error) {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(qname), qtype)
	q.SetEdns0(1232, false)
	msg, err = exchangeUDP(ctx, addr, q)
	if err == nil && msg.Truncated {
		tcp = true
		msg, err = exchangeOnce(ctx, "tcp", addr, q, udpAttempt)
		if err != nil {
			err = &Error{Op: "dns", Kind: kindOf(err), Err: fmt.Errorf("%w: %w", ErrTCPFallback, err)}
		}
	}
	if err != nil {
		return nil, tcp, err
	}
	if len(msg.Question) != 1 || !strings.EqualFold(msg.Question[0].Name, q.Question[0].Name) || msg.Question[0].Qtype != qtype {
		return nil, tcp, &Error{Op: "dns", Kind: KindGarbage, Err: errors.New("the reply does not answer the question asked")}
	}
	return msg, tcp, nil
}

// exchangeUDP sends again when an answer is lost (a lost datagram is
// normal), up to udpTries times or until the context ends.
func exchangeUDP(ctx context.Context, addr string, q *dns.Msg) (*dns.Msg, error) {
	for try := 1; ; try++ {
		msg, err := exchangeOnce(ctx, "udp", addr, q, udpAttempt)
		var ne net.Error
		if err == nil || try == udpTries || ctx.Err() != nil || !errors.As(err, &ne) || !ne.Timeout() {
			return msg, classify("dns", err)
		}
		q.Id = dns.Id()
	}
}

func exchangeOnce(ctx context.Context, network, addr string, q *dns.Msg, attempt time.Duration) (*dns.Msg, error) {
	c := &dns.Client{Net: network, UDPSize: 1232, Timeout: defaultExchange}
	if d, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(d)
		if c.Timeout <= 0 {
			return nil, classify("dns", context.DeadlineExceeded)
		}
	}
	short := attempt > 0 && attempt < c.Timeout
	if short {
		c.Timeout = attempt
	}
	if network == "udp" {
		return exchangeUDPOnce(ctx, c, q, addr, short)
	}
	msg, _, err := c.ExchangeContext(ctx, q, addr)
	return msg, garbled(err)
}

// exchangeUDPOnce is miekg's UDP exchange, which ignores replies whose ID
// does not match (they may answer an earlier try), but remembers them: a
// server that only ever answers with the wrong ID is named, not a timeout,
// when the attempt ends before the context (short); at the context's end
// it is the timeout.
func exchangeUDPOnce(ctx context.Context, c *dns.Client, q *dns.Msg, addr string, short bool) (*dns.Msg, error) {
	co, err := c.DialContext(ctx, addr)
	if err != nil {
		return nil, err
	}
	defer co.Close()
	co.UDPSize = c.UDPSize
	stop := context.AfterFunc(ctx, func() { _ = co.SetDeadline(time.Now()) })
	defer stop()
	_ = co.SetDeadline(time.Now().Add(c.Timeout))
	if err := co.WriteMsg(q); err != nil {
		return nil, err
	}
	wrongIDs := 0
	for {
		msg, err := co.ReadMsg()
		switch {
		case err == nil && msg.Id == q.Id:
			return msg, nil
		case err == nil:
			wrongIDs++
		case wrongIDs > 0 && short && ctx.Err() == nil:
			return nil, &Error{Op: "dns", Kind: KindGarbage, Err: fmt.Errorf("every reply (%d) carried the wrong message ID", wrongIDs)}
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
			return nil, garbled(err)
		}
	}
}

// garbled names a reply that miekg/dns could not unpack.
func garbled(err error) error {
	var de *dns.Error
	if errors.As(err, &de) {
		return &Error{Op: "dns", Kind: KindGarbage, Err: err}
	}
	return err
}

// serverAddr turns a resolver label into an address to query; "" means
// "use Go's own resolver" (no resolv.conf, e.g. on Windows).
func serverAddr(server string) (string, error) {
	if server != SystemResolver && server != "" {
		return server, nil
	}
	cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(cfg.Servers) == 0 {
		return "", nil
	}
	return net.JoinHostPort(cfg.Servers[0], cfg.Port), nil
}

// SystemResolverAddr names the server the system resolver uses, for labels.
func SystemResolverAddr() string {
	addr, _ := serverAddr(SystemResolver)
	if addr == "" {
		return "the operating system's resolver"
	}
	return addr
}

// resolveGo asks the operating system through Go's resolver; it can only
// tell an address set, "not found" or a failure.
func resolveGo(ctx context.Context, name string, qtype uint16) (*DNSAnswer, error) {
	ans := &DNSAnswer{Server: SystemResolver, Name: dns.Fqdn(name), Type: dns.TypeToString[qtype], Rcode: "NOERROR"}
	network := "ip4"
	if qtype == dns.TypeAAAA {
		network = "ip6"
	}
	ips, err := net.DefaultResolver.LookupIP(ctx, network, name)
	var de *net.DNSError
	if errors.As(err, &de) && de.IsNotFound {
		ans.Rcode = "NXDOMAIN"
		return ans, nil
	}
	if err != nil {
		return nil, classify("dns", err)
	}
	for _, ip := range ips {
		ans.Addresses = append(ans.Addresses, ip.String())
	}
	return ans, nil
}
