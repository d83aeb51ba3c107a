#!/usr/bin/env bash
# Fuzz every target for SECONDS each (default 60) and print, per target,
# executions per second and total executions.  Fails if any target crashed,
# leaked or tripped a sanitizer, printing where the input was saved.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Builds in $FUZZ_BUILD (default build-fuzz, configured with clang, ASan and
# UBSan if it does not exist).  New inputs go to $FUZZ_WORK/<target>/corpus
# (default build-fuzz/fuzz-work), never to the seed corpus in fuzz/corpus/;
# crash inputs and logs go to $FUZZ_WORK/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
build=${FUZZ_BUILD:-build-fuzz}
work=${FUZZ_WORK:-$build/fuzz-work}

if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2
	exit 2
fi

# The target list lives in fuzz/meson.build.
if [ $# -gt 0 ]; then
	targets=("$@")
else
	mapfile -t targets < <(sed -n '/^fuzz_targets = \[/,/^\]/p' fuzz/meson.build |
		sed -n "s/^ *'\([a-z0-9_]*\)',\{0,1\}$/\1/p")
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "run.sh: no targets found in fuzz/meson.build" >&2
	exit 2
fi

if [ ! -d "$build" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false
fi
ninja -C "$build" "${targets[@]/#/fuzz/fuzz_}" >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# The value of a libFuzzer final statistic ("stat::NAME: VALUE") in a log.
stat() {
	sed -n "s/^stat::$1: *\([0-9]*\)$/\1/p" "$2" | tail -n 1
}

failed=0
printf '%-12s %12s %16s %10s  %s\n' target exec/s executions new-units result
for name in "${targets[@]}"; do
	dir=$work/$name
	mkdir -p "$dir/corpus"
	log=$dir/fuzz.log
	args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=25
	      -rss_limit_mb=2048 -artifact_prefix="$dir/")
	if [ -f "fuzz/$name.dict" ]; then
		args+=(-dict="fuzz/$name.dict")
	fi
	# The first directory receives new inputs; the seeds are only read.
	status=ok
	if ! "$build/fuzz/fuzz_$name" "${args[@]}" "$dir/corpus" "fuzz/corpus/$name" \
			>"$log" 2>&1; then
		status=FAILED
		failed=1
	fi
	printf '%-12s %12s %16s %10s  %s\n' "$name" \
		"$(stat average_exec_per_sec "$log")" \
		"$(stat number_of_executed_units "$log")" \
		"$(stat new_units_added "$log")" "$status"
	if [ $status != ok ]; then
		grep -E 'ERROR|runtime error|^ *#[0-9]+ ' "$log" | head -n 25 | sed 's/^/    /'
		sed -n 's/.*Test unit written to \(.*\)$/    input saved: \1/p' "$log"
		echo "    log: $log"
	fi
done
exit $failed
