package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/spf13/cobra"
)

type initOptions struct {
	IO          *IOStreams
	Path        string
	SIPDomains  []string
	WebServices []string
	Force       bool
}

func newCmdInit(ios *IOStreams) *cobra.Command {
	o := &initOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a starter lyncprobe.yaml",
		Long: `Write a starter deployment file: the commented example of every key, or,
with --sip-domain (and --web-services), a short file for that deployment
with the usual simple URLs (meet.<domain>, dialin.<domain>) to edit.
An existing file is kept unless --force.`,
		Example: `  lyncprobe init
  lyncprobe init --sip-domain contoso.com --web-services webext.contoso.com
  lyncprobe init -c deployments/fabrikam.yaml --sip-domain fabrikam.com`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return initRun(o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.Path, "config", "c", "lyncprobe.yaml", "the file to write")
	f.StringSliceVar(&o.SIPDomains, "sip-domain", nil, "SIP domain (repeatable or comma-separated): build the file for it")
	f.StringSliceVar(&o.WebServices, "web-services", nil, "external web services FQDN of each pool (default webext.<first SIP domain>)")
	f.BoolVar(&o.Force, "force", false, "overwrite an existing file")
	return cmd
}

func initRun(o *initOptions) error {
	if len(o.WebServices) > 0 && len(o.SIPDomains) == 0 {
		return usageError{errors.New("--web-services needs --sip-domain")}
	}
	body, next := config.ExampleYAML, "edit it (the example names a zone, certificates and proxy configs: point them at yours or delete them), then: lyncprobe check -c "+o.Path
	if len(o.SIPDomains) > 0 {
		body, next = starterYAML(o.SIPDomains, o.WebServices), "check it with: lyncprobe check -c "+o.Path
		// The file must load: a starter the tool itself refuses helps nobody.
		if _, err := config.Parse([]byte(body), o.Path); err != nil {
			return usageError{fmt.Errorf("these values do not make a valid config: %w", err)}
		}
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_EXCL
	if o.Force {
		flags = os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	}
	f, err := os.OpenFile(o.Path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return usageError{fmt.Errorf("%s exists: keep it, or overwrite it with --force", o.Path)}
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString(body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.Out, "wrote %s; %s\n", o.Path, next)
	return nil
}

// starterYAML is a short deployment file for the given domains: the
// usual simple URL names, to be edited where a deployment differs.
func starterYAML(domains, webServices []string) string {
	if len(webServices) == 0 {
		webServices = []string{"webext." + domains[0]}
	}
	var b strings.Builder
	b.WriteString("# lyncprobe deployment file, written by lyncprobe init.\n")
	b.WriteString("# 'lyncprobe init' without flags writes an example of every key.\n")
	fmt.Fprintf(&b, "name: %s\n", strings.SplitN(domains[0], ".", 2)[0])
	fmt.Fprintf(&b, "sip_domains: [%s]\n", strings.Join(domains, ", "))
	b.WriteString("# The external web services FQDN of each Front End pool or Director.\nweb_services:\n")
	for _, ws := range webServices {
		fmt.Fprintf(&b, "  - external: %s\n", ws)
	}
	b.WriteString("# The simple URLs as Topology Builder shows them: one meet URL per SIP domain.\nsimple_urls:\n  meet:\n")
	for _, d := range domains {
		fmt.Fprintf(&b, "    - https://meet.%s\n", d)
	}
	fmt.Fprintf(&b, "  dialin: https://dialin.%s\n", domains[0])
	b.WriteString("# Uncomment to check that the names resolve to the reverse proxy:\n# reverse_proxy:\n#   addresses: [203.0.113.10]\n")
	return b.String()
}

// missingConfigHint adds how to make a config to an error about a config
// file that does not exist.
func missingConfigHint(err error) error {
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (write a starter one with: lyncprobe init)", err)
	}
	return err
}
