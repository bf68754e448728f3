#!/usr/bin/env bash
# Provisions a real Redmine 5.0 (Debian packages, SQLite, thin) on 127.0.0.1:3000 for
# the tests (see shared/docs/local-services.md), configured for Guichet:
#   - REST API enabled, user admin with a fixed API key;
#   - issue custom field "E-mail client" (string, all projects, filter, all trackers);
#   - project guichet-demo (private, all trackers);
#   - non-admin user guichet-api (fixed API key), member of guichet-demo with role
#     "Guichet API": view_issues add_issues edit_issues add_issue_notes
#     set_notes_private view_private_notes.
# Prints on stdout (progress goes to stderr):
#   TEST_REDMINE_URL=http://127.0.0.1:3000
#   TEST_REDMINE_ADMIN_KEY=<admin's key>
#   TEST_REDMINE_API_KEY=<guichet-api's key>
# Needs root the first time (apt-get). Idempotent; about a second when all is in place.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
REDMINE_DIR=/usr/share/redmine
PORT=3000
URL="http://127.0.0.1:$PORT"
LOG="$CACHE/redmine.log"
PID_FILE="$CACHE/redmine.pid"
APT_PACKAGES=(redmine redmine-sqlite thin curl)
# Fixed, known keys (a disposable test Redmine on the loopback interface only).
ADMIN_KEY="${TEST_REDMINE_ADMIN_KEY:-91a96ca889d316b2c57454ca7c009465ff6df427}"
API_KEY="${TEST_REDMINE_API_KEY:-3326d280b6ef89ed0252a03fa1bef40f25ff15fd}"
START_TIMEOUT=60

log() { echo "[provision-redmine] $*" >&2; }
die() { echo "[provision-redmine] ERROR: $*" >&2; exit 1; }

mkdir -p "$CACHE"
start_time=$SECONDS
IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1

# --- Debian packages ------------------------------------------------------------------
is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}
all_installed() {
  local p
  for p in "${APT_PACKAGES[@]}"; do is_installed "$p" || return 1; done
}

if ! all_installed; then
  ((IS_ROOT)) || die "Redmine packages are missing; run as root:  sudo bash $ROOT/scripts/provision-redmine.sh"
  apt_log="$CACHE/redmine-apt.log"
  : > "$apt_log"
  log "installing ${APT_PACKAGES[*]} (a few minutes; log: $apt_log)"
  apt-get update >>"$apt_log" 2>&1 || { tail -n 20 "$apt_log" >&2; die "apt-get update failed"; }
  # The package's configure step is known to fail here (Bundler: "Could not find
  # rotp-6.2.0.gem for installation") because some Debian gemspecs point at gem
  # directories that do not exist. It is fixed right below.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${APT_PACKAGES[@]}" >>"$apt_log" 2>&1; then
    log "apt-get install reported an error (expected: Redmine's configure step); fixing"
  fi
  for p in ruby "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qE 'unpacked|half-configured|installed' \
      || { tail -n 30 "$apt_log" >&2; die "package $p was not even unpacked (download failed?)"; }
  done
fi
if ! all_installed; then
  log "creating missing gem directories, then finishing the configuration (dpkg --configure -a)"
  ruby -e 'Gem::Specification.each { |g| puts g.gem_dir unless Dir.exist?(g.gem_dir) }' | xargs -r mkdir -p
  DEBIAN_FRONTEND=noninteractive dpkg --configure -a >>"$CACHE/redmine-apt.log" 2>&1 \
    || { tail -n 30 "$CACHE/redmine-apt.log" >&2; die "dpkg --configure -a failed"; }
  for p in "${APT_PACKAGES[@]}"; do
    is_installed "$p" || die "package $p is not installed after dpkg --configure -a (log: $CACHE/redmine-apt.log)"
  done
  log "packages installed"
fi
[[ -f "$REDMINE_DIR/Gemfile" ]] || die "$REDMINE_DIR/Gemfile not found: is the redmine package complete?"

# --- SQLite under concurrent requests -------------------------------------------------------
# Redmine sends its e-mails from a thread (ActiveJob's async adapter) that reads the database
# while the next request writes. Debian's database.yml sets no busy timeout, so SQLite answered
# "database is locked" at once and Redmine a 500 (seen in full test runs, about one in 800
# requests). A busy timeout makes the writer wait; WAL lets readers and one writer go together.
DB_YML=/etc/redmine/default/database.yml
restart_for_sqlite=0
if ((IS_ROOT)) && [[ -f "$DB_YML" ]] && ! grep -q '^  timeout:' "$DB_YML"; then
  sed -i '/^  adapter: sqlite3/a\  timeout: 10000' "$DB_YML"
  grep -q '^  timeout: 10000' "$DB_YML" || die "could not set the SQLite busy timeout in $DB_YML"
  log "SQLite busy timeout set in $DB_YML"
  restart_for_sqlite=1
fi
set_wal() {
  local db_path
  db_path="$(ruby -ryaml -e 'puts YAML.load_file(ARGV[0])["production"]["database"]' "$DB_YML")"
  [[ -f "$db_path" ]] || return 0
  ruby -rsqlite3 -e 'db = SQLite3::Database.new(ARGV[0]); db.busy_timeout(10_000)
    mode = db.execute("PRAGMA journal_mode=WAL")[0][0]
    abort("journal_mode is #{mode}") unless mode == "wal"' "$db_path" \
    || die "could not put Redmine's SQLite database in WAL mode"
}

# --- server ------------------------------------------------------------------------------
answers() {  # any HTTP answer at all
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/" 2>/dev/null || true)"
  [[ -n "$code" && "$code" != 000 ]]
}

if ((restart_for_sqlite)) && answers && [[ -f "$PID_FILE" ]]; then
  # A Redmine started before the timeout was set: restarted to read it.
  old_pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if [[ -n "$old_pid" ]] && kill "$old_pid" 2>/dev/null; then
    log "restarting Redmine (process $old_pid) for the SQLite settings"
    for _ in $(seq 1 30); do kill -0 "$old_pid" 2>/dev/null || break; sleep 1; done
  fi
fi

if ! answers; then
  ((IS_ROOT)) || die "Redmine does not answer on $URL; start it as root:  sudo bash $ROOT/scripts/provision-redmine.sh"
  if [[ -f "$PID_FILE" ]]; then
    old_pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    if [[ -n "$old_pid" ]] && kill -0 "$old_pid" 2>/dev/null; then
      die "Redmine process $old_pid (from $PID_FILE) is alive but $URL does not answer; see $LOG"
    fi
    rm -f "$PID_FILE"   # stale (e.g. after a reboot): rails refuses to start otherwise
  fi
  [[ -f "$DB_YML" ]] && set_wal
  log "starting Redmine on $URL (log: $LOG)"
  (
    cd "$REDMINE_DIR"
    exec setsid nohup bundle exec rails server -e production -b 127.0.0.1 -p "$PORT" -P "$PID_FILE" \
      >>"$LOG" 2>&1 </dev/null
  ) &
  server_pid=$!
  deadline=$((SECONDS + START_TIMEOUT))
  until answers; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 30 "$LOG" >&2
      die "Redmine exited while starting (log: $LOG)"
    fi
    ((SECONDS < deadline)) || { tail -n 30 "$LOG" >&2; die "Redmine did not answer on $URL within ${START_TIMEOUT}s (log: $LOG)"; }
    sleep 1
  done
  log "Redmine answers after $((SECONDS - start_time)) s"
fi

# --- configuration ------------------------------------------------------------------------
# Checks through the REST API everything the runner script below sets up.
configured() {
  URL="$URL" ADMIN_KEY="$ADMIN_KEY" API_KEY="$API_KEY" python3 - <<'PY'
import json, os, sys, urllib.request, urllib.error

url, admin_key, api_key = os.environ["URL"], os.environ["ADMIN_KEY"], os.environ["API_KEY"]
PERMS = {"view_issues", "add_issues", "edit_issues", "add_issue_notes",
         "set_notes_private", "view_private_notes", "manage_subtasks"}

def get(path, key):
    req = urllib.request.Request(url + path, headers={"X-Redmine-API-Key": key})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)

def fail(why):
    print(f"[provision-redmine] not configured yet: {why}", file=sys.stderr)
    sys.exit(1)

try:
    admin = get("/users/current.json", admin_key)["user"]
    if admin.get("login") != "admin" or not admin.get("admin"):
        fail("the admin key does not belong to an administrator named admin")
    trackers = {t["id"] for t in get("/trackers.json", admin_key)["trackers"]}
    if not trackers:
        fail("no trackers")
    cfs = [c for c in get("/custom_fields.json", admin_key)["custom_fields"]
           if c["name"] == "E-mail client" and c.get("customized_type") == "issue"]
    if not cfs:
        fail("no issue custom field 'E-mail client'")
    cf = cfs[0]
    if cf.get("field_format") != "string" or not cf.get("is_filter") \
            or {t["id"] for t in cf.get("trackers", [])} != trackers:
        fail("custom field 'E-mail client' is not a string filter on all trackers")
    project = get("/projects/guichet-demo.json?include=trackers", admin_key)["project"]
    if {t["id"] for t in project.get("trackers", [])} != trackers:
        fail("project guichet-demo does not have all trackers")
    if not any(c["id"] == cf["id"] for c in get("/projects/guichet-demo.json?include=issue_custom_fields",
                                                 admin_key)["project"].get("issue_custom_fields", [])):
        fail("'E-mail client' is not enabled on guichet-demo")
    roles = [r for r in get("/roles.json", admin_key)["roles"] if r["name"] == "Guichet API"]
    if not roles:
        fail("no role 'Guichet API'")
    role = get(f"/roles/{roles[0]['id']}.json", admin_key)["role"]
    if set(role.get("permissions", [])) != PERMS:
        fail(f"role 'Guichet API' has permissions {sorted(role.get('permissions', []))}")
    me = get("/users/current.json?include=memberships", api_key)["user"]
    if me.get("login") != "guichet-api" or me.get("admin"):
        fail("the API key does not belong to the non-admin user guichet-api")
    if not any(m["project"]["id"] == project["id"] and any(r["id"] == role["id"] for r in m.get("roles", []))
               for m in me.get("memberships", [])):
        fail("guichet-api is not a member of guichet-demo with role 'Guichet API'")
except urllib.error.HTTPError as e:
    fail(f"HTTP {e.code} on {e.url}")
except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
    fail(repr(e))
PY
}

if ! configured; then
  ((IS_ROOT)) || die "Redmine needs configuring; run as root:  sudo bash $ROOT/scripts/provision-redmine.sh"
  log "configuring Redmine (rails runner, ~10 s)"
  setup_rb="$CACHE/redmine-setup.rb"
  cat > "$setup_rb" <<'RUBY'
# Generated by scripts/provision-redmine.sh: idempotent Redmine set-up for Guichet's tests.
ActiveRecord::Base.transaction do
  if Tracker.count.zero? || IssueStatus.count.zero?
    Redmine::DefaultData::Loader.load('en')
  end

  Setting.rest_api_enabled = '1'

  # Ensures `user` has exactly `key` as its API key.
  set_api_key = lambda do |user, key|
    # Token generates its own value before create: set ours afterwards.
    token = Token.find_by(user_id: user.id, action: 'api') || Token.create!(user: user, action: 'api')
    token.update_column(:value, key) unless token.value == key
  end

  admin = User.find_by_login('admin') || raise('no user admin')
  admin.update_columns(admin: true, status: User::STATUS_ACTIVE, must_change_passwd: false)
  set_api_key.call(admin, ENV.fetch('ADMIN_KEY'))

  trackers = Tracker.sorted.to_a

  cf = IssueCustomField.find_by(name: 'E-mail client') ||
       IssueCustomField.new(name: 'E-mail client', field_format: 'string')
  cf.is_for_all = true
  cf.is_filter = true
  cf.visible = true
  cf.trackers = trackers
  cf.save!

  project = Project.find_by(identifier: 'guichet-demo') ||
            Project.new(identifier: 'guichet-demo', name: 'Guichet demo', is_public: false)
  project.trackers = trackers
  project.enabled_module_names = (project.enabled_module_names | ['issue_tracking'])
  project.save!
  # is_for_all already covers every project; the explicit link also makes the field
  # show in GET /projects/guichet-demo.json?include=issue_custom_fields.
  project.issue_custom_fields << cf unless project.issue_custom_fields.include?(cf)

  perms = %i[view_issues add_issues edit_issues add_issue_notes set_notes_private view_private_notes manage_subtasks]
  role = Role.find_by(name: 'Guichet API') || Role.new(name: 'Guichet API')
  role.permissions = perms
  role.issues_visibility = 'all'
  role.save!
  # Without workflow transitions a non-admin role cannot change any status: Redmine answers
  # 204 and silently keeps the old one. Give the role the Manager's transitions.
  manager = Role.find_by(name: 'Manager')
  if manager && WorkflowTransition.where(role_id: role.id).none?
    WorkflowRule.copy(nil, manager, nil, role)
  end

  user = User.find_by_login('guichet-api')
  if user.nil?
    user = User.new(firstname: 'Guichet', lastname: 'API', mail: 'guichet-api@example.com')
    user.login = 'guichet-api'
    user.password = user.password_confirmation = SecureRandom.hex(16)
  end
  user.admin = false
  user.status = User::STATUS_ACTIVE
  user.save!
  set_api_key.call(user, ENV.fetch('API_KEY'))

  member = Member.find_by(project_id: project.id, user_id: user.id) ||
           Member.new(project: project, principal: user)
  member.role_ids = (member.role_ids | [role.id])
  member.save!

  $stderr.puts "[provision-redmine] admin=#{admin.id} cf=#{cf.id} project=#{project.id} role=#{role.id} guichet-api=#{user.id}"
end
RUBY
  (
    cd "$REDMINE_DIR"
    ADMIN_KEY="$ADMIN_KEY" API_KEY="$API_KEY" bundle exec rails runner -e production "$setup_rb" >&2
  ) || die "rails runner $setup_rb failed"
  configured || die "Redmine is still not configured as expected after the runner script"
fi

log "Redmine ready on $URL ($((SECONDS - start_time)) s)"
echo "TEST_REDMINE_URL=$URL"
echo "TEST_REDMINE_ADMIN_KEY=$ADMIN_KEY"
echo "TEST_REDMINE_API_KEY=$API_KEY"
