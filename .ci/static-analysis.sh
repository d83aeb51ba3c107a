#!/usr/bin/env bash
# Static analysis of src/ with cppcheck and clang-tidy; exits non-zero on
# any finding.  Run from anywhere:  .ci/static-analysis.sh
#
# cppcheck: --enable=warning,style,performance,portability, all of it except
#   - variableScope: "the scope of x can be reduced" argues with the house
#     style (declarations at the top of a function, as in src/engine.c) and
#     never points at a bug;
#   - unusedFunction: a library's public functions are used by its hosts;
#   - missingIncludeSystem: system headers are not cppcheck's to read.
# clang-tidy: the checks and the reasons for what is left out are in
#   .clang-tidy at the top; every warning is an error.  It reads the compile
#   commands of a clang build in $STATIC_BUILD (default build-static, set up
#   here if missing).
# A false positive is silenced where it occurs, with the reason beside it:
#   cppcheck: // cppcheck-suppress <id>   clang-tidy: /* NOLINT(<check>) */
set -euo pipefail
cd "$(dirname "$0")/.."

build=${STATIC_BUILD:-build-static}
jobs=$(nproc 2>/dev/null || echo 2)

printf '==== %s\n' "$(cppcheck --version)"
cppcheck --enable=warning,style,performance,portability --std=c11 --quiet \
	--error-exitcode=1 --inline-suppr \
	--suppress=missingIncludeSystem --suppress=variableScope \
	-I include -I src src/
echo "cppcheck: clean"

printf '==== %s\n' "$(clang-tidy --version | sed -n 's/^ *\(.*LLVM version.*\)$/clang-tidy: \1/p')"
if [ ! -f "$build/compile_commands.json" ]; then
	CC=clang meson setup "$build" -Dtests=false >/dev/null
fi
# One file per process, in parallel; xargs fails if any of them does.
find src -name '*.c' -print0 | sort -z |
	xargs -0 -P "$jobs" -n 1 clang-tidy -p "$build" --quiet 2>/dev/null
echo "clang-tidy: clean"
