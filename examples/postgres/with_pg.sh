#!/usr/bin/env bash
# Run a command with REFUND_PG_CONNINFO naming a PostgreSQL server.
#
#   with_pg.sh COMMAND [ARG...]   run COMMAND, e.g. the store's test binary
#   with_pg.sh --check            exit 0 if a server can be had (for meson)
#
# If REFUND_PG_CONNINFO is set, COMMAND runs against that server.  Otherwise
# a throwaway cluster is made in a new temporary directory with the server
# binaries of /usr/lib/postgresql/*/bin (the newest) or of PATH, listening on
# a Unix socket in that directory only (no TCP), and is stopped and deleted
# when COMMAND ends, however it ends.  initdb refuses to run as root: as
# root, the cluster belongs to the `postgres` user (runuser).  The exit
# status is COMMAND's; a failure prints the end of the server's log.
set -euo pipefail

server_bindir() {
	local dir
	for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
		if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
			echo "$dir"
			return 0
		fi
	done
	if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
		dirname "$(command -v initdb)"
		return 0
	fi
	return 1
}

if [ "${1:-}" = --check ]; then
	[ -n "${REFUND_PG_CONNINFO:-}" ] || server_bindir >/dev/null
	exit
fi
if [ $# -eq 0 ]; then
	echo "usage: with_pg.sh COMMAND [ARG...] | --check" >&2
	exit 2
fi
if [ -n "${REFUND_PG_CONNINFO:-}" ]; then
	exec "$@"
fi

bindir=$(server_bindir) || {
	echo "with_pg.sh: no PostgreSQL server binaries (initdb, pg_ctl) and no REFUND_PG_CONNINFO" >&2
	exit 1
}
as_server=()
tmp_root=${TMPDIR:-/tmp}
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "with_pg.sh: running as root needs a 'postgres' user to own the cluster" >&2
		exit 1
	fi
	as_server=(runuser -u postgres --)
	tmp_root=/tmp         # TMPDIR may be a directory postgres cannot enter
fi
dir=$(mktemp -d "$tmp_root/refund-pg.XXXXXX")

cleanup() {
	if [ -f "$dir/data/postmaster.pid" ]; then
		"${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
			>/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The socket directory (the cluster's own) must be the server user's; the
# test, maybe another user, only needs to reach the socket in it.
chmod 755 "$dir"
[ ${#as_server[@]} -eq 0 ] || chown postgres: "$dir"

if ! "${as_server[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
		--locale=C --no-sync >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	exit 1
fi
# Durability is not under test here: fsync off makes the suite fast.
if ! "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c deadlock_timeout=1s -c max_connections=40" \
		start >/dev/null; then
	cat "$dir/server.log" >&2 || true
	exit 1
fi

status=0
REFUND_PG_CONNINFO="host=$dir port=5432 user=postgres dbname=postgres" "$@" || status=$?
if [ "$status" -ne 0 ]; then
	echo "with_pg.sh: exit status $status; the end of the server log:" >&2
	tail -n 30 "$dir/server.log" >&2 || true
fi
exit "$status"
