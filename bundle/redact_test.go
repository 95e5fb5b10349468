package bundle

import (
	"net/http"
	"strings"
	"testing"
)

func TestRedactHeaders(t *testing.T) {
	r := newRedactor("SERVERID")
	h := r.header(http.Header{
		"Authorization":       {"Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAu"},
		"Proxy-Authorization": {"Basic dXNlcjpwYXNz"},
		"Www-Authenticate":    {`Negotiate, NTLM TlRMTVNTUAACAAAADAAMADgAAAA=, Basic realm="contoso", Bearer realm="x", error="invalid_token"`},
		"Set-Cookie":          {"ASP.NET_SessionId=abc123; path=/; HttpOnly", "MS-WSMAN=fe01; path=/", "SERVERID=fe02; path=/", `q="quoted"; Secure`},
		"Cookie":              {"ASP.NET_SessionId=abc123; MS-WSMAN=fe01; other=zzz"},
	})
	want := map[string]string{
		"Authorization":       "Negotiate [redacted]",
		"Proxy-Authorization": "Basic [redacted]",
		"Www-Authenticate":    `Negotiate, NTLM [redacted], Basic realm="contoso", Bearer realm="x", error="invalid_token"`,
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	all := strings.Join(h.Values("Set-Cookie"), "\n") + "\n" + h.Get("Cookie")
	for _, secret := range []string{"abc123", "zzz", "quoted", "YIIG", "dXNlcjpwYXNz", "TlRMTVNT"} {
		if strings.Contains(all+h.Get("Authorization")+h.Get("Www-Authenticate"), secret) {
			t.Errorf("%q survived: %s", secret, all)
		}
	}
	for _, kept := range []string{"MS-WSMAN=fe01; path=/", "SERVERID=fe02; path=/", "; path=/; HttpOnly", `q="redacted-`, "; Secure"} {
		if !strings.Contains(all, kept) {
			t.Errorf("%q lost: %s", kept, all)
		}
	}
	// Equal values stay equal, and a pseudonym is kept as it is.
	s1, c1 := h.Values("Set-Cookie")[0], h.Get("Cookie")
	p := strings.TrimPrefix(strings.Split(s1, ";")[0], "ASP.NET_SessionId=")
	if !strings.Contains(c1, "ASP.NET_SessionId="+p) || r.pseudonym(p) != p {
		t.Errorf("pseudonyms differ: %q / %q", s1, c1)
	}
}
