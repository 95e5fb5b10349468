package probe

import (
	"context"
	"crypto/tls"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
)

// TestFreshConnectionsOfferX25519Only: the affinity probe's and the join
// replay's connections (Open) offer no hybrid post-quantum key share,
// while the run's memoised handshake (Handshake) keeps Go's defaults.
func TestFreshConnectionsOfferX25519Only(t *testing.T) {
	_, cert := mint(t, []string{"web.example"}, time.Now().Add(-time.Hour), time.Hour)
	var mu sync.Mutex
	var offered [][]tls.CurveID
	addr := tlstest.HandshakeServer(t, &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		offered = append(offered, h.SupportedCurves)
		mu.Unlock()
		return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
	}})
	ctx := context.Background()
	if _, err := Handshake(ctx, addr, "web.example", TLSOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := Open(ctx, DialSpec{Addr: addr, SNI: "web.example"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(offered) != 2 {
		t.Fatalf("%d handshakes seen, want 2", len(offered))
	}
	if !slices.Contains(offered[0], tls.X25519MLKEM768) {
		t.Errorf("Handshake offered %v: want Go's defaults, with X25519MLKEM768", offered[0])
	}
	if slices.Contains(offered[1], tls.X25519MLKEM768) || offered[1][0] != tls.X25519 {
		t.Errorf("Open offered %v: want X25519 first and no hybrid share", offered[1])
	}
}
