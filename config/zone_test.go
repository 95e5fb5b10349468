package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const zoneConfig = "sip_domains: [contoso.com]\n" +
	"web_services: [{external: webext.contoso.com}]\n" +
	"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n" +
	"dns:\n" +
	"  zone_file: zone.db\n"

// loadWithZone writes zone.db next to a config naming it and loads that.
func loadWithZone(t *testing.T, zone string) (*Deployment, string, error) {
	t.Helper()
	dir := t.TempDir()
	if zone != "" {
		if err := os.WriteFile(filepath.Join(dir, "zone.db"), []byte(zone), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Parse([]byte(zoneConfig), filepath.Join(dir, "lyncprobe.yaml"))
	return d, dir, err
}

func TestZoneFileLoads(t *testing.T) {
	d, dir, err := loadWithZone(t, "@ 300 IN SOA ns1 hostmaster 1 3600 600 86400 300\nmeet 300 IN A 192.0.2.10\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "zone.db"); d.DNS.ZoneFile != want {
		t.Errorf("zone_file = %q, want %q (relative to the config's folder)", d.DNS.ZoneFile, want)
	}
	// Without $ORIGIN, names are relative to the first SIP domain. Load
	// keeps what it read, with each owner's line.
	z := d.Zone()
	if z == nil || len(z.Records) != 2 || z.Records[1].Header().Name != "meet.contoso.com." {
		t.Fatalf("Zone() = %+v", z)
	}
	if z.File != d.DNS.ZoneFile || z.Lines["meet.contoso.com"] != 2 || z.Lines["contoso.com"] != 1 {
		t.Errorf("Zone() = %s with lines %v, want %s, contoso.com:1, meet.contoso.com:2", z.File, z.Lines, d.DNS.ZoneFile)
	}
}

// TestZoneOwnerLines: each owner's first record, across $ORIGIN, "@",
// absolute names, continuation lines, records in parentheses, and
// parentheses and semicolons inside quoted text.
func TestZoneOwnerLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zone.db")
	text := "$ORIGIN contoso.com.\n" + // 1
		"@ 300 IN SOA ns1 hostmaster (\n" + // 2
		"  1 3600 600 86400 300 )\n" + // 3
		"meet 300 IN A 192.0.2.10 ; a comment\n" + // 4
		"     300 IN AAAA 2001:db8::10\n" + // 5
		"Dialin.contoso.com. 300 IN A 192.0.2.10\n" + // 6
		"meet 300 IN TXT \"again\"\n" + // 7
		"$ORIGIN sub.contoso.com.\n" + // 8
		"www 300 IN A 192.0.2.11\n" + // 9
		"_dmarc 300 IN TXT \"(\" \"\\\"(\" \"v=DMARC1; p=none\" ; (\n" + // 10: no parenthesis opens
		"lyncdiscover 300 IN A 192.0.2.12\n" // 11
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	z, err := ReadZone(context.Background(), path, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"contoso.com": 2, "meet.contoso.com": 4, "dialin.contoso.com": 6, "www.sub.contoso.com": 9,
		"_dmarc.sub.contoso.com": 10, "lyncdiscover.sub.contoso.com": 11}
	if diff := cmp.Diff(want, z.Lines); diff != "" {
		t.Errorf("owner lines (-want +got):\n%s", diff)
	}
}

// A zone that does not parse is a load error naming the zone file and the
// zone file's own line, not the config's.
func TestZoneFileErrors(t *testing.T) {
	soa := "$ORIGIN contoso.com.\n@ 300 IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
	cases := map[string]struct{ zone, want string }{
		"bad address": {soa + "meet 300 IN A 192.0.2.10\ndialin 300 IN A 300.1.1.1\n", `zone.db:4: bad A A: "300.1.1.1" (column`},
		"bad type":    {soa + "\n\nmeet 300 IN BOGUS x\n", "zone.db:5: "},
		"include":     {soa + "$INCLUDE /etc/passwd\n", "zone.db:3: "},
		"no soa":      {"meet.contoso.com. 300 IN A 192.0.2.10\n", "zone.db:1: no SOA record"},
		"missing":     {"", "lyncprobe.yaml:5: dns.zone_file: cannot read "},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, dir, err := loadWithZone(t, tc.zone)
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("want one config error, got %v", err)
			}
			got := strings.TrimPrefix(errs[0].Error(), dir+string(filepath.Separator))
			t.Log(got)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("error %q, want it to start with %q", errs[0].Error(), tc.want)
			}
		})
	}
}
