package proxyconf

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// dump is the output of `nginx -T`: every file nginx loaded, each after a
// "# configuration file PATH:" line, so that a user can validate exactly
// what the running proxy read, copied from the proxy host.
type dump struct {
	path  string // the dump file here
	main  string // the first file: nginx.conf, as the proxy host names it
	files map[string]dumpFile
}

// dumpFile is one file of a dump and the dump's line just before its
// first line.
type dumpFile struct {
	text   string
	offset int
}

var nginxDumpMarker = regexp.MustCompile(`(?m)^# configuration file (/[^\n]*):\r?$`)

// isNginxDump: the text is `nginx -T` output (stdout, or both streams).
func isNginxDump(text string) bool {
	loc := nginxDumpMarker.FindStringIndex(text)
	if loc == nil {
		return false
	}
	for _, l := range strings.Split(text[:loc[0]], "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "nginx: ") {
			return false // something before the first file that nginx -T does not write
		}
	}
	return true
}

// splitNginxDump cuts a dump into its files. nginx writes each file whole
// and then one newline.
func splitNginxDump(path, text string) (*dump, error) {
	d := &dump{path: path, files: map[string]dumpFile{}}
	marks := nginxDumpMarker.FindAllStringSubmatchIndex(text, -1)
	if len(marks) > maxFiles {
		return nil, fmt.Errorf("%s: more than %d files in the dump", path, maxFiles)
	}
	for i, m := range marks {
		name := filepath.Clean(text[m[2]:m[3]])
		end := len(text)
		if i+1 < len(marks) {
			end = marks[i+1][0]
		}
		start := min(m[1]+1, end)
		body := strings.TrimSuffix(text[start:end], "\n")
		if !strings.HasSuffix(body, "\n") && body != "" {
			body += "\n"
		}
		if _, seen := d.files[name]; !seen {
			d.files[name] = dumpFile{text: body, offset: strings.Count(text[:m[1]], "\n") + 1}
		}
		if i == 0 {
			d.main = name
		}
	}
	if d.main == "" {
		return nil, syntaxErr(path, 1, "no \"# configuration file\" line: not an nginx -T dump")
	}
	return d, nil
}

func (d *dump) glob(pattern string) ([]string, error) {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, err
	}
	var out []string
	for name := range d.files {
		if ok, _ := filepath.Match(pattern, name); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// at is where a line of one of the dump's files is in the dump.
func (d *dump) at(file string, line int) (string, int) {
	if f, ok := d.files[file]; ok {
		return d.path, f.offset + line
	}
	return d.path, line
}

// parseNginxDump reads an nginx -T dump: the first file is nginx.conf,
// its folder the configuration prefix on the proxy host; certificate
// paths are the host's (reverse_proxy.path_map maps them here).
func parseNginxDump(l *loader, path, text string) (*Config, error) {
	d, err := splitNginxDump(path, text)
	if err != nil {
		return nil, err
	}
	l.dump, l.root, l.hostRoot = d, filepath.Dir(d.main), ""
	return parseNginx(l, d.main)
}

// The output of `apachectl -t -D DUMP_INCLUDES` lists every file Apache
// loaded, the main one first ("(*) PATH"), each include with the line
// that includes it ("(12) PATH"). Given with a copy of the files, it says
// where the copy stands (the folder of the list is the folder common to
// every file listed) and what must be read from it.
var apacheDumpEntry = regexp.MustCompile(`(?m)^\s+\((?:\*|\d+)\) (/[^\n]*?)\r?$`)

// isApacheIncludeDump: the text is DUMP_INCLUDES output.
func isApacheIncludeDump(text string) bool {
	return strings.Contains(text, "Included configuration files:") && apacheDumpEntry.MatchString(text)
}

// parseApacheIncludeDump reads the files the list names from the copy
// around it and checks that lyncprobe includes exactly the files Apache
// loaded, in Apache's order.
func parseApacheIncludeDump(l *loader, path, text string) (*Config, error) {
	var listed []string
	for _, m := range apacheDumpEntry.FindAllStringSubmatch(text, maxFiles+1) {
		listed = append(listed, filepath.Clean(m[1]))
	}
	if len(listed) > maxFiles {
		return nil, fmt.Errorf("%s: more than %d files listed", path, maxFiles)
	}
	listed = uniqueStrings(listed) // a file included twice is listed twice
	l.hostRoot = commonDir(listed)
	local := make([]string, len(listed))
	for i, f := range listed {
		local[i] = l.local(f)
	}
	c, err := parseApache(l, local[0], true)
	if err != nil {
		return nil, err
	}
	read := uniqueStrings(l.files)
	for i := range max(len(local), len(read)) {
		switch {
		case i >= len(read):
			return nil, fmt.Errorf("%s: Apache loaded %s, read here as %s, which lyncprobe did not include", path, listed[i], local[i])
		case i >= len(local):
			return nil, fmt.Errorf("%s: lyncprobe included %s, which Apache did not load", path, read[i])
		case read[i] != local[i]:
			return nil, fmt.Errorf("%s: file %d: Apache loaded %s (here %s), lyncprobe read %s", path, i+1, listed[i], local[i], read[i])
		}
	}
	return c, nil
}

// commonDir is the deepest folder that holds every path.
func commonDir(paths []string) string {
	dir := filepath.Dir(paths[0])
	for _, p := range paths[1:] {
		for {
			if _, ok := under(p, dir); ok || dir == filepath.Dir(dir) {
				break
			}
			dir = filepath.Dir(dir)
		}
	}
	return dir
}

func uniqueStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
