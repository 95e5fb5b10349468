package exporter

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestHTTPServerIsBounded: a caller cannot hold a connection open by
// sending nothing, or headers without end, or by staying idle.
func TestHTTPServerIsBounded(t *testing.T) {
	o := withDefaults(Options{})
	s := &Server{o: o, log: o.Logger, reg: prometheus.NewRegistry()}
	srv := s.httpServer(context.Background())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= s.o.Timeout || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("unbounded server: read-header %s, read %s, write %s (probe timeout %s), idle %s, header bytes %d",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, s.o.Timeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
}
