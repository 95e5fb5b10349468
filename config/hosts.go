package config

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// normHost lower-cases a host name and strips the root dot, so that names
// compare equal however they were typed.
func normHost(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// validDNSName reports whether s (lower case) is a DNS host name: labels
// of letters, digits and inner hyphens, at most 63 bytes each, 253 in all.
func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, label := range labels {
		if !validLabel(label) {
			return false
		}
	}
	// A numeric last label means a mistyped IP address, not a name.
	_, err := strconv.Atoi(labels[len(labels)-1])
	return err != nil
}

func validLabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for _, c := range []byte(label) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// fqdnProblem says why s (normalised) is not a fully qualified host name,
// or "" when it is one. The common mistakes get their own words.
func fqdnProblem(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case strings.Contains(s, "/"):
		return "must be a host name, not a URL"
	case isIP(s):
		return "must be a DNS name, not an IP address"
	case strings.Contains(s, ":"):
		return "must not contain a port"
	case !validDNSName(s):
		return "must be a valid DNS name"
	case !strings.Contains(s, "."):
		return "must be a fully qualified DNS name (at least two labels)"
	}
	return ""
}

// splitHostPort parses "host", "host:port", "[v6]" or "[v6]:port" and
// returns the normalised "host:port". defPort 0 means the port is required.
// A bare IPv6 address is refused: in "2001:db8::1:53" the port is ambiguous.
func splitHostPort(s string, defPort int) (string, string) {
	form := "must be host or host:port"
	if defPort == 0 {
		form = "must be host:port"
	}
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") && strings.Count(s, ":") > 1 {
		return "", "IPv6 addresses must be in brackets, e.g. [2001:db8::1]:443"
	}
	host, port, ok := cutPort(s)
	if !ok {
		return "", form
	}
	host = normHost(host)
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.String()
	} else if !validDNSName(host) {
		return "", "host must be an IP address or a valid DNS name"
	}
	n := defPort
	if port != "" {
		var err error
		if n, err = strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", "port must be between 1 and 65535"
		}
	}
	if n == 0 {
		return "", form
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), ""
}

// cutPort splits off an optional port; ok is false when s is malformed.
func cutPort(s string) (host, port string, ok bool) {
	switch {
	case s == "":
		return "", "", false
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		host = s[1 : len(s)-1]
		return host, "", strings.Contains(host, ":")
	case strings.Contains(s, ":"):
		host, port, err := net.SplitHostPort(s)
		bracketsOK := !strings.HasPrefix(s, "[") || strings.Contains(host, ":")
		return host, port, err == nil && host != "" && port != "" && bracketsOK
	case strings.HasPrefix(s, "["):
		return "", "", false
	}
	return s, "", true
}

// validHeaderName reports whether s is an HTTP field name (an RFC 9110 token).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
