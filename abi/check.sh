#!/bin/sh
# Compare a built librefund.so.1 with the ABI baseline abi/librefund.abi.
# Added functions are not reported (--no-added-syms): adding them in a new
# version node is allowed.  Anything else abidiff reports fails: a removed or
# changed function, a public struct whose layout moved (exit bit 4), an
# incompatible change (bit 8), or an error (bits 1, 2).  Types defined in
# src/ (the opaque handles' structs) are not compared: abi/private.abignore.
# Usage: abi/check.sh BUILD_DIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lib="$1/librefund.so.1"
status=0
abidiff --no-added-syms --suppressions "$top/abi/private.abignore" \
	--headers-dir2 "$top/include" "$top/abi/librefund.abi" "$lib" \
	> "$1/abidiff.txt" 2>&1 || status=$?
cat "$1/abidiff.txt"
if [ "$status" -ne 0 ]; then
	echo "abi: the ABI changed against abi/librefund.abi (abidiff exit $status)"
	exit 1
fi
echo "abi: compatible with the baseline (abidiff exit $status)"
