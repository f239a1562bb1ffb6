#!/usr/bin/env bash
# PostgreSQL for Aduan on this machine: use the one listening on 127.0.0.1,
# or run a private one under the data dir.
#
# Usage: deploy/postgres.sh ensure|stop|status
#
#   ensure  Print (on stdout, nothing else) the base URL of a server on
#           127.0.0.1 where the role postgres logs in without a password and
#           may create databases, e.g.
#             postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
#           A server already there is used as is. Otherwise a private cluster
#           is created (once) and started in $ADUAN_DATA_DIR/postgres, with
#           trust authentication on 127.0.0.1 and no Unix socket. As root,
#           Debian's postgresql package is installed when no initdb/pg_ctl is
#           found, and the server runs as an unprivileged user. Idempotent.
#   stop    Stop the private cluster. Never touches any other server.
#   status  Tell whether the private cluster runs; exit 0 if so, 3 if not.
#
# Environment:
#   ADUAN_DATA_DIR  data dir (default ./data); the cluster lives in its
#                   postgres/ folder, this script's log in postgres.log.
#   ADUAN_PG_PORT   port to use. Unset: 5432 if a usable server is there;
#                   else the private cluster's last port, or 5432 if free,
#                   or the first free port from 5433.
#   ADUAN_PG_USER   (root only) OS user running the private server; default
#                   postgres if it exists, else aduan (created).
#   ADUAN_PG_BINDIR folder holding initdb and pg_ctl (default: found).
set -euo pipefail

readonly HOST=127.0.0.1
LOG_FILE=

log() {
	printf 'postgres.sh: %s\n' "$*" >&2
	if [[ -n $LOG_FILE ]]; then
		printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$LOG_FILE" 2>/dev/null || true
	fi
}

die() {
	log "error: $*"
	exit 1
}

# run_logged CMD...: run a command with its output on stderr and in the log.
run_logged() {
	if [[ -n $LOG_FILE ]]; then
		"$@" 2>&1 | tee -a "$LOG_FILE" >&2
	else
		"$@" >&2
	fi
}

usage() {
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
	exit "${1:-2}"
}

base_url() {
	printf 'postgres://postgres@%s:%s/postgres?sslmode=disable\n' "$HOST" "$1"
}

# port_open PORT: something accepts TCP connections on HOST:PORT.
port_open() {
	(exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# accepting PORT: a PostgreSQL server accepts connections on HOST:PORT.
accepting() {
	if [[ -n $PG_ISREADY ]]; then
		"$PG_ISREADY" -q -h "$HOST" -p "$1" -t 3 2>/dev/null
	else
		port_open "$1"
	fi
}

# usable PORT: the role postgres logs in there without a password and may
# create databases. Without psql only the server's readiness is checked.
usable() {
	accepting "$1" || return 1
	[[ -n $PSQL ]] || return 0
	local ok
	ok=$(PGCONNECT_TIMEOUT=5 "$PSQL" -X -w -q -A -t -h "$HOST" -p "$1" -U postgres -d postgres \
		-c 'select rolsuper or rolcreatedb from pg_roles where rolname = current_user' 2>/dev/null) || return 1
	[[ $ok == t ]]
}

# find_bindir prints the folder holding initdb and pg_ctl, newest version first.
find_bindir() {
	local d p
	if [[ -n ${ADUAN_PG_BINDIR:-} ]]; then
		[[ -x $ADUAN_PG_BINDIR/initdb && -x $ADUAN_PG_BINDIR/pg_ctl ]] ||
			die "ADUAN_PG_BINDIR=$ADUAN_PG_BINDIR holds no initdb and pg_ctl"
		printf '%s\n' "$ADUAN_PG_BINDIR"
		return 0
	fi
	if p=$(command -v pg_ctl) && command -v initdb >/dev/null; then
		dirname "$(readlink -f "$p")"
		return 0
	fi
	local -a dirs=()
	shopt -s nullglob
	dirs=(/usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin)
	shopt -u nullglob
	if ((${#dirs[@]})); then
		while IFS= read -r d; do
			if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
				printf '%s\n' "$d"
				return 0
			fi
		done < <(printf '%s\n' "${dirs[@]}" | sort -V -r)
	fi
	return 1
}

# find_clients sets PG_ISREADY and PSQL from BINDIR or PATH (empty if none).
find_clients() {
	local name var path
	for name in pg_isready psql; do
		path=
		if [[ -n ${BINDIR:-} && -x $BINDIR/$name ]]; then
			path=$BINDIR/$name
		elif command -v "$name" >/dev/null; then
			path=$(command -v "$name")
		fi
		var=PG_ISREADY
		[[ $name == psql ]] && var=PSQL
		printf -v "$var" '%s' "$path"
	done
}

install_postgres() {
	((EUID == 0)) || die "initdb and pg_ctl not found: install PostgreSQL (Debian: apt-get install postgresql), set ADUAN_PG_BINDIR, or run as root"
	command -v apt-get >/dev/null || die "initdb and pg_ctl not found and apt-get is unavailable: install PostgreSQL"
	log "installing PostgreSQL: apt-get install postgresql"
	run_logged apt-get update -q || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive run_logged apt-get install -y -q --no-install-recommends postgresql ||
		die "apt-get install postgresql failed"
}

# as_user CMD...: run a command as RUN_USER (from /, which it can always
# read), without the lock's file descriptor, so a server started this way
# does not hold the lock.
as_user() {
	if ((EUID != 0)); then
		"$@" 9>&-
	elif command -v runuser >/dev/null; then
		(cd / && runuser -u "$RUN_USER" -- "$@" 9>&-)
	else
		# shellcheck disable=SC2016 # expanded by the inner shell
		(cd / && su -s /bin/sh -c '"$0" "$@"' "$RUN_USER" "$@" 9>&-)
	fi
}

# pick_user sets RUN_USER: the owner of an existing cluster, else (as root)
# ADUAN_PG_USER, postgres or aduan, created as a system user if missing.
pick_user() {
	if ((EUID != 0)); then
		RUN_USER=$(id -un)
		return
	fi
	if [[ -d $PGDATA ]]; then
		RUN_USER=$(stat -c %U "$PGDATA")
		[[ $RUN_USER != root ]] || die "$PGDATA is owned by root; PostgreSQL cannot run as root"
		return
	fi
	RUN_USER=${ADUAN_PG_USER:-}
	if [[ -z $RUN_USER ]]; then
		if id postgres >/dev/null 2>&1; then RUN_USER=postgres; else RUN_USER=aduan; fi
	fi
	[[ $RUN_USER != root ]] || die "ADUAN_PG_USER must not be root"
	if ! id "$RUN_USER" >/dev/null 2>&1; then
		log "creating system user $RUN_USER"
		useradd --system --user-group --home-dir /nonexistent --no-create-home \
			--shell /usr/sbin/nologin "$RUN_USER" || die "cannot create user $RUN_USER"
	fi
}

# prepare_root makes PG_ROOT a folder RUN_USER owns. When RUN_USER cannot
# reach the data dir (under /root, say), the folder is made under
# /var/lib/aduan-postgres and PG_ROOT becomes a symbolic link to it.
prepare_root() {
	if [[ -e $PG_ROOT ]]; then
		resolve_root
		return
	fi
	mkdir -p "$DATA_DIR"
	if ((EUID == 0)) && ! as_user test -x "$DATA_DIR"; then
		local real
		real=/var/lib/aduan-postgres/$(printf '%s' "$DATA_DIR" | sha256sum | cut -c1-16)
		log "user $RUN_USER cannot reach $DATA_DIR; keeping the cluster in $real (linked from $PG_ROOT)"
		mkdir -p "$real"
		chown "$RUN_USER:" "$real"
		chmod 700 "$real"
		ln -s "$real" "$PG_ROOT"
	else
		mkdir -p "$PG_ROOT"
		((EUID != 0)) || chown "$RUN_USER:" "$PG_ROOT"
		chmod 700 "$PG_ROOT"
	fi
	resolve_root
}

# resolve_root points ROOT (PG_ROOT without symbolic links, so RUN_USER can
# reach it) and PGDATA at the cluster's real folders.
resolve_root() {
	ROOT=$PG_ROOT
	[[ ! -e $PG_ROOT ]] || ROOT=$(readlink -f "$PG_ROOT")
	PGDATA=$ROOT/data
}

# running: the private cluster's postmaster is alive.
running() {
	[[ -f $PGDATA/postmaster.pid ]] || return 1
	as_user "$BINDIR/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

# running_port prints the port in the running cluster's postmaster.pid.
running_port() {
	sed -n 4p "$PGDATA/postmaster.pid"
}

choose_port() {
	local p
	if [[ -n ${ADUAN_PG_PORT:-} ]]; then
		printf '%s\n' "$ADUAN_PG_PORT"
		return
	fi
	if [[ -f $ROOT/port ]]; then
		p=$(<"$ROOT/port")
		if [[ $p =~ ^[0-9]+$ ]] && ! port_open "$p"; then
			printf '%s\n' "$p"
			return
		fi
	fi
	for p in 5432 $(seq 5433 5499); do
		if ! port_open "$p"; then
			printf '%s\n' "$p"
			return
		fi
	done
	die "no free port in 5432-5499; set ADUAN_PG_PORT"
}

init_cluster() {
	log "initialising a private cluster in $PGDATA (server runs as $RUN_USER)"
	run_logged as_user "$BINDIR/initdb" -D "$PGDATA" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C || die "initdb failed; see $LOG_FILE"
}

start_cluster() {
	local port=$1
	if ! grep -q "^include_if_exists = 'aduan.conf'" "$PGDATA/postgresql.conf"; then
		printf "\n# Aduan: listen address, port and socket are in aduan.conf, written by deploy/postgres.sh.\ninclude_if_exists = 'aduan.conf'\n" |
			as_user tee -a "$PGDATA/postgresql.conf" >/dev/null
	fi
	printf "# Written by deploy/postgres.sh at each start.\nlisten_addresses = '%s'\nport = %s\nunix_socket_directories = ''\n" "$HOST" "$port" \
		| as_user tee "$PGDATA/aduan.conf" >/dev/null
	log "starting the private cluster on $HOST:$port (server log: $ROOT/server.log)"
	if ! run_logged as_user "$BINDIR/pg_ctl" -D "$PGDATA" -l "$ROOT/server.log" -w -t 60 start; then
		tail -n 20 "$ROOT/server.log" >&2 || true
		die "the private cluster did not start; see $ROOT/server.log"
	fi
	printf '%s\n' "$port" | as_user tee "$ROOT/port" >/dev/null
}

# ensure_role makes the role postgres a superuser in a cluster whose
# bootstrap user is another one (a cluster not made by this script).
ensure_role() {
	local port=$1
	usable "$port" && return
	[[ -n $PSQL ]] || return 0
	log "creating the superuser role postgres"
	as_user "$PSQL" -X -w -q -h "$HOST" -p "$port" -U "$RUN_USER" -d postgres \
		-c 'create role postgres superuser login' >&2 || true
}

setup_paths() {
	DATA_DIR=${ADUAN_DATA_DIR:-./data}
	[[ $DATA_DIR == /* ]] || DATA_DIR=$PWD/$DATA_DIR
	DATA_DIR=${DATA_DIR%/}
	PG_ROOT=$DATA_DIR/postgres
	resolve_root
	if [[ -n ${ADUAN_PG_PORT:-} ]] && ! [[ $ADUAN_PG_PORT =~ ^[0-9]+$ ]]; then
		die "ADUAN_PG_PORT=$ADUAN_PG_PORT is not a port number"
	fi
}

cmd_ensure() {
	BINDIR=$(find_bindir) || BINDIR=
	find_clients

	# A usable server already on the port: the system's, or ours from before.
	local port=${ADUAN_PG_PORT:-5432}
	if usable "$port"; then
		base_url "$port"
		return
	fi

	mkdir -p "$DATA_DIR"
	LOG_FILE=$DATA_DIR/postgres.log
	exec 9>>"$DATA_DIR/.postgres.lock"
	if command -v flock >/dev/null; then
		flock -w 300 9 || die "timed out waiting for another deploy/postgres.sh"
	fi

	if [[ -z $BINDIR ]]; then
		install_postgres
		BINDIR=$(find_bindir) || die "PostgreSQL was installed but initdb and pg_ctl are still not found; set ADUAN_PG_BINDIR"
		find_clients
	fi
	pick_user

	if running; then
		port=$(running_port)
		if [[ -n ${ADUAN_PG_PORT:-} && $port != "$ADUAN_PG_PORT" ]]; then
			die "the private cluster in $PGDATA runs on port $port, not ADUAN_PG_PORT=$ADUAN_PG_PORT; run deploy/postgres.sh stop first"
		fi
	else
		prepare_root
		if [[ ! -f $PGDATA/PG_VERSION ]]; then
			[[ ! -e $PGDATA ]] || die "$PGDATA exists but holds no cluster; remove it"
			init_cluster
		fi
		port=$(choose_port)
		if port_open "$port"; then
			die "port $port is taken by a server where postgres cannot log in without a password; choose another with ADUAN_PG_PORT"
		fi
		start_cluster "$port"
	fi

	local i
	for i in $(seq 1 30); do
		accepting "$port" && break
		((i < 30)) || die "the private cluster on port $port does not accept connections; see $ROOT/server.log"
		sleep 1
	done
	ensure_role "$port"
	usable "$port" || die "the private cluster on port $port does not let postgres in; see $ROOT/server.log"
	base_url "$port"
}

cmd_stop() {
	BINDIR=$(find_bindir) || BINDIR=
	if [[ ! -f $PGDATA/PG_VERSION ]]; then
		log "no private cluster in $PGDATA; nothing to stop"
		return
	fi
	[[ -n $BINDIR ]] || die "pg_ctl not found; set ADUAN_PG_BINDIR"
	pick_user
	if ! running; then
		log "the private cluster in $PGDATA is not running"
		return
	fi
	LOG_FILE=$DATA_DIR/postgres.log
	log "stopping the private cluster in $PGDATA"
	run_logged as_user "$BINDIR/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop
}

cmd_status() {
	BINDIR=$(find_bindir) || BINDIR=
	if [[ ! -f $PGDATA/PG_VERSION ]]; then
		echo "no private cluster in $PGDATA"
		return 3
	fi
	[[ -n $BINDIR ]] || die "pg_ctl not found; set ADUAN_PG_BINDIR"
	pick_user
	if running; then
		echo "running: $(base_url "$(running_port)") (data $PGDATA, user $RUN_USER)"
		return 0
	fi
	echo "stopped (data $PGDATA)"
	return 3
}

main() {
	(($# == 1)) || usage
	setup_paths
	case $1 in
	ensure) cmd_ensure ;;
	stop) cmd_stop ;;
	status) cmd_status ;;
	-h | --help | help) usage 0 ;;
	*) usage ;;
	esac
}

main "$@"
