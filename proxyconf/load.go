package proxyconf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"unicode"
)

// Options say where a proxy's files are when they are read somewhere
// other than the proxy host (a CI checkout).
type Options struct {
	Family Family // "" = detect from the file's name and content
	// Root is the local folder that stands for the proxy's configuration
	// root, against which it resolves relative paths: nginx's
	// configuration prefix, Apache's ServerRoot, HAProxy's working
	// folder. "" = the default of the family (see defaultRoot).
	Root string
	// PathMap maps absolute paths as the proxy host sees them to local
	// ones, longest prefix first: {"/etc/ssl/lync": "secrets"}.
	PathMap map[string]string
}

// The budget of one Parse, over the file and everything it includes.
// Inputs come from pull requests in CI: whatever they hold, a parse ends
// quickly in bounded memory.
const (
	maxInclude    = 10       // include nesting (a file that includes itself must end)
	maxFiles      = 1000     // files read, counting a file each time it is included
	maxFile       = 8 << 20  // bytes of one file
	maxTotalBytes = 32 << 20 // bytes of all the files read (see totalBudget)
	maxNesting    = 100      // nested blocks, sections or elements within the configuration
)

// totalBudget is maxTotalBytes, a variable so that a test can lower it.
var totalBudget int64 = maxTotalBytes

// SyntaxError is a file that does not parse, at its line.
type SyntaxError struct {
	Pos Pos
	Msg string
	Err error // the cause, when an included file could not be read
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

func (e *SyntaxError) Unwrap() error { return e.Err }

// includeErr places an error reading an included file at the include:
// a syntax error deeper down is already placed.
func includeErr(file string, line int, arg string, err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return err
	}
	return &SyntaxError{Pos: Pos{file, line}, Msg: fmt.Sprintf("include %s: %s", token(arg), sanitize(err.Error(), 300)), Err: err}
}

func syntaxErr(file string, line int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: Pos{file, line}, Msg: fmt.Sprintf(format, args...)}
}

// token quotes a piece of a file for an error message: at most 40
// characters, control and non-ASCII characters escaped. An error never
// carries more of a file than that (the file may be /proc/self/environ
// reached by an include, and the message ends up in CI logs).
func token(s string) string {
	const max = 40
	cut := false
	if len(s) > max {
		s, cut = s[:max], true
	}
	q := fmt.Sprintf("%+q", strings.ToValidUTF8(s, "?"))
	if cut {
		q += "…"
	}
	return q
}

// sanitize makes a message from elsewhere (the XML decoder's, the
// system's about a path the file names) safe to show: printable ASCII
// only, at most max characters.
func sanitize(msg string, max int) string {
	var b strings.Builder
	for _, r := range msg {
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// loader reads the files of one configuration within the budget and
// maps the paths it names to local ones.
type loader struct {
	ctx      context.Context
	family   Family
	main     string // the file named, absolute
	root     string // local folder relative paths resolve against
	hostRoot string // that folder as the proxy host names it, "" when not known
	pathMap  []mapping
	files    []string // every file read, in order
	bytes    int64
	// dump is set when the input is a proxy's dump of what it loaded
	// (`nginx -T`): the files are read from it, never from this disk.
	dump *dump
}

type mapping struct{ from, to string }

func newLoader(ctx context.Context, main string, family Family, o Options) *loader {
	l := &loader{ctx: ctx, family: family, main: main, root: o.Root}
	for from, to := range o.PathMap {
		l.pathMap = append(l.pathMap, mapping{filepath.Clean(from), to})
	}
	sort.Slice(l.pathMap, func(i, j int) bool { return len(l.pathMap[i].from) > len(l.pathMap[j].from) })
	l.hostRoot = defaultHostRoot[family]
	if l.root == "" {
		l.root = filepath.Dir(main)
	}
	return l
}

// defaultHostRoot is where the distributions keep each proxy's
// configuration (Debian/Ubuntu and RHEL alike for nginx and HAProxy;
// Debian for Apache, whose RHEL httpd.conf names its ServerRoot
// /etc/httpd). Absolute paths below it are read below the local root, so
// a checkout of /etc/nginx reads as nginx would read /etc/nginx.
var defaultHostRoot = map[Family]string{Nginx: "/etc/nginx", Apache: "/etc/apache2", HAProxy: "/etc/haproxy"}

// setServerRoot applies Apache's ServerRoot: relative paths resolve
// against it. Read elsewhere, the local root is the user's, else the
// folder of that name among the main file's parents (a checkout of
// /etc/httpd holding conf/httpd.conf), else the main file's folder.
func (l *loader) setServerRoot(dir string, explicitRoot bool) {
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(l.hostRoot, dir)
	}
	dir = filepath.Clean(dir)
	l.hostRoot = dir
	if explicitRoot {
		return
	}
	if local, ok := l.mapped(dir); ok {
		l.root = local
		return
	}
	if strings.HasPrefix(l.main, dir+string(filepath.Separator)) {
		l.root = dir // read in place, on the proxy host
		return
	}
	for d := filepath.Dir(l.main); d != filepath.Dir(d); d = filepath.Dir(d) {
		if filepath.Base(d) == filepath.Base(dir) {
			l.root = d
			return
		}
	}
}

// mapped applies the user's path map to an absolute host path.
func (l *loader) mapped(p string) (string, bool) {
	for _, m := range l.pathMap {
		if rest, ok := under(p, m.from); ok {
			return filepath.Join(m.to, rest), true
		}
	}
	return "", false
}

func under(p, dir string) (string, bool) {
	if p == dir {
		return "", true
	}
	rest, ok := strings.CutPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
	return rest, ok
}

// local is where a path the configuration names is read here: a relative
// one below the local root; an absolute one through the user's path map,
// else, below the proxy's own folder, below the local root.
func (l *loader) local(p string) string {
	if p == "" {
		return p
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.root, p) // the root stands for the host's root, "../" included
		if l.dump == nil {
			return p
		}
	}
	p = filepath.Clean(p)
	if m, ok := l.mapped(p); ok {
		return m
	}
	if l.hostRoot != "" {
		if rest, ok := under(p, l.hostRoot); ok {
			return filepath.Join(l.root, rest)
		}
	}
	return p
}

// includePath is where an include is looked for: as local() says, or in
// a dump, where the proxy host's own path names it.
func (l *loader) includePath(p string) string {
	if l.dump != nil {
		if !filepath.IsAbs(p) {
			p = filepath.Join(l.root, p)
		}
		return filepath.Clean(p)
	}
	return l.local(p)
}

// glob expands an include pattern, sorted as the proxies sort it.
func (l *loader) glob(pattern string) ([]string, error) {
	if l.dump != nil {
		return l.dump.glob(pattern)
	}
	files, err := filepath.Glob(pattern)
	sort.Strings(files)
	return files, err
}

// read reads one file depth includes down from the one named, within the
// budget; only regular files are read.
func (l *loader) read(path string, depth int) (string, error) {
	if err := l.ctx.Err(); err != nil {
		return "", err
	}
	if depth > maxInclude {
		return "", syntaxErr(path, 1, "includes nested deeper than %d (an include loop?)", maxInclude)
	}
	if len(l.files) >= maxFiles {
		return "", fmt.Errorf("%s: more than %d included files: not read (an include loop or fan-out?)", path, maxFiles)
	}
	if l.dump != nil {
		f, ok := l.dump.files[path]
		if !ok {
			return "", fmt.Errorf("%s: not in the dump %s: %w", path, l.dump.path, os.ErrNotExist)
		}
		l.files = append(l.files, path)
		return f.text, nil // the dump's bytes were counted once, when it was read
	}
	data, err := readRegular(path, min(maxFile, totalBudget-l.bytes))
	if err != nil {
		return "", err
	}
	l.files = append(l.files, path)
	l.bytes += int64(len(data))
	return data, nil
}

var errNotRegular = errors.New("not a regular file")

// readRegular reads a regular file of at most limit bytes. Devices,
// FIFOs, sockets and the kernel's files (/proc, /sys: their size says 0
// and they hold the environment or endless data) are refused before
// being opened, so a named pipe cannot block the read.
func readRegular(path string, limit int64) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		return "", fmt.Errorf("%s: %w: a folder (only HAProxy reads a folder of *.cfg files)", path, errNotRegular)
	}
	if !fi.Mode().IsRegular() || kernelFile(path) {
		return "", fmt.Errorf("%s: %w (a device, pipe or kernel file): only configuration files are read", path, errNotRegular)
	}
	if fi.Size() > limit {
		return "", fmt.Errorf("%s: %d bytes, more than is left of the %d bytes one configuration may read (the file and all it includes): not read", path, fi.Size(), totalBudget)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// A file may grow between Stat and read: read one byte more than it
	// said, and refuse it when that byte comes.
	data, err := io.ReadAll(io.LimitReader(f, fi.Size()+1))
	if err != nil {
		return "", err
	}
	if int64(len(data)) > fi.Size() {
		return "", fmt.Errorf("%s: %w: it holds more than its size says (a kernel or growing file)", path, errNotRegular)
	}
	return string(data), nil
}

// kernelFile reports whether path lies on Linux's /proc or /sys, whose
// files look regular.
func kernelFile(path string) bool {
	if runtime.GOOS != "linux" {
		return false
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	real, _ = filepath.Abs(real)
	for _, dir := range []string{"/proc", "/sys"} {
		if _, ok := under(real, dir); ok {
			return true
		}
	}
	return false
}

// expandDirs replaces each folder among paths by the regular files in it
// and its subfolders, in alphabetical order (Apache's Include of a
// folder, HAProxy's -f of a folder reads only its *.cfg files).
func (l *loader) expandDirs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if len(out) > maxFiles {
				return fmt.Errorf("more than %d files under %s", maxFiles, p)
			}
			if !d.IsDir() {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
