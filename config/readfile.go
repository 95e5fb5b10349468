package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Caps on the files a config names: each is far above any real one.
const (
	maxConfigFile   = 4 << 20  // the deployment file, tls.ca_file
	maxZoneFile     = 64 << 20 // dns.zone_file
	maxPasswordFile = 64 << 10 // a PFX password_file
)

// readFileCapped reads a file the config names. It refuses what is not a
// regular file before opening it (a FIFO would block, /dev/zero never
// ends) and what is larger than max. Errors are *fs.PathError, as from
// os.ReadFile.
func readFileCapped(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("not a regular file")}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > max {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("larger than %d KB", max>>10)}
	}
	return data, nil
}
