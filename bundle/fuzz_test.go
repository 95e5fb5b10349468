package bundle

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// seedBundle is a small well-formed bundle with one fact of each kind.
func seedBundle(t testing.TB) []byte {
	b := Bundle{Format: Format, Version: "test", Config: Config{Path: "/deploy/lyncprobe.yaml", Text: config.ExampleYAML},
		Trust: Trust{SystemStore: true, Files: []FileFact{{Path: "/deploy/ca.pem", Err: &Err{Op: "read", Message: "gone"}}}},
		Facts: Facts{
			DNS:    []DNSFact{{Server: "192.0.2.53:53", Name: "meet.contoso.com", Type: 1, Answer: &probe.DNSAnswer{Rcode: "NOERROR", Addresses: []string{"203.0.113.10"}}}},
			TLS:    []TLSFact{{Addr: "203.0.113.10:443", SNI: "meet.contoso.com", Err: &Err{Op: "tls", Kind: probe.KindTLSAlert, Cause: "alert", Message: "remote error"}}},
			HTTP:   []HTTPFact{{Request: Request{Addr: "203.0.113.10:443", Host: "meet.contoso.com", Path: "/"}, Response: &Response{Status: 200, Body: []byte("hi")}}},
			TURN:   []TURNFact{{Addr: "203.0.113.20:3478", Transport: "udp", Dialect: probe.DialectMSTURN, Err: &Err{Op: "turn", Kind: probe.KindTimeout, Marks: []string{"deadline"}}}},
			Visits: []VisitsFact{{Kind: "connections", Dial: "203.0.113.10:443", Connections: 1, Visits: []Visit{{Status: 401}}}},
			Conns:  []ConnFact{{Tag: "join|203.0.113.10:443|0", Dial: "203.0.113.10:443", Exchanges: []HTTPFact{{Response: &Response{Status: 200}}}}},
		}}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func gz(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// FuzzParse: any input is refused with an error or read into a bundle
// whose config, source and facts can be used, never a panic or a hang.
func FuzzParse(f *testing.F) {
	seed := seedBundle(f)
	f.Add(seed)
	f.Add(gz(seed))
	f.Add([]byte(`{"format":"lyncprobe-bundle/1","config":{"path":"/a","text":"x"},"facts":{"tls":[{"facts":{"chain":["AAAA"]}}]}}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	f.Add(gz([]byte(`{"format":"other"}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err != nil {
			return
		}
		_, _ = b.Deployment()
		src, err := b.Source()
		if err != nil {
			return
		}
		ctx := context.Background()
		for _, d := range b.Facts.DNS {
			_, _ = src.Resolve(ctx, d.Server, d.Name, d.Type)
		}
		for _, h := range b.Facts.TLS {
			_, _ = src.Handshake(ctx, h.Addr, h.SNI, h.Options)
		}
		for _, h := range b.Facts.HTTP {
			r := h.Request
			_, _ = src.Fetch(ctx, probe.Request{Scheme: r.Scheme, Addr: r.Addr, SNI: r.SNI, Host: r.Host, Method: r.Method, Path: r.Path, Header: r.Header, MaxBody: r.MaxBody})
		}
		for _, v := range b.Facts.Visits {
			src.Connections(ctx, probe.Plan{Dial: probe.DialSpec{Addr: v.Dial, SNI: v.SNI}, Connections: v.Connections, Sources: v.Sources, Jar: v.Jar})
		}
		for _, c := range b.Facts.Conns {
			if conn, err := src.Open(ctx, c.Tag, probe.DialSpec{Addr: c.Dial, SNI: c.SNI, Local: c.Local}); err == nil {
				_, _ = conn.Do(ctx, probe.Request{})
			}
		}
	})
}

// The seed is a bundle, and its facts come back.
func TestSeedBundleReads(t *testing.T) {
	for _, data := range [][]byte{seedBundle(t), gz(seedBundle(t))} {
		b, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Deployment(); err != nil {
			t.Fatalf("the example config, recorded: %v", err)
		}
		src, err := b.Source()
		if err != nil {
			t.Fatal(err)
		}
		a, err := src.Resolve(context.Background(), "192.0.2.53:53", "MEET.contoso.com", 1)
		if err != nil || len(a.Addresses) != 1 {
			t.Errorf("resolve: %v %v", a, err)
		}
		_, err = src.TURN(context.Background(), "203.0.113.20:3478", "udp", probe.DialectMSTURN)
		if probe.KindOf(err) != probe.KindTimeout {
			t.Errorf("TURN error kind %q, want timeout", probe.KindOf(err))
		}
	}
}

// A reader refuses, with a reason, what is not a bundle.
func TestParseRefuses(t *testing.T) {
	deep := bytes.Repeat([]byte("["), MaxDepth+1)
	for name, data := range map[string][]byte{
		"empty":        nil,
		"not json":     []byte("hello"),
		"other format": []byte(`{"format":"lyncprobe-bundle/999","config":{"path":"/a","text":"x"}}`),
		"no config":    []byte(`{"format":"lyncprobe-bundle/1"}`),
		"too deep":     deep,
		"broken gzip":  []byte{0x1f, 0x8b, 0, 1, 2},
		"gzipped junk": gz([]byte("not json")),
	} {
		if _, err := Parse(data); err == nil {
			t.Errorf("%s: read as a bundle", name)
		}
	}
}

// A gzip bomb stops at the limit, with a reason.
func TestGzipBombStops(t *testing.T) {
	saved := maxJSON
	maxJSON = 1 << 20
	defer func() { maxJSON = saved }()
	_, err := Parse(gz(bytes.Repeat([]byte(" "), 4<<20)))
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("a bomb: %v", err)
	}
}

// Read names the file in every error.
func TestReadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "support.json")
	if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".missing"} {
		if _, err := Read(context.Background(), p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Read(%s): %v", p, err)
		}
	}
}
