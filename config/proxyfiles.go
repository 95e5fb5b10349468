package config

import (
	"errors"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ProxyFamilies are the reverse-proxy configuration dialects `lyncprobe
// validate` parses.
var ProxyFamilies = []string{"nginx", "haproxy", "apache", "arr"}

// ProxyConfigFile is one item of reverse_proxy.config_files: a reverse
// proxy's configuration file that `lyncprobe validate` parses. It is
// written as a bare path, or as a mapping when the family must be named
// because detection by file name and content would guess wrong:
//
//	config_files:
//	  - nginx/lync.conf
//	  - {path: edge/haproxy.cfg, family: haproxy}
type ProxyConfigFile struct {
	Path   string // absolute after Load
	Family string // "" = detect from the file name and content
}

// UnmarshalYAML reads either form.
func (c *ProxyConfigFile) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		c.Path = n.Value
		return nil
	case yaml.MappingNode:
		return c.fromMapping(n)
	}
	return errors.New("must be a path or a mapping with path and family")
}

func (c *ProxyConfigFile) fromMapping(n *yaml.Node) error {
	return stringFields(n, map[string]*string{"path": &c.Path, "family": &c.Family}, "path or family")
}

// checkProxyConfigFiles makes the paths absolute against the config's
// folder, checks each can be read and that a given family is known.
func (l *loader) checkProxyConfigFiles(key string, items []ProxyConfigFile) {
	for i := range items {
		c := &items[i]
		ik := indexKey(key, i)
		c.Family = strings.ToLower(strings.TrimSpace(c.Family))
		switch {
		case strings.TrimSpace(c.Path) == "":
			l.fail(ik, "path: required")
		case c.Family != "" && !slices.Contains(ProxyFamilies, c.Family):
			l.fail(ik, "family: must be one of %s", strings.Join(ProxyFamilies, ", "))
		default:
			l.readable(ik, &c.Path, "")
		}
	}
}
