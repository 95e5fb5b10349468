package checks

import (
	"errors"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/probe"
)

const (
	fe1 = "fe01.pool01.contoso.local"
	fe2 = "fe02.pool01.contoso.local"
)

// conns builds samples of one run: one front end per connection.
func conns(run string, fes ...string) []sample {
	out := make([]sample, len(fes))
	for i, fe := range fes {
		out[i] = sample{Run: run, Conn: i, Source: "192.0.2.10", FrontEnd: fe, Status: 401}
		if run == runJar && i > 0 {
			out[i].Cookies = []string{"MS-WSMAN"}
		}
	}
	return out
}

func TestJudgeSticky(t *testing.T) {
	natPlain := conns(runPlain, fe1, fe2, fe1, fe2)
	natJar := conns(runJar, fe1, fe2, fe1, fe2)
	for _, ss := range [][]sample{natPlain, natJar} {
		ss[1].Source, ss[3].Source = "192.0.2.11", "192.0.2.11"
	}
	cases := []struct {
		name string
		f    stickyFacts
		want Status
		says string
	}{
		{"sticky, backends prove two", stickyFacts{Plain: conns(runPlain, fe1, fe1), Jar: conns(runJar, fe1, fe1), Backends: []string{fe1, fe2}}, Pass, "stayed on " + fe1},
		{"one front end known", stickyFacts{Plain: conns(runPlain, fe1, fe1), Jar: conns(runJar, fe1, fe1)}, Info, "nothing to balance"},
		{"cookie persistence", stickyFacts{Plain: conns(runPlain, fe1, fe2), Jar: conns(runJar, fe2, fe2)}, Pass, "cookie persistence"},
		{"spread, sfb2019", stickyFacts{Version: "sfb2019", Plain: conns(runPlain, fe1, fe2), Jar: conns(runJar, fe1, fe2)}, Warn, "Microsoft's pages conflict"},
		{"spread, lync2010", stickyFacts{Version: "lync2010", Plain: conns(runPlain, fe1, fe2), Jar: conns(runJar, fe1, fe2)}, Fail, "Lync 2010 requires cookie persistence"},
		{"source only, lync2010", stickyFacts{Version: "lync2010", Plain: conns(runPlain, fe1, fe1), Jar: conns(runJar, fe1, fe1), Backends: []string{fe1, fe2}}, Warn, "Lync 2010 requires MS-WSMAN cookie persistence for external clients"},
		{"source only, sfb2019", stickyFacts{Version: "sfb2019", Plain: conns(runPlain, fe1, fe1), Jar: conns(runJar, fe1, fe1), Backends: []string{fe1, fe2}}, Pass, "source-address persistence"},
		{"MS-WSMAN and sticky, lync2010", stickyFacts{Version: "lync2010", Plain: conns(runPlain, fe1, fe1), Jar: conns(runJar, fe1, fe1), Backends: []string{fe1, fe2}, Cookie: modeWSMAN}, Pass, "stayed on " + fe1},
		{"NAT pool", stickyFacts{Sources: []string{"192.0.2.10", "192.0.2.11"}, Plain: natPlain, Jar: natJar}, Warn, "NAT pool"},
		{"no identity", stickyFacts{Header: "X-MS-Server-Fqdn", Plain: conns(runPlain, "", ""), Jar: conns(runJar, "")}, Skip, "no X-MS-Server-Fqdn header"},
		{"only the backends named themselves", stickyFacts{Header: "X-MS-Server-Fqdn", Plain: conns(runPlain, "", ""), Jar: conns(runJar, ""),
			Backends: []string{fe1, fe2}}, Skip, "the proxy answered 401"},
		{"no answer", stickyFacts{Plain: []sample{{Err: &probe.Error{Op: "dial", Kind: probe.KindRefused}}}}, Skip, "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := judgeSticky(c.f)
			if r.Status != c.want || !strings.Contains(r.Message, c.says) {
				t.Errorf("%s: %s, want %s saying %q", r.Status, r.Message, c.want, c.says)
			}
			if (r.Status == Warn || r.Status == Fail || r.Status == Skip) && r.Remedy == "" && c.want != Skip {
				t.Errorf("%s without a remedy", r.Status)
			}
		})
	}
}

// answered is one answer that set the given cookies, to a request that
// carried the named ones.
func answered(run string, req int, carried []string, setCookies ...string) sample {
	return sample{Run: run, Req: req, Status: 401, Cookies: carried, SetCookies: setCookies, FrontEnd: fe1}
}

// TestJudgeCookie evaluates Microsoft's Set-Cookie rules for MS-WSMAN.
func TestJudgeCookie(t *testing.T) {
	good := "MS-WSMAN=fe01; Path=/"
	jar := []sample{answered(runJar, 0, nil, good), answered(runJar, 0, []string{"MS-WSMAN"})}
	cases := []struct {
		name string
		f    cookieFacts
		want Status
		says string
	}{
		{"correct", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, good)}, Jar: jar,
			One: []sample{answered(runOneConn, 0, nil, good), answered(runOneConn, 1, nil, good)}}, Pass, "not HttpOnly"},
		{"httponly", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, good+"; HttpOnly")}}, Fail, "HttpOnly"},
		{"expires", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, good+"; Expires=Wed, 21 Oct 2037 07:28:00 GMT")}}, Fail, "Expires=Wed, 21 Oct 2037"},
		{"max-age", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, good+"; Max-Age=3600")}}, Fail, "Max-Age=3600"},
		{"both attributes", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, good+"; HttpOnly; Max-Age=60")}}, Fail, "HttpOnly (it MUST NOT be); it has an expiry"},
		{"once per connection", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, good)},
			One: []sample{answered(runOneConn, 0, nil, good), answered(runOneConn, 1, nil)}}, Fail, "once per TCP connection: request 2"},
		{"missing on a new connection", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, good), answered(runPlain, 0, nil)}}, Fail, "missing from 1 of 2"},
		{"other name, sfb2019", cookieFacts{Version: "sfb2019", Plain: []sample{answered(runPlain, 0, nil, "BIGipServerlync=1677787402.36895.0000; path=/")}}, Info, "BIGipServerlync, not MS-WSMAN"},
		{"other name, lync2010", cookieFacts{Version: "lync2010", Plain: []sample{answered(runPlain, 0, nil, "SERVERID=web1; path=/")}}, Warn, "expect MS-WSMAN"},
		{"configured identity cookie", cookieFacts{IdentityCookie: "lbnode", Plain: []sample{answered(runPlain, 0, nil, "lbnode=a")}}, Info, "lbnode, not MS-WSMAN"},
		{"no cookie", cookieFacts{Plain: []sample{answered(runPlain, 0, nil, "ASP.NET_SessionId=x")}}, Info, "no persistence cookie"},
		{"no answer", cookieFacts{Plain: []sample{{Err: errors.New("boom")}}}, Skip, "no connection"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := judgeCookie(c.f)
			if r.Status != c.want || !strings.Contains(r.Message, c.says) {
				t.Errorf("%s: %s, want %s saying %q", r.Status, r.Message, c.want, c.says)
			}
		})
	}
}

func TestJudgePerRequest(t *testing.T) {
	closed := &probe.Error{Op: "http", Kind: probe.KindClosed}
	cases := map[string]struct {
		one  []sample
		says string
	}{
		"per request":  {conns(runOneConn, fe1, fe2, fe1), "reached 2 front ends"},
		"per conn":     {conns(runOneConn, fe1, fe1, fe1), "keeps a connection on one front end"},
		"closed early": {append(conns(runOneConn, fe1), sample{Err: closed}), "closed the connection after the first request"},
	}
	for name, c := range cases {
		if r := judgePerRequest(c.one, "X-MS-Server-Fqdn"); r.Status != Info || !strings.Contains(r.Message, c.says) {
			t.Errorf("%s: %s %s, want info saying %q", name, r.Status, r.Message, c.says)
		}
	}
	if r := judgePerRequest(conns(runOneConn, "", ""), "X-Who"); r.Status != Skip || r.Remedy == "" {
		t.Errorf("unidentified: %s %s, want skip with how to configure an identity", r.Status, r.Message)
	}
}

func TestJudgeJoin(t *testing.T) {
	page := joinStep{Status: 200, FrontEnd: fe1, SameConn: true}
	ok := joinStep{Step: 1, Status: 200, FrontEnd: fe1, SameConn: true}
	lost := joinStep{Step: 2, Status: 500, Note: "session not found", FrontEnd: fe2, SameConn: true, Source: "192.0.2.11"}
	cases := []struct {
		name  string
		steps []joinStep
		trust bool
		want  Status
		says  string
	}{
		{"stays", []joinStep{page, ok, ok}, true, Pass, "all reached " + fe1},
		{"crossed and broke", []joinStep{page, ok, lost}, true, Fail, "reached " + fe2 + " and got 500 (session not found)"},
		{"broke, front ends untrusted", []joinStep{page, ok, lost}, false, Fail, "could not be told apart"},
		{"broke on the same front end", []joinStep{page, {Step: 1, Status: 404, FrontEnd: fe1}}, true, Fail, "not an affinity fault"},
		{"crossed and worked", []joinStep{page, {Step: 1, Status: 200, FrontEnd: fe2}}, true, Info, fe1 + " → " + fe2},
		{"join page missing", []joinStep{{Status: 404}}, true, Skip, "did not load (404)"},
		{"join page unreachable", []joinStep{{Err: &probe.Error{Op: "dial", Kind: probe.KindRefused}}}, true, Skip, "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := judgeJoin(c.steps, c.trust)
			if r.Status != c.want || !strings.Contains(r.Message, c.says) {
				t.Errorf("%s: %s, want %s saying %q", r.Status, r.Message, c.want, c.says)
			}
		})
	}
}

func TestFollowUpPath(t *testing.T) {
	cases := []struct{ body, version, want string }{
		{`<a id="lwa-join" href="/lwa/WebPages/LwaClient.aspx?meeting=alice%2FX">Join</a>`, "sfb2019", "/lwa/WebPages/LwaClient.aspx?meeting=alice%2FX"},
		{`<a href="https://meet.contoso.com/Reach/Client/WebPages/ReachJoin.aspx?a=1&amp;b=2">`, "lync2010", "/Reach/Client/WebPages/ReachJoin.aspx?a=1&b=2"},
		{`<p>no link</p>`, "lync2010", "/Reach/Client/WebPages/ReachJoin.aspx"},
		{``, "sfb2015", "/lwa/WebPages/LwaClient.aspx"},
	}
	for _, c := range cases {
		if got := followUpPath(c.body, c.version); got != c.want {
			t.Errorf("followUpPath(%q) = %q, want %q", c.body, got, c.want)
		}
	}
}

func TestDistributionShowsUnreachedAndFailed(t *testing.T) {
	plain := append(conns(runPlain, fe1, fe1, ""), sample{Err: errors.New("refused")})
	got := distribution(plain, []backendIdentity{{Identity: fe2}, {Identity: fe1}})
	want := []Bar{{Label: fe1, Count: 2}, {Label: fe2, Count: 0}, {Label: "(front end not named)", Count: 1}, {Label: "(no answer)", Count: 1}}
	if len(got) != len(want) {
		t.Fatalf("bars %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("bar %d = %v, want %v", i, got[i], want[i])
		}
	}
}
