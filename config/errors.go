package config

import (
	"fmt"
	"strings"
)

// Error is one problem in a config file. Its text is a contract that users
// and CI scripts read: "<file>:<line>: <key>: <problem>", or
// "<file>:<line>: <problem>" when no key applies (YAML syntax, empty file).
type Error struct {
	File string
	Line int
	Key  string // dotted path, e.g. "web_services[0].backends[1]"
	Msg  string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
}

// Errors is every problem found in one file, in file order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find a single *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
