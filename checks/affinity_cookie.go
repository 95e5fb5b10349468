package checks

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// wsmanCookie is the persistence cookie Lync's web services expect of a
// load balancer; its name cannot be changed (learn.microsoft.com/en-us/previous-versions/office/skype-server-2010/gg615011(v=ocs.14)).
const wsmanCookie = "MS-WSMAN"

// persistencePrefixes name other balancers' persistence cookies.
var persistencePrefixes = []string{"BIGipServer", "SERVERID", "NSC_", "AWSALB", "ROUTEID"}

const cookieRemedy = "Configure the balancer's cookie persistence as Microsoft requires: named MS-WSMAN, not HttpOnly, " +
	"no Expires or Max-Age (a session cookie), and inserted in every response whose request carried no cookie, " +
	"even later ones on the same TCP connection (turn off any once-per-connection insert optimisation). Source: Microsoft: Lync Server 2013 hardware load balancer requirements."

// cookieFacts are what affinity.cookie judges.
type cookieFacts struct {
	Version         string
	IdentityCookie  string
	Plain, Jar, One []sample
}

// affinityCookie: the MS-WSMAN cookie, when set, follows Microsoft's rules.
func affinityCookie(ctx context.Context, e *Env) []Result {
	return e.affinityEach(ctx, func(run *affinityRun) Result {
		return judgeCookie(cookieFacts{Version: e.Dep.Version, IdentityCookie: e.Dep.Affinity.IdentityCookie,
			Plain: e.samples(runPlain, run.Plain), Jar: e.samples(runJar, run.Jar), One: e.samples(runOneConn, run.OneConn)})
	})
}

// judgeCookie is the verdict of affinity.cookie on recorded facts.
func judgeCookie(f cookieFacts) Result {
	all := slices.Concat(f.Plain, f.Jar, f.One)
	if r := noAnswer(all); r != nil {
		return *r
	}
	var lines []string
	for _, s := range all {
		if cookieIn(s.SetCookies, wsmanCookie) != nil {
			lines = append(lines, cookieLine(s.SetCookies, wsmanCookie))
		}
	}
	if len(lines) == 0 {
		return otherCookie(f, all)
	}
	ev := map[string]any{"set_cookie": lines[0]}
	problems := slices.Concat(attributeProblems(all), missingProblems(f.Plain, f.One))
	if len(problems) > 0 {
		ev["problems"] = problems
		return Result{Status: Fail, Evidence: ev, Remedy: cookieRemedy, Message: "the MS-WSMAN persistence cookie breaks Microsoft's rules: " +
			strings.Join(problems, "; ")}
	}
	return Result{Status: Pass, Evidence: ev, Message: fmt.Sprintf(
		"MS-WSMAN is set on every answer to a request without it (%d seen), not HttpOnly, with no expiry", len(lines))}
}

// attributeProblems: MS-WSMAN must not be HttpOnly nor expire.
func attributeProblems(all []sample) []string {
	var httpOnly, expiry string
	for _, s := range all {
		ck := cookieIn(s.SetCookies, wsmanCookie)
		if ck == nil {
			continue
		}
		if ck.HttpOnly && httpOnly == "" {
			httpOnly = "it is HttpOnly (it MUST NOT be)"
		}
		if (ck.RawExpires != "" || ck.MaxAge != 0) && expiry == "" {
			expiry = fmt.Sprintf("it has an expiry time (%s; it MUST be a session cookie)", expiryText(ck))
		}
	}
	var out []string
	for _, p := range []string{httpOnly, expiry} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func expiryText(ck *http.Cookie) string {
	var parts []string
	if ck.RawExpires != "" {
		parts = append(parts, "Expires="+ck.RawExpires)
	}
	if ck.MaxAge != 0 {
		parts = append(parts, fmt.Sprintf("Max-Age=%d", ck.MaxAge))
	}
	return strings.Join(parts, ", ")
}

// missingProblems: every answer to a request without the cookie must set
// it, including the later requests of one connection.
func missingProblems(plain, one []sample) []string {
	var out []string
	missing, asked := 0, 0
	for _, s := range plain {
		if s.Err == nil && !slices.Contains(s.Cookies, wsmanCookie) {
			asked++
			if cookieIn(s.SetCookies, wsmanCookie) == nil {
				missing++
			}
		}
	}
	if missing > 0 {
		out = append(out, fmt.Sprintf("it was missing from %d of %d answers to new connections that carried no cookie", missing, asked))
	}
	if len(one) > 1 && one[0].Err == nil && cookieIn(one[0].SetCookies, wsmanCookie) != nil {
		for _, s := range one[1:] {
			if s.Err == nil && cookieIn(s.SetCookies, wsmanCookie) == nil {
				out = append(out, fmt.Sprintf("it is set once per TCP connection: request %d on the same connection carried no cookie and got none", s.Req+1))
				break
			}
		}
	}
	return out
}

// otherCookie reports a persistence cookie under another name, or none.
func otherCookie(f cookieFacts, all []sample) Result {
	name, line := "", ""
	for _, s := range all {
		for _, l := range s.SetCookies {
			ck, err := http.ParseSetCookie(l)
			if err == nil && name == "" && isPersistence(ck.Name, f.IdentityCookie) {
				name, line = ck.Name, l
			}
		}
	}
	if name == "" {
		msg := "no persistence cookie is set: the balancer does not keep clients by cookie"
		if f.Version == "lync2010" {
			msg += "; Lync 2010 requires MS-WSMAN cookie persistence for external clients (Microsoft NextHop blog: hardware load balancer requirements for Lync Server 2010)"
		}
		return Result{Status: Info, Message: msg}
	}
	r := Result{Status: Info, Evidence: map[string]any{"set_cookie": line}, Message: fmt.Sprintf(
		"the balancer's persistence cookie is %s, not MS-WSMAN; Lync 2010 web services expect MS-WSMAN", name)}
	if f.Version == "lync2010" {
		r.Status, r.Remedy = Warn, "Rename the persistence cookie to MS-WSMAN: "+cookieRemedy
	}
	return r
}

// PersistenceCookie reports whether a cookie called name is a balancer's
// persistence cookie (MS-WSMAN, affinity.identity_cookie, another
// balancer's): its value names a server, not a user, and the affinity
// checks judge it, so a support bundle keeps it (package bundle).
func PersistenceCookie(name, identityCookie string) bool {
	return name == wsmanCookie || isPersistence(name, identityCookie)
}

func isPersistence(name, identityCookie string) bool {
	if name == identityCookie {
		return true
	}
	return slices.ContainsFunc(persistencePrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// cookieIn is the cookie called name among Set-Cookie lines, or nil.
func cookieIn(lines []string, name string) *http.Cookie {
	for _, l := range lines {
		if ck, err := http.ParseSetCookie(l); err == nil && ck.Name == name {
			return ck
		}
	}
	return nil
}

func cookieLine(lines []string, name string) string {
	for _, l := range lines {
		if ck, err := http.ParseSetCookie(l); err == nil && ck.Name == name {
			return l
		}
	}
	return ""
}
