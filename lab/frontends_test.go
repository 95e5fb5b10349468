package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestStartFrontEndsServesEachFrontEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fes, err := StartFrontEnds(ctx, FrontEndOptions{Addrs: []string{"127.0.0.1:0", "127.0.0.1:0"}, PublicPort: 8443})
	if err != nil {
		t.Fatal(err)
	}
	defer fes.Close()
	client := feClient(t, fes.CAFile)
	for i, addr := range fes.Addrs {
		// The Autodiscover user resource names the front end that served it.
		resp := feGet(t, client, "https://"+addr+"/Autodiscover/AutodiscoverService.svc/root/oauth/user", "")
		if got := resp.Header.Get("X-MS-Server-Fqdn"); got != fes.Names[i] {
			t.Errorf("front end %d (%s) says it is %q, want %q", i, addr, got, fes.Names[i])
		}
	}
	// Its links carry the published port, as behind a proxy on 8443.
	resp := feGet(t, client, "https://"+fes.Addrs[0]+"/", DiscoverHost)
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "https://"+ExternalWeb+":8443/") {
		t.Errorf("Autodiscover document does not link to the published port 8443:\n%s", body)
	}
	dir := fes.Dir
	fes.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Close left its temp dir %s", dir)
	}
}

func TestStartFrontEndsRejects(t *testing.T) {
	ctx := context.Background()
	for name, o := range map[string]FrontEndOptions{
		"bad version":      {Version: "ocs2007"},
		"cert without key": {CertFile: "x.pem"},
		"bad address":      {Addrs: []string{"nowhere:-1"}},
	} {
		if fes, err := StartFrontEnds(ctx, o); err == nil {
			fes.Close()
			t.Errorf("%s: started", name)
		}
	}
}

func feClient(t *testing.T, caFile string) *http.Client {
	pool := x509.NewCertPool()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil || !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("read CA %s: %v", caFile, err)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func feGet(t *testing.T, c *http.Client, url, host string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Host = host
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestWriteProxyCert(t *testing.T) {
	cases := map[string]struct {
		opts      ProxyCertOptions
		wantNames int
		chainLen  int
		verifies  bool
	}{
		"complete":        {ProxyCertOptions{}, 4, 2, true},
		"missing san":     {ProxyCertOptions{MissingSAN: []string{"dialin"}}, 3, 2, true},
		"expired":         {ProxyCertOptions{Expired: true}, 4, 2, false},
		"no intermediate": {ProxyCertOptions{NoIntermediate: true}, 4, 1, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			pc, err := WriteProxyCert(t.TempDir(), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			chain := readPEMCerts(t, pc.ChainFile)
			if len(chain) != c.chainLen || len(chain[0].DNSNames) != c.wantNames {
				t.Fatalf("chain of %d with %v, want %d certificates and %d names", len(chain), chain[0].DNSNames, c.chainLen, c.wantNames)
			}
			if _, err := tls.LoadX509KeyPair(pc.ChainFile, pc.KeyFile); err != nil {
				t.Fatalf("key does not match: %v", err)
			}
			roots := x509.NewCertPool()
			roots.AddCert(readPEMCerts(t, pc.RootFile)[0])
			inter := x509.NewCertPool()
			for _, c := range chain[1:] {
				inter.AddCert(c)
			}
			_, err = chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: ExternalWeb})
			if (err == nil) != c.verifies {
				t.Errorf("verify: %v, want it to verify: %v", err, c.verifies)
			}
		})
	}
}

func readPEMCerts(t *testing.T, path string) []*x509.Certificate {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for blk, rest := pem.Decode(b); blk != nil; blk, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// A pool serves every SIP domain: meet and lyncdiscover of another domain
// get the meeting page and the Autodiscover document, not the blank page
// a Host the site has no binding for gets.
func TestFrontEndsServeEverySIPDomain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fes, err := StartFrontEnds(ctx, FrontEndOptions{Addrs: []string{"127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer fes.Close()
	client := feClient(t, fes.CAFile)
	meet := meetRootHTML(fes.servers[0].Handler.(*frontEnd).site)
	for host, want := range map[string]string{"lyncdiscover.fabrikam.test": "Autodiscover", "meet.fabrikam.test": meet} {
		resp := feGet(t, client, "https://"+fes.Addrs[0]+"/", host)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, want 200 with %q:\n%s", host, resp.StatusCode, want, body)
		}
	}
	resp := feGet(t, client, "https://"+fes.Addrs[0]+"/", "pool01.contoso.local")
	if body, _ := io.ReadAll(resp.Body); strings.Contains(string(body), "Autodiscover") {
		t.Errorf("a foreign Host got the Autodiscover document: %s", body)
	}
}
