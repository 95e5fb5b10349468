package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"go.yaml.in/yaml/v3"
)

// CertificateFile is one item of tls.certificate_files: a certificate file
// (PEM, DER or PFX) that `lyncprobe cert inspect` judges offline. It is
// written as a bare path, or as a mapping when a PFX needs a password:
//
//	certificate_files:
//	  - rp-chain.pem
//	  - {path: rp.pfx, password_env: RP_PFX_PASSWORD}
//	  - {path: old.pfx, password_file: /run/secrets/old-pfx}
//	  - {path: discover-chain.pem, names: [lyncdiscover.contoso.com]}
//
// A password never sits in the config file itself, nor on a command line.
// names says which published names the proxy serves the file for (a
// certificate per name, chosen by SNI); a file without names serves every
// name no other file names.
type CertificateFile struct {
	Path         string   // absolute after Load
	PasswordEnv  string   // name of an environment variable holding the PFX password
	PasswordFile string   // a file holding the PFX password; absolute after Load
	Names        []string // lower-case FQDNs the file is served for; nil = the rest
}

// UnmarshalYAML reads either form. Problems name the inner key, so that
// the loader's message reads "tls.certificate_files[1]: passwd: unknown key".
func (c *CertificateFile) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		c.Path = n.Value
		return nil
	case yaml.MappingNode:
		return c.fromMapping(n)
	}
	return errors.New("must be a path or a mapping with path and password_env or password_file")
}

func (c *CertificateFile) fromMapping(n *yaml.Node) error {
	rest := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "names" {
			rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
			continue
		}
		if c.Names != nil {
			return errors.New("names: duplicate key")
		}
		names, err := certNames(n.Content[i+1])
		if err != nil {
			return fmt.Errorf("names: %w", err)
		}
		c.Names = names
	}
	fields := map[string]*string{"path": &c.Path, "password_env": &c.PasswordEnv, "password_file": &c.PasswordFile}
	return stringFields(rest, fields, "path, password_env, password_file or names")
}

// certNames reads a non-empty list of host names, lower-cased.
func certNames(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, errors.New("must be a non-empty list of host names")
	}
	out := make([]string, 0, len(n.Content))
	for _, v := range n.Content {
		name := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(v.Value)), ".")
		if v.Kind != yaml.ScalarNode || name == "" || strings.ContainsAny(name, " /:") {
			return nil, fmt.Errorf("%q is not a host name", v.Value)
		}
		out = append(out, name)
	}
	return out, nil
}

// stringFields reads a mapping of string values into fields: the short
// form of list items that are "a path, or a mapping" (certificate files,
// proxy config files). want names the keys for the error.
func stringFields(n *yaml.Node, fields map[string]*string, want string) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p, ok := fields[k.Value]
		switch {
		case !ok:
			return fmt.Errorf("%s: unknown key (want %s)", keyName(k.Value), want)
		case seen[k.Value]:
			return fmt.Errorf("%s: duplicate key", keyName(k.Value))
		case v.Kind != yaml.ScalarNode || v.ShortTag() == nullTag:
			return fmt.Errorf("%s: must be a string", keyName(k.Value))
		}
		seen[k.Value] = true
		*p = v.Value
	}
	return nil
}

// Password is the PFX password from the environment variable or the file
// the item names, "" when it names neither.
func (c CertificateFile) Password() (string, error) {
	return c.PasswordContext(context.Background())
}

// PasswordContext is Password that reads password_file under ctx.
func (c CertificateFile) PasswordContext(ctx context.Context) (string, error) {
	switch {
	case c.PasswordEnv != "":
		pw, ok := os.LookupEnv(c.PasswordEnv)
		if !ok {
			return "", fmt.Errorf("the environment variable %s (password_env) is not set", c.PasswordEnv)
		}
		return pw, nil
	case c.PasswordFile != "":
		data, err := readFileCapped(ctx, c.PasswordFile, maxPasswordFile)
		if err != nil {
			return "", fmt.Errorf("cannot read its password_file: %w", err)
		}
		return strings.TrimRight(string(data), "\r\n"), nil
	}
	return "", nil
}

// checkCertificateFiles makes the paths absolute against the config's
// folder and checks that each file can be read now, not at inspect time.
func (l *loader) checkCertificateFiles(key string, items []CertificateFile) {
	for i := range items {
		c := &items[i]
		ik := indexKey(key, i)
		switch {
		case strings.TrimSpace(c.Path) == "":
			l.fail(ik, "path: required")
		case c.PasswordEnv != "" && c.PasswordFile != "":
			l.fail(ik, "password_env and password_file exclude each other")
		case c.PasswordEnv != "" && strings.ContainsAny(c.PasswordEnv, "= \t"):
			l.fail(ik, "password_env: must be the name of an environment variable")
		default:
			l.readable(ik, &c.Path, "")
			if c.PasswordFile != "" {
				l.readable(ik, &c.PasswordFile, "password_file: ")
			}
		}
	}
}

// readable makes *p absolute against the config file's folder and reports
// a file that cannot be read.
func (l *loader) readable(key string, p *string, what string) {
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
	if err := inputfile.Check(path); err != nil {
		l.fail(key, "%scannot read %s: %v", what, path, inputfile.Cause(err))
	}
}
