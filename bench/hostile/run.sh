#!/usr/bin/env bash
# Builds lyncprobe and runs it against every hostile server of internal/hostile,
# printing a Markdown table (wall time vs --timeout, peak RSS) on stdout.
# Usage: bench/hostile/run.sh [--timeout 5s] [--only NAME]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)/lyncprobe
go build -o "$bin" ./cmd/lyncprobe
go run ./bench/hostile --bin "$bin" "$@"
