package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/lyncprobe/lyncprobe/probe"
)

// CertFile is a certificate file read for cert inspect: the chain it
// holds, leaf first, as a server would send it.
type CertFile struct {
	Name  string // the path as the user gave it, for reports
	Chain []*x509.Certificate
	// Names are the published names the file is served for
	// (tls.certificate_files[].names); nil = every name no file names.
	Names []string
}

// ReadCertFiles reads each file, PEM, DER or PFX. A PFX password comes
// from the item's password_env or password_file, never from elsewhere;
// a file that cannot be read, or holds no certificate, is an error naming
// it. It stops when ctx ends.
func ReadCertFiles(ctx context.Context, items []config.CertificateFile) ([]CertFile, error) {
	out := make([]CertFile, 0, len(items))
	for _, it := range items {
		chain, err := probe.ReadCertFile(ctx, it.Path, func() (string, error) { return it.PasswordContext(ctx) })
		switch {
		case errors.Is(err, probe.ErrNoCertificate):
			return nil, fmt.Errorf("no certificate in %s", it.Path)
		case errors.Is(err, probe.ErrPFXPassword) && it.PasswordEnv == "" && it.PasswordFile == "":
			err = fmt.Errorf("%w: list the file under tls.certificate_files with password_env or password_file", err)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Path, inputfile.Cause(err))
		}
		out = append(out, CertFile{Name: it.Path, Chain: chain, Names: it.Names})
	}
	return out, nil
}

// FileItems pairs command-line paths with the config's items, so that a
// PFX named on the command line takes its password settings from the
// config; a path the config does not list gets no password.
func FileItems(paths []string, configured []config.CertificateFile) []config.CertificateFile {
	out := make([]config.CertificateFile, 0, len(paths))
	for _, p := range paths {
		abs, _ := filepath.Abs(p)
		item := config.CertificateFile{Path: p}
		if i := slices.IndexFunc(configured, func(c config.CertificateFile) bool { return c.Path == abs }); i >= 0 {
			item = configured[i]
			item.Path = p
		}
		out = append(out, item)
	}
	return out
}

// certFiles are the offline facts: files in place of handshakes.
type certFiles struct {
	names []string // overrides the deployment's published names
	files []CertFile
}

// observations: each file as if served for the names it lists, and a
// file that lists none for every name no file lists (as a proxy serves a
// certificate per name by SNI, and its default one for the rest).
func (cf *certFiles) observations(hosts []string) []hostCerts {
	named := map[string]bool{}
	for _, f := range cf.files {
		for _, n := range f.Names {
			named[n] = true
		}
	}
	out := make([]hostCerts, len(hosts))
	for i, h := range hosts {
		out[i] = hostCerts{Host: h, Resolved: true}
		for _, f := range cf.files {
			if (f.Names == nil && !named[h]) || slices.Contains(f.Names, h) {
				out[i].Seen = append(out[i].Seen, certSeen{Host: h, Via: "file " + f.Name, File: f.Name, Chain: f.Chain})
			}
		}
	}
	return out
}

// newCertFiles are f's certificate files as the run's chains; nil
// when f holds none (the chains come from handshakes).
func newCertFiles(f *Files) *certFiles {
	if f == nil || len(f.Certs) == 0 {
		return nil
	}
	return &certFiles{names: normNames(f.CertNames), files: f.Certs}
}

func normNames(names []string) []string {
	var out []string
	for _, n := range names {
		out = appendNew(out, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), "."))
	}
	return out
}

// maxCAFile caps tls.ca_file, read again by a run after the loader
// checked it (a file may change between the two): as the loader's cap.
const maxCAFile = 4 << 20
