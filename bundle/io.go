package bundle

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lyncprobe/lyncprobe/internal/inputfile"
)

// Limits of a bundle a reader accepts: a bundle is read on a consultant's
// desk from a file someone sent, so it is input like any other.
const (
	MaxFile     = 64 << 20  // the file as stored (gzipped or not)
	MaxJSON     = 256 << 20 // the JSON once gunzipped: a gzip bomb stops here
	MaxDepth    = 32        // JSON nesting; a bundle's own is under 10
	gzipSuffix  = ".gz"
	gzipMagic0  = 0x1f
	gzipMagic1  = 0x8b
	indentUnit  = " "
	errTooLarge = "larger than %d MiB"
)

// maxJSON is MaxJSON; a test lowers it to build a bomb quickly.
var maxJSON int64 = MaxJSON

// Write stores b at path as JSON, gzipped when path ends in ".gz".
func Write(path string, b *Bundle) error {
	data, err := json.MarshalIndent(b, "", indentUnit)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if strings.HasSuffix(path, gzipSuffix) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		data = buf.Bytes()
	}
	if err := os.WriteFile(path, data, 0o600); err != nil { // a bundle describes a customer's network
		return fmt.Errorf("write the bundle: %w", err)
	}
	return nil
}

// Read loads the bundle at path as every offline input is read: a
// regular file only (a FIFO must not hang), capped, under ctx. Errors name
// the file.
func Read(ctx context.Context, path string) (*Bundle, error) {
	data, err := inputfile.Read(ctx, path, MaxFile)
	if err != nil {
		return nil, fmt.Errorf("read the bundle: %w", err)
	}
	b, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Parse reads a bundle from data, gzipped or not (told by its first bytes).
func Parse(data []byte) (*Bundle, error) {
	if len(data) >= 2 && data[0] == gzipMagic0 && data[1] == gzipMagic1 {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("not a gzipped bundle: %w", err)
		}
		data, err = io.ReadAll(io.LimitReader(zr, maxJSON+1))
		if err != nil {
			return nil, fmt.Errorf("not a gzipped bundle: %w", err)
		}
		if int64(len(data)) > maxJSON {
			return nil, fmt.Errorf("not a bundle: gunzipped, it is "+errTooLarge, maxJSON>>20)
		}
	}
	if err := checkDepth(data); err != nil {
		return nil, err
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a bundle: %w", err)
	}
	if head.Format != Format {
		return nil, fmt.Errorf("not a bundle this lyncprobe reads: format %q, want %q", head.Format, Format)
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("not a bundle: %w", err)
	}
	if b.Config.Text == "" || b.Config.Path == "" {
		return nil, errors.New("not a bundle: it holds no config")
	}
	return &b, nil
}

// checkDepth refuses JSON nested deeper than MaxDepth without building it.
func checkDepth(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth := 0
	for {
		t, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not a bundle: %w", err)
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("not a bundle: JSON nested deeper than %d", MaxDepth)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}
