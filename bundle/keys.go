package bundle

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// Keys name a fact the same way when it is recorded and when a replay
// asks for it. Requests are keyed on their redacted form with cookie
// values left out: a replay's cookie jar holds the bundle's pseudonyms.

func dnsKey(server, name string, qtype uint16) string {
	return fmt.Sprintf("%s|%s|%d", server, strings.ToLower(name), qtype)
}

func tlsKey(addr, sni string, o probe.TLSOptions) string {
	return fmt.Sprintf("%s|%s|%d|%d|%v", addr, sni, o.MinVersion, o.MaxVersion, o.CipherSuites)
}

func mtlsKey(addr, sni string) string { return addr + "|" + sni }

func turnKey(addr, transport, dialect string) string { return addr + "|" + transport + "|" + dialect }

func connKey(tag, addr, sni, local string) string { return tag + "|" + addr + "|" + sni + "|" + local }

func requestKey(r Request) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%d|%s", r.Scheme, r.Addr, r.SNI, r.Host, r.Method, r.Path, r.MaxBody, headerKey(r.Header))
}

// headerKey is h in a fixed order, cookies by name only.
func headerKey(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range h[k] {
			if http.CanonicalHeaderKey(k) == "Cookie" {
				v = cookieNames(v)
			}
			b.WriteString(k + ":" + v + "\n")
		}
	}
	return b.String()
}

func cookieNames(line string) string {
	var names []string
	for _, p := range strings.Split(line, ";") {
		name, _, _ := strings.Cut(strings.TrimSpace(p), "=")
		names = append(names, name)
	}
	return strings.Join(names, ";")
}

func visitsKey(kind string, p probe.Plan, req Request, requests int) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%v|%t|%d", kind, p.Dial.Addr, p.Dial.SNI, requestKey(req), p.Connections, p.Sources, p.Jar, requests)
}

func (v VisitsFact) key() string {
	return visitsKey(v.Kind, probe.Plan{Dial: probe.DialSpec{Addr: v.Dial, SNI: v.SNI}, Connections: v.Connections, Sources: v.Sources, Jar: v.Jar}, v.Request, v.Requests)
}
