package exporter

import (
	"runtime"
	"runtime/debug"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
	"github.com/prometheus/client_golang/prometheus"
)

// suppressedStatus is the status label of a result an `ignore:` rule of
// the config matched. Such a result has 1 only there, and 0 for its own
// status: an accepted finding fires no rule that selects status="fail",
// the shipped ones and any written in their shape.
const suppressedStatus = "suppressed"

// statusLabels are the values of lyncprobe_check_status's status label.
func statusLabels() []string {
	out := make([]string, 0, len(result.Statuses)+1)
	for _, st := range result.Statuses {
		out = append(out, st.String())
	}
	return append(out, suppressedStatus)
}

// statusLabel is the status a result is exported with.
func statusLabel(r result.Result) string {
	if r.Suppressed {
		return suppressedStatus
	}
	return r.Status.String()
}

// probeRegistry holds one probe's metrics. Every status gets a series,
// 1 for the result's and 0 for the others, so that alert rules select
// status="fail" and a skip never reads as worse than a failure.
func probeRegistry(dep string, rs []result.Result, took time.Duration) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	labels := []string{"deployment", "check", "target", "via"}
	status := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "lyncprobe_check_status",
		Help: "1 for the status the check's result has, 0 for the other statuses; status=\"suppressed\" for a result an ignore rule accepted."}, append(labels, "status"))
	duration := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "lyncprobe_check_duration_seconds",
		Help: "How long the check took."}, labels)
	notAfter := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "lyncprobe_cert_not_after_timestamp_seconds",
		Help: "Unix time the certificate served for the name expires (the soonest over its addresses)."}, []string{"deployment", "name"})
	backends := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "lyncprobe_affinity_backends",
		Help: "Distinct front ends the affinity checks reached through the published name."}, []string{"deployment", "target"})
	success := prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyncprobe_probe_success",
		Help: "1 when no check failed or errored (suppressed results excepted)."})
	probeDur := prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyncprobe_probe_duration_seconds",
		Help: "How long the probe took."})
	reg.MustRegister(status, duration, notAfter, backends, success, probeDur)
	for _, r := range rs {
		got := statusLabel(r)
		for _, st := range statusLabels() {
			v := 0.0
			if st == got {
				v = 1
			}
			status.WithLabelValues(dep, r.ID, r.Target, r.Via, st).Set(v)
		}
		duration.WithLabelValues(dep, r.ID, r.Target, r.Via).Set(r.Duration.Seconds())
	}
	for name, t := range CertNotAfter(rs) {
		notAfter.WithLabelValues(dep, name).Set(float64(t.Unix()))
	}
	for target, n := range AffinityBackends(rs) {
		backends.WithLabelValues(dep, target).Set(float64(n))
	}
	if !result.Summarize(rs, took).Failed(result.Fail) {
		success.Set(1)
	}
	probeDur.Set(took.Seconds())
	return reg
}

// CertNotAfter reads the expiry of each name's served certificate from the
// cert module's evidence ("not_after"), keeping the soonest when the
// name's addresses serve different certificates.
func CertNotAfter(rs []result.Result) map[string]time.Time {
	out := map[string]time.Time{}
	for _, r := range rs {
		t, ok := r.NotAfter()
		if r.Module != "cert" || !ok {
			continue
		}
		if old, seen := out[r.Target]; !seen || t.Before(old) {
			out[r.Target] = t
		}
	}
	return out
}

// AffinityBackends counts the distinct front ends the affinity checks'
// evidence tables (connections, requests, join steps) name per target.
func AffinityBackends(rs []result.Result) map[string]int {
	seen := map[string]map[string]bool{}
	for _, r := range rs {
		if r.Module != "affinity" {
			continue
		}
		for _, fe := range r.FrontEnds() {
			if seen[r.Target] == nil {
				seen[r.Target] = map[string]bool{}
			}
			seen[r.Target][fe] = true
		}
	}
	out := map[string]int{}
	for t, fes := range seen {
		out[t] = len(fes)
	}
	return out
}

// buildInfo is lyncprobe_build_info, in the shape of every Prometheus
// component's *_build_info: 1, with the version in labels.
func buildInfo(version string) prometheus.Collector {
	revision := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" {
			version = bi.Main.Version
		}
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" {
				revision = kv.Value
			}
		}
	}
	if version == "" {
		version = "(devel)"
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyncprobe_build_info",
		Help:        "A metric with a constant 1 labelled by the version, VCS revision and Go version lyncprobe was built from.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": runtime.Version()}})
	g.Set(1)
	return g
}
