package main

import (
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/spf13/cobra"
)

// Shell completion of the values lyncprobe knows: formats, modules, lab
// faults and check IDs (`lyncprobe completion bash|zsh|fish|powershell`).

func fixed(values []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// modules lists the catalogue's modules in catalogue order.
func modules() []string {
	var out []string
	for _, c := range checks.Registry() {
		if !slices.Contains(out, c.Module) {
			out = append(out, c.Module)
		}
	}
	return out
}

// completeList completes one item of a comma-separated list (--only).
func completeList(values []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		done, _ := cutLast(toComplete, ",")
		var out []string
		for _, v := range values {
			if done == "" {
				out = append(out, v)
			} else {
				out = append(out, done+","+v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func cutLast(s, sep string) (before, after string) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+len(sep):]
}

// faultCompletions are the fault names, NAME= for those that take an
// argument.
func faultCompletions() []string {
	var out []string
	for _, f := range lab.Faults {
		name := f.Name
		if f.Arg != "" && !f.Optional {
			name += "="
		}
		out = append(out, name)
	}
	return out
}

// registerCompletions adds the value completions to a command's flags
// that exist on it.
func registerCompletions(cmd *cobra.Command) {
	for flag, fn := range map[string]cobra.CompletionFunc{
		"format":  fixed(report.Formats),
		"fail-on": fixed([]string{"fail", "warn"}),
		"only":    completeList(modules()),
		"fault":   fixed(faultCompletions()),
	} {
		if cmd.Flags().Lookup(flag) != nil {
			_ = cmd.RegisterFlagCompletionFunc(flag, fn)
		}
	}
	for _, sub := range cmd.Commands() {
		registerCompletions(sub)
	}
}
