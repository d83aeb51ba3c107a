#!/bin/sh
# The shared library exports only refund_* symbols, all in version node
# REFUND_1.0 (or later REFUND_* nodes), and its SONAME is the expected one.
set -eu
lib=$1 nm=$2 readelf=$3 soname=$4 archive=${5:-}
fail=0
bad=$("$nm" -D --defined-only "$lib" | awk '$2 ~ /^[TDRBVW]$/ {print $3}' \
	| grep -v '^refund_' | grep -v '^REFUND_[0-9.]*$' || true)
if [ -n "$bad" ]; then
	echo "exported symbols outside the refund_ namespace:"; echo "$bad"; fail=1
fi
internal=$("$nm" -D --defined-only "$lib" | awk '{print $3}' | grep '^refund__' || true)
if [ -n "$internal" ]; then
	echo "internal symbols exported:"; echo "$internal"; fail=1
fi
count=$("$nm" -D --defined-only "$lib" | awk '{print $3}' | grep -c '^refund_[a-z]' || true)
if [ "$count" -lt 20 ]; then
	echo "only $count refund_* symbols exported"; fail=1
fi
unversioned=$("$readelf" --dyn-syms -W "$lib" | awk '$7 != "UND" && $8 ~ /^refund_/ && $8 !~ /@@?REFUND_/ {print $8}' || true)
if [ -n "$unversioned" ]; then
	echo "symbols without a REFUND_ version node:"; echo "$unversioned"; fail=1
fi
if ! "$readelf" -d "$lib" | grep -q "Library soname: \[$soname\]"; then
	echo "SONAME is not $soname:"; "$readelf" -d "$lib" | grep -i soname; fail=1
fi
if [ -n "$archive" ]; then
	# A static link puts every global symbol of the archive in the host's
	# namespace: internal ones must carry the refund_ prefix too.
	leaked=$("$nm" -g --defined-only "$archive" 2>/dev/null | awk 'NF == 3 {print $3}' \
		| grep -v '^refund_' || true)
	if [ -n "$leaked" ]; then
		echo "global symbols of the static library outside the refund_ namespace:"
		echo "$leaked"; fail=1
	fi
fi
[ $fail -eq 0 ] && echo "1 passed, 0 failed: $count refund_* symbols exported, SONAME $soname"
exit $fail
