#!/usr/bin/env bash
# bench/bench_tui.sh - the terminal interface on a large database against an empty one,
# measured in the same run (DESIGN section 6):
#   - time to the first screen (start, open the store, draw home, exit), and its resident
#     memory (max RSS), on N records vs. an empty database: budget 1.5x, and < 64 MiB;
#   - keystroke-to-screen latency of paging a list (PgDn) and of a search, per key.
# It uses the headless TUI (fieldbook screen), which draws exactly what a terminal gets.
# Usage: bench/bench_tui.sh [STORE_DIR]  (default build/bench/store, made by bench/run)
set -euo pipefail
cd "$(dirname "$0")/.."
big=${1:-build/bench/store}
fb=build/fieldbook
[ -x "$fb" ] || make -s build/fieldbook
[ -f "$big/fieldbook.db" ] || { echo "no database in $big: run bench/run first" >&2; exit 1; }
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
FIELDBOOK_HOME=$empty/data FIELDBOOK_CONFIG=$empty/none "$fb" init > /dev/null
export FIELDBOOK_CONFIG=$empty/none LC_ALL=C.UTF-8
unset FIELDBOOK_NOW

# ms RUNS DIR KEYS: median wall time in ms of `fieldbook screen` with KEYS.
ms() {
	local runs=$1 dir=$2 keys=$3 i t0 t1
	for i in $(seq "$runs"); do
		t0=$(date +%s%N)
		FIELDBOOK_HOME=$dir "$fb" screen --size 80x24 --keys "$keys" > /dev/null
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}
rss() { # max resident KiB
	FIELDBOOK_HOME=$1 /usr/bin/time -f %M "$fb" screen --size 80x24 --keys "$2" 2>&1 > /dev/null | tail -1
}
records=$(sqlite3 "file:$big/fieldbook-state.db?mode=ro" "SELECT live FROM kind_count WHERE kind = 'person'" 2>/dev/null || echo '?')
printf 'records: %s persons in %s\n\n' "$records" "$big"
printf '%-44s %12s %12s %10s\n' "what" "fieldbook" "reference" "verdict"
e=$(ms 15 "$empty/data" '')
b=$(ms 15 "$big" '')
printf '%-44s %10s ms %7s ms %10s\n' "first screen: 1M records vs empty database" "$b" "$e" \
	"$(awk -v b="$b" -v e="$e" 'BEGIN{printf "%.2fx %s", b/e, (b/e <= 1.5 ? "ok" : "OVER")}')"
# Instructions are repeatable whatever else the machine is doing (valgrind callgrind).
if command -v valgrind > /dev/null; then
	ir() {
		FIELDBOOK_HOME=$1 valgrind --tool=callgrind --callgrind-out-file="$empty/cg" "$fb" screen \
			--size 80x24 --keys '' > /dev/null 2>&1
		awk '/^summary:/ {print $2}' "$empty/cg"
	}
	ib=$(ir "$big")
	ie=$(ir "$empty/data")
	printf '%-44s %9sk Ir %6sk Ir %10s\n' "first screen, instructions (callgrind)" "$((ib / 1000))" \
		"$((ie / 1000))" "$(awk -v b="$ib" -v e="$ie" 'BEGIN{printf "%.2fx %s", b/e, (b/e <= 1.5 ? "ok" : "OVER")}')"
fi
rb=$(rss "$big" '<Enter><PgDn><PgDn>/张伟<Enter>')
re=$(rss "$empty/data" '<Enter><PgDn><PgDn>/张伟<Enter>')
printf '%-44s %9s KiB %6s KiB %10s\n' "resident memory after list + search" "$rb" "$re" \
	"$([ "$rb" -lt 65536 ] && echo ok || echo OVER)"
keys20=$(printf '<PgDn>%.0s' $(seq 20))
p0=$(ms 7 "$big" '<Enter>')
p20=$(ms 7 "$big" "<Enter>$keys20")
printf '%-44s %10s ms %10s %10s\n' "page down in the person list, per key" \
	"$(awk -v a="$p20" -v b="$p0" 'BEGIN{printf "%.2f", (a-b)/20}')" "-" \
	"$(awk -v a="$p20" -v b="$p0" 'BEGIN{print ((a-b)/20 < 10 ? "ok (<10)" : "OVER")}')"
s0=$(ms 7 "$big" '')
s1=$(ms 7 "$big" '/张伟<Enter>')
printf '%-44s %10s ms %10s %10s\n' "search '张伟' from home, typing + results" \
	"$(awk -v a="$s1" -v b="$s0" 'BEGIN{printf "%.2f", a-b}')" "-" \
	"$(awk -v a="$s1" -v b="$s0" 'BEGIN{print (a-b < 50 ? "ok (<50)" : "OVER")}')"
