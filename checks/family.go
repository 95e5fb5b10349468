package checks

import (
	"strings"
)

// familyOfServer is the proxy family a Server header names, "" for none
// (and for IIS, which is the front ends' as much as ARR's).
func familyOfServer(server string) string {
	s := strings.ToLower(server)
	switch {
	case strings.HasPrefix(s, "nginx"), strings.HasPrefix(s, "openresty"):
		return "nginx"
	case strings.HasPrefix(s, "apache"):
		return "apache"
	case strings.HasPrefix(s, "haproxy"):
		return "haproxy"
	case strings.HasPrefix(s, "bigip"), strings.HasPrefix(s, "big-ip"):
		return "f5"
	case strings.Contains(s, "kemp"), strings.Contains(s, "loadmaster"):
		return "kemp"
	}
	return ""
}
