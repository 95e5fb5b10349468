package exporter_test

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestProbeSuccessNeedsWhatTheModuleNeeds: the deployment's DNS is down
// (its resolver's port is closed). A probe of a module whose checks need
// the names to resolve could judge nothing: it is no success, and the
// dns.resolves errors it depends on are in the answer.
func TestProbeSuccessNeedsWhatTheModuleNeeds(t *testing.T) {
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := u.LocalAddr().String()
	u.Close()
	dir := t.TempDir()
	cfg := "name: dnsdown\nsip_domains: [contoso.test]\nweb_services: [{external: webext.contoso.test}]\n" +
		"simple_urls: {meet: [https://meet.contoso.test], dialin: https://dialin.contoso.test}\n" +
		"dns: {resolvers: ['" + dead + "']}\n"
	if err := os.WriteFile(filepath.Join(dir, "dnsdown.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ts := startServer(t, dir)
	for _, module := range []string{"cert", "http", "affinity"} {
		mfs := scrape(t, ts, "dnsdown", module)
		if v := value(mfs, "lyncprobe_probe_success", nil); v != 0 {
			t.Errorf("module=%s with DNS down: lyncprobe_probe_success = %v, want 0", module, v)
		}
		webext := map[string]string{"check": "dns.resolves", "target": "webext.contoso.test", "status": "error"}
		if v := value(mfs, "lyncprobe_check_status", webext); v != 1 {
			t.Errorf("module=%s with DNS down: dns.resolves error for webext = %v, want 1 (the cause, reported)", module, v)
		}
		if t.Failed() {
			_, body := get(t, ts, "/probe?target=dnsdown&module="+module+"&debug=true")
			t.Log(body)
		}
	}
}
