#!/bin/sh
# Run a libFuzzer target once on each file of a corpus directory and fail
# if any input crashes, leaks or trips a sanitizer.  (Given files rather
# than a directory, libFuzzer executes each one and exits; given a
# directory it would start fuzzing.)
#
#   fuzz/replay.sh FUZZER CORPUS_DIR
set -eu
fuzzer=$1
corpus=$2

if [ -z "$(find "$corpus" -type f | head -n 1)" ]; then
	echo "replay: no inputs in $corpus" >&2
	exit 1
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# xargs exits non-zero if any batch of files failed.
find "$corpus" -type f -print0 | sort -z | xargs -0 "$fuzzer" -rss_limit_mb=2048 -timeout=60
