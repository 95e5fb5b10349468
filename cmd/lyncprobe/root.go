package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// Exit codes: the contract CI gates rely on.
const (
	exitOK     = 0
	exitFailed = 1 // a check failed or could not run
	exitTool   = 2 // usage, config, interrupted
)

// errChecksFailed is returned when the report says fail; it prints nothing.
var errChecksFailed = errors.New("checks failed")

// errInterrupted is returned after a partial report on Ctrl-C.
var errInterrupted = errors.New("interrupted")

// usageError marks a command-line mistake.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// IOStreams is where a command reads and writes; tests pass buffers.
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
	OutTTY      bool
	ErrTTY      bool
	NoColorEnv  bool // NO_COLOR is set to a non-empty value
	// Width is the terminal's width for the text report (0: 80 columns).
	Width int
	// GitHubActions is GITHUB_ACTIONS=true: annotate the run for GitHub;
	// StepSummary is $GITHUB_STEP_SUMMARY, the file the summary goes to.
	GitHubActions bool
	StepSummary   string
}

func systemIO() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY:     isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd()),
		ErrTTY:     isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
		NoColorEnv: os.Getenv("NO_COLOR") != "",
		Width:      outputWidth(),

		GitHubActions: os.Getenv("GITHUB_ACTIONS") == "true",
		StepSummary:   os.Getenv("GITHUB_STEP_SUMMARY"),
	}
}

// outputWidth is $COLUMNS when set, else the terminal's width when stdout
// is one, else 0 (the report's 80 columns).
func outputWidth() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return termWidth(os.Stdout.Fd())
}

// Main runs the command line and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], systemIO())
}

func run(ctx context.Context, args []string, ios *IOStreams) int {
	root := newRootCmd(ios)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(err, ios.ErrOut)
}

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errChecksFailed):
		return exitFailed
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "lyncprobe: %v\nRun 'lyncprobe --help' for usage.\n", err)
		return exitTool
	}
	fmt.Fprintf(stderr, "lyncprobe: %v\n", err)
	return exitTool
}

func newRootCmd(ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "lyncprobe",
		Short: "Check a Lync / Skype for Business reverse-proxy deployment from the outside",
		Long: `lyncprobe checks what external clients need from a Lync / Skype for Business
Server deployment published through a reverse proxy: public DNS, the proxy
certificate, Host header forwarding and load-balancer affinity. It names the
root cause and the fix, and exits 0 (pass), 1 (a check failed) or 2 (could
not run).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(), // --version, as `lyncprobe version`
	}
	root.SetVersionTemplate("lyncprobe {{.Version}}\n")
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newCmdCheck(ios, nil), newCmdLab(ios, nil), newCmdCert(ios, nil), newCmdValidate(ios, nil), newCmdVersion(ios))
	root.AddCommand(newCmdChecks(ios), newCmdExplain(ios), newCmdSchema(ios))
	root.AddCommand(newCmdServe(ios), newCmdInit(ios), newCmdDiff(ios), newCmdPublish(ios), newCmdReplay(ios))
	registerCompletions(root)
	return root
}

func newCmdVersion(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the lyncprobe version",
		Args:  cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			fmt.Fprintln(ios.Out, "lyncprobe", versionString())
			fmt.Fprintln(ios.Out, buildDetails())
		},
	}
}

// versionString is -ldflags' version, else the module version Go stamped
// into the binary (a tag, or a pseudo-version of the commit), else
// "devel" with the VCS revision when the build recorded one.
func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return buildVersion(bi)
}

func buildVersion(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		return "devel"
	}
	v := "devel+" + rev[:min(len(rev), 12)]
	if settings["vcs.modified"] == "true" {
		v += ".dirty"
	}
	return v
}
