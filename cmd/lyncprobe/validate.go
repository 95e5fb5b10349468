package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/spf13/cobra"
)

type validateOptions struct {
	IO         *IOStreams
	ConfigPath string
	Only       []string
	PathMap    map[string]string
	Timeout    time.Duration
	Report     reportFlags
}

func newCmdValidate(ios *IOStreams, runF func(context.Context, *validateOptions) error) *cobra.Command {
	o := &validateOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the config and the files it names offline, for a CI gate",
		Long: `Validate the deployment offline, with no network at all: the config file
itself (errors exit 2, as in check), the certificate files under
tls.certificate_files (the cert checks a file can answer), the zone file
dns.zone_file (the dns checks, answered from the file) and the reverse-proxy
configuration files under reverse_proxy.config_files (nginx, HAProxy,
Apache httpd, IIS ARR), parsed and judged. A finding that predicts a live
verdict carries the live check's ID (http.host-forwarding, affinity.sticky,
affinity.cookie, http.internal-site-exposed, cert.san-coverage); findings
only a configuration can show are proxy.* checks. Every finding names the
file and line it is about. Exit codes are check's: 0, 1 on a fail or error
(or warn with --fail-on warn), 2 when validate could not run.`,
		Example: `  lyncprobe validate -c lyncprobe.yaml
  lyncprobe validate -c lyncprobe.yaml --path-map /etc/ssl/lync=ci/certs
  lyncprobe validate -c lyncprobe.yaml --format json --fail-on warn
  lyncprobe validate -c lyncprobe.yaml --only proxy,http`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return usageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return validateRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.ConfigPath, "config", "c", "lyncprobe.yaml", "deployment config file")
	f.StringSliceVar(&o.Only, "only", nil, "report only these modules (dns, cert, http, affinity, proxy)")
	f.DurationVar(&o.Timeout, "timeout", offlineTimeout, "deadline for reading and judging the files")
	f.StringToStringVar(&o.PathMap, "path-map", nil, "read the proxy host's HOSTDIR from the local LOCALDIR (HOSTDIR=LOCALDIR, repeatable; adds to reverse_proxy.path_map)")
	addReportFlags(f, &o.Report)
	return cmd
}

func (o *validateOptions) validate() error {
	if o.Timeout <= 0 {
		return errors.New("--timeout must be positive")
	}
	if err := o.Report.validate(); err != nil {
		return err
	}
	if err := checks.ValidateModules(o.Only); err != nil {
		return fmt.Errorf("--only: %w", err)
	}
	return validateOutputs(o.Report.Outputs)
}

// validateRun reads every file the config names (a file that cannot be
// read or parsed exits 2 naming it), then judges them offline, all under
// --timeout and Ctrl-C.
func validateRun(ctx context.Context, o *validateOptions) (err error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	defer func() { err = timeoutHint(ctx, err, o.Timeout) }()
	dep, err := config.LoadContext(ctx, o.ConfigPath)
	if err != nil {
		return missingConfigHint(err)
	}
	files := &checks.Files{}
	if cz := dep.Zone(); cz != nil { // dns.zone_file, as Load read it
		z, err := answering(cz)
		if err != nil {
			return err
		}
		files.Zones = []*probe.Zone{z}
	}
	if len(dep.TLS.CertificateFiles) > 0 {
		if files.Certs, err = checks.ReadCertFiles(ctx, dep.TLS.CertificateFiles); err != nil {
			return err
		}
	}
	pathMap, err := mergePathMap(dep.ReverseProxy.PathMap, o.PathMap)
	if err != nil {
		return usageError{err}
	}
	if files.Proxy, err = checks.ParseProxyConfigs(ctx, dep.ReverseProxy.ConfigFiles, pathMap); err != nil {
		return err
	}
	if files.Zones == nil && files.Certs == nil && files.Proxy == nil {
		fmt.Fprintln(o.IO.ErrOut, "lyncprobe: the config names no file to validate (dns.zone_file, tls.certificate_files, reverse_proxy.config_files): only the config itself was checked")
	}
	start := time.Now()
	results, took := fleet.RunOne(ctx, dep, fleet.Options{Check: checks.Options{Only: o.Only, Files: files, Locate: true}})
	rep := report.Report{Catalog: checks.Catalog(), Command: "validate", Deployment: dep.Name, Results: results, Duration: took,
		Locate: locateIn(dep), ConfigDir: configDirOf(dep), Run: runHeader(start, nil)}
	return finishReport(parent, o.IO, o.Report, rep)
}

// mergePathMap adds the --path-map flags (local folders relative to the
// working directory) to the config's reverse_proxy.path_map.
func mergePathMap(fromConfig, fromFlags map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range fromConfig {
		out[k] = v
	}
	for k, v := range fromFlags {
		if !filepath.IsAbs(k) && !strings.HasPrefix(k, "/") {
			return nil, fmt.Errorf("--path-map %s=%s: HOSTDIR must be absolute, as the proxy host names it", k, v)
		}
		abs, err := filepath.Abs(v)
		if err != nil {
			return nil, fmt.Errorf("--path-map %s=%s: %v", k, v, err)
		}
		out[k] = abs
	}
	return out, nil
}

// offlineTimeout is --timeout of the offline commands (validate, cert
// inspect): longer than check's, as nothing waits on a network but the
// files can be large (a zone file may hold 64 MiB).
const offlineTimeout = time.Minute

// timeoutHint names --timeout in an error that ctx's deadline caused, so
// that "context deadline exceeded" says which setting ran out. A report
// already written (errChecksFailed) is left as it is.
func timeoutHint(ctx context.Context, err error, d time.Duration) error {
	if err == nil || errors.Is(err, errChecksFailed) || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w (--timeout %s ran out)", err, d)
}
