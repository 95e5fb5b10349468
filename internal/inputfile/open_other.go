//go:build !unix

package inputfile

import "os"

// openNoBlock: outside Unix a named pipe does not block its opener.
func openNoBlock(path string) (*os.File, error) {
	return os.Open(path)
}
