#!/usr/bin/env bash
# Provisions the real services the tests use on a Debian 12 machine without Docker
# (see shared/docs/local-services.md), then writes $ROOT/.cache/services.env.
#
#   bash scripts/provision.sh [--with-redmine]     (or PROVISION_REDMINE=1)
#
# - Debian packages: postgresql, chromium, poppler-utils, qpdf, fonts-dejavu-core
#   (installed only when missing; needs root then).
# - PostgreSQL: cluster started, role guichet/guichet (LOGIN CREATEDB) reachable
#   over TCP on 127.0.0.1:5432 with password authentication.
# - Temporal CLI + time-skipping test server (scripts/install-temporal.sh).
# - SeaweedFS, the S3-compatible object store of the storage tests (scripts/install-seaweedfs.sh);
#   tests start their own `weed server -s3` (tests/helpers/seaweedfs.ts).
# - Optionally Redmine 5.0 on 127.0.0.1:3000 (scripts/provision-redmine.sh).
#
# Idempotent; takes a few seconds when everything is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
ENV_FILE="$CACHE/services.env"

APT_PACKAGES=(postgresql chromium poppler-utils qpdf fonts-dejavu-core)
PG_ROLE=guichet
PG_PASSWORD=guichet
PG_PORT=5432
DATABASE_URL="postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
CHROMIUM_PATH=/usr/bin/chromium

log() { echo "[provision] $*" >&2; }
die() { echo "[provision] ERROR: $*" >&2; exit 1; }

WITH_REDMINE="${PROVISION_REDMINE:-0}"
for arg in "$@"; do
  case "$arg" in
    --with-redmine) WITH_REDMINE=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (usage: $0 [--with-redmine])" ;;
  esac
done

IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1
SELF="bash $ROOT/scripts/provision.sh $*"

need_root() {  # $1: what is missing
  die "$1; this needs root. Run:  sudo $SELF"
}

mkdir -p "$CACHE"
start_time=$SECONDS

# --- Debian packages ------------------------------------------------------------
is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if ((!IS_ROOT)); then
    die "missing Debian packages: ${missing[*]}. Run as root:
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}
  or:  sudo $SELF"
  fi
  log "installing: ${missing[*]}"
  apt-get update >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
  for pkg in "${missing[@]}"; do
    is_installed "$pkg" || die "package $pkg is still not installed"
  done
fi
for cmd in pdftoppm qpdf psql pg_ctlcluster pg_lsclusters pg_isready; do
  command -v "$cmd" >/dev/null 2>&1 || die "command '$cmd' not found after installing packages"
done
[[ -x "$CHROMIUM_PATH" ]] || die "$CHROMIUM_PATH not found (package chromium)"

# --- PostgreSQL -------------------------------------------------------------------
# Newest cluster version in /etc/postgresql (Debian 12: 15).
pg_version="$(find /etc/postgresql -mindepth 2 -maxdepth 2 -name main -printf '%h\n' 2>/dev/null \
  | xargs -r -n1 basename | sort -V | tail -n1 || true)"
if [[ -z "$pg_version" ]]; then
  # Package installed but no cluster (e.g. removed by hand): create one.
  pg_version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n1 || true)"
  [[ -n "$pg_version" ]] || die "no PostgreSQL server found under /usr/lib/postgresql"
  ((IS_ROOT)) || need_root "no PostgreSQL cluster exists"
  log "creating PostgreSQL $pg_version cluster 'main'"
  pg_createcluster "$pg_version" main >&2 || die "pg_createcluster $pg_version main failed"
fi

cluster_port="$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" {print $3}')"
[[ "$cluster_port" == "$PG_PORT" ]] \
  || die "PostgreSQL $pg_version/main listens on port '${cluster_port}', expected $PG_PORT (see /etc/postgresql/$pg_version/main/postgresql.conf)"

cluster_status="$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" {print $4}')"
if [[ "$cluster_status" != online* ]]; then
  ((IS_ROOT)) || need_root "PostgreSQL $pg_version/main is not running"
  log "starting PostgreSQL $pg_version/main"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start >&2 \
    || die "could not start PostgreSQL $pg_version/main (log: /var/log/postgresql/postgresql-$pg_version-main.log)"
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" \
  || die "PostgreSQL does not accept TCP connections on 127.0.0.1:$PG_PORT (listen_addresses?)"

as_postgres() {  # psql as the superuser, through the local socket (peer auth)
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"
}

role_ok() {  # the role can log in over TCP with its password and may create databases
  [[ "$(PGCONNECT_TIMEOUT=5 psql -X -tA "$DATABASE_URL" \
        -c 'select rolcreatedb from pg_roles where rolname = current_user' 2>/dev/null)" == t ]]
}

if ! role_ok; then
  ((IS_ROOT)) || need_root "role '$PG_ROLE' cannot log in to $DATABASE_URL (or lacks CREATEDB)"
  log "ensuring role '$PG_ROLE' (LOGIN CREATEDB, password auth)"
  as_postgres -d postgres >&2 <<SQL || die "could not create/alter role $PG_ROLE"
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SQL
  if ! role_ok; then
    # Debian's default pg_hba.conf allows scram-sha-256 from 127.0.0.1; restore that if it was changed.
    hba="$(as_postgres -d postgres -tA -c 'show hba_file')"
    log "password login over TCP still fails; adding a 127.0.0.1 scram-sha-256 rule to $hba"
    sed -i "1i host all $PG_ROLE 127.0.0.1/32 scram-sha-256  # added by guichet scripts/provision.sh" "$hba"
    as_postgres -d postgres -c 'select pg_reload_conf()' >/dev/null
    sleep 0.5
    role_ok || die "cannot log in with $DATABASE_URL (see $hba and /var/log/postgresql/postgresql-$pg_version-main.log)"
  fi
fi
PGCONNECT_TIMEOUT=5 psql -X -q -tA "$DATABASE_URL" -c 'select 1' >/dev/null \
  || die "psql $DATABASE_URL -c 'select 1' failed"
log "PostgreSQL $pg_version: $DATABASE_URL OK"

# --- Temporal ---------------------------------------------------------------------
temporal_out="$(bash "$ROOT/scripts/install-temporal.sh")" || die "scripts/install-temporal.sh failed"
TEMPORAL_CLI_PATH="$(sed -n 's/^TEMPORAL_CLI_PATH=//p' <<< "$temporal_out")"
TEMPORAL_TEST_SERVER_PATH="$(sed -n 's/^TEMPORAL_TEST_SERVER_PATH=//p' <<< "$temporal_out")"
[[ -x "$TEMPORAL_CLI_PATH" && -x "$TEMPORAL_TEST_SERVER_PATH" ]] \
  || die "scripts/install-temporal.sh did not report both binaries: $temporal_out"

# --- SeaweedFS (S3-compatible object storage) --------------------------------------
seaweedfs_out="$(bash "$ROOT/scripts/install-seaweedfs.sh")" || die "scripts/install-seaweedfs.sh failed"
WEED_PATH="$(sed -n 's/^WEED_PATH=//p' <<< "$seaweedfs_out")"
[[ -x "$WEED_PATH" ]] || die "scripts/install-seaweedfs.sh did not report the weed binary: $seaweedfs_out"

# --- schemathesis (the API's property-based test) -----------------------------------
schemathesis_out="$(bash "$ROOT/scripts/install-schemathesis.sh")" || die "scripts/install-schemathesis.sh failed"
SCHEMATHESIS_PATH="$(sed -n 's/^SCHEMATHESIS_PATH=//p' <<< "$schemathesis_out")"
[[ -x "$SCHEMATHESIS_PATH" ]] || die "scripts/install-schemathesis.sh did not report the binary: $schemathesis_out"

# --- Redmine (optional) -------------------------------------------------------------
redmine_lines=""
if [[ "$WITH_REDMINE" == 1 ]]; then
  ((IS_ROOT)) || need_root "--with-redmine was asked"
  redmine_out="$(bash "$ROOT/scripts/provision-redmine.sh")" || die "scripts/provision-redmine.sh failed"
  redmine_lines="$(grep -E '^TEST_REDMINE_[A-Z_]+=' <<< "$redmine_out" || true)"
  grep -q '^TEST_REDMINE_ADMIN_KEY=' <<< "$redmine_lines" \
    || die "scripts/provision-redmine.sh did not print TEST_REDMINE_ADMIN_KEY"
elif [[ -f "$ENV_FILE" ]] && grep -q '^TEST_REDMINE_ADMIN_KEY=' "$ENV_FILE"; then
  # A run without --with-redmine (e.g. npm's pretest) keeps the Redmine entries of an
  # earlier --with-redmine run as long as that Redmine still answers with that key.
  old_url="$(sed -n 's/^TEST_REDMINE_URL=//p' "$ENV_FILE")"
  old_key="$(sed -n 's/^TEST_REDMINE_ADMIN_KEY=//p' "$ENV_FILE")"
  if [[ -n "$old_url" ]] && command -v curl >/dev/null 2>&1 \
     && curl -fsS -o /dev/null --max-time 5 -H "X-Redmine-API-Key: $old_key" "$old_url/users/current.json" 2>/dev/null; then
    redmine_lines="$(grep -E '^TEST_REDMINE_[A-Z_]+=' "$ENV_FILE")"
    log "Redmine at $old_url still answers: keeping its entries"
  else
    log "Redmine entries of $ENV_FILE dropped: it does not answer (run with --with-redmine)"
  fi
fi

# --- services.env -------------------------------------------------------------------
tmp="$(mktemp "$CACHE/services.env.XXXXXX")"
{
  echo "TEST_DATABASE_URL=$DATABASE_URL"
  echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"
  echo "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH"
  echo "CHROMIUM_PATH=$CHROMIUM_PATH"
  echo "WEED_PATH=$WEED_PATH"
  echo "SCHEMATHESIS_PATH=$SCHEMATHESIS_PATH"
  if [[ -n "$redmine_lines" ]]; then echo "$redmine_lines"; fi
} > "$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$ENV_FILE"
log "wrote $ENV_FILE in $((SECONDS - start_time)) s:"
sed 's/^/[provision]   /' "$ENV_FILE" >&2
