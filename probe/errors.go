// Package probe holds lyncprobe's network primitives: DNS questions, TLS
// handshakes and HTTP requests to an exact address. Probes take a context,
// return facts and typed errors, and never print or judge; the checks
// package decides what the facts mean.
package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// Kind says what the peer (or the network) did.
type Kind string

// Kinds of probe failure, worded for people.
const (
	KindTimeout  Kind = "timeout"
	KindCanceled Kind = "canceled"
	KindRefused  Kind = "connection refused"
	KindReset    Kind = "connection reset"
	KindClosed   Kind = "connection closed early"
	KindTLSAlert Kind = "TLS handshake failed"
	KindGarbage  Kind = "malformed answer"
	KindNoRoute  Kind = "no route"
	KindTooLarge Kind = "answer too large"
	KindOther    Kind = "network error"
)

// Error is a probe failure: the operation, what happened, and the cause.
type Error struct {
	Op   string // dns, dial, tls, http
	Kind Kind
	Err  error
	// Cause, when set, says in a person's words what the peer did
	// ("the server answered plain HTTP, not TLS").
	Cause string
}

func (e *Error) Error() string {
	if e.Cause != "" {
		return fmt.Sprintf("%s: %s: %s (%v)", e.Op, e.Kind, e.Cause, e.Err)
	}
	if e.Err == nil {
		return fmt.Sprintf("%s: %s", e.Op, e.Kind)
	}
	return fmt.Sprintf("%s: %s: %v", e.Op, e.Kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of a probe error, KindOther for anything else.
func KindOf(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return KindOther
}

// Explain is the Kind of err and, when known, what the peer did: for a
// result's message.
func Explain(err error) string {
	var pe *Error
	if errors.As(err, &pe) && pe.Cause != "" {
		return string(pe.Kind) + ": " + pe.Cause
	}
	return string(KindOf(err))
}

// classify wraps err as an *Error of op, naming what the peer did.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	kind, cause := kindOf(err), ""
	if k, c := hostileCause(err); c != "" {
		kind, cause = k, c
	}
	return &Error{Op: op, Kind: kind, Err: err, Cause: cause}
}

// hostileCause recognises what a misbehaving server did from the error
// the standard library gives, which words it for programmers.
func hostileCause(err error) (Kind, string) {
	var rec tls.RecordHeaderError
	var alert tls.AlertError
	msg := err.Error()
	switch {
	case errors.As(err, &rec) && strings.HasPrefix(string(rec.RecordHeader[:]), "HTTP/"):
		return KindTLSAlert, "the server answered plain HTTP, not TLS"
	case errors.As(err, &alert) || strings.Contains(msg, "remote error: tls:"):
		return KindTLSAlert, "the server aborted the handshake with an alert"
	case strings.Contains(msg, "server response headers exceeded"):
		return KindTooLarge, fmt.Sprintf("the response header is longer than %d KB", maxHeaderBytes>>10)
	case strings.Contains(msg, "malformed HTTP status code"), strings.Contains(msg, "malformed HTTP response"),
		strings.Contains(msg, "malformed HTTP version"):
		return KindGarbage, "an invalid HTTP status line"
	}
	return "", ""
}

func kindOf(err error) Kind {
	var ne net.Error
	var alert tls.AlertError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return KindTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET):
		return KindReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return KindNoRoute
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindClosed
	case errors.As(err, &alert), errors.As(err, &recErr), strings.Contains(err.Error(), "tls:"):
		return KindTLSAlert
	}
	return KindOther
}
