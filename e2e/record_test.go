//go:build unix

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/lyncprobe/lyncprobe/lab"
)

// realNginxBundle is the support bundle of a healthy run against real
// nginx, kept with its results as a regression case: `go test ./bundle`
// replays it with no nginx (TestKeptBundles). -update records it again.
const realNginxBundle = "../testdata/bundles/nginx-healthy"

// TestRecordReplayRealNginx records a healthy run against real nginx
// (check --record) and replays it with the front ends
// stopped (a replay that reached the network would lose their answers):
// the same results, and exit 0 both times.
func TestRecordReplayRealNginx(t *testing.T) {
	nginx := proxies[0]
	dir := t.TempDir()
	s := site{Dir: dir, Port: freePort(t, "127.0.0.1"), Names: publishedNames}
	fes := startFrontEnds(t, dir, s.Port, "sfb2019")
	s.Backends = fes.Addrs
	cert, err := lab.WriteProxyCert(dir, lab.ProxyCertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.ChainFile, s.KeyFile = cert.ChainFile, cert.KeyFile
	dnsAddr := startDNS(t, dir, append(slices.Clone(publishedNames), "sip."+domain), false)
	conf := startProxy(t, nginx, s, publishing{})
	cfg := writeConfig(t, dir, s, dnsAddr, fes.CAFile, cert, nginx.Family, conf, "sfb2019")
	bundle := filepath.Join(dir, "nginx-healthy.json.gz")
	live := run(t, "check", "-c", cfg, "--only", "dns,cert,http,affinity", "--format", "json", "--record", bundle)
	assertVerdict(t, "check", bad(live), nil, nil)
	fes.Close() // what is left to ask is the bundle
	replayed := run(t, "replay", bundle, "--format", "json")
	if len(live) == 0 || !reflect.DeepEqual(live, replayed) {
		t.Errorf("the replay of real nginx differs:\nlive:   %v\nreplay: %v", live, replayed)
	}
	if *update {
		data, err := os.ReadFile(bundle)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.MarshalIndent(live, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(realNginxBundle+".json.gz", data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(realNginxBundle+".want.json", append(want, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
