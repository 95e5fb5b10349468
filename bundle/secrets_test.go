package bundle_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/bundle"
	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Secrets the test plants; none may reach a bundle.
const (
	pfxPassword   = "pfx-PASSWORD-never-stored"
	sessionValue  = "SESSION-value-never-stored"
	basicCreds    = "dXNlcjpjcmVkcy1uZXZlci1zdG9yZWQ=" // user:creds-never-stored
	negotiateBlob = "TlRMTVNTUAACAAAAblobneverstored=="
)

// secretive is the network, with every answer setting a session cookie
// and offering Negotiate with a token: what a real deployment answers.
type secretive struct{ checks.Source }

// asking sends every request with Basic credentials and the session
// cookie, as a request in a recorded run might carry them; it stands in
// front of the recorder, which must redact them.
type asking struct{ checks.Source }

func (s asking) Fetch(ctx context.Context, r probe.Request) (*probe.Response, error) {
	return s.Source.Fetch(ctx, ask(r))
}

func plant(h http.Header) http.Header {
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Add("Set-Cookie", "ASP.NET_SessionId="+sessionValue+"; path=/; HttpOnly")
	h.Add("WWW-Authenticate", "Negotiate "+negotiateBlob)
	h.Add("Www-Authenticate", `Basic realm="contoso"`)
	return h
}

func ask(r probe.Request) probe.Request {
	r.Header = r.Header.Clone()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Authorization", "Basic "+basicCreds)
	r.Header.Set("Proxy-Authorization", "Negotiate "+negotiateBlob)
	r.Header.Add("Cookie", "ASP.NET_SessionId="+sessionValue)
	return r
}

func (s secretive) Fetch(ctx context.Context, r probe.Request) (*probe.Response, error) {
	resp, err := s.Source.Fetch(ctx, r)
	if resp != nil {
		resp.Header = plant(resp.Header)
	}
	return resp, err
}

func (s secretive) Connections(ctx context.Context, p probe.Plan) []probe.Visit {
	return plantVisits(s.Source.Connections(ctx, p))
}

func (s secretive) KeepAlive(ctx context.Context, p probe.Plan, n int) []probe.Visit {
	return plantVisits(s.Source.KeepAlive(ctx, p, n))
}

func plantVisits(vs []probe.Visit) []probe.Visit {
	for i := range vs {
		vs[i].Header = plant(vs[i].Header)
		vs[i].Cookie = strings.TrimPrefix(vs[i].Cookie+"; ASP.NET_SessionId="+sessionValue, "; ")
	}
	return vs
}

func (s secretive) Open(ctx context.Context, tag string, d probe.DialSpec) (checks.Conn, error) {
	c, err := s.Source.Open(ctx, tag, d)
	if err != nil {
		return nil, err
	}
	return secretConn{c}, nil
}

type secretConn struct{ checks.Conn }

func (c secretConn) Do(ctx context.Context, r probe.Request) (*probe.Response, error) {
	resp, err := c.Conn.Do(ctx, r)
	if resp != nil {
		resp.Header = plant(resp.Header)
	}
	return resp, err
}

// TestNoSecretInABundle records a lab whose proxy asks for Basic
// credentials on some paths (partial-preauth) behind a cookie balancer,
// with secrets planted in every answer and request, and a config naming a
// PFX with its password in a file; the bundle holds none of the secrets,
// and still names the cookies and schemes.
func TestNoSecretInABundle(t *testing.T) {
	t.Parallel()
	l, _ := labtest.Start(t, lab.Options{LB: "cookie", Faults: []lab.FaultSpec{{Name: "partial-preauth"}}})
	pw := filepath.Join(l.Dir, "pfx-password.txt")
	pfx := filepath.Join(l.Dir, "proxy.pfx")
	for p, data := range map[string]string{pw: pfxPassword + "\n", pfx: "not read by a check run"} {
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	text, err := os.ReadFile(l.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	text = bytes.Replace(text, []byte("certificate_files: ["), []byte("certificate_files: [{path: proxy.pfx, password_file: pfx-password.txt}, "), 1)
	cfg := filepath.Join(l.Dir, "secret.yaml")
	if err := os.WriteFile(cfg, text, 0o600); err != nil {
		t.Fatal(err)
	}
	dep, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := bundle.NewRecorder(secretive{checks.Network()}, dep)
	opts := checks.Options{CheckTimeout: 45 * time.Second, Source: asking{rec}}
	checks.Run(ctx, dep, opts)
	rec.Close()
	recorded, err := rec.Bundle(ctx, dep, opts, bundle.Info{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b.json.gz")
	if err := bundle.Write(path, recorded); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Fatal("a .json.gz bundle is not gzipped")
	}
	plain := bundleJSON(t, b)
	for _, secret := range []string{pfxPassword, sessionValue, basicCreds, negotiateBlob, "dXNlcjpjcmVkcy1uZXZlci1zdG9yZWQ"} {
		if bytes.Contains(plain, []byte(secret)) {
			t.Errorf("the bundle holds the secret %q", secret)
		}
	}
	// What is not secret stays, so the bundle still explains the run.
	for _, kept := range []string{"ASP.NET_SessionId=redacted-", "Basic [redacted]", "Negotiate [redacted]", `Basic realm=\"`, "MS-WSMAN=", "password_file: pfx-password.txt"} {
		if !bytes.Contains(plain, []byte(kept)) {
			t.Errorf("the bundle lost %q", kept)
		}
	}
}

func bundleJSON(t *testing.T, b *bundle.Bundle) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plain.json")
	if err := bundle.Write(path, b); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
