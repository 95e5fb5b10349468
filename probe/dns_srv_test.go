package probe

import (
	"context"
	"testing"

	"github.com/miekg/dns"
)

// SRV answers come back as data the checks can judge, over the wire too.
func TestResolveSRV(t *testing.T) {
	addr := startDNS(t, authority(zone(t,
		"_sip._tls.contoso.test. 300 IN SRV 10 20 443 SIP.contoso.test.",
		"_sipfederationtls._tcp.contoso.test. 300 IN SRV 0 0 5061 .",
	)))
	a, err := Resolve(context.Background(), addr, "_sip._tls.contoso.test", dns.TypeSRV)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.SRV) != 1 || a.SRV[0] != (SRV{Priority: 10, Weight: 20, Port: 443, Target: "sip.contoso.test"}) || a.NoData() {
		t.Fatalf("got %+v", a.SRV)
	}
	a, err = Resolve(context.Background(), addr, "_sipfederationtls._tcp.contoso.test", dns.TypeSRV)
	if err != nil || len(a.SRV) != 1 || a.SRV[0].Target != "." {
		t.Fatalf("a \"service not offered\" record: %+v %v", a, err)
	}
}
