package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/spf13/cobra"
)

// The knowledge base: the check catalogue (checks.Registry and each
// check's About) as commands.

func newCmdChecks(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "checks",
		Short: "List the check catalogue: ID, module, title",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tMODULE\tTITLE")
			for _, c := range checks.Registry() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, c.Module, c.Title)
			}
			return tw.Flush()
		},
	}
}

func newCmdExplain(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "explain CHECK-ID",
		Short:   "Explain a check: what it tests, why, the symptoms, the fix per proxy family, sources",
		Example: "  lyncprobe explain http.host-forwarding",
		Args:    cobra.ExactArgs(1),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return checkIDs(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			c, ok := checks.CheckByID(args[0])
			if !ok {
				return usageError{fmt.Errorf("unknown check %q%s: 'lyncprobe checks' lists them", args[0], didYouMean(args[0], checkIDs()))}
			}
			return explain(ios.Out, c)
		},
	}
}

func explain(w io.Writer, c checks.Check) error {
	a := c.About
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\nmodule: %s\n", c.ID, c.Title, c.Module)
	section(&b, "What it checks", a.What)
	section(&b, "Why it matters", a.Why)
	section(&b, "Symptoms", a.Symptoms)
	if len(a.Fix) > 0 {
		b.WriteString("\nFix\n")
		for _, f := range checks.Families {
			if fix, ok := a.Fix[f]; ok {
				fmt.Fprintf(&b, "  %s: %s\n", checks.FamilyNames[f], fix)
			}
		}
	}
	if len(a.Rules) > 0 {
		b.WriteString("\nBy version and balancing mode (external web services)\n")
		for _, r := range a.Rules {
			fmt.Fprintf(&b, "  %s, %s: %s. %s\n", strings.Join(r.Versions, "/"), r.Mode, r.Status, r.Rule)
			for _, s := range r.Sources {
				fmt.Fprintf(&b, "      source: %s\n", s)
			}
		}
	}
	if len(a.Sources) > 0 {
		b.WriteString("\nSources\n")
		for _, s := range a.Sources {
			fmt.Fprintf(&b, "  - %s\n", s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func section(b *strings.Builder, title, text string) {
	if text != "" {
		fmt.Fprintf(b, "\n%s\n  %s\n", title, text)
	}
}

func newCmdSchema(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print a JSON Schema of the config file, for editors",
		Long: `Print a JSON Schema of lyncprobe.yaml. With the YAML language server
(VS Code's YAML extension and others), put this line at the top of the file:
  # yaml-language-server: $schema=lyncprobe.schema.json`,
		Example: "  lyncprobe schema > lyncprobe.schema.json",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			enc := json.NewEncoder(ios.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(config.Schema())
		},
	}
}

// checkIDs are the catalogue's IDs, for "did you mean".
func checkIDs() []string {
	var ids []string
	for _, c := range checks.Registry() {
		ids = append(ids, c.ID)
	}
	return ids
}
