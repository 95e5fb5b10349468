package checks

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// rfc5389Only answers RFC 5389 Binding requests and ignores everything
// else (an MS-TURN Allocate among them): a STUN server that is not an A/V
// Edge.
func rfc5389Only(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 20 || binary.BigEndian.Uint32(buf[4:8]) != 0x2112A442 || binary.BigEndian.Uint16(buf[0:2]) != 0x0001 {
				continue
			}
			out := append([]byte{0x01, 0x01, 0x00, 0x0c}, buf[4:20]...)
			out = append(out, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43)
			pc.WriteTo(out, from)
		}
	}()
	return pc.LocalAddr().String()
}

func avEnv() *Env {
	return &Env{runCtx: context.Background(), Dep: &config.Deployment{Edge: &config.Edge{AV: "av.example",
		Ports: config.EdgePorts{AVUDP: 3478, AVTCP: 443}}}}
}

// A server that answers only the RFC 5389 fallback is a warning, labelled
// as the fallback.
func TestAVFallbackIsLabelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	a := avProbe(ctx, Network(), rfc5389Only(t), "udp")
	if a.Err != nil || !a.Fallback || a.Facts.Mapped != "192.0.2.1:32853" {
		t.Fatalf("fallback: %+v", a)
	}
	r := avEnv().judgeAV(ctx, a, "UDP 3478", true)
	if r.Status != Warn || !strings.Contains(r.Message, "only the RFC 5389 Binding request (fallback)") {
		t.Errorf("got %s: %s", r.Status, r.Message)
	}
}

// No answer: UDP warns when TCP answered and fails when not, in the
// issue's words; a TCP timeout fails.
func TestAVTimeoutWording(t *testing.T) {
	timeout := &probe.Error{Op: "turn", Kind: probe.KindTimeout, Err: errors.New("i/o timeout")}
	e := avEnv()
	cases := []struct {
		what   string
		tcpOK  bool
		status Status
		says   string
	}{
		{"UDP 3478", true, Warn, "UDP 3478 to av.example got no answer: audio/video will fall back to TCP 443 or fail"},
		{"UDP 3478", false, Fail, "UDP 3478 to av.example got no answer: audio/video will fall back to TCP 443 or fail"},
		{"TCP 443", false, Fail, "TCP 443 to av.example got no answer"},
	}
	for _, c := range cases {
		r := e.judgeAV(context.Background(), avAnswer{Err: timeout}, c.what, c.tcpOK)
		if r.Status != c.status || !strings.HasPrefix(r.Message, c.says) {
			t.Errorf("%s (tcp ok %v): got %s %q", c.what, c.tcpOK, r.Status, r.Message)
		}
	}
}
