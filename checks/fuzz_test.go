package checks

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// FuzzReadAnswer: the HTML and body scanners never panic on any body.
func FuzzReadAnswer(f *testing.F) {
	f.Add("text/html", []byte(`<html><head><title>Meet</title><script src="/x.js"></script></head><body><form action="/login"><input type="password"></form><a href="https://pool01.contoso.local/">x</a><meta http-equiv="refresh" content="0; url='/next'"></body></html>`))
	f.Add("", []byte("<div><div><div><p>unclosed"))
	f.Add("application/json", []byte(`{"_links":{"self":{"href":"https://x"}}}`))
	f.Add("text/html; charset=utf-8", []byte("<table><tr><td><table><tr><td>"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		h := http.Header{}
		h.Set("Content-Type", ct)
		a := readAnswer(&probe.Response{Status: 200, Header: h, Body: body})
		_, _ = parseDiscover(a)
	})
}

// FuzzParseDiscover: the lyncdiscover JSON and XML parsers never panic,
// and a document they accept gives its next link without panicking.
func FuzzParseDiscover(f *testing.F) {
	f.Add([]byte(`{"_links":{"self":{"href":"https://lyncdiscover.contoso.com/"},"user":{"href":"https://webext.contoso.com/Autodiscover/AutodiscoverService.svc/root/oauth/user"},"xframe":{"href":"https://webext.contoso.com/xframe"}}}`))
	f.Add([]byte(`{"AccessLocation":"External","Root":{"Links":[{"href":"https://webext.contoso.com/Autodiscover/AutodiscoverService.svc/root/user","token":"User"}]}}`))
	f.Add([]byte(`<?xml version="1.0"?><AutodiscoverResponse AccessLocation="External"><Root><Link token="User" href="https://webext.contoso.com/a"/></Root></AutodiscoverResponse>`))
	f.Add([]byte(`{"_links":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, parse := range []func([]byte) (discoverDoc, error){parseDiscoverJSON, parseDiscoverXML} {
			if d, err := parse(body); err == nil {
				_, _ = d.next()
				_ = d.rels()
			}
		}
	})
}

// FuzzJudgeCookie: affinity.cookie's rules never panic on any Set-Cookie
// line, and always give a verdict.
func FuzzJudgeCookie(f *testing.F) {
	f.Add("MS-WSMAN=fe01; Path=/", "MS-WSMAN=fe02; Path=/; HttpOnly; Max-Age=3600")
	f.Add("BIGipServerlync_web=123.456.0000; path=/", "")
	f.Add("MS-WSMAN=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "MS-WSMAN")
	f.Add("=;;;=", "MS-WSMAN=x; Max-Age=-1; Domain=.contoso.com; SameSite=None; Secure")
	f.Fuzz(func(t *testing.T, first, second string) {
		s := func(conn int, lines ...string) sample {
			return sample{Run: runPlain, Conn: conn, Status: 401, FrontEnd: "fe01", SetCookies: lines}
		}
		facts := cookieFacts{Version: "sfb2019", IdentityCookie: "BIGipServerlync_web",
			Plain: []sample{s(0, first), s(1, second)}, Jar: []sample{s(0, second)}, One: []sample{s(0, first), s(0)}}
		if r := judgeCookie(facts); r.Message == "" {
			t.Fatalf("a verdict with no message: %+v", r)
		}
	})
}

// FuzzZone: a zone file that loads answers every question without
// panicking or looping (CNAME loops included).
func FuzzZone(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "testdata", "config", "contoso.com.zone")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("$ORIGIN contoso.com.\n@ SOA ns h 1 2 3 4 5\nmeet CNAME dialin\ndialin CNAME meet\n*.x A 203.0.113.1\nsub NS ns.other.\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.zone")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rrs, err := config.ReadZone(context.Background(), path, "contoso.com")
		if err != nil {
			return
		}
		z, err := probe.NewZone(path, rrs.Records)
		if err != nil {
			return
		}
		for _, name := range []string{"meet.contoso.com", "dialin.contoso.com", "a.x.contoso.com", "y.sub.contoso.com", "contoso.com"} {
			for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeSRV, dns.TypeCNAME} {
				_, _ = z.Resolve(context.Background(), "zone", name, qt)
			}
		}
	})
}
