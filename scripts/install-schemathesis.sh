#!/usr/bin/env bash
# Installs schemathesis (PyPI, pinned) into a project-local virtualenv for the API's property-based
# test (tests/api/schemathesis.test.ts), checks that it runs, and prints
#   SCHEMATHESIS_PATH=/abs/path
# on stdout (and nothing else). Progress and errors go to stderr.
# Idempotent: a second run only re-checks the binary. No root needed.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/.cache/schemathesis"
VENV="$BASE/venv"
STAMP="$VENV/.guichet-installed"
WANT="schemathesis==$SCHEMATHESIS_VERSION"
PYTHON="${PYTHON:-python3}"

log() { echo "[install-schemathesis] $*" >&2; }
die() { echo "[install-schemathesis] ERROR: $*" >&2; exit 1; }

mkdir -p "$BASE"

# Serialise concurrent runs (.cache is shared by the worktrees).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BASE/.lock"
  flock 9
fi

# A venv's scripts name its path in their first line: a moved or copied .cache fails --version and
# is made again rather than trusted.
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] && "$VENV/bin/schemathesis" --version >/dev/null 2>&1; then
  log "already installed: $WANT"
else
  command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found; install Python 3 (apt-get install -y python3 python3-venv)"
  log "creating virtualenv $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" >&2 \
    || die "cannot create a virtualenv with '$PYTHON -m venv' (on Debian: apt-get install -y python3-venv)"
  log "pip install $WANT"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --quiet "$WANT" >&2 \
    || die "pip install $WANT failed (is PyPI reachable?)"
  echo "$WANT" > "$STAMP"
fi

BIN="$VENV/bin/schemathesis"
[[ -x "$BIN" ]] || die "$BIN missing after pip install"
"$BIN" --version >/dev/null 2>&1 || die "$BIN --version failed"
echo "SCHEMATHESIS_PATH=$BIN"
