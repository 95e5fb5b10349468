package lab

import "sync"

// proxyBuffers lends the proxy nodes their copy buffers: without a pool,
// httputil.ReverseProxy allocates 32 KiB per response, and under load the
// garbage collector then costs the lab proxy a good part of its
// throughput (BENCHMARKS.md).
var proxyBuffers = &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte { return *b.p.Get().(*[]byte) }

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }
