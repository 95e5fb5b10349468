package checks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// network are the calls that reach the network or the machine's trust
// store; in this package only source.go may name them, so that every
// fact a check judges comes from the run's Source (and a recorded run
// replays every one).
var network = map[string][]string{
	"probe": {"Resolve", "Handshake", "HandshakeMTLS", "Fetch", "TURN", "Open", "Connections", "KeepAlive", "NewClient", "SystemResolverAddr"},
	"net":   {"Dial", "DialTimeout", "DialUDP", "DialTCP", "Dialer", "LookupHost", "LookupIP", "Resolver", "DefaultResolver"},
	"http":  {"Get", "Head", "Post", "DefaultClient", "Client", "Transport"},
	"tls":   {"Dial", "DialWithDialer", "Client"},
	"x509":  {"SystemCertPool"},
	"dns":   {"Exchange", "Client"},
}

// sourceFiles may name them: the network source itself, and the trust
// store it reads (env_cert.go's systemRoots, which tests replace).
var sourceFiles = map[string]bool{"source.go": true, "env_cert.go": true}

// clockFiles time the checks themselves (deadlines, durations); every
// verdict's clock is Env.Now.
var clockFiles = map[string]bool{"clock.go": true, "run.go": true, "source.go": true, "memo.go": true}

// TestChecksReachTheNetworkOnlyThroughTheSource fails when a file of the
// checks package names a network call outside the Source.
func TestChecksReachTheNetworkOnlyThroughTheSource(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || sourceFiles[f] {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			if pkg.Name == "time" && sel.Sel.Name == "Now" && !clockFiles[f] {
				t.Errorf("%s: time.%s outside the run's clock (Env.Now, from the Source): a replay judges at the recorded instant", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			for _, name := range network[pkg.Name] {
				if sel.Sel.Name == name {
					t.Errorf("%s: %s.%s reaches the network (or the machine's trust store) outside the run's Source (source.go)", fset.Position(sel.Pos()), pkg.Name, name)
				}
			}
			return true
		})
	}
}
