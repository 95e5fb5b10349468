package probe

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// This file speaks just enough of two dialects to learn whether an A/V
// Edge answers, without credentials:
//
//   - MS-TURN ([MS-TURN], Traversal Using Relay NAT (TURN) Extensions),
//     the TURN-08-era dialect of Lync/Skype for Business A/V Edges: an
//     Allocate request that draws the server's digest challenge (401 with
//     Realm and Nonce, [MS-TURN] 3.1.12 and 3.3.5.1);
//   - RFC 5389 STUN, a Binding request, as a fallback for other servers.
//
// Layout of an MS-TURN message ([MS-TURN] 2.2.1): a 20-byte header,
// Message Type (2), Message Length (2, the attributes' bytes), Transaction
// ID (16: the whole 128 bits, no RFC 5389 magic cookie), then TLV
// attributes ([MS-TURN] 2.2.2) of which the Magic Cookie attribute
// (0x000F, length 4, value 0x72C64BC6, [MS-TURN] 2.2.2.8) MUST come
// first; a message without it is ignored ([MS-TURN] 3.1.10). Attributes
// are not padded to 4 bytes (libnice's OC2007 compatibility mode does
// the same), and Nonce is 0x0014, Realm 0x0015 ([MS-TURN] 2.2.2.13,
// 2.2.2.14): the reverse of RFC 5389's numbering. Over TCP every message
// is preceded by a 4-byte framing header ([MS-TURN] 2.1.4): Type (0x02 =
// TURN control message), Reserved (0), Length (2, the bytes that follow).
// The pseudo-TLS exchange of [MS-TURN] 2.1.1 is optional for the client
// ("if the protocol client sends this message") and is not sent.

// MS-TURN message types ([MS-TURN] 2.2.1) and attributes ([MS-TURN] 2.2.2).
const (
	msTurnAllocate      = 0x0003
	msTurnAllocateOK    = 0x0103
	msTurnAllocateError = 0x0113

	attrMappedAddress = 0x0001
	attrErrorCode     = 0x0009
	attrMagicCookie   = 0x000F
	attrMSNonce       = 0x0014 // [MS-TURN] 2.2.2.13
	attrMSRealm       = 0x0015 // [MS-TURN] 2.2.2.14
	attrMSVersion     = 0x8008 // [MS-TURN] 2.2.2.17

	msTurnCookie = 0x72C64BC6
	// MSTurnVersion is the MS-Version the probe announces: 3, "[MS-ICE2]
	// along with support for HMAC SHA-256" ([MS-TURN] 2.2.2.17), what
	// Lync 2013 and later clients send.
	MSTurnVersion = 3

	tcpFrameControl = 0x02 // [MS-TURN] 2.1.4
)

// RFC 5389 (section 6): Binding request and success response, the magic
// cookie in bytes 4-7 of the header, XOR-MAPPED-ADDRESS.
const (
	stunBinding        = 0x0001
	stunBindingOK      = 0x0101
	stunMagic          = 0x2112A442
	attrXORMapped      = 0x0020
	attrRFCRealm       = 0x0014
	attrRFCNonce       = 0x0015
	maxTurnMessageSize = 1500 // what the probe reads at most per answer
)

// Dialects a TURN probe speaks.
const (
	DialectMSTURN  = "MS-TURN"
	DialectRFC5389 = "RFC 5389 STUN"
)

// Attr is one TLV attribute.
type Attr struct {
	Type  uint16
	Value []byte
}

// TurnMessage is a decoded message of either dialect.
type TurnMessage struct {
	Type  uint16
	TxID  []byte // 16 bytes (MS-TURN) or 12 (RFC 5389, after the cookie)
	Attrs []Attr
}

// Get is the first attribute of type t, nil if absent.
func (m *TurnMessage) Get(t uint16) []byte {
	for _, a := range m.Attrs {
		if a.Type == t {
			return a.Value
		}
	}
	return nil
}

// EncodeMSTurn writes an MS-TURN message: header, then the attributes as
// given, unpadded. The caller puts the Magic Cookie attribute first.
func EncodeMSTurn(m TurnMessage) []byte {
	var body []byte
	for _, a := range m.Attrs {
		body = binary.BigEndian.AppendUint16(body, a.Type)
		body = binary.BigEndian.AppendUint16(body, uint16(len(a.Value)))
		body = append(body, a.Value...)
	}
	out := binary.BigEndian.AppendUint16(nil, m.Type)
	out = binary.BigEndian.AppendUint16(out, uint16(len(body)))
	out = append(out, m.TxID...)
	return append(out, body...)
}

var errNotMSTurn = errors.New("not an MS-TURN message")

// DecodeMSTurn reads one MS-TURN message and applies the basic
// verification of [MS-TURN] 3.1.10: the two top bits of the type are
// zero, the length fits, and Magic Cookie is the first attribute.
func DecodeMSTurn(b []byte) (*TurnMessage, error) {
	if len(b) < 20 || b[0]&0xC0 != 0 {
		return nil, errNotMSTurn
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if 20+n > len(b) {
		return nil, fmt.Errorf("%w: length %d exceeds the %d bytes received", errNotMSTurn, n, len(b)-20)
	}
	m := &TurnMessage{Type: binary.BigEndian.Uint16(b[0:2]), TxID: bytes.Clone(b[4:20])}
	attrs, err := decodeAttrs(b[20:20+n], false)
	if err != nil {
		return nil, err
	}
	m.Attrs = attrs
	if len(attrs) == 0 || attrs[0].Type != attrMagicCookie || len(attrs[0].Value) != 4 ||
		binary.BigEndian.Uint32(attrs[0].Value) != msTurnCookie {
		return nil, fmt.Errorf("%w: the Magic Cookie attribute is not first ([MS-TURN] 3.1.10)", errNotMSTurn)
	}
	return m, nil
}

// decodeAttrs reads TLVs; padded = RFC 5389's 4-byte alignment.
func decodeAttrs(b []byte, padded bool) ([]Attr, error) {
	var out []Attr
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errors.New("truncated attribute header")
		}
		t, l := binary.BigEndian.Uint16(b[0:2]), int(binary.BigEndian.Uint16(b[2:4]))
		if 4+l > len(b) {
			return nil, fmt.Errorf("attribute 0x%04X: length %d exceeds the message", t, l)
		}
		out = append(out, Attr{Type: t, Value: bytes.Clone(b[4 : 4+l])})
		step := 4 + l
		if padded {
			step = min(len(b), 4+(l+3)&^3)
		}
		b = b[step:]
	}
	return out, nil
}

// AllocateRequest is the credential-less MS-TURN Allocate of [MS-TURN]
// 3.2.4.1's first step: Magic Cookie, then MS-Version.
func AllocateRequest(txID []byte) []byte {
	return EncodeMSTurn(TurnMessage{Type: msTurnAllocate, TxID: txID, Attrs: []Attr{
		{Type: attrMagicCookie, Value: binary.BigEndian.AppendUint32(nil, msTurnCookie)},
		{Type: attrMSVersion, Value: binary.BigEndian.AppendUint32(nil, MSTurnVersion)},
	}})
}

// FrameTCP adds the [MS-TURN] 2.1.4 framing header for a control message.
func FrameTCP(msg []byte) []byte {
	out := []byte{tcpFrameControl, 0}
	out = binary.BigEndian.AppendUint16(out, uint16(len(msg)))
	return append(out, msg...)
}

// BindingRequest is an RFC 5389 Binding request with no attributes.
func BindingRequest(txID []byte) []byte {
	out := binary.BigEndian.AppendUint16(nil, stunBinding)
	out = binary.BigEndian.AppendUint16(out, 0)
	out = binary.BigEndian.AppendUint32(out, stunMagic)
	return append(out, txID...)
}

// DecodeRFC5389 reads an RFC 5389 message (cookie checked, padded TLVs).
func DecodeRFC5389(b []byte) (*TurnMessage, error) {
	if len(b) < 20 || b[0]&0xC0 != 0 || binary.BigEndian.Uint32(b[4:8]) != stunMagic {
		return nil, errors.New("not an RFC 5389 STUN message")
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if 20+n > len(b) {
		return nil, errors.New("STUN length exceeds the bytes received")
	}
	attrs, err := decodeAttrs(b[20:20+n], true)
	if err != nil {
		return nil, err
	}
	return &TurnMessage{Type: binary.BigEndian.Uint16(b[0:2]), TxID: bytes.Clone(b[8:20]), Attrs: attrs}, nil
}

// TurnFacts is what an A/V Edge answered.
type TurnFacts struct {
	Addr      string
	Transport string // "udp" or "tcp"
	Dialect   string // DialectMSTURN or DialectRFC5389
	Type      uint16 // the answer's message type
	ErrorCode int    // from Error Code, 0 if none
	Reason    string
	Realm     string
	Nonce     bool   // a Nonce was given (its value is not kept)
	MSVersion uint32 // the server's MS-Version, 0 if none
	Mapped    string // RFC 5389: XOR-MAPPED-ADDRESS, the address the server saw
	RTT       time.Duration
}

// Challenged reports the MS-TURN answer the probe hopes for: an Allocate
// error response 401 with Realm and Nonce ([MS-TURN] 3.3.5.1).
func (f *TurnFacts) Challenged() bool {
	return f.Dialect == DialectMSTURN && f.Type == msTurnAllocateError && f.ErrorCode == 401 && f.Realm != "" && f.Nonce
}

// errorCode reads Error Code: 21 zero bits, class (3), number (8), reason.
func errorCode(v []byte) (int, string) {
	if len(v) < 4 {
		return 0, ""
	}
	return int(v[2]&7)*100 + int(v[3]), string(bytes.TrimRight(v[4:], " \x00"))
}

func msTurnFacts(m *TurnMessage) TurnFacts {
	f := TurnFacts{Dialect: DialectMSTURN, Type: m.Type, Realm: string(m.Get(attrMSRealm)), Nonce: m.Get(attrMSNonce) != nil}
	f.ErrorCode, f.Reason = errorCode(m.Get(attrErrorCode))
	if v := m.Get(attrMSVersion); len(v) == 4 {
		f.MSVersion = binary.BigEndian.Uint32(v)
	}
	return f
}

func rfcFacts(m *TurnMessage) TurnFacts {
	f := TurnFacts{Dialect: DialectRFC5389, Type: m.Type, Realm: string(m.Get(attrRFCRealm)), Nonce: m.Get(attrRFCNonce) != nil}
	f.ErrorCode, f.Reason = errorCode(m.Get(attrErrorCode))
	if v := m.Get(attrXORMapped); len(v) == 8 && v[1] == 1 {
		port := binary.BigEndian.Uint16(v[2:4]) ^ uint16(stunMagic>>16)
		ip := binary.BigEndian.Uint32(v[4:8]) ^ stunMagic
		f.Mapped = net.JoinHostPort(net.IPv4(byte(ip>>24), byte(ip>>16), byte(ip>>8), byte(ip)).String(), fmt.Sprint(port))
	}
	return f
}

func newTxID(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TURN sends one request in dialect over transport ("udp" or "tcp") to
// addr and returns the answer. Over UDP it retransmits (at 0, 0.5 s and
// 1.5 s, RFC 5389 7.2.1's doubling) until ctx ends; a server that stays
// silent yields a KindTimeout error, a message that does not parse in the
// dialect (an MS-TURN server ignores those, [MS-TURN] 3.1.10) is skipped
// over UDP and a KindGarbage error over TCP.
func TURN(ctx context.Context, addr, transport, dialect string) (*TurnFacts, error) {
	start := time.Now()
	conn, err := (&net.Dialer{}).DialContext(ctx, transport, addr)
	if err != nil {
		return nil, classify("dial", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	var f *TurnFacts
	if transport == "udp" {
		f, err = turnUDP(ctx, conn, dialect)
	} else {
		f, err = turnTCP(conn, dialect)
	}
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, classify("turn", err)
	}
	f.Addr, f.Transport, f.RTT = addr, transport, time.Since(start)
	return f, nil
}

// request builds the dialect's request and the matcher for its answer.
func request(dialect string) ([]byte, func([]byte) (*TurnFacts, error)) {
	if dialect == DialectRFC5389 {
		tx := newTxID(12)
		return BindingRequest(tx), func(b []byte) (*TurnFacts, error) {
			m, err := DecodeRFC5389(b)
			if err != nil || !bytes.Equal(m.TxID, tx) {
				return nil, errors.Join(errNotMSTurn, err)
			}
			f := rfcFacts(m)
			return &f, nil
		}
	}
	tx := newTxID(16)
	return AllocateRequest(tx), func(b []byte) (*TurnFacts, error) {
		m, err := DecodeMSTurn(b)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(m.TxID, tx) {
			return nil, fmt.Errorf("%w: transaction ID does not match", errNotMSTurn)
		}
		f := msTurnFacts(m)
		return &f, nil
	}
}

func turnUDP(ctx context.Context, conn net.Conn, dialect string) (*TurnFacts, error) {
	req, match := request(dialect)
	got := make(chan *TurnFacts, 1)
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, maxTurnMessageSize)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				errc <- err
				return
			}
			if f, err := match(buf[:n]); err == nil {
				got <- f
				return
			} // anything else is ignored, as the server would ([MS-TURN] 3.1.10)
		}
	}()
	for _, wait := range []time.Duration{0, 500 * time.Millisecond, time.Second} {
		select {
		case <-time.After(wait):
		case f := <-got:
			return f, nil
		case err := <-errc:
			return nil, err
		}
		if _, err := conn.Write(req); err != nil {
			return nil, err
		}
	}
	select {
	case f := <-got:
		return f, nil
	case err := <-errc:
		return nil, err
	}
}

func turnTCP(conn net.Conn, dialect string) (*TurnFacts, error) {
	req, match := request(dialect)
	if dialect == DialectMSTURN {
		req = FrameTCP(req)
	}
	if _, err := conn.Write(req); err != nil {
		return nil, err
	}
	if dialect == DialectMSTURN {
		var hdr [4]byte
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return nil, err
		}
		n := int(binary.BigEndian.Uint16(hdr[2:4]))
		if hdr[0] != tcpFrameControl || n > maxTurnMessageSize {
			return nil, &Error{Op: "turn", Kind: KindGarbage, Err: fmt.Errorf("framing header % X is not an MS-TURN control frame ([MS-TURN] 2.1.4)", hdr)}
		}
		return readMatch(conn, n, match)
	}
	var hdr [20]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[2:4]))
	if n > maxTurnMessageSize {
		return nil, &Error{Op: "turn", Kind: KindTooLarge, Err: fmt.Errorf("STUN length %d", n)}
	}
	rest := make([]byte, n)
	if _, err := io.ReadFull(conn, rest); err != nil {
		return nil, err
	}
	return matchOrGarbage(append(hdr[:], rest...), match)
}

func readMatch(conn net.Conn, n int, match func([]byte) (*TurnFacts, error)) (*TurnFacts, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(conn, b); err != nil {
		return nil, err
	}
	return matchOrGarbage(b, match)
}

func matchOrGarbage(b []byte, match func([]byte) (*TurnFacts, error)) (*TurnFacts, error) {
	f, err := match(b)
	if err != nil {
		return nil, &Error{Op: "turn", Kind: KindGarbage, Err: err}
	}
	return f, nil
}
