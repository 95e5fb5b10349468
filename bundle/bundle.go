// Package bundle records a lyncprobe run as a support bundle and judges it
// again: every fact the run fetched (DNS answers, certificate chains, TLS
// facts, HTTP answers with capped bodies, TURN answers, the affinity
// probe's visits, the trust anchors), the config, the options that change
// verdicts and the run's clock, in one JSON file (optionally gzipped).
// Secrets are redacted before anything is stored (redact.go).
//
// A Recorder is a checks.Source that wraps the network; a bundle's Source
// replays the facts with no network, so `lyncprobe replay` gives the same
// results on any machine. A fact the bundle lacks is an error result ("not
// in the bundle"), never a pass: a newer lyncprobe that asks more than an
// older one recorded cannot judge it.
package bundle

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Format names the bundle layout; a reader refuses another.
const Format = "lyncprobe-bundle/1"

// Bundle is one recorded run.
type Bundle struct {
	Format  string  `json:"format"`
	Version string  `json:"lyncprobe_version"` // the version that recorded it
	Run     Run     `json:"run"`
	Config  Config  `json:"config"`
	Options Options `json:"options"`
	Trust   Trust   `json:"trust"`
	Facts   Facts   `json:"facts"`
}

// Run is the run's header: when (the clock every verdict used), where
// from, and through which resolvers.
type Run struct {
	Started        time.Time `json:"started"`
	Host           string    `json:"host,omitempty"`
	Resolvers      []string  `json:"resolvers,omitempty"`
	SystemResolver string    `json:"system_resolver"`
}

// Config is the deployment file as it was read: its absolute path (paths
// inside it are relative to it) and its text.
type Config struct {
	Path string `json:"path"`
	Text string `json:"text"`
}

// Options are the run's options that change verdicts.
type Options struct {
	Only         []string      `json:"only,omitempty"`
	Resolvers    []string      `json:"resolvers,omitempty"`
	ConnectTo    string        `json:"connect_to,omitempty"`
	Zones        []string      `json:"zone_files,omitempty"` // the zone files (their answers are facts)
	Concurrency  int           `json:"concurrency,omitempty"`
	CheckTimeout time.Duration `json:"check_timeout,omitempty"`
	Timeout      time.Duration `json:"timeout,omitempty"`
}

// Trust holds the trust anchors a replay needs to judge chains as the
// recording machine did (see Recorder.Bundle for which are kept).
type Trust struct {
	// SystemStore: the recording machine had system roots (without, a
	// chain to an unknown root cannot be judged, and checks say so).
	SystemStore bool `json:"system_store"`
	// Anchors are the system roots that anchored a chain the run saw (DER).
	Anchors [][]byte `json:"anchors,omitempty"`
	// Files are the trust files the config names (tls.ca_file,
	// tls.backend_ca_file): their certificates, as PEM, or why they could
	// not be read.
	Files []FileFact `json:"files,omitempty"`
}

// FileFact is one trust file.
type FileFact struct {
	Path string `json:"path"`
	PEM  string `json:"pem,omitempty"` // CERTIFICATE blocks only: a key in the file is never stored
	Err  *Err   `json:"error,omitempty"`
}

// Facts are everything the run fetched, one entry per fact.
type Facts struct {
	DNS    []DNSFact    `json:"dns,omitempty"`
	TLS    []TLSFact    `json:"tls,omitempty"`
	MTLS   []MTLSFact   `json:"mtls,omitempty"`
	HTTP   []HTTPFact   `json:"http,omitempty"`
	TURN   []TURNFact   `json:"turn,omitempty"`
	Visits []VisitsFact `json:"affinity,omitempty"`
	Conns  []ConnFact   `json:"connections,omitempty"`
}

// DNSFact is one question to one resolver.
type DNSFact struct {
	Server string           `json:"server"`
	Name   string           `json:"name"`
	Type   uint16           `json:"qtype"`
	Answer *probe.DNSAnswer `json:"answer,omitempty"`
	RTT    time.Duration    `json:"rtt,omitempty"`
	Err    *Err             `json:"error,omitempty"`
}

// TLSFact is one handshake.
type TLSFact struct {
	Addr    string           `json:"addr"`
	SNI     string           `json:"sni"`
	Options probe.TLSOptions `json:"options"`
	Facts   *TLS             `json:"facts,omitempty"`
	Err     *Err             `json:"error,omitempty"`
}

// TLS is probe.TLSFacts with the chain as DER.
type TLS struct {
	Addr        string        `json:"addr"`
	SNI         string        `json:"sni"`
	Version     uint16        `json:"version"`
	CipherSuite uint16        `json:"cipher_suite"`
	Chain       [][]byte      `json:"chain"`
	Handshake   time.Duration `json:"handshake"`
}

// MTLSFact is one handshake that tolerates a client-certificate request.
type MTLSFact struct {
	Addr          string `json:"addr"`
	SNI           string `json:"sni"`
	Facts         *TLS   `json:"facts,omitempty"`
	CertRequested bool   `json:"cert_requested,omitempty"`
	Aborted       *Err   `json:"aborted,omitempty"`
	Err           *Err   `json:"error,omitempty"`
}

// HTTPFact is one request and its answer.
type HTTPFact struct {
	Request  Request   `json:"request"`
	Response *Response `json:"response,omitempty"`
	Err      *Err      `json:"error,omitempty"`
}

// Request is probe.Request, redacted.
type Request struct {
	Scheme  string      `json:"scheme,omitempty"`
	Addr    string      `json:"addr,omitempty"`
	SNI     string      `json:"sni,omitempty"`
	Host    string      `json:"host,omitempty"`
	Method  string      `json:"method,omitempty"`
	Path    string      `json:"path,omitempty"`
	Header  http.Header `json:"header,omitempty"`
	MaxBody int64       `json:"max_body,omitempty"`
}

// Response is probe.Response, redacted, its body as capped by the request.
type Response struct {
	Status    int           `json:"status"`
	Proto     string        `json:"proto,omitempty"`
	Header    http.Header   `json:"header,omitempty"`
	Body      []byte        `json:"body,omitempty"`
	Truncated bool          `json:"truncated,omitempty"`
	TLS       *TLS          `json:"tls,omitempty"`
	Timings   probe.Timings `json:"timings"`
}

// TURNFact is one TURN or STUN question.
type TURNFact struct {
	Addr      string           `json:"addr"`
	Transport string           `json:"transport"`
	Dialect   string           `json:"dialect"`
	Facts     *probe.TurnFacts `json:"facts,omitempty"`
	Err       *Err             `json:"error,omitempty"`
}

// VisitsFact is one round of the affinity probe: Kind "connections"
// (Requests 0) or "keep-alive".
type VisitsFact struct {
	Kind        string   `json:"kind"`
	Dial        string   `json:"dial"`
	SNI         string   `json:"sni"`
	Request     Request  `json:"request"`
	Connections int      `json:"connections"`
	Sources     []string `json:"sources,omitempty"`
	Jar         bool     `json:"jar,omitempty"`
	Requests    int      `json:"requests,omitempty"`
	Visits      []Visit  `json:"visits"`
}

// Visit is probe.Visit, redacted.
type Visit struct {
	Conn    int         `json:"conn"`
	Request int         `json:"request"`
	Source  string      `json:"source,omitempty"`
	Cookies []string    `json:"cookies,omitempty"`
	Cookie  string      `json:"cookie,omitempty"`
	Status  int         `json:"status,omitempty"`
	Header  http.Header `json:"header,omitempty"`
	Err     *Err        `json:"error,omitempty"`
}

// ConnFact is one fresh connection and the requests it carried, in order.
type ConnFact struct {
	Tag       string     `json:"tag"`
	Dial      string     `json:"dial"`
	SNI       string     `json:"sni"`
	Local     string     `json:"local,omitempty"` // asked for
	Got       string     `json:"got,omitempty"`   // the local address it had
	Err       *Err       `json:"error,omitempty"`
	Exchanges []HTTPFact `json:"exchanges,omitempty"`
}

// Err is a probe error as the checks read it: its operation, kind and
// cause (probe.KindOf and probe.Explain give the same answers on replay)
// and its message.
type Err struct {
	Op      string     `json:"op,omitempty"`
	Kind    probe.Kind `json:"kind,omitempty"`
	Cause   string     `json:"cause,omitempty"`
	Message string     `json:"message"`         // the wrapped error's text (the whole text when Op is "")
	Marks   []string   `json:"marks,omitempty"` // sentinels it wrapped: "tcp-fallback", "deadline", "canceled"
}

// sentinels are the errors checks test with errors.Is.
var sentinels = map[string]error{
	"tcp-fallback": probe.ErrTCPFallback,
	"deadline":     context.DeadlineExceeded,
	"canceled":     context.Canceled,
}

// newErr stores err; nil for nil.
func newErr(err error) *Err {
	if err == nil {
		return nil
	}
	out := &Err{Message: err.Error()}
	var pe *probe.Error
	if errors.As(err, &pe) {
		out.Op, out.Kind, out.Cause = pe.Op, pe.Kind, pe.Cause
		out.Message = ""
		if pe.Err != nil {
			out.Message = pe.Err.Error()
		}
	}
	for name, s := range sentinels {
		if errors.Is(err, s) {
			out.Marks = append(out.Marks, name)
		}
	}
	return out
}

// error gives the stored error back: the same text, kind and cause, and
// errors.Is true for the same sentinels.
func (e *Err) error() error {
	if e == nil {
		return nil
	}
	inner := &recorded{msg: e.Message}
	for _, m := range e.Marks {
		if s, ok := sentinels[m]; ok {
			inner.is = append(inner.is, s)
		}
	}
	if e.Op == "" && e.Kind == "" {
		return inner
	}
	pe := &probe.Error{Op: e.Op, Kind: e.Kind, Cause: e.Cause}
	if e.Message != "" || len(e.Marks) > 0 {
		pe.Err = inner
	}
	return pe
}

// recorded is an error read from a bundle.
type recorded struct {
	msg string
	is  []error
}

func (r *recorded) Error() string { return r.msg }

func (r *recorded) Is(target error) bool {
	for _, s := range r.is {
		if s == target {
			return true
		}
	}
	return false
}

// tlsOf stores f.
func tlsOf(f *probe.TLSFacts) *TLS {
	if f == nil {
		return nil
	}
	t := &TLS{Addr: f.Addr, SNI: f.SNI, Version: f.Version, CipherSuite: f.CipherSuite, Handshake: f.Handshake}
	for _, c := range f.Chain {
		t.Chain = append(t.Chain, c.Raw)
	}
	return t
}

// facts gives the stored TLS facts back.
func (t *TLS) facts() (*probe.TLSFacts, error) {
	if t == nil {
		return nil, nil
	}
	f := &probe.TLSFacts{Addr: t.Addr, SNI: t.SNI, Version: t.Version, CipherSuite: t.CipherSuite, Handshake: t.Handshake}
	for i, der := range t.Chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("certificate %d of the chain of %s (%s): %w", i, t.Addr, t.SNI, err)
		}
		f.Chain = append(f.Chain, c)
	}
	return f, nil
}

// certPEM keeps the CERTIFICATE blocks of data: a trust file that also
// holds a private key must not put the key in a bundle.
func certPEM(data []byte) string {
	var out []byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return string(out)
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: b.Bytes})...)
		}
	}
}

// Deployment is the recorded config, parsed as it was on the recording
// machine (the files it names are not read: their facts are recorded).
func (b *Bundle) Deployment() (*config.Deployment, error) {
	return config.ParseRecorded([]byte(b.Config.Text), b.Config.Path)
}

// CheckOptions are the recorded run's options, with the bundle as source.
func (b *Bundle) CheckOptions(src checks.Source) checks.Options {
	o := checks.Options{Only: b.Options.Only, Resolvers: b.Options.Resolvers, ConnectTo: b.Options.ConnectTo,
		Concurrency: b.Options.Concurrency, CheckTimeout: b.Options.CheckTimeout, Source: src}
	for _, z := range b.Options.Zones {
		if o.Files == nil {
			o.Files = &checks.Files{}
		}
		o.Files.Zones = append(o.Files.Zones, &probe.Zone{File: z}) // the recorded answers stand for the file
	}
	return o
}
