package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/spf13/cobra"
)

type labFrontEndsOptions struct {
	IO         *IOStreams
	Listen     []string
	PublicPort int
	Version    string
	Dir        string
	CertFile   string
	KeyFile    string
	ProxyCert  bool
}

func newCmdLabFrontEnds(ios *IOStreams, runF func(context.Context, *labFrontEndsOptions) error) *cobra.Command {
	o := &labFrontEndsOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "frontends",
		Short: "Serve only the emulated front ends, to put a real reverse proxy in front of them",
		Long: `Serve the lab's emulated front ends (each one a Front End's External web
site: Autodiscover, meet, dial-in, the web app, UCWA) over HTTPS on the given
addresses until Ctrl-C, without the lab's own DNS, proxy or Edge. Point a real
reverse proxy (nginx, HAProxy, Apache, IIS ARR) at them as its backends and
check the proxy with lyncprobe check: this is how to test a new reverse proxy
in staging before the real servers exist. Each front end names itself in
X-MS-Server-Fqdn (fe01.pool01.contoso.local, ...), so the affinity checks see
which one served. Without --cert/--key the certificate is minted from a new
internal CA (its file is printed: the proxy's backend trust). With
--proxy-cert it also writes a public certificate for the published names
(webext, meet, dialin, lyncdiscover .contoso.test), its key and its root, for
the proxy to serve and for tls.ca_file.`,
		Example: `  lyncprobe lab frontends --listen 127.0.0.1:4443 --listen 127.0.0.1:4444 --public-port 8443
  lyncprobe lab frontends --listen 10.0.0.21:4443 --cert fe.pem --key fe.key
  lyncprobe lab frontends --proxy-cert --dir /tmp/staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return usageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return labFrontEndsRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Listen, "listen", nil, "address of one front end, host:port, port 0 = a free one (repeatable; default two on 127.0.0.1)")
	f.IntVar(&o.PublicPort, "public-port", 443, "the HTTPS port the proxy publishes, which the front ends put in their links")
	f.StringVar(&o.Version, "version", config.DefaultVersion, "version the front ends emulate: "+strings.Join(config.Versions, ", "))
	f.StringVar(&o.Dir, "dir", "", "folder for the certificate files (default: a new temporary folder)")
	f.StringVar(&o.CertFile, "cert", "", "the front ends' certificate (PEM; default: minted from a new internal CA)")
	f.StringVar(&o.KeyFile, "key", "", "the key of --cert (PEM)")
	f.BoolVar(&o.ProxyCert, "proxy-cert", false, "also write a public certificate, key and root for the proxy to serve")
	return cmd
}

func (o *labFrontEndsOptions) validate() error {
	if (o.CertFile == "") != (o.KeyFile == "") {
		return errors.New("--cert and --key go together")
	}
	if o.PublicPort < 0 || o.PublicPort > 65535 {
		return fmt.Errorf("--public-port %d: want 0 to 65535", o.PublicPort)
	}
	if !slices.Contains(config.Versions, o.Version) {
		return fmt.Errorf("--version %q: want one of %s", o.Version, strings.Join(config.Versions, ", "))
	}
	return nil
}

func labFrontEndsRun(ctx context.Context, o *labFrontEndsOptions) error {
	fes, err := lab.StartFrontEnds(ctx, lab.FrontEndOptions{Addrs: o.Listen, PublicPort: o.PublicPort,
		Version: o.Version, Dir: o.Dir, CertFile: o.CertFile, KeyFile: o.KeyFile})
	if err != nil {
		return fmt.Errorf("start the front ends: %w", err)
	}
	defer fes.Close()
	out := o.IO.Out
	fmt.Fprintln(out, "front ends running")
	for i, a := range fes.Addrs {
		fmt.Fprintf(out, "  %s  %s\n", fes.Names[i], a)
	}
	fmt.Fprintf(out, "certificate: %s\n", fes.CertFile)
	if fes.CAFile != "" {
		fmt.Fprintf(out, "internal CA: %s\n", fes.CAFile)
	}
	if o.ProxyCert {
		pc, err := lab.WriteProxyCert(fes.Dir, lab.ProxyCertOptions{})
		if err != nil {
			return fmt.Errorf("write the proxy certificate: %w", err)
		}
		fmt.Fprintf(out, "proxy certificate: %s\nproxy key: %s\npublic root (tls.ca_file): %s\n", pc.ChainFile, pc.KeyFile, pc.RootFile)
	}
	fmt.Fprintln(out, "\nCtrl-C stops them.")
	<-ctx.Done()
	fmt.Fprintln(o.IO.ErrOut, "front ends stopped")
	return nil
}
