package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/result"
)

// catalogue is what cmd/ passes: the checks' own descriptions (report
// imports checks only in its tests).
var catalogue = checks.Catalog()

var update = flag.Bool("update", false, "rewrite the golden files")

func sample() Report {
	return Report{
		Catalog:    catalogue,
		Deployment: "contoso-prod",
		Duration:   1234 * time.Millisecond,
		Results: []result.Result{
			{ID: "dns.resolves", Module: "dns", Target: "meet.contoso.com", Via: "resolver 192.0.2.53:53", Status: result.Pass,
				Message: "resolves to 203.0.113.10", Evidence: map[string]any{"addresses": []string{"203.0.113.10"}}, Duration: 12 * time.Millisecond},
			{ID: "dns.resolves", Module: "dns", Target: "dialin.contoso.com", Via: "resolver 192.0.2.53:53", Status: result.Fail,
				Message: "dialin.contoso.com does not exist in public DNS (NXDOMAIN)", Remedy: "Publish an A record for dialin.contoso.com.", Duration: 9 * time.Millisecond},
			{ID: "http.reachable", Module: "http", Target: "https://meet.contoso.com", Via: "address 203.0.113.10", Status: result.Pass,
				Message: "answered 200 over TLS 1.3", Evidence: map[string]any{"status": 200}, Duration: 40 * time.Millisecond},
			{ID: "http.reachable", Module: "http", Target: "https://dialin.contoso.com", Status: result.Skip,
				Message: "depends on dns.resolves, which failed for dialin.contoso.com"},
			{ID: "affinity.distribution", Module: "affinity", Target: "webext.contoso.com", Via: "address 203.0.113.10", Status: result.Info,
				Message: "20 new connections without cookies reached 2 front end(s)", Duration: 80 * time.Millisecond,
				Evidence: map[string]any{"distribution": []result.Bar{{Label: "fe01.pool01.contoso.local", Count: 15}, {Label: "fe02.pool01.contoso.local", Count: 4}, {Label: "(no answer)", Count: 1}}}},
			{ID: "cert.expiry", Module: "cert", Target: "dialin.contoso.com", Via: "address 203.0.113.10", Status: result.Warn,
				Message: "the certificate expires on 2026-12-01, in 8 days", Remedy: "Renew the certificate now and install it on every proxy node before it expires.",
				Suppressed: true, SuppressionReason: "renewal booked", Duration: 3 * time.Millisecond},
			{ID: "http.host-forwarding", Module: "http", Target: "https://meet.contoso.com", Via: "file proxy/nginx.conf", Status: result.Fail,
				Message: "proxy_set_header Host is not set: nginx sends the proxy_pass name", Remedy: "proxy_set_header Host $host;",
				Location: &result.Location{File: "proxy/nginx.conf", Line: 12}},
			{ID: "http.paths", Module: "http", Target: "webext.contoso.com", Via: "path /abs", Status: result.Error,
				Message: "read failed: 100% \"odd\" <b>bold</b>, a: b\nsecond line | pipe", Duration: 10 * time.Second},
		},
	}
}

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("..", "testdata", "report", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	return want
}

func TestTextGolden(t *testing.T) {
	for name, color := range map[string]bool{"text.golden": false, "text-color.golden": true} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Text(&buf, sample(), Options{Color: color}); err != nil {
				t.Fatal(err)
			}
			if want := golden(t, name, buf.Bytes()); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("text report differs from %s:\n%s", name, cmp.Diff(string(want), buf.String()))
			}
		})
	}
}

func TestJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(golden(t, "report.json.golden", buf.Bytes()), &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("JSON report differs (-want +got):\n%s", d)
	}
}

func TestJSONRoundTripsStatus(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary map[string]int  `json:"summary"`
		Results []result.Result `json:"results"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Results[1].Status != result.Fail || doc.Summary["fail"] != 2 || doc.Summary["pass"] != 2 || doc.Summary["warn"] != 0 ||
		doc.Summary["suppressed"] != 1 || doc.Summary["duration_ms"] != 1234 {
		t.Fatalf("round trip: %+v", doc)
	}
}

func TestEmptyReportHasEmptyList(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, Report{Deployment: "x"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"results": []`)) {
		t.Fatalf("want an empty list, got %s", buf.String())
	}
}
