package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
//	  - {path: httpd/conf/httpd.conf, root: httpd}
//
// root is the local folder that stands for the proxy's configuration
// root (nginx's prefix, Apache's ServerRoot), for files checked out
// somewhere else than on the proxy host.
type ProxyConfigFile struct {
	Path   string // absolute after Load
	Family string // "" = detect from the file name and content
	Root   string // "" = the family's default; absolute after Load
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
	return stringFields(n, map[string]*string{"path": &c.Path, "family": &c.Family, "root": &c.Root}, "path, family or root")
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
		case l.unwrittenProxyFiles:
			c.Path = l.abs(c.Path)
		default:
			l.readable(ik, &c.Path, "")
			if c.Root != "" {
				l.localDir(ik+".root", &c.Root)
			}
		}
	}
}

// checkPathMap: each key is an absolute path as the proxy host names it,
// each value a local folder (relative to the config's folder), made
// absolute.
func (l *loader) checkPathMap(key string, m map[string]string) {
	for from, to := range m {
		switch {
		case !filepath.IsAbs(from) && !strings.HasPrefix(from, "/"):
			l.fail(key, "%s: must be an absolute path, as the proxy host names it", from)
		case strings.TrimSpace(to) == "":
			l.fail(key, "%s: needs a local folder", from)
		default:
			// Not required to exist: what it would hold is then "not
			// here", which validate reports as skip.
			if !filepath.IsAbs(to) {
				to = filepath.Join(filepath.Dir(l.file), to)
			}
			if abs, err := filepath.Abs(to); err == nil {
				to = abs
			}
			m[from] = to
		}
	}
}

// localDir makes a folder absolute against the config's folder and checks
// it is one.
func (l *loader) localDir(key string, p *string) {
	path := *p
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(l.file), path)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	*p = path
	if l.recorded {
		return
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		l.fail(key, "%s is not a folder here", path)
	}
}

// PathMap is reverse_proxy.path_map: absolute paths as the proxy host
// names them, each mapped to a local folder.
type PathMap map[string]string

// UnmarshalYAML reads a mapping of strings to strings.
func (m *PathMap) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("must be a mapping of proxy host folders to local folders")
	}
	out := PathMap{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || v.ShortTag() == nullTag {
			return fmt.Errorf("%s: must map a folder to a folder", k.Value)
		}
		if _, dup := out[k.Value]; dup {
			return fmt.Errorf("%s: duplicate key", k.Value)
		}
		out[k.Value] = v.Value
	}
	*m = out
	return nil
}

func (PathMap) jsonSchema() map[string]any {
	return map[string]any{
		"description":          schemaDescriptions["reverse_proxy.path_map"],
		"type":                 "object",
		"additionalProperties": map[string]any{"type": "string"},
	}
}

// abs is path relative to the config file's folder, made absolute.
func (l *loader) abs(path string) string {
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(l.file), path)
	}
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}
