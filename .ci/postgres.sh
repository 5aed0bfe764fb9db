# shellcheck shell=bash
# Source this file to get a throwaway PostgreSQL server for the tests:
#
#   source .ci/postgres.sh && trap cardflow_postgres_stop EXIT
#
# It installs Debian's postgresql package when no server is installed,
# creates a data directory under $TMPDIR with initdb, starts the server on
# 127.0.0.1 on a free port (as the postgres user when run as root: the
# server refuses to run as root) and exports CARDFLOW_TEST_POSTGRES, the
# connection string the store tests and the replica tests use. Each test
# makes its own schema or database in it. cardflow_postgres_stop stops the
# server and removes the data directory.
#
# When CARDFLOW_TEST_POSTGRES is already set, it uses that server instead.

cardflow_postgres_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		echo "$d"
		return 0
	fi
	d=$(dirname "$(command -v initdb 2>/dev/null)" 2>/dev/null)
	if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
		echo "$d"
		return 0
	fi
	return 1
}

cardflow_postgres_start() {
	if [ -n "${CARDFLOW_TEST_POSTGRES:-}" ]; then
		echo "postgres: using CARDFLOW_TEST_POSTGRES from the environment" >&2
		return 0
	fi
	local bindir
	if ! bindir=$(cardflow_postgres_bindir); then
		echo "postgres: no server installed; apt-get install -y postgresql" >&2
		local sudo=""
		[ "$(id -u)" -ne 0 ] && sudo="sudo"
		$sudo apt-get update -qq >&2 || true
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2 || return 1
		# Debian's package creates and starts a cluster of its own; the
		# tests do not use it.
		bindir=$(cardflow_postgres_bindir) || { echo "postgres: initdb not found after install" >&2; return 1; }
	fi
	local run=()
	CARDFLOW_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cardflow-pg.XXXXXX")
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres || return 1
		chown postgres "$CARDFLOW_PG_DIR"
		run=(runuser -u postgres --)
	fi
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1
	"${run[@]}" "$bindir/initdb" -D "$CARDFLOW_PG_DIR/data" -U cardflow --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$CARDFLOW_PG_DIR/initdb.log" 2>&1 ||
		{ cat "$CARDFLOW_PG_DIR/initdb.log" >&2; return 1; }
	# Tests open many pools; fsync stays on so that the benchmarks measure
	# durable commits.
	"${run[@]}" "$bindir/pg_ctl" -D "$CARDFLOW_PG_DIR/data" -l "$CARDFLOW_PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $CARDFLOW_PG_DIR -c max_connections=300 -c shared_buffers=128MB" start >&2 ||
		{ cat "$CARDFLOW_PG_DIR/server.log" >&2; return 1; }
	CARDFLOW_PG_BINDIR=$bindir
	CARDFLOW_PG_RUN="${run[*]}"
	export CARDFLOW_TEST_POSTGRES="postgres://cardflow@127.0.0.1:$port/postgres?sslmode=disable"
	echo "postgres: $("$bindir/postgres" --version) on 127.0.0.1:$port, data in $CARDFLOW_PG_DIR" >&2
}

# cardflow_postgres_stop stops the server cardflow_postgres_start started,
# if any, and removes its data directory.
cardflow_postgres_stop() {
	if [ -n "${CARDFLOW_PG_DIR:-}" ] && [ -d "$CARDFLOW_PG_DIR" ]; then
		# shellcheck disable=SC2086
		$CARDFLOW_PG_RUN "$CARDFLOW_PG_BINDIR/pg_ctl" -D "$CARDFLOW_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
		rm -rf "$CARDFLOW_PG_DIR"
		CARDFLOW_PG_DIR=""
	fi
}

cardflow_postgres_start
