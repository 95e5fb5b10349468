package bundle

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"

	"github.com/lyncprobe/lyncprobe/checks"
)

// A bundle leaves the customer's hands, so nothing in it may let anyone
// sign in: credentials and session cookies are redacted before a fact is
// stored.
//   - Authorization, Proxy-Authorization: the scheme is kept, the
//     credentials dropped ("Basic [redacted]").
//   - WWW-Authenticate, Proxy-Authenticate, Authentication-Info: the
//     schemes and their parameters (realm) are kept; a token (a Negotiate
//     or NTLM blob) is dropped.
//   - Cookie, Set-Cookie: names and attributes are kept; a value becomes a
//     pseudonym ("redacted-" and 12 hex digits of an HMAC under a key made
//     for this bundle and never stored), so equal values stay equal and
//     the affinity checks can still tell "the same cookie came back"; the
//     value itself cannot be had from it. A balancer's persistence cookie
//     (checks.PersistenceCookie) is kept whole: its value names a front
//     end, which is what the affinity checks judge.
//   - PFX passwords are never read by a recorded run (it probes the
//     network), and a trust file keeps only its certificates (certPEM).
type redactor struct {
	key            []byte
	identityCookie string
}

const redactedMark = "[redacted]"

func newRedactor(identityCookie string) *redactor {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return &redactor{key: key, identityCookie: identityCookie}
}

// pseudonym stands for a cookie value; a value that is one already (a
// replayed jar sends back what the bundle held) is kept.
func (r *redactor) pseudonym(v string) string {
	if v == "" || strings.HasPrefix(v, "redacted-") {
		return v
	}
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(v))
	return "redacted-" + hex.EncodeToString(m.Sum(nil))[:12]
}

// header is h with every secret redacted; h is not changed.
func (r *redactor) header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		vs = append([]string(nil), vs...)
		for i, v := range vs {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				vs[i] = credentials(v)
			case "Www-Authenticate", "Proxy-Authenticate", "Authentication-Info":
				vs[i] = challenges(v)
			case "Cookie":
				vs[i] = r.cookieLine(v)
			case "Set-Cookie", "Set-Cookie2":
				vs[i] = r.setCookie(v)
			}
		}
		out[k] = vs
	}
	return out
}

// credentials keeps an Authorization value's scheme.
func credentials(v string) string {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if strings.TrimSpace(rest) == "" {
		return scheme
	}
	return scheme + " " + redactedMark
}

// token68 is an authentication blob (RFC 7235 §2.1), not a parameter.
var token68 = regexp.MustCompile(`^[A-Za-z0-9._~+/-]+=*$`)

// challenges keeps each challenge's scheme and parameters, drops blobs.
func challenges(v string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		f := strings.Fields(p)
		switch {
		case len(f) == 2 && token68.MatchString(f[1]) && !strings.Contains(strings.TrimRight(f[1], "="), "="):
			parts[i] = strings.Replace(p, f[1], redactedMark, 1)
		case len(f) == 1 && i > 0 && strings.HasSuffix(f[0], "=") && token68.MatchString(f[0]):
			parts[i] = " " + redactedMark // a blob's padding after a comma
		}
	}
	return strings.Join(parts, ",")
}

// cookieLine redacts a Cookie header: "a=1; b=2".
func (r *redactor) cookieLine(line string) string {
	parts := strings.Split(line, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			continue
		}
		parts[i] = name + "=" + r.cookieValue(name, val)
		if i > 0 {
			parts[i] = " " + parts[i]
		}
	}
	return strings.Join(parts, ";")
}

// setCookie redacts a Set-Cookie line's value, keeping its attributes.
func (r *redactor) setCookie(line string) string {
	nv, attrs, hasAttrs := strings.Cut(line, ";")
	name, val, ok := strings.Cut(nv, "=")
	if !ok {
		return line
	}
	out := name + "=" + r.cookieValue(strings.TrimSpace(name), val)
	if hasAttrs {
		out += ";" + attrs
	}
	return out
}

func (r *redactor) cookieValue(name, val string) string {
	if checks.PersistenceCookie(name, r.identityCookie) {
		return val
	}
	quoted := strings.HasPrefix(val, `"`) && strings.HasSuffix(val, `"`) && len(val) >= 2
	if quoted {
		return `"` + r.pseudonym(val[1:len(val)-1]) + `"`
	}
	return r.pseudonym(val)
}
