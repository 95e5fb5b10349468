package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"net"
	"strings"
	"testing"
	"time"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var txID16 = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// The Allocate request as [MS-TURN] lays it out: header (2.2.1: type
// 0x0003, length, 16-byte transaction ID, no RFC 5389 cookie), Magic
// Cookie first (2.2.2.8), MS-Version (2.2.2.17), no padding.
func TestAllocateRequestLayout(t *testing.T) {
	want := unhex(t, `0003 0010 000102030405060708090a0b0c0d0e0f
		000f 0004 72c64bc6
		8008 0004 00000003`)
	if got := AllocateRequest(txID16); !bytes.Equal(got, want) {
		t.Errorf("Allocate request\n got % x\nwant % x", got, want)
	}
}

// [MS-TURN] 2.1.4: Type 0x02 (TURN control message), Reserved 0, Length
// of what follows.
func TestFrameTCPLayout(t *testing.T) {
	got := FrameTCP([]byte{0xAA, 0xBB, 0xCC})
	if want := []byte{0x02, 0x00, 0x00, 0x03, 0xAA, 0xBB, 0xCC}; !bytes.Equal(got, want) {
		t.Errorf("frame % x, want % x", got, want)
	}
}

// An Allocate error response as [MS-TURN] 3.3.5.1 asks for it, with
// attributes unpadded: Realm of 9 bytes, then Nonce (0x0014) and Realm
// (0x0015) numbered the MS-TURN way (2.2.2.13, 2.2.2.14).
func challengeBytes(t *testing.T) []byte {
	return unhex(t, `0113 003a 000102030405060708090a0b0c0d0e0f
		000f 0004 72c64bc6
		0009 0010 00000401 556e617574686f72697a6564
		0015 0009 636f6e746f736f2e74
		0014 0005 6e6f6e6365
		8008 0004 00000003`)
}

func TestDecodeMSTurnChallenge(t *testing.T) {
	m, err := DecodeMSTurn(challengeBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	f := msTurnFacts(m)
	if !f.Challenged() || f.ErrorCode != 401 || f.Reason != "Unauthorized" || f.Realm != "contoso.t" || f.MSVersion != 3 {
		t.Errorf("facts %+v", f)
	}
	if !bytes.Equal(m.TxID, txID16) {
		t.Errorf("transaction ID % x", m.TxID)
	}
}

// [MS-TURN] 3.1.10: without the Magic Cookie attribute first the message
// is not MS-TURN; an RFC 5389 message is not either.
func TestDecodeMSTurnRejects(t *testing.T) {
	noCookie := unhex(t, `0113 0008 000102030405060708090a0b0c0d0e0f 8008 0004 00000003`)
	tooLong := unhex(t, `0113 0040 000102030405060708090a0b0c0d0e0f 000f 0004 72c64bc6`)
	for name, b := range map[string][]byte{"no cookie": noCookie, "too long": tooLong,
		"RFC 5389 binding": BindingRequest(txID16[:12]), "short": {0, 3}} {
		if _, err := DecodeMSTurn(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// RFC 5389 section 6: type, length, magic cookie 0x2112A442, 96-bit ID.
func TestBindingRequestLayout(t *testing.T) {
	want := unhex(t, `0001 0000 2112a442 000102030405060708090a0b`)
	if got := BindingRequest(txID16[:12]); !bytes.Equal(got, want) {
		t.Errorf("binding % x, want % x", got, want)
	}
}

// The XOR-MAPPED-ADDRESS of RFC 5769 section 2.2 (192.0.2.1 port 32853).
func TestDecodeRFC5389XORMapped(t *testing.T) {
	b := unhex(t, `0101 000c 2112a442 b7e7a701bc34d686fa87dfae 0020 0008 0001a147e112a643`)
	m, err := DecodeRFC5389(b)
	if err != nil {
		t.Fatal(err)
	}
	if f := rfcFacts(m); f.Mapped != "192.0.2.1:32853" || f.Type != stunBindingOK {
		t.Errorf("facts %+v", f)
	}
}

// A UDP server that answers the Allocate with the challenge (copying the
// transaction ID into challengeBytes' layout).
func udpChallenger(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	answer := challengeBytes(t)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n >= 20 {
				a := append([]byte(nil), answer...)
				copy(a[4:20], buf[4:20])
				pc.WriteTo(a, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func TestTURNOverUDP(t *testing.T) {
	addr := udpChallenger(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	f, err := TURN(ctx, addr, "udp", DialectMSTURN)
	if err != nil || !f.Challenged() {
		t.Fatalf("got %+v, %v", f, err)
	}
}

func TestTURNSilentUDPTimesOut(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err = TURN(ctx, pc.LocalAddr().String(), "udp", DialectMSTURN)
	if KindOf(err) != KindTimeout {
		t.Errorf("silent UDP: %v (kind %s), want a timeout", err, KindOf(err))
	}
}

// A server that speaks something else over TCP (here TLS) gives a
// malformed-answer or closed error, never a hang.
func TestTURNOverTCPToATLSServer(t *testing.T) {
	_, cert := mint(t, []string{"av.example"}, time.Now().Add(-time.Hour), time.Hour)
	addr := tlstest.HandshakeServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if f, err := TURN(ctx, addr, "tcp", DialectMSTURN); err == nil {
		t.Errorf("TLS server answered MS-TURN: %+v", f)
	}
}
