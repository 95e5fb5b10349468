package result

import (
	"net/url"
	"strings"
)

// URLHost is the host a URL target names, lower-case and without a
// trailing dot; "" for a target that is not a URL (a bare name). It is
// config.HostOf, here so that readers of results need not import config
// (which reads zone files through miekg/dns).
func URLHost(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}
