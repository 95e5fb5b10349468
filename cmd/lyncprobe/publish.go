package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/publish"
	"github.com/spf13/cobra"
)

type publishOptions struct {
	IO         *IOStreams
	Family     string
	ConfigPath string
	Out        string
	Listen     []string
	CertFile   string
	KeyFile    string
}

func newCmdPublish(ios *IOStreams) *cobra.Command {
	o := &publishOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "publish nginx|haproxy|apache|arr|tmg|wap",
		Short: "Write the reverse-proxy configuration for the deployment",
		Long: `Write a complete, commented reverse-proxy configuration for the published
names of the deployment file: 443 bridged to the front ends' external web
site on 4443 and 80 to 8080, the Host header forwarded, persistence that
suits the version (source address; the MS-WSMAN cookie for Lync 2010), TLS
1.2 and later, 960-second time-outs for mobile push, certificate paths as
placeholders, and neither the admin URL nor the internal web site
(/cscp, /OcsPowerShell) published. Each block names its rule and the public
Microsoft page it comes from.

nginx, haproxy, apache and arr write a configuration file (stdout, or
--out DIR); tmg and wap, which are configured in a console, print the rule
settings as a numbered checklist (wap with the PowerShell). Backends are
web_services[].backends, else the internal pool FQDN on 4443; ports are
reverse_proxy.port and http_port. Run lyncprobe validate on the result.`,
		Example: `  lyncprobe publish nginx -c lyncprobe.yaml > /etc/nginx/conf.d/lync.conf
  lyncprobe publish haproxy --out proxy/ --cert /etc/haproxy/lync.pem
  lyncprobe publish apache --listen 203.0.113.10 --cert rp-chain.pem --key rp.key
  lyncprobe publish wap`,
		ValidArgs: publish.Families,
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Family = args[0]
			return publishRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.ConfigPath, "config", "c", "lyncprobe.yaml", "deployment config file")
	f.StringVar(&o.Out, "out", "", "write the file into this folder instead of stdout")
	f.StringSliceVar(&o.Listen, "listen", nil, "addresses the proxy listens on (repeatable; default every address)")
	f.StringVar(&o.CertFile, "cert", "", "the certificate chain file (HAProxy: chain and key in one PEM); default a placeholder")
	f.StringVar(&o.KeyFile, "key", "", "the certificate's key file; default a placeholder")
	return cmd
}

func publishRun(ctx context.Context, o *publishOptions) error {
	if !slices.Contains(publish.Families, o.Family) {
		return usageError{fmt.Errorf("unknown proxy %q: want one of %s", o.Family, strings.Join(publish.Families, ", "))}
	}
	dep, err := config.LoadForPublish(ctx, o.ConfigPath)
	if err != nil {
		return missingConfigHint(err)
	}
	var b bytes.Buffer
	err = publish.Write(&b, o.Family, dep, publish.Options{Listen: o.Listen, CertFile: o.CertFile, KeyFile: o.KeyFile})
	if err != nil {
		return fmt.Errorf("%s: %w", o.ConfigPath, err)
	}
	if o.Out == "" {
		_, err = o.IO.Out.Write(b.Bytes())
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(o.Out, publish.FileName[o.Family])
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "lyncprobe: wrote %s\n", path)
	return nil
}
