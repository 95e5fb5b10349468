//go:build unix

package config

import (
	"github.com/lyncprobe/lyncprobe/internal/fifotest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file the config names that is a device, a FIFO or too large is
// refused by name, never read without end.
func TestConfigFilesAreNotReadWithoutEnd(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ca.pem")
	if err := fifotest.Make(fifo); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	big := filepath.Join(dir, "big.zone")
	if err := os.WriteFile(big, []byte(strings.Repeat(";\n", maxZoneFile/2+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ key, value, says string }{
		{"ca_file", fifo, "not a regular file"},
		{"ca_file", "/dev/zero", "not a regular file"},
		{"zone_file", big, "larger than"},
	} {
		section := "tls"
		if c.key == "zone_file" {
			section = "dns"
		}
		yaml := "sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\n" +
			"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n" +
			section + ": {" + c.key + ": " + c.value + "}\n"
		_, err := Parse([]byte(yaml), filepath.Join(dir, "lyncprobe.yaml"))
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %s: got %v, want an error saying %q", c.key, c.value, err, c.says)
		}
	}
}
