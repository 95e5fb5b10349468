package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteConfigAs writes a copy of the lab's config to path under another
// deployment name, its file references made absolute, so that several labs'
// configs can sit in one folder for a fleet run (lyncprobe check -c dir/,
// lyncprobe serve).
func (l *Lab) WriteConfigAs(path, name string) error {
	b, err := os.ReadFile(l.ConfigPath)
	if err != nil {
		return err
	}
	s := strings.Replace(string(b), "\nname: lab\n", fmt.Sprintf("\nname: %q\n", name), 1)
	for _, f := range []string{"ca.pem", "internal-ca.pem", "proxy-cert.pem"} {
		s = strings.ReplaceAll(s, " "+f, " "+filepath.Join(l.Dir, f))
		s = strings.ReplaceAll(s, "["+f+"]", "["+filepath.Join(l.Dir, f)+"]")
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
