#!/usr/bin/env bash
# Builds the Temporal server (with SQL persistence: PostgreSQL) and its schema tool
# temporal-sql-tool from the Go module proxy, into the shared cache
# .cache/temporal-server/<version>/, and prints:
#   TEMPORAL_SERVER_PATH=/abs/path
#   TEMPORAL_SQL_TOOL_PATH=/abs/path
# on stdout (and nothing else). Progress goes to stderr, the build's output to
# .cache/temporal-server/<version>/build.log.
#
# Only the SLA bench needs it (`npx tsx bench/sla-scale.ts --temporal=postgres`); CI does
# NOT run it (scripts/provision.sh does not call it). Idempotent: when both binaries exist
# and report the pinned version, it only prints their paths. The build runs under
# `nice -n 19` (slow the first time: several minutes on 2 cores). Needs Go >= 1.21 (it fetches the
# toolchain the module asks for, go1.26.10 for v1.32.2).
set -euo pipefail

TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.32.2}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/.cache/temporal-server"
DIR="$BASE/$TEMPORAL_SERVER_VERSION"
LOG="$DIR/build.log"
SERVER="$DIR/temporal-server"
SQL_TOOL="$DIR/temporal-sql-tool"

log() { echo "[install-temporal-server] $*" >&2; }
die() { echo "[install-temporal-server] ERROR: $*" >&2; exit 1; }

mkdir -p "$DIR"

# Serialise concurrent runs (two benches asking at once share one build).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BASE/.lock"
  flock 9
fi

# The server prints "temporal version 1.32.2" for --version; the tool prints its own version.
installed_ok() {
  [[ -x "$SERVER" && -x "$SQL_TOOL" ]] || return 1
  "$SERVER" --version 2>/dev/null | grep -q "${TEMPORAL_SERVER_VERSION#v}" || return 1
}

if installed_ok; then
  log "already installed: $SERVER ($TEMPORAL_SERVER_VERSION)"
else
  command -v go >/dev/null 2>&1 || die "'go' not found; install Go >= 1.23 (https://go.dev/dl/)"
  TMP_BIN="$DIR/.bin.tmp"
  rm -rf "$TMP_BIN"
  mkdir -p "$TMP_BIN"
  log "building go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION and cmd/tools/sql (log: $LOG)"
  {
    echo "=== $(date -u +%FT%TZ) go install server + sql tool $TEMPORAL_SERVER_VERSION"
    # CGO off: the SQL plugins are pure Go (pgx, mysql); the SQLite one is modernc.org (pure Go too).
    # GOTOOLCHAIN=auto: v1.32.2's go.mod asks for go >= 1.26.10; when the local Go is older, the
    # go command fetches that toolchain (itself a Go module, golang.org/toolchain) from the proxy.
    CGO_ENABLED=0 GOTOOLCHAIN=auto GOBIN="$TMP_BIN" nice -n 19 go install \
      "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
  } >>"$LOG" 2>&1 || die "go install failed; see $LOG (tail: $(tail -n 5 "$LOG" | tr '\n' ' '))"
  mv -f "$TMP_BIN/server" "$SERVER"
  mv -f "$TMP_BIN/sql" "$SQL_TOOL"
  rm -rf "$TMP_BIN"
  installed_ok || die "built, but '$SERVER --version' does not report $TEMPORAL_SERVER_VERSION"
  log "installed $SERVER"
fi

echo "TEMPORAL_SERVER_PATH=$SERVER"
echo "TEMPORAL_SQL_TOOL_PATH=$SQL_TOOL"
