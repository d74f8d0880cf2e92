# Real database containers for the integration tests and the benchmark.
#
# Source it (bash). No registry is reachable, so nothing is pulled: the image
# dw-db:1 holds only a merged-/usr skeleton, users and owned data dirs, and
# every container mounts the HOST's /usr read-only, so the Debian packages
# postgresql-15, mariadb-server, redis-server and sqlite3 run inside real
# containers (namespaces, their own filesystem, `docker exec` for dumps).
#
#   db_daemon_start DIR [DOCKERD-ARG...] / db_daemon_stop DIR   a private
#                     dockerd in DIR (unix socket, vfs, no bridge; the extra
#                     args add e.g. a TLS listener); start exports
#                     DOCKER_HOST=unix://DIR/docker.sock
#   db_suite_dir TMPL TOOL BIN...   for a suite that drives one built tool:
#                     fails unless every BIN is installed and TOOL is built,
#                     then sets DB_SUITE_DIR to a new temp dir (mktemp TMPL)
#                     whose daemon is stopped and which is removed on exit
#   db_busybox_image NAME APPLET...  import a busybox image NAME (/bin with
#                     the APPLET links, /tmp, /dev/shm) into the daemon
#   db_image_build    import dw-db:1 once (idempotent)
#   db_run_postgres NAME [docker run args]...  PostgreSQL 15 as postgres,
#                     socket /run/postgresql, local trust; returns once ready
#   db_run_mariadb  NAME [args]...   MariaDB as mysql, /run/mysqld/mysqld.sock,
#                     root@localhost with no password (native auth, so any
#                     exec user may dump); returns once ready
#   db_run_redis    NAME [args]...   redis-server as redis, dir /data,
#                     appendonly no (an RDB restore is loaded at start)
#   db_run_sqlite   NAME PATH [args]...  a long-running container whose DB
#                     file is PATH (created empty; parent dir made)
#   db_run_idle     NAME [args]...   a sleeping container, no database
#   db_seed_<engine> NAME DB ROWS    deterministic data (see each function
#                     for the dump size per row); DB is a database name, a
#                     redis db number, or the sqlite file path
#   db_fingerprint_<engine> NAME DB  prints "rows=<n> sha=<sha256>" of the
#                     ordered content of every user table (keys for redis)
#   db_create_<postgres|mariadb> NAME DB  an empty database (restore target)
#
# Every argument is passed as one argv element (never re-split or eval'd),
# and SQL identifiers come only from the caller's DB argument, which must
# match [A-Za-z0-9_]+ (checked), so nothing here is an injection vector of
# its own. Failures print to stderr and return non-zero.

DB_IMAGE="${DB_IMAGE:-dw-db:1}"
# The run flags every DB container shares: host /usr read-only, no network.
DB_RUN_COMMON=(--network none -v /usr:/usr:ro)

_db_err() { echo "db.sh: $*" >&2; return 1; }

_db_ident() {
  [[ "$1" =~ ^[A-Za-z0-9_]+$ ]] || _db_err "bad database name [$1]: use [A-Za-z0-9_]+"
}

# ---------------------------------------------------------------- daemon

db_daemon_start() {
  local dir="$1" i
  [ -n "$dir" ] || { _db_err "db_daemon_start DIR"; return 1; }
  shift
  mkdir -p "$dir"
  dockerd --host "unix://$dir/docker.sock" --data-root "$dir/data" \
          --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
          --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
          "$@" >>"$dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$dir/dockerd.bgpid"
  for i in $(seq 1 300); do
    if [ -S "$dir/docker.sock" ] &&
       [ "$(curl -s --max-time 2 --unix-socket "$dir/docker.sock" http://d/_ping || true)" = OK ]; then
      export DOCKER_HOST="unix://$dir/docker.sock"
      return 0
    fi
    sleep 0.1
  done
  _db_err "dockerd did not answer /_ping within 30 s; log tail:"
  tail -n 20 "$dir/dockerd.log" >&2
  return 1
}

# _db_signal DIR SIG TENTHS: sends SIG to the dockerd of DIR and waits up to
# TENTHS tenths of a second for it to exit; fails only if it is still there.
_db_signal() {
  local dir="$1" sig="$2" tenths="$3" pid i
  [ -f "$dir/docker.pid" ] || return 0
  pid="$(cat "$dir/docker.pid")"
  kill "-$sig" "$pid" 2>/dev/null || return 0
  for i in $(seq 1 "$tenths"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# SIGTERM, wait up to 30 s, then SIGKILL. Running containers are killed by
# dockerd on its way down (no live-restore), so nothing outlives the test.
db_daemon_stop() {
  local dir="$1" pid
  _db_signal "$dir" TERM 300 && return 0
  pid="$(cat "$dir/docker.pid")"
  echo "db.sh: dockerd $pid ignored SIGTERM for 30 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# Kills dockerd with SIGKILL, as a crash would: open API streams (exec,
# events) break at once, while containerd and the containers keep running;
# the next db_daemon_start re-attaches to them.
db_daemon_kill() {
  _db_signal "$1" KILL 100 || true
}

# Whatever still runs from DIR after its dockerd is gone (a containerd left by
# db_daemon_kill, container shims): ended so the test leaves nothing behind.
db_daemon_reap() {
  local dir="$1"
  pkill -KILL -f -- "$dir/exec" 2>/dev/null || true
  pkill -KILL -f -- "$dir/data" 2>/dev/null || true
}

# The EXIT trap keeps the suite's exit status; containerd shims of a daemon
# killed hard may keep dirs busy a moment, hence the second rm.
_db_suite_cleanup() {
  local rc=$?
  db_daemon_stop "$DB_SUITE_DIR" || true
  rm -rf "$DB_SUITE_DIR" 2>/dev/null || { sleep 1; rm -rf "$DB_SUITE_DIR" || true; }
  exit $rc
}

db_suite_dir() {  # TMPL TOOL BIN...
  local tmpl="$1" tool="$2" bin
  shift 2
  for bin in "$@"; do
    command -v "$bin" >/dev/null || { echo "FAIL: $bin is not installed (scripts/setup.sh test)" >&2; exit 1; }
  done
  [ -x "$tool" ] || { echo "FAIL: $tool not built" >&2; exit 1; }
  DB_SUITE_DIR="$(mktemp -d "$tmpl")"
  trap _db_suite_cleanup EXIT INT TERM
}

# ---------------------------------------------------------------- image

db_busybox_image() {  # NAME APPLET...
  local name="$1" root x rc=0
  shift
  root="$(mktemp -d /tmp/dw-bbimg.XXXXXX)" || return 1
  chmod 0755 "$root"  # mktemp made it 0700: it becomes the container's /
  mkdir -p "$root/bin" "$root/tmp" "$root/dev/shm"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for x in "$@"; do ln -sf busybox "$root/bin/$x"; done
  tar -C "$root" -c . | docker import - "$name" >/dev/null || rc=$?
  rm -rf "$root"
  [ "$rc" -eq 0 ] || _db_err "importing $name failed"
}

_db_uid() { getent passwd "$1" | cut -d: -f3; }
_db_gid() { getent passwd "$1" | cut -d: -f4; }

db_image_build() {
  docker image inspect "$DB_IMAGE" >/dev/null 2>&1 && return 0
  local u
  for u in postgres mysql redis; do
    [ -n "$(_db_uid "$u")" ] || { _db_err "host user $u missing (install the DB packages)"; return 1; }
  done
  local root rc=0
  root="$(mktemp -d /tmp/dw-dbimg.XXXXXX)" || return 1
  (
    set -e
    chmod 0755 "$root"  # mktemp made it 0700: it becomes the container's /
    cd "$root"
    mkdir -p usr etc tmp root run var/lib/postgresql run/postgresql var/lib/mysql run/mysqld data
    ln -s usr/bin bin; ln -s usr/lib lib; ln -s usr/lib64 lib64; ln -s usr/sbin sbin
    ln -s ../run var/run  # Debian's clients default to /var/run/{postgresql,mysqld}
    chmod 1777 tmp
    {
      echo "root:x:0:0:root:/root:/bin/sh"
      for u in postgres mysql redis; do
        getent passwd "$u" | awk -F: -v OFS=: '{ $7 = "/bin/sh"; print }'
      done
      echo "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
    } >etc/passwd
    {
      echo "root:x:0:"
      for u in postgres mysql redis; do
        getent group "$(_db_gid "$u")" | cut -d: -f1-3 | sed 's/$/:/'
      done
      echo "nogroup:x:65534:"
    } >etc/group
    echo "hosts: files" >etc/nsswitch.conf
    printf '127.0.0.1 localhost\n::1 localhost\n' >etc/hosts
    chown -R "$(_db_uid postgres):$(_db_gid postgres)" var/lib/postgresql run/postgresql
    chown -R "$(_db_uid mysql):$(_db_gid mysql)" var/lib/mysql run/mysqld
    chown -R "$(_db_uid redis):$(_db_gid redis)" data
    chmod 0700 var/lib/postgresql
    chmod 2775 run/postgresql
  ) || rc=$?
  if [ "$rc" -eq 0 ]; then
    # PATH: the real PostgreSQL 15 binaries, not Debian's pg_wrapper (a perl
    # script that wants /etc/postgresql-common of the host).
    tar --numeric-owner -C "$root" -c . |
      docker import \
        --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        - "$DB_IMAGE" >/dev/null || rc=$?
  fi
  rm -rf "$root"
  [ "$rc" -eq 0 ] || _db_err "building $DB_IMAGE failed"
}

# ---------------------------------------------------------------- run

# _db_wait NAME SECONDS CMD...: polls `docker exec NAME CMD...` every 0.2 s;
# gives up early (with the container log) if the container stopped.
_db_wait() {
  local name="$1" secs="$2"
  shift 2
  local deadline=$((SECONDS + secs))
  until docker exec "$name" "$@" >/dev/null 2>&1; do
    if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ]; then
      _db_err "container $name stopped while starting; log tail:"
      docker logs --tail 20 "$name" >&2 2>&1
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _db_err "container $name not ready after ${secs}s; log tail:"
      docker logs --tail 20 "$name" >&2 2>&1
      return 1
    fi
    sleep 0.2
  done
}

# fsync off: these are throw-away test databases on a shared 2-core box; the
# tests crash dockward and dockerd, never the database server itself.
db_run_postgres() {
  local name="$1"
  shift
  db_image_build || return 1
  docker run -d --name "$name" --user postgres "${DB_RUN_COMMON[@]}" "$@" "$DB_IMAGE" \
    sh -c 'set -e
      if [ ! -s /var/lib/postgresql/data/PG_VERSION ]; then
        initdb -D /var/lib/postgresql/data -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/tmp/initdb.log
      fi
      exec postgres -D /var/lib/postgresql/data -k /run/postgresql -c listen_addresses= \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off' >/dev/null || return 1
  _db_wait "$name" 60 pg_isready -q -h /run/postgresql -U postgres
}

db_run_mariadb() {
  local name="$1"
  shift
  db_image_build || return 1
  docker run -d --name "$name" --user mysql "${DB_RUN_COMMON[@]}" "$@" "$DB_IMAGE" \
    sh -c 'set -e
      if [ ! -d /var/lib/mysql/mysql ]; then
        mariadb-install-db --no-defaults --user=mysql --datadir=/var/lib/mysql \
          --auth-root-authentication-method=normal --skip-test-db >/tmp/install-db.log 2>&1
      fi
      exec mariadbd --no-defaults --user=mysql --datadir=/var/lib/mysql \
        --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid --skip-networking \
        --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M --innodb-log-file-size=16M' \
    >/dev/null || return 1
  _db_wait "$name" 90 mariadb -u root -e 'SELECT 1'
}

db_run_redis() {
  local name="$1"
  shift
  db_image_build || return 1
  docker run -d --name "$name" --user redis "${DB_RUN_COMMON[@]}" "$@" "$DB_IMAGE" \
    redis-server --dir /data --appendonly no --port 6379 --bind 127.0.0.1 \
      --save '' --protected-mode yes >/dev/null || return 1
  _db_wait "$name" 30 sh -c '[ "$(redis-cli ping)" = PONG ]'
}

# The container runs as root so restores may replace PATH by rename anywhere.
db_run_sqlite() {
  local name="$1" path="$2"
  shift 2
  [[ "$path" == /* ]] || { _db_err "db_run_sqlite: PATH must be absolute"; return 1; }
  db_image_build || return 1
  docker run -d --name "$name" "${DB_RUN_COMMON[@]}" "$@" "$DB_IMAGE" \
    sh -c 'mkdir -p "$(dirname "$1")" && sqlite3 "$1" "PRAGMA user_version=0;" || exit 1
      trap "exit 0" TERM; sleep infinity & wait' \
    sh "$path" >/dev/null || return 1
  _db_wait "$name" 30 test -f "$path"
}

# An idle container (no database) that stops at once on SIGTERM: for label
# tests that need a container but never a dump.
db_run_idle() {
  local name="$1"
  shift
  db_image_build || return 1
  docker run -d --name "$name" "${DB_RUN_COMMON[@]}" "$@" "$DB_IMAGE" \
    sh -c 'trap "exit 0" TERM; sleep infinity & wait' >/dev/null
}

# ---------------------------------------------------------------- seed

db_create_postgres() {
  local name="$1" db="$2"
  _db_ident "$db" || return 1
  docker exec "$name" psql -q -v ON_ERROR_STOP=1 -U postgres -d postgres \
    -c "CREATE DATABASE \"$db\"" >/dev/null
}

# Tables items (ROWS rows) and tags (ROWS/10 rows, foreign key to items).
# pg_dump --format=plain writes ~300 bytes per ROW, tags included (a 256-char
# payload of 8 distinct md5s, so it compresses like real text, not like a run
# of one byte). Measured: ROWS=1000 -> 295,677 bytes; ROWS=700000 ->
# 209,908,683 bytes (zstd -3: 102 MB), seeded in 16 s, dumped in 8 s on a
# loaded 2-core box.
db_seed_postgres() {
  local name="$1" db="$2" rows="$3"
  _db_ident "$db" || return 1
  [[ "$rows" =~ ^[0-9]+$ ]] || { _db_err "ROWS must be a number"; return 1; }
  if ! docker exec "$name" psql -At -U postgres -d postgres \
       -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -qx 1; then
    db_create_postgres "$name" "$db" || return 1
  fi
  docker exec -i "$name" psql -q -v ON_ERROR_STOP=1 -U postgres -d "$db" >/dev/null <<SQL
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, payload text NOT NULL,
                    created timestamptz NOT NULL);
INSERT INTO items
  SELECT g, 'item-' || g,
         md5(g::text) || md5(g::text || 'a') || md5(g::text || 'b') || md5(g::text || 'c') ||
         md5(g::text || 'd') || md5(g::text || 'e') || md5(g::text || 'f') || md5(g::text || 'g'),
         timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'
  FROM generate_series(1, $rows) AS g;
CREATE TABLE tags (item_id integer REFERENCES items(id), tag text NOT NULL);
INSERT INTO tags SELECT g, 'tag-' || (g % 7) FROM generate_series(1, $rows / 10) AS g;
CREATE INDEX tags_tag ON tags(tag);
SQL
}

db_create_mariadb() {
  local name="$1" db="$2"
  _db_ident "$db" || return 1
  docker exec "$name" mariadb -u root -e "CREATE DATABASE \`$db\`"
}

# Same shape as postgres; mariadb-dump writes ~303 bytes per ROW (extended
# INSERTs; ROWS=1000 -> 303,153 bytes).
db_seed_mariadb() {
  local name="$1" db="$2" rows="$3"
  _db_ident "$db" || return 1
  [[ "$rows" =~ ^[0-9]+$ ]] || { _db_err "ROWS must be a number"; return 1; }
  docker exec -i "$name" mariadb -u root >/dev/null <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\`;
USE \`$db\`;
CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, payload TEXT NOT NULL,
                    created DATETIME NOT NULL) ENGINE=InnoDB;
INSERT INTO items
  WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $rows)
  SELECT n, CONCAT('item-', n),
         CONCAT(MD5(n), MD5(CONCAT(n, 'a')), MD5(CONCAT(n, 'b')), MD5(CONCAT(n, 'c')),
                MD5(CONCAT(n, 'd')), MD5(CONCAT(n, 'e')), MD5(CONCAT(n, 'f')), MD5(CONCAT(n, 'g'))),
         TIMESTAMPADD(SECOND, n, '2024-01-01 00:00:00')
  FROM g WHERE $rows > 0;
CREATE TABLE tags (item_id INT, tag VARCHAR(16) NOT NULL, KEY (tag),
                   FOREIGN KEY (item_id) REFERENCES items(id)) ENGINE=InnoDB;
INSERT INTO tags SELECT id, CONCAT('tag-', id % 7) FROM items WHERE id <= $rows DIV 10;
SQL
}

# ROWS string keys (value 64 hex chars), ROWS/10 hashes of 3 fields and one
# list of ROWS/10 elements, in redis db DB. The RDB is ~80 bytes per ROW
# (ROWS=1000 -> 81,121 bytes, 1101 keys).
db_seed_redis() {
  local name="$1" db="$2" rows="$3"
  [[ "$db" =~ ^[0-9]+$ ]] || { _db_err "redis DB must be a number"; return 1; }
  [[ "$rows" =~ ^[0-9]+$ ]] || { _db_err "ROWS must be a number"; return 1; }
  docker exec "$name" redis-cli -n "$db" EVAL '
    local n = tonumber(ARGV[1])
    for i = 1, n do
      redis.call("SET", "item:" .. i, redis.sha1hex("v" .. i) .. redis.sha1hex("w" .. i):sub(1, 24))
    end
    for i = 1, math.floor(n / 10) do
      redis.call("HSET", "h:" .. i, "name", "item-" .. i, "tag", "tag-" .. (i % 7), "n", i)
      redis.call("RPUSH", "list", "e" .. i)
    end
    return n' 0 "$rows" >/dev/null
}

# Table items (ROWS rows) and tags (ROWS/10); `.dump` is ~250 bytes per ROW
# (ROWS=1000 -> 252,588 bytes).
db_seed_sqlite() {
  local name="$1" path="$2" rows="$3"
  [[ "$rows" =~ ^[0-9]+$ ]] || { _db_err "ROWS must be a number"; return 1; }
  docker exec -i "$name" sqlite3 -bail "$path" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, payload TEXT NOT NULL);
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $rows)
INSERT INTO items SELECT n, 'item-' || n, printf('%-200s|%d', 'payload-' || n, n)
  FROM g WHERE $rows > 0;
CREATE TABLE tags (item_id INTEGER REFERENCES items(id), tag TEXT NOT NULL);
INSERT INTO tags SELECT id, 'tag-' || (id % 7) FROM items WHERE id <= $rows / 10;
COMMIT;
SQL
}

# ---------------------------------------------------------------- fingerprint

# Each: the stream "## <table>\n<rows in a total order>" for every user
# table by name, hashed; rows counts every row of every table.
_db_print_fp() {  # FILE
  printf 'rows=%s sha=%s\n' "$(grep -cv '^## ' "$1")" "$(sha256sum <"$1" | cut -d' ' -f1)"
}

_db_fp_finish() {  # tmpfile rc
  local f="$1" rc="$2"
  [ "$rc" -eq 0 ] && _db_print_fp "$f"
  rm -f "$f"
  return "$rc"
}

db_fingerprint_postgres() {
  local name="$1" db="$2" f rc=0 t
  _db_ident "$db" || return 1
  f="$(mktemp)"
  (
    local tables
    tables="$(docker exec "$name" psql -At -v ON_ERROR_STOP=1 -U postgres -d "$db" -c \
      "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
       WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")" || exit 1
    for t in $tables; do
      echo "## $t"
      docker exec "$name" psql -At -v ON_ERROR_STOP=1 -U postgres -d "$db" \
        -c "SELECT x::text FROM $t x ORDER BY 1" || exit 1
    done
  ) >"$f" || rc=$?
  _db_fp_finish "$f" "$rc"
}

db_fingerprint_mariadb() {
  local name="$1" db="$2" f rc=0 t
  _db_ident "$db" || return 1
  f="$(mktemp)"
  (
    local tables
    tables="$(docker exec "$name" mariadb -u root -N -B -e \
      "SELECT table_name FROM information_schema.tables WHERE table_schema = '$db'
       AND table_type = 'BASE TABLE' ORDER BY 1")" || exit 1
    for t in $tables; do
      echo "## $t"
      docker exec "$name" mariadb -u root -N -B -e "SELECT * FROM \`$db\`.\`$t\`" |
        LC_ALL=C sort
      [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
    done
  ) >"$f" || rc=$?
  _db_fp_finish "$f" "$rc"
}

# Keys of db DB in byte order, each with its type and canonical value.
db_fingerprint_redis() {
  local name="$1" db="$2" f rc=0
  [[ "$db" =~ ^[0-9]+$ ]] || { _db_err "redis DB must be a number"; return 1; }
  f="$(mktemp)"
  (
    echo "## db$db"
    docker exec "$name" redis-cli -n "$db" EVAL '
      local keys = redis.call("KEYS", "*")
      table.sort(keys)
      local out = {}
      for _, k in ipairs(keys) do
        local t = redis.call("TYPE", k).ok
        local v
        if t == "string" then v = redis.call("GET", k)
        elseif t == "hash" then
          local kv = redis.call("HGETALL", k)
          local pairs_ = {}
          for i = 1, #kv, 2 do pairs_[#pairs_ + 1] = kv[i] .. "=" .. kv[i + 1] end
          table.sort(pairs_)
          v = table.concat(pairs_, ",")
        elseif t == "list" then v = table.concat(redis.call("LRANGE", k, 0, -1), ",")
        elseif t == "set" then
          local m = redis.call("SMEMBERS", k); table.sort(m); v = table.concat(m, ",")
        elseif t == "zset" then v = table.concat(redis.call("ZRANGE", k, 0, -1, "WITHSCORES"), ",")
        else v = "?" end
        out[#out + 1] = k .. "\t" .. t .. "\t" .. v
      end
      return out' 0 || exit 1
  ) >"$f" || rc=$?
  _db_fp_finish "$f" "$rc"
}

db_fingerprint_sqlite() {
  local name="$1" path="$2" f rc=0 t
  f="$(mktemp)"
  (
    local tables
    tables="$(docker exec "$name" sqlite3 -readonly "$path" \
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")" || exit 1
    for t in $tables; do
      [[ "$t" =~ ^[A-Za-z0-9_]+$ ]] || { _db_err "unexpected table name [$t]"; exit 1; }
      echo "## $t"
      docker exec "$name" sqlite3 -readonly -separator $'\t' "$path" "SELECT * FROM \"$t\"" |
        LC_ALL=C sort
      [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
    done
  ) >"$f" || rc=$?
  _db_fp_finish "$f" "$rc"
}
