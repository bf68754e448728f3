#!/bin/sh
# Starts the Temporal worker alone (`npm run worker`, the image's worker command in
# docker-compose.yml) with V8's heap bounded from its memory budget: --max-old-space-size is
# 60 % of WORKER_MEMORY_MB (default 1024 MB), the rest being the SDK's core, the code and V8's
# young generation. Without it V8 sizes its heap from the machine (about 4 GB on 24 GB) and keeps
# the contexts of evicted workflows as garbage long after the cache let them go, so the worker's
# RSS grows well past its budget (bench/README.md, sla-scale). runtime/worker.ts
# (workerHeapLimitMb) holds the same share and warns when the worker runs without this bound.
# `exec`: the worker is the process, so signals reach it and it stops cleanly.
set -eu
memory_mb="${WORKER_MEMORY_MB:-1024}"
case "$memory_mb" in
  '' | *[!0-9]*)
    echo "WORKER_MEMORY_MB must be a whole number of megabytes (got '$memory_mb')" >&2
    exit 1
    ;;
esac
here="$(cd "$(dirname "$0")/.." && pwd)"
exec node --enable-source-maps --max-old-space-size=$((memory_mb * 6 / 10)) "$here/dist/worker.js"
