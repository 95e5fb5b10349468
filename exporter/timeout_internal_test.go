package exporter

import (
	"net/http/httptest"
	"testing"
	"time"
)

// TestScrapeTimeoutHeaderIsCapped: the caller's header may shorten the
// probe's deadline, never lengthen it past Timeout.
func TestScrapeTimeoutHeaderIsCapped(t *testing.T) {
	s := &Server{o: withDefaults(Options{Timeout: 20 * time.Second})}
	for header, want := range map[string]time.Duration{
		"":      20 * time.Second,
		"10":    9500 * time.Millisecond,
		"20.5":  20 * time.Second,
		"21":    20 * time.Second,
		"1e9":   20 * time.Second,
		"+Inf":  20 * time.Second,
		"NaN":   20 * time.Second,
		"-1":    20 * time.Second,
		"0.2":   200 * time.Millisecond, // shorter than the offset: kept whole
		"bogus": 20 * time.Second,
	} {
		r := httptest.NewRequest("GET", "/probe", nil)
		if header != "" {
			r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", header)
		}
		if got := s.timeout(r); got != want {
			t.Errorf("X-Prometheus-Scrape-Timeout-Seconds %q: probe deadline %s, want %s", header, got, want)
		}
	}
}
