package config

import (
	"context"

	"github.com/lyncprobe/lyncprobe/internal/inputfile"
)

// Caps on the files a config names: each is far above any real one.
const (
	maxConfigFile   = 4 << 20  // the deployment file, tls.ca_file
	maxZoneFile     = 64 << 20 // dns.zone_file
	maxPasswordFile = 64 << 10 // a PFX password_file
)

// maxAliasValues caps the values that YAML aliases add to a config: a
// real config reuses a block a few times (some hundred values), an alias
// bomb asks for billions.
const maxAliasValues = 10000

// readFileCapped reads a file the config names: a regular file only
// (a FIFO would block, /dev/zero never ends), at most max bytes, and it
// stops when ctx ends. Errors are *fs.PathError, as from os.ReadFile.
func readFileCapped(ctx context.Context, path string, max int64) ([]byte, error) {
	return inputfile.Read(ctx, path, max)
}

// keyName shows a key of the file in a message: as it is when it is a
// short plain name, else by its length only (a file that is not a config,
// such as a .env file, must not have its lines printed).
func keyName(k string) string {
	if q := inputfile.Quote(k); q[0] == '"' {
		return k
	}
	return "(" + inputfile.Quote(k) + ")"
}
