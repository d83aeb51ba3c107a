#!/bin/sh
# Take a new ABI baseline from a built library.  Only at a release.
# Usage: abi/update.sh BUILD_DIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
abidw --headers-dir "$top/include" --no-corpus-path --out-file "$top/abi/librefund.abi" \
	"$1/librefund.so.1"
echo "wrote abi/librefund.abi"
