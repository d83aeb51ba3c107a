#!/bin/sh
# Instructions per transition (and per ticked case) of bench_case, counted by
# callgrind: repeatable where wall time is not.
#
#   bench/count.sh BUILD_DIR [cases] [functions]
#
# Prints each phase's instruction count, the lifecycle phase by component,
# and with `functions` > 0 that many of its costliest functions (self cost,
# per transition).  Under valgrind the CPU shows no SHA extensions, so the
# portable SHA-256 is what gets counted.
set -eu

build=${1:?usage: count.sh BUILD_DIR [cases] [functions]}
cases=${2:-500}
top=${3:-0}
bench=$build/bench/bench_case
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[ -x "$bench" ] || { echo "count.sh: build $bench first" >&2; exit 1; }

# One run; each phase function is counted alone and dumped after it returns:
# part 1 the deposits' creation, 2 the full lifecycles, 3 the open cases,
# 4 the tick with nothing due, 5 the tick firing every open case.
valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
	--toggle-collect=create_deposits --toggle-collect=full_lifecycles \
	--toggle-collect=open_cases --toggle-collect=tick \
	--dump-after=create_deposits --dump-after=full_lifecycles --dump-after=open_cases \
	--dump-after=tick \
	"$bench" "$cases" >"$out/txt" 2>/dev/null

total() {
	callgrind_annotate "$out/cg.$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

deposits=$(total 1)
life=$(total 2)
open=$(total 3)
idle=$(total 4)
tick=$(total 5)
transitions=$(sed -n 's/^lifecycles: [0-9]* cases, \([0-9]*\) transitions.*/\1/p' "$out/txt")
due=$(sed -n 's/^tick firing \([0-9]*\) cases.*/\1/p' "$out/txt")

# The portable SHA-256 block function's share, and the same with the x86
# SHA extensions' cost instead (valgrind hides them): about 3,050
# instructions a block portable, 155 with the extensions (bench_sha256).
sha_portable=$(callgrind_annotate --auto=no --threshold=100 "$out/cg.2" 2>/dev/null |
	awk '/blocks_portable/ { n = $1; gsub(",", "", n); print n; exit }')
sha_portable=${sha_portable:-0}
with_sha_ni=$((life - sha_portable + sha_portable / 3050 * 155))

echo "cases: $cases"
echo "deposits: $deposits instructions, $((2 * cases)) created: $((deposits / (2 * cases))) each"
echo "full lifecycles: $life instructions, $transitions transitions: $((life / transitions)) per transition"
echo "  the same with the SHA extensions' cost for SHA-256 (about 155 instructions a block, not 3,050): $((with_sha_ni / transitions)) per transition"
echo "open and review: $open instructions, $((cases * 6)) transitions: $((open / (cases * 6))) per transition"
echo "tick, none due: $idle instructions"
echo "tick firing all: $tick instructions, $due cases fired: $((tick / (due > 0 ? due : 1))) per fired case"

# The lifecycle phase by component: each function's own cost (not what it
# calls), per transition, in groups.  In a dump after the first, callgrind
# charges the frames that span it (libc's start, main) with the whole part:
# lines costing the program's total are those, and skipped.
echo "lifecycle phase by component (instructions per transition):"
callgrind_annotate --auto=no --threshold=100 "$out/cg.2" 2>/dev/null |
	awk -v t="$transitions" -v all="$life" '
		/^ *[0-9,]+ +\(/ && !/PROGRAM TOTALS/ {
			n = $1; gsub(",", "", n)
			if (n == all) next
			name = $0; sub(/^[^)]*\) +/, "", name); sub(/ \[.*$/, "", name)
			fn = name; sub(/^.*:/, "", fn)
			if (name ~ /sha256\.c/) g = "SHA-256"
			else if (name ~ /json\.c/ && fn ~ /parse|json_get|json_field|free_|accept|skip_space|same_key|keys_unique|decode_|hex4|json_free|grow$|compare_keys|encode_utf8|is_digit/) g = "JSON parsing"
			else if (name ~ /json\.c/) g = "JSON writing"
			else if (name ~ /(binary\.[ch]|field\.c|case_record\.c)/) g = "binary records and events"
			else if (name ~ /utf8\.c/) g = "UTF-8 checks"
			else if (name ~ /malloc\.c|alloc\.c/) g = "malloc, free"
			else if (fn ~ /^__mem(cpy|move|set)/) g = "memcpy, memset"
			else if (fn ~ /^__str/) g = "strlen, strcmp"
			else if (name ~ /store_memory\.c/) g = "memory store"
			else if (name ~ /(case|event|deadline|quote|workflow)\.c/) g = "case, event, deadline code"
			else if (name ~ /deposit\.c/) g = "deposit code"
			else g = "other"
			sum[g] += n
		}
		END { for (g in sum) printf "%10d  %s\n", sum[g] / t, g }' | sort -rn

# Each action of the lifecycle: its calls' cost (what they call included,
# the portable SHA-256 too) per case; attach is called three times a case.
echo "lifecycle phase by action (instructions per case, portable SHA-256):"
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg.2" 2>/dev/null |
	awk -v cases="$cases" '
		/^ *[0-9,]+ +\(/ && /case\.c:refund_case_[a-z_]+ \[/ {
			n = $1; gsub(",", "", n)
			name = $0; sub(/^.*case\.c:/, "", name); sub(/ \[.*$/, "", name)
			if (!(name in cost)) cost[name] = n
		}
		END { for (a in cost) printf "%10d  %s\n", cost[a] / cases, a }' | sort -rn

if [ "$top" -gt 0 ]; then
	echo "most costly functions of the lifecycle phase (self, per transition):"
	callgrind_annotate --auto=no --threshold=100 "$out/cg.2" 2>/dev/null |
		awk -v t="$transitions" -v top="$top" -v all="$life" '
			/^ *[0-9,]+ +\(/ && !/PROGRAM TOTALS/ {
				n = $1; gsub(",", "", n)
				if (n == all) next
				name = $0; sub(/^[^)]*\) +/, "", name); sub(/ \[.*$/, "", name)
				printf "%10d  %s\n", n / t, name
				if (++shown == top) exit
			}'
fi
