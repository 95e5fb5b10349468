package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// FuzzParseCertFile: a certificate file (PEM, DER or PFX) gives at least
// one certificate or an error, never an empty chain, a panic or the
// password. Seeds: the OpenSSL-made fixtures.
func FuzzParseCertFile(f *testing.F) {
	for _, name := range []string{"rp-chain.pem", "leaf.der", "rp.pfx", "rp-legacy.pfx", "root.pem"} {
		if data, err := os.ReadFile(filepath.Join(fixtures, name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte{})
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"))
	const pw = "lyncprobe-fixture"
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertFile(context.Background(), data, password(pw))
		if err == nil && len(certs) == 0 {
			t.Fatal("no error and no certificate")
		}
		for _, c := range certs {
			if c == nil {
				t.Fatal("a nil certificate")
			}
		}
		if err != nil && strings.Contains(err.Error(), pw) {
			t.Fatalf("the password is in the error: %v", err)
		}
	})
}

// turnSeeds are the seeds: an MS-TURN 401 challenge (TCP-framed) and an
// RFC 5389 Binding success with XOR-MAPPED-ADDRESS.
func turnSeeds() [][]byte {
	cookie := binary.BigEndian.AppendUint32(nil, msTurnCookie)
	code := []byte{0, 0, 4, 1, 'U', 'n', 'a', 'u', 't', 'h'}
	ms := EncodeMSTurn(TurnMessage{Type: msTurnAllocateError, TxID: make([]byte, 16), Attrs: []Attr{
		{attrMagicCookie, cookie}, {attrErrorCode, code}, {attrMSRealm, []byte("SIP Communications Service")},
		{attrMSNonce, []byte("0123456789abcdef")}, {attrMSVersion, []byte{0, 0, 0, 6}}}})
	rfc := []byte{0x01, 0x01, 0, 12, 0x21, 0x12, 0xA4, 0x42}
	rfc = append(rfc, make([]byte, 12)...)
	rfc = append(rfc, 0, 0x20, 0, 8, 0, 1, 0x21, 0x12^0x11, 0x21^203, 0x12, 0xA4^113, 0x42^10)
	return [][]byte{FrameTCP(ms), rfc, {tcpFrameControl, 0, 0xFF, 0xFF}, {}}
}

// FuzzTURNReader: the TCP reader of either dialect, fed any answer (with
// the request's transaction ID spliced in, so the facts are reached),
// returns facts in its dialect or an error; never a panic or a hang. A
// message that decodes encodes back to the same bytes.
func FuzzTURNReader(f *testing.F) {
	for _, s := range turnSeeds() {
		f.Add(false, s)
		f.Add(true, s)
	}
	f.Fuzz(func(t *testing.T, rfc bool, answer []byte) {
		// the transaction ID sits at byte 8 of request and answer in both
		// dialects: after the TCP framing and header, or after the cookie
		dialect, txAt, txLen := DialectMSTURN, 8, 16
		if rfc {
			dialect, txLen = DialectRFC5389, 12
		}
		client, server := net.Pipe()
		defer client.Close()
		served := make(chan struct{})
		go func() {
			defer close(served)
			defer server.Close()
			req := make([]byte, 1500)
			n, err := server.Read(req)
			if err != nil {
				return
			}
			out := bytes.Clone(answer)
			if len(out) >= txAt+txLen && n >= txAt+txLen {
				copy(out[txAt:txAt+txLen], req[txAt:txAt+txLen])
			}
			server.Write(out)
		}()
		client.SetDeadline(time.Now().Add(10 * time.Second))
		facts, err := turnTCP(client, dialect)
		client.Close()
		<-served
		if err == nil && (facts == nil || facts.Dialect != dialect) {
			t.Fatalf("no error and facts %+v for %s", facts, dialect)
		}
		if m, err := DecodeMSTurn(answer); err == nil {
			n := int(binary.BigEndian.Uint16(answer[2:4]))
			if got := EncodeMSTurn(*m); !bytes.Equal(got, answer[:20+n]) {
				t.Fatalf("decoded then encoded:\n% X\nwant\n% X", got, answer[:20+n])
			}
		}
		if m, err := DecodeRFC5389(answer); err == nil {
			_ = rfcFacts(m)
		}
	})
}

// FuzzDNSAnswer: any DNS message a resolver sends back is read into an
// answer (records, CNAME chain, addresses, SRV) without a panic, and the
// chain it follows stays within maxCNAMEs.
func FuzzDNSAnswer(f *testing.F) {
	m := new(dns.Msg)
	m.SetQuestion("meet.contoso.com.", dns.TypeA)
	m.Response = true
	for _, s := range []string{
		"meet.contoso.com. 300 IN CNAME rp.contoso.com.",
		"rp.contoso.com. 300 IN A 203.0.113.10",
		"rp.contoso.com. 300 IN AAAA 2001:db8::10",
		"_sip._tls.contoso.com. 300 IN SRV 0 0 443 sip.contoso.com.",
	} {
		rr, err := dns.NewRR(s)
		if err != nil {
			f.Fatal(err)
		}
		m.Answer = append(m.Answer, rr)
	}
	if packed, err := m.Pack(); err == nil {
		f.Add(packed)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		msg := new(dns.Msg)
		if err := msg.Unpack(data); err != nil || len(msg.Answer) > maxAnswerRecords {
			return
		}
		for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeSRV, dns.TypeCNAME} {
			for _, qname := range []string{"meet.contoso.com.", "_sip._tls.contoso.com."} {
				a := &DNSAnswer{Name: qname, Type: dns.TypeToString[qtype]}
				next := a.absorb(msg, qname, qtype)
				if len(a.CNAMEs) > maxCNAMEs {
					t.Fatalf("%d CNAMEs followed, more than %d", len(a.CNAMEs), maxCNAMEs)
				}
				if next != "" && (len(a.CNAMEs) == 0 || !strings.EqualFold(strings.TrimSuffix(next, "."), a.CNAMEs[len(a.CNAMEs)-1])) {
					t.Fatalf("next %q is not the end of the chain %v", next, a.CNAMEs)
				}
				_ = a.NoData()
				_ = a.typed()
			}
		}
	})
}
