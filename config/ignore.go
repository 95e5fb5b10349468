package config

import (
	"regexp"
	"strings"
)

// Ignore is one item of `ignore`: a suppression of the results of check ID
// for Target (every target when empty) and Via (every via when empty). A
// suppressed result keeps its status but no longer fails the run.
type Ignore struct {
	ID     string `yaml:"id"`
	Target string `yaml:"target"`
	Via    string `yaml:"via"`
	Reason string `yaml:"reason"`
}

// checkIDPattern is the shape of a check ID: dotted lower-case words
// ("cert.expiry", "http.host-forwarding").
var checkIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(\.[a-z0-9][a-z0-9-]*)+$`)

// checkIgnore requires a check-ID-shaped id and a reason: a suppression
// nobody can explain later is a gate switched off.
func (l *loader) checkIgnore(items []Ignore) {
	for i := range items {
		key := indexKey("ignore", i)
		it := &items[i]
		it.ID = strings.TrimSpace(it.ID)
		if l.require(joinKey(key, "id"), it.ID == "") && !checkIDPattern.MatchString(it.ID) {
			l.fail(joinKey(key, "id"), "must be a check ID such as cert.expiry (see lyncprobe checks)")
		}
		l.require(joinKey(key, "reason"), strings.TrimSpace(it.Reason) == "")
	}
}
