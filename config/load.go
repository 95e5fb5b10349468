package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"go.yaml.in/yaml/v3"
)

// Load reads the deployment file at path and returns it with every default
// filled and every rule checked. Problems in the file come back as Errors.
func Load(path string) (*Deployment, error) {
	return LoadContext(context.Background(), path)
}

// LoadContext is Load that stops when ctx ends (Ctrl-C, --timeout): the
// config, its zone file and the files it names are read under ctx.
func LoadContext(ctx context.Context, path string) (*Deployment, error) {
	data, err := readFileCapped(ctx, path, maxConfigFile)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in front; do not say it twice
		}
		return nil, fmt.Errorf("%s: cannot read config file: %w", path, err)
	}
	return parse(ctx, data, path, false)
}

// LoadForPublish is LoadContext for `lyncprobe publish`, which writes the
// proxy configuration: the files reverse_proxy.config_files names need
// not exist yet (their paths are still made absolute).
func LoadForPublish(ctx context.Context, path string) (*Deployment, error) {
	data, err := readFileCapped(ctx, path, maxConfigFile)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: cannot read config file: %w", path, err)
	}
	return parse(ctx, data, path, true)
}

// Parse does the work of Load on data already read. path names the file in
// messages and is the base for relative paths inside it.
func Parse(data []byte, path string) (*Deployment, error) {
	return parse(context.Background(), data, path, false)
}

// ParseRecorded is Parse for a recorded run (lyncprobe replay): the files
// the config names were on the recording machine and are not read; their
// paths are made absolute against path, as Load made them, and every
// other rule is checked. path should be the absolute path the config was
// recorded from.
func ParseRecorded(data []byte, path string) (*Deployment, error) {
	root, err := parseYAML(data, path)
	if err != nil {
		return nil, err
	}
	return decodeDeployment(newLoader(context.Background(), path), root, path, true)
}

func parse(ctx context.Context, data []byte, path string, unwrittenProxyFiles bool) (*Deployment, error) {
	root, err := parseYAML(data, path)
	if err != nil {
		return nil, err
	}
	l := newLoader(ctx, path)
	l.unwrittenProxyFiles = unwrittenProxyFiles
	return decodeDeployment(l, root, path, false)
}

func decodeDeployment(l *loader, root *yaml.Node, path string, recorded bool) (*Deployment, error) {
	l.recorded = recorded
	d := &Deployment{Path: path}
	l.decode(root, reflect.ValueOf(d).Elem(), "")
	if !l.reported("") {
		l.validate(d)
	}
	if len(l.errs) > 0 {
		sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].Line < l.errs[j].Line })
		return nil, l.errs
	}
	d.positions = l.pos
	return d, nil
}

// Line is the line of key (a dotted path such as "simple_urls.meet[0]") in
// the file the deployment was loaded from, or 0 when unknown.
func (d *Deployment) Line(key string) int {
	return d.positions[key]
}

// parseYAML returns the top node of the file's only document.
func parseYAML(data []byte, file string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if err == io.EOF || err == nil && isEmptyDoc(&doc) {
		return nil, Errors{{File: file, Line: 1, Msg: "empty config file"}}
	}
	if err != nil {
		return nil, Errors{syntaxError(file, err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, Errors{{File: file, Line: max(next.Line, 1), Msg: "only one YAML document is allowed"}}
	case err != io.EOF:
		return nil, Errors{syntaxError(file, err)}
	}
	return doc.Content[0], nil
}

func isEmptyDoc(doc *yaml.Node) bool {
	if len(doc.Content) == 0 {
		return true
	}
	top := doc.Content[0]
	return top.Kind == yaml.ScalarNode && top.ShortTag() == nullTag
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// syntaxError turns "yaml: line 3: could not find expected ':'" into an
// Error at line 3 without the prefix.
func syntaxError(file string, err error) *Error {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > 0 {
			line = n
		}
		msg = msg[len(m[0]):]
	}
	return &Error{File: file, Line: line, Msg: yamlQuoted.ReplaceAllStringFunc(msg, quoteYAMLToken)}
}

// yamlQuoted finds what yaml quotes of the file: 'anchor' names and
// `values` (the first 7 bytes of a long one).
var yamlQuoted = regexp.MustCompile("'[^']*'|`[^`]*`")

// quoteYAMLToken keeps a quoted token that is short and plain, else shows
// its length only: the file may be anything but a config.
func quoteYAMLToken(q string) string {
	inner := q[1 : len(q)-1]
	if shown := inputfile.Quote(inner); shown[0] == '"' {
		return q
	}
	return "(" + inputfile.Quote(inner) + ")"
}

const nullTag = "!!null"

// loader walks the YAML tree into a Deployment and collects problems.
type loader struct {
	ctx   context.Context // ends the reads of the files the config names
	file  string
	pos   map[string]int  // dotted key -> line, for messages and Deployment.Line
	given map[string]bool // keys present with a non-null value; defaults skip them
	bad   map[string]bool // keys with a reported problem; their children stay quiet
	errs  Errors

	// unwrittenProxyFiles: config_files may not exist yet (publish).
	unwrittenProxyFiles bool
	// recorded: the files the config names are not here (a replay); their
	// paths are made absolute, never read.
	recorded bool

	inAlias int // > 0 while decoding what an alias points to
	aliased int // values decoded through aliases, against maxAliasValues
}

func newLoader(ctx context.Context, file string) *loader {
	return &loader{ctx: ctx, file: file, pos: map[string]int{}, given: map[string]bool{}, bad: map[string]bool{}}
}

// report records a problem unless key, or a key above it, already has one:
// a value that failed to decode would otherwise also fail every rule.
func (l *loader) report(line int, key, msg string) {
	if l.reported(key) {
		return
	}
	l.bad[key] = true
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Key: key, Msg: msg})
}

// fail reports a problem at key's line, or its nearest parent's when key is
// absent from the file.
func (l *loader) fail(key, format string, args ...any) {
	l.report(l.line(key), key, fmt.Sprintf(format, args...))
}

func (l *loader) reported(key string) bool {
	for k := key; ; k = parentKey(k) {
		if l.bad[k] {
			return true
		}
		if k == "" {
			return false
		}
	}
}

func (l *loader) line(key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if n, ok := l.pos[k]; ok {
			return n
		}
	}
	return 1
}

// parentKey is "a.b" for "a.b.c" and "a.b" for "a.b[2]".
func parentKey(key string) string {
	i := strings.LastIndexAny(key, ".[")
	if i < 0 {
		return ""
	}
	return key[:i]
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func indexKey(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// decode stores node n into v by v's type: structs take mappings, slices
// take sequences, pointers are allocated, scalars and yaml.Unmarshalers are
// decoded by yaml itself. A null value leaves v at its zero value.
func (l *loader) decode(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind == yaml.AliasNode {
		l.inAlias++
		defer func() { l.inAlias-- }()
		n = n.Alias
	}
	if l.inAlias > 0 {
		if l.aliased++; l.aliased > maxAliasValues {
			l.aliasBomb(n)
			return
		}
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == nullTag {
		return
	}
	l.given[key] = true
	switch {
	case reflect.PointerTo(v.Type()).Implements(unmarshalerType):
		if err := n.Decode(v.Addr().Interface()); err != nil {
			l.fail(key, "%s", err)
		}
	case v.Kind() == reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		l.decode(n, p.Elem(), key)
		v.Set(p)
	case v.Kind() == reflect.Struct:
		l.mapping(n, v, key)
	case v.Kind() == reflect.Slice:
		l.sequence(n, v, key)
	default:
		l.scalar(n, v, key)
	}
}

// aliasBomb refuses a document whose aliases expand past the budget: its
// one error replaces the others (a bomb repeats each of them thousands of
// times), and the loader decodes and checks nothing more.
func (l *loader) aliasBomb(n *yaml.Node) {
	if l.aliased == maxAliasValues+1 {
		l.errs = Errors{{File: l.file, Line: max(n.Line, 1),
			Msg: fmt.Sprintf("YAML aliases expand to more than %d values: a config reuses a block a few times, not more", maxAliasValues)}}
		l.bad[""] = true
	}
}

func (l *loader) mapping(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.MappingNode {
		l.fail(key, "%s", typeProblem(v.Type(), key))
		return
	}
	fields := yamlFields(v.Type())
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.report(k.Line, key, "keys must be plain names")
			continue
		}
		sub := joinKey(key, keyName(k.Value))
		if line, dup := first[k.Value]; dup {
			l.report(k.Line, sub, fmt.Sprintf("duplicate key (first at line %d)", line))
			continue
		}
		first[k.Value] = k.Line
		idx, ok := fields[k.Value]
		if !ok {
			l.report(k.Line, sub, "unknown key")
			continue
		}
		l.pos[sub] = k.Line
		l.decode(val, v.Field(idx), sub)
	}
}

func (l *loader) sequence(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.SequenceNode {
		l.fail(key, "%s", typeProblem(v.Type(), key))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		sub := indexKey(key, i)
		l.pos[sub] = item.Line
		l.decode(item, s.Index(i), sub)
	}
	v.Set(s)
}

func (l *loader) scalar(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.ScalarNode || !tagFits(n.ShortTag(), v.Kind()) {
		l.fail(key, "%s", typeProblem(v.Type(), key))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		l.fail(key, "%s", typeProblem(v.Type(), key))
	}
}

// tagFits is stricter than yaml: a quoted "443" is not a port, and a
// string field takes any scalar (so "version: 2019" reads as text).
func tagFits(tag string, k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return tag == "!!int"
	case reflect.Float32, reflect.Float64:
		return tag == "!!int" || tag == "!!float"
	case reflect.Bool:
		return tag == "!!bool"
	}
	return true
}

func typeProblem(t reflect.Type, key string) string {
	if key == "" {
		return "the config file must be a YAML mapping of keys to values"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeProblem(t.Elem(), key)
	case reflect.Struct:
		return "must be a mapping"
	case reflect.Slice:
		return "must be a list"
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	}
	return "must be an integer"
}

// yamlFields maps each yaml key of struct type t to its field index.
func yamlFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		out[name] = i
	}
	return out
}
