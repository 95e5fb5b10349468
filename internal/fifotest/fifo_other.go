//go:build !unix

package fifotest

import "errors"

// Make fails: this system has no FIFOs (the tests that need one skip).
func Make(path string) error { return errors.ErrUnsupported }
