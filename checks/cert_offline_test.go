package checks_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// verdicts is the worst status of each check ID, and the targets each
// per-name check failed for: what a user acts on.
func verdicts(rs []checks.Result, ids []string) map[string]string {
	worst := map[string]checks.Status{}
	failed := map[string][]string{}
	for _, r := range rs {
		if !slices.Contains(ids, r.ID) {
			continue
		}
		worst[r.ID] = max(worst[r.ID], r.Status)
		if r.ID == "cert.san-coverage" && r.Status == checks.Fail {
			failed[r.ID] = append(failed[r.ID], r.Target)
		}
	}
	out := map[string]string{}
	for _, id := range ids {
		if w, ok := worst[id]; ok {
			out[id] = w.String() + " " + strings.Join(failed[id], ",")
		}
	}
	return out
}

var offlineIDs = []string{"cert.san-coverage", "cert.all-names", "cert.chain", "cert.expiry", "cert.subject", "cert.key-usage"}

// TestInspectAgreesWithLiveRun: for every certificate fault that lives in
// the files, cert inspect on the lab's proxy-cert.pem gives the live run's
// verdict; on the healthy lab's file, none.
func TestInspectAgreesWithLiveRun(t *testing.T) {
	faults := []string{"", "missing-san=dialin", "expired-cert", "expiring-cert", "weak-key", "wildcard-subject", "self-signed", "missing-intermediate"}
	for _, f := range faults {
		name := f
		if name == "" {
			name = "healthy"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			live, offline := liveAndOffline(t, f)
			lv, ov := verdicts(live, offlineIDs), verdicts(offline, offlineIDs)
			for _, id := range offlineIDs {
				if lv[id] != ov[id] {
					t.Errorf("%s: live %q, offline %q", id, lv[id], ov[id])
				}
			}
			bad := 0
			for _, r := range offline {
				if r.Status != checks.Pass && r.Status != checks.Info {
					bad++
				}
			}
			if (f == "") != (bad == 0) {
				t.Errorf("offline: %d findings under %q:\n%s", bad, name, listResults(offline))
			}
		})
	}
}

func liveAndOffline(t *testing.T, fault string) (live, offline []checks.Result) {
	t.Helper()
	var o lab.Options
	if fault != "" {
		o.Faults = labtest.Faults(t, fault)
	}
	l, dep := labtest.Start(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if len(dep.TLS.CertificateFiles) != 1 || dep.TLS.CertificateFiles[0].Path != l.ProxyCertFile {
		t.Fatalf("the lab config lists %+v, want %s", dep.TLS.CertificateFiles, l.ProxyCertFile)
	}
	files, err := checks.ReadCertFiles(context.Background(), dep.TLS.CertificateFiles)
	if err != nil {
		t.Fatal(err)
	}
	live = checks.Run(ctx, dep, checks.Options{Only: []string{"cert"}})
	offline = checks.Run(ctx, dep, checks.Options{Files: &checks.Files{Certs: files}})
	return live, offline
}

func listResults(rs []checks.Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(describe(r) + "\n")
	}
	return b.String()
}

// TestInspectByName: --name replaces the config's names; the offline run
// has only the checks a file can answer, and results name the file.
func TestInspectByName(t *testing.T) {
	fixtures := filepath.Join("..", "testdata", "cert")
	items := []config.CertificateFile{{Path: filepath.Join(fixtures, "rp-chain.pem")},
		{Path: filepath.Join(fixtures, "rp-legacy.pfx"), PasswordEnv: "LYNCPROBE_TEST_PFX"}}
	t.Setenv("LYNCPROBE_TEST_PFX", "lyncprobe-fixture")
	files, err := checks.ReadCertFiles(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	rs := checks.Run(context.Background(), namesOnly(), checks.Options{Files: &checks.Files{Certs: files, CertNames: []string{"meet.contoso.com", "OWA.contoso.com."}}})
	seen := map[string]bool{}
	for _, r := range rs {
		seen[r.ID] = true
		if r.ID == "cert.san-coverage" && r.Target == "owa.contoso.com" && r.Status != checks.Fail {
			t.Errorf("owa is not in the fixture's SANs: %s", describe(r))
		}
		if r.ID == "cert.san-coverage" && r.Target == "meet.contoso.com" && r.Status != checks.Pass {
			t.Errorf("meet is: %s", describe(r))
		}
	}
	for _, id := range []string{"cert.tls-versions", "cert.node-consistency", "cert.revocation"} {
		if seen[id] {
			t.Errorf("%s needs the network and ran offline", id)
		}
	}
	// Both files hold the same chain: one per-certificate result, filed under the first file.
	r := resultOf(t, rs, "cert.all-names")
	if r.Target != items[0].Path || !strings.Contains(r.Message, "misses owa.contoso.com") {
		t.Errorf("all-names: %s", describe(r))
	}
	if r := resultOf(t, rs, "cert.chain"); r.Status != checks.Fail {
		t.Errorf("the fixture root is in no trust store (no config, so no tls.ca_file): %s", describe(r))
	}
}

func resultOf(t *testing.T, rs []checks.Result, id string) checks.Result {
	t.Helper()
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no %s result", id)
	return checks.Result{}
}

// Issue 19 item 5, the class: a file with no certificate (an empty
// chain, as a caller of Run may still pass) is an error result naming
// the file, never "internal error … index out of range [0]". ReadCertFiles
// itself refuses such a file by name.
func TestInspectFileWithNoCertificate(t *testing.T) {
	rs := checks.Run(context.Background(), namesOnly(), checks.Options{Files: &checks.Files{Certs: []checks.CertFile{{Name: "empty.pem"}}, CertNames: []string{"meet.contoso.com"}}})
	r := resultOf(t, rs, "cert.san-coverage")
	if r.Status != checks.Error || r.Message != "no certificate in empty.pem" {
		t.Errorf("san-coverage of an empty chain: %s", describe(r))
	}
	for _, r := range rs {
		if strings.Contains(r.Message, "internal error") {
			t.Errorf("%s", describe(r))
		}
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := checks.ReadCertFiles(context.Background(), []config.CertificateFile{{Path: empty}}); err == nil || err.Error() != "no certificate in "+empty {
		t.Errorf("ReadCertFiles(empty.pem) = %v, want \"no certificate in %s\"", err, empty)
	}
}

// Offline, a certificate per name: a file listed with names is judged for
// those names only, the file without names for the rest.
func TestInspectPerNameFiles(t *testing.T) {
	dir := t.TempDir()
	pc, err := lab.WriteProxyCert(dir, lab.ProxyCertOptions{PerName: []string{lab.DiscoverHost}})
	if err != nil {
		t.Fatal(err)
	}
	items := []config.CertificateFile{{Path: pc.ChainFile}, {Path: pc.PerName[0].ChainFile, Names: []string{lab.DiscoverHost}}}
	files, err := checks.ReadCertFiles(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{lab.ExternalWeb, lab.MeetHost, lab.DialinHost, lab.DiscoverHost}
	rs := checks.Run(context.Background(), namesOnly(), checks.Options{Files: &checks.Files{Certs: files, CertNames: names}})
	for _, r := range rs {
		if (r.ID == "cert.san-coverage" || r.ID == "cert.all-names") && r.Status != checks.Pass {
			t.Errorf("%s %s %s [%s]: %s", r.Status, r.ID, r.Target, r.Via, r.Message)
		}
	}
	// Without names, both files are judged against every name, as before.
	items[1].Names = nil
	files, _ = checks.ReadCertFiles(context.Background(), items)
	rs = checks.Run(context.Background(), namesOnly(), checks.Options{Files: &checks.Files{Certs: files, CertNames: names}})
	if v := verdicts(rs, []string{"cert.all-names"}); v["cert.all-names"] != "fail " {
		t.Errorf("files without names: all-names %q, want fail", v["cert.all-names"])
	}
}

// The lab under SNICerts lists each name's own chain with its name:
// cert inspect on its config agrees with the live run, no fail, no warn.
func TestInspectLabPerNameCertificates(t *testing.T) {
	t.Parallel()
	_, dep := labtest.Start(t, lab.Options{SNICerts: true, OWA: true})
	if n := len(dep.TLS.CertificateFiles); n != 3 {
		t.Fatalf("the lab config lists %d certificate files, want 3 (main, lyncdiscover, owa)", n)
	}
	files, err := checks.ReadCertFiles(context.Background(), dep.TLS.CertificateFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range checks.Run(context.Background(), dep, checks.Options{Files: &checks.Files{Certs: files}}) {
		if r.Status != checks.Pass && r.Status != checks.Info {
			t.Errorf("%s", describe(r))
		}
	}
}

// namesOnly is the deployment cert inspect --name judges against: no
// config, so no tls.ca_file, and tls.warn_days' default.
func namesOnly() *config.Deployment {
	return &config.Deployment{Name: "cert inspect", TLS: config.TLS{WarnDays: config.DefaultWarnDays}}
}
