package checks

import (
	"net/http"
	"testing"

	"github.com/lyncprobe/lyncprobe/config"
)

func TestFamilyOfHeaders(t *testing.T) {
	cases := []struct {
		h    map[string]string
		want string
	}{
		{map[string]string{"Server": "nginx/1.22.1"}, "nginx"},
		{map[string]string{"Server": "Apache/2.4.62 (Debian)"}, "apache"},
		{map[string]string{"Via": "1.1 TMGARRAY01"}, "tmg"},
		{map[string]string{"Via": "1.1 lync.contoso.com (Apache/2.4.62)"}, "apache"},
		{map[string]string{"Server": "Microsoft-IIS/10.0", "X-Powered-By": "ARR/3.0"}, "arr"},
		{map[string]string{"Set-Cookie": "BIGipServerlync_pool=1677787402.36895.0000; path=/"}, "f5"},
		{map[string]string{"Server": "Microsoft-IIS/10.0", "X-Powered-By": "ASP.NET"}, ""},
		{map[string]string{}, ""},
	}
	for _, c := range cases {
		h := http.Header{}
		for k, v := range c.h {
			h.Set(k, v)
		}
		if got, from := familyOfHeaders(h); got != c.want || (got != "" && from == "") {
			t.Errorf("%v: %q (from %q), want %q", c.h, got, from, c.want)
		}
	}
}

func TestFamilyOfFiles(t *testing.T) {
	got, _ := familyOfFiles([]config.ProxyConfigFile{{Path: "/etc/haproxy/haproxy.cfg"}})
	if got != "haproxy" {
		t.Errorf("haproxy.cfg: %q", got)
	}
	got, _ = familyOfFiles([]config.ProxyConfigFile{{Path: "/srv/lync.conf", Family: "nginx"}})
	if got != "nginx" {
		t.Errorf("named family: %q", got)
	}
}

func TestFixesPutTheFamilyFirst(t *testing.T) {
	fix := map[string]string{"all": "a", "tmg": "t", "nginx": "n", "wap": "w"}
	got := fixesFor(fix, "nginx")
	if len(got) != 4 || got[0].Family != "nginx" || got[1].Family != "all" || got[2].Family != "tmg" {
		t.Errorf("order: %v", got)
	}
	if got := fixesFor(fix, ""); got[0].Family != "all" {
		t.Errorf("without a family the catalogue order stays: %v", got)
	}
}

// TestEvidenceHeaders: the proxy's own Server, recorded in a result's
// evidence (a Basic challenge nginx wrote), names it.
func TestEvidenceHeaders(t *testing.T) {
	ev := map[string]any{"final": map[string]any{"status": 401, "server": "nginx/1.22.1"}}
	if f, from := familyOfHeaders(evidenceHeaders(ev, 2)); f != "nginx" || from != "Server: nginx/1.22.1" {
		t.Errorf("%q from %q", f, from)
	}
}
