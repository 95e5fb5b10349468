package result

import "testing"

func TestURLHost(t *testing.T) {
	tests := map[string]string{
		"https://Meet.Contoso.COM./meet":      "meet.contoso.com",
		"https://meet.contoso.com:4443/x?y=z": "meet.contoso.com",
		"https://[2001:DB8::1]:443/":          "2001:db8::1",
		"meet.contoso.com":                    "", // no scheme: a path, no host
		"https://meet.contoso.com:bad":        "", // unparsable
	}
	for target, want := range tests {
		if got := URLHost(target); got != want {
			t.Errorf("URLHost(%q) = %q, want %q", target, got, want)
		}
	}
}
