package report

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRenderingImportsNoNetworkCode: report, and the leaf package result
// whose types it renders, build without the checks, the probes, the config
// loader or a DNS library, so that what reads results (a report read back
// by lyncprobe diff, a tool of its own) carries none of the network code.
// result itself opens no connection at all.
func TestRenderingImportsNoNetworkCode(t *testing.T) {
	const mod = "github.com/lyncprobe/lyncprobe/"
	forbidden := []string{mod + "checks", mod + "probe", mod + "config", "github.com/miekg/dns"}
	for pkg, more := range map[string][]string{
		mod + "report": nil,
		mod + "result": {"net", "net/http", "crypto/tls"},
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 2 || deps[len(deps)-1] != pkg { // go list ends with the package itself
			t.Fatalf("go list -deps %s gave %q", pkg, out)
		}
		for _, bad := range append(forbidden, more...) {
			for _, d := range deps {
				if d == bad {
					t.Errorf("%s depends on %s", pkg, bad)
				}
			}
		}
	}
}
