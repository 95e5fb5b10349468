package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/spf13/cobra"
)

// labFlags are shared by `check --lab` and `lab`.
type labFlags struct {
	Faults   []string
	Nodes    int
	LB       string
	Latency  time.Duration
	Version  string
	OWA      bool
	Hardened bool
	// SNICerts, CrossCert: certificate settings (lab.Options).
	SNICerts, CrossCert bool
	// Regions, Dual, HTTP: topology settings (lab.Options Regions,
	// DualStack, DiscoverHTTPOnly).
	Regions int
	Dual    bool
	HTTP    bool
	ECDSA   bool
	specs   []lab.FaultSpec
}

var labFlagNames = []string{"fault", "lab-nodes", "lab-lb", "lab-latency", "lab-version", "lab-owa", "lab-sni-certs", "lab-cross-cert", "lab-hardened",
	"lab-regions", "lab-dual-stack", "lab-discover-http-only", "lab-ecdsa"}

func (l *labFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&l.Faults, "fault", nil, "switch on a lab fault NAME[=ARG] (repeatable; see lyncprobe lab --list-faults)")
	f.IntVar(&l.Nodes, "lab-nodes", 1, "reverse-proxy nodes in the lab (more than 1 puts a balancer in front)")
	f.StringVar(&l.LB, "lab-lb", "", "how the lab proxy keeps a client on a front end: source-ip or cookie (default source-ip; cookie for --lab-version lync2010 and --lab-hardened)")
	f.DurationVar(&l.Latency, "lab-latency", 0, "delay added to each lab DNS answer, connection and response")
	f.StringVar(&l.Version, "lab-version", config.DefaultVersion, "version the lab emulates: "+strings.Join(config.Versions, ", "))
	f.BoolVar(&l.OWA, "lab-owa", false, "also emulate an Office Web Apps host (owa.contoso.test) published by the lab proxy")
	f.BoolVar(&l.SNICerts, "lab-sni-certs", false, "the lab proxy serves lyncdiscover (and owa) with certificates of their own, chosen by SNI")
	f.BoolVar(&l.CrossCert, "lab-cross-cert", false, "the lab proxy's chain also carries an expired cross-certificate beside the valid path")
	f.BoolVar(&l.Hardened, "lab-hardened", false, "the lab proxy strips Server, X-Powered-By, X-AspNet-Version and X-MS-Server-Fqdn, as a security-reviewed proxy does (implies --lab-lb cookie unless given)")
	f.IntVar(&l.Regions, "lab-regions", 1, "regions in the lab (geo-DNS): each with its own proxy node and DNS view (1-4)")
	f.BoolVar(&l.HTTP, "lab-discover-http-only", false, "publish lyncdiscover over HTTP only (a port of its own), with no lyncdiscover name on the certificate")
	f.BoolVar(&l.ECDSA, "lab-ecdsa", false, "the lab proxy and Edge serve ECDSA P-256 certificates instead of RSA-2048 (cheaper handshakes, for benchmarks and fleet tests; real proxies mostly serve RSA)")
	f.BoolVar(&l.Dual, "lab-dual-stack", false, "the lab proxy also listens on ::1, and the published names get AAAA records")
}

func (l *labFlags) changed(cmd *cobra.Command) bool {
	return slices.ContainsFunc(labFlagNames, cmd.Flags().Changed)
}

func (l *labFlags) validate() error {
	l.specs = nil
	for _, f := range l.Faults {
		s, err := lab.ParseFault(f)
		if err != nil {
			return fmt.Errorf("--fault: %w%s", err, didYouMean(strings.SplitN(f, "=", 2)[0], faultNames()))
		}
		l.specs = append(l.specs, s)
	}
	if l.Nodes < 1 {
		return errors.New("--lab-nodes must be at least 1")
	}
	if l.Regions < 1 || l.Regions > 4 {
		return errors.New("--lab-regions must be between 1 and 4")
	}
	if l.LB != "" && l.LB != "source-ip" && l.LB != "cookie" {
		return fmt.Errorf("--lab-lb %q: want source-ip or cookie", l.LB)
	}
	if l.Latency < 0 {
		return errors.New("--lab-latency must not be negative")
	}
	if !slices.Contains(config.Versions, l.Version) {
		return fmt.Errorf("--lab-version %q: want one of %s", l.Version, strings.Join(config.Versions, ", "))
	}
	return nil
}

func (l *labFlags) options(dir string) lab.Options {
	return lab.Options{Faults: l.specs, Nodes: l.Nodes, LB: l.LB, Latency: l.Latency, Version: l.Version, Dir: dir, OWA: l.OWA,
		SNICerts: l.SNICerts, CrossCert: l.CrossCert, Regions: l.Regions, DualStack: l.Dual, DiscoverHTTPOnly: l.HTTP, ECDSA: l.ECDSA}
}

type labOptions struct {
	IO         *IOStreams
	Flags      labFlags
	Dir        string
	ListFaults bool
}

func newCmdLab(ios *IOStreams, runF func(context.Context, *labOptions) error) *cobra.Command {
	o := &labOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Run the embedded lab deployment until interrupted",
		Long: `Start the embedded lab (DNS server, CA, TLS reverse proxy, emulated front
ends) on loopback and keep it running until Ctrl-C. It writes a ready config
file and the CA file and prints their paths, so that lyncprobe check -c can
be pointed at it from another terminal.`,
		Example: `  lyncprobe lab
  lyncprobe lab --fault missing-dns=dialin --dir /tmp/lablab
  lyncprobe lab --list-faults`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Flags.validate(); err != nil {
				return usageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return labRun(cmd.Context(), o)
		},
	}
	o.Flags.add(cmd)
	cmd.Flags().StringVar(&o.Dir, "dir", "", "folder for the config and CA files (default: a new temporary folder)")
	cmd.Flags().BoolVar(&o.ListFaults, "list-faults", false, "print the fault table and exit")
	cmd.AddCommand(newCmdLabFrontEnds(ios, nil))
	return cmd
}

// labShutdownWait bounds how long `lyncprobe lab` waits, once told to
// stop, for the requests in flight.
const labShutdownWait = 10 * time.Second

func labRun(ctx context.Context, o *labOptions) error {
	if o.ListFaults {
		return listFaults(o.IO)
	}
	l, err := lab.Start(ctx, o.Flags.options(o.Dir))
	if err != nil {
		return fmt.Errorf("start the lab: %w", err)
	}
	fmt.Fprintf(o.IO.Out, "lab running\nconfig:  %s\nCA file: %s\n\ncheck it from another terminal with:\n  lyncprobe check -c %s\n\nCtrl-C stops the lab.\n",
		l.ConfigPath, l.CAFile, l.ConfigPath)
	<-ctx.Done()
	// Finish the requests in flight (a check run from another terminal)
	// before the lab goes away.
	stopCtx, cancel := context.WithTimeout(context.Background(), labShutdownWait)
	defer cancel()
	err = l.Shutdown(stopCtx)
	fmt.Fprintln(o.IO.ErrOut, "lab stopped")
	return err
}

func listFaults(ios *IOStreams) error {
	tw := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tDIAGNOSED BY\tDESCRIPTION")
	for _, f := range lab.Faults {
		name := f.Usage()
		var must []string
		for _, m := range f.Must {
			if d := m.ID + " (" + m.Status + ")"; !slices.Contains(must, d) {
				must = append(must, d)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, strings.Join(must, ", "), f.Description)
	}
	return tw.Flush()
}

// faultNames are the lab's fault names, for "did you mean".
func faultNames() []string {
	names := make([]string, 0, len(lab.Faults))
	for _, f := range lab.Faults {
		names = append(names, f.Name)
	}
	return names
}
