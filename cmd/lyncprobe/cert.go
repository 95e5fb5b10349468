package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/spf13/cobra"
)

type certInspectOptions struct {
	IO         *IOStreams
	ConfigPath string
	Names      []string
	Files      []string
	Timeout    time.Duration
	Report     reportFlags
}

func newCmdCert(ios *IOStreams, runF func(context.Context, *certInspectOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cert",
		Short: "Certificate tools",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCmdCertInspect(ios, runF))
	return cmd
}

func newCmdCertInspect(ios *IOStreams, runF func(context.Context, *certInspectOptions) error) *cobra.Command {
	o := &certInspectOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "inspect [FILE...]",
		Short: "Check certificate files offline against the published names",
		Long: `Check certificate files (PEM, DER or PFX/PKCS#12) against the deployment's
published names with the same checks and verdicts as a live run, without
any network: SAN coverage, all names, chain, expiry, subject, key usage. It
is a CI gate for a certificate before it is installed.

With no FILE, the files listed under tls.certificate_files are read. A PFX
password comes from that list (password_env or password_file), never from
the command line, and is never printed.`,
		Example: `  lyncprobe cert inspect -c lyncprobe.yaml
  lyncprobe cert inspect -c lyncprobe.yaml new-rp.pem
  lyncprobe cert inspect --name meet.contoso.com --name dialin.contoso.com new-rp.pem`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			if err := o.validate(cmd); err != nil {
				return usageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return certInspectRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.ConfigPath, "config", "c", "lyncprobe.yaml", "deployment config file: its published names, tls.ca_file, tls.warn_days")
	f.DurationVar(&o.Timeout, "timeout", offlineTimeout, "deadline for reading and judging the files")
	f.StringSliceVar(&o.Names, "name", nil, "a name the certificate must cover, instead of a config (repeatable)")
	addReportFlags(f, &o.Report)
	return cmd
}

func (o *certInspectOptions) validate(cmd *cobra.Command) error {
	switch {
	case o.Timeout <= 0:
		return errors.New("--timeout must be positive")
	case len(o.Names) > 0 && cmd.Flags().Changed("config"):
		return errors.New("--name and --config exclude each other")
	case len(o.Names) > 0 && len(o.Files) == 0:
		return errors.New("--name needs certificate FILE arguments")
	}
	return o.Report.validate()
}

func certInspectRun(ctx context.Context, o *certInspectOptions) (err error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	defer func() { err = timeoutHint(ctx, err, o.Timeout) }()
	// --name: no config, so no tls.ca_file, and tls.warn_days' default.
	dep := &config.Deployment{Name: "cert inspect", TLS: config.TLS{WarnDays: config.DefaultWarnDays}}
	items := checks.FileItems(o.Files, nil)
	if len(o.Names) == 0 {
		if dep, err = config.LoadContext(ctx, o.ConfigPath); err != nil {
			if errors.Is(err, fs.ErrNotExist) && len(o.Files) > 0 {
				// Files but no config: the names can come from flags.
				return fmt.Errorf("%w: name the names the certificate must cover with --name (repeatable), or give a config with -c", err)
			}
			return missingConfigHint(err)
		}
		items = dep.TLS.CertificateFiles
		if len(o.Files) > 0 {
			items = checks.FileItems(o.Files, dep.TLS.CertificateFiles)
		}
	}
	if len(items) == 0 {
		return usageError{errors.New("no certificate file: name FILEs, or list them under tls.certificate_files in the config")}
	}
	files, err := checks.ReadCertFiles(ctx, items)
	if err != nil {
		return err
	}
	start := time.Now()
	results, took := fleet.RunOne(ctx, dep, fleet.Options{Check: checks.Options{Files: &checks.Files{Certs: files, CertNames: o.Names}}})
	return finishReport(parent, o.IO, o.Report, report.Report{Catalog: checks.Catalog(), Command: "cert inspect", Deployment: dep.Name, Results: results, Duration: took,
		Locate: locateIn(dep), ConfigDir: configDirOf(dep), Run: runHeader(start, nil)})
}
