#!/usr/bin/env bash
# bench/bench_export.sh - a full export of the person records of the 1M-record benchmark
# store against `sqlite3 -csv` dumping the same rows from the same database file, in the
# same run (budget: the export at least 50 % of the reference's rate, records per second).
#
# Usage: bench/bench_export.sh [--store DIR] [--work DIR] [--runs N]
#   --store DIR  a store holding the generated records (default build/bench/store, made by
#                bench/run).  It is only read: a consistent copy is taken with sqlite3's
#                online backup into the work directory (reused while the source's size
#                and time are unchanged), and everything runs on the copy, which the
#                program may upgrade to its schema.
#   --work DIR   the copy and the output files (default /tmp/fieldbook-bench-export;
#                about 5 GB plus 0.5 GB of output)
#   --runs N     timed runs of each command, alternating (default 3); medians reported
# Environment: FB, the fieldbook binary (default build/fieldbook, optimised).
#
# References, both with the sqlite3 shell on the same copy, output to a file like ours:
#   rows   the statement the export runs, `record JOIN field` of the live persons in
#          list order: the same rows read from the database, written as CSV (one line
#          per field value, ~10 per record)
#   table  the same records as one CSV row each with the same columns (a GROUP BY pivot)
# fieldbook's figure includes what sqlite3 does not do: labels for choice codes, masking,
# the BOM, CRLF and quoting rules of BRIEF section 5.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
store=$root/build/bench/store work=/tmp/fieldbook-bench-export runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--store) store=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	-h | --help) sed -n '2,26s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench_export: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
FB=${FB:-$root/build/fieldbook}
[ -x "$FB" ] || { echo "bench_export: no program at $FB (make, or set FB)" >&2; exit 1; }
[ -f "$store/fieldbook.db" ] || { echo "bench_export: no store in $store (run bench/run first)" >&2; exit 1; }
command -v sqlite3 > /dev/null || { echo "bench_export: needs the sqlite3 shell" >&2; exit 1; }

mkdir -p "$work/store"
chmod 700 "$work/store"
stamp=$(stat -c '%s %Y' "$store/fieldbook.db")
if [ "$(cat "$work/source-stamp" 2> /dev/null)" != "$stamp" ] || [ ! -f "$work/store/fieldbook.db" ]; then
	echo "bench_export: copying $store/fieldbook.db (read-only online backup) ..." >&2
	rm -f "$work/store/fieldbook.db" "$work/store/fieldbook.db-wal" "$work/store/fieldbook.db-shm"
	sqlite3 "file:$store/fieldbook.db?mode=ro" ".backup '$work/store/fieldbook.db'"
	echo "$stamp" > "$work/source-stamp"
fi
db=$work/store/fieldbook.db
export FIELDBOOK_HOME=$work/store FIELDBOOK_CONFIG=$work/no-config LC_ALL=C.UTF-8
unset FIELDBOOK_NOW LANGUAGE LANG LC_MESSAGES
# Open once untimed: a schema upgrade of the copy, if any, happens here.
"$FB" list person --limit 1 > /dev/null

# The materialised tables may live in an attached state file next to the op log.
attach=""
[ -f "$work/store/fieldbook-state.db" ] && attach="ATTACH 'file:$work/store/fieldbook-state.db?mode=ro' AS state; "
live=$(sqlite3 "file:$db?mode=ro" "${attach}SELECT live FROM kind_count WHERE kind = 'person'")
fields=$("$FB" fields person | awk '/^[a-z_]+ / && $1 != "merged_into" { print $1 }')
pivot="${attach}SELECT r.id"
for f in $fields; do pivot+=", max(CASE f.name WHEN '$f' THEN f.value END) AS $f"; done
pivot+=" FROM record r JOIN field f ON f.rec = r.id WHERE r.kind = 'person' AND r.live = 1"
pivot+=" GROUP BY r.updated_hlc, r.id ORDER BY r.updated_hlc DESC, r.id DESC"
rows_sql="${attach}SELECT r.id, f.name, f.value FROM record r JOIN field f ON f.rec = r.id"
rows_sql+=" WHERE r.kind = 'person' AND r.live = 1 ORDER BY r.updated_hlc DESC, r.id DESC"

# seconds COMMAND...: "WALL CPU" of one run, CPU = user + system time of the command and
# its children (every command writes a file; its own output is discarded)
seconds() {
	local TIMEFORMAT='%R %U %S' out
	out=$({ time "$@" > /dev/null 2> /dev/null; } 2>&1)
	set -- $out
	echo "$1 $(echo "$2 + $3" | bc -l)"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A wall cpu
names=(csv csv_unmasked xlsx ref_rows ref_table)
run_one() {
	case $1 in
	csv) seconds "$FB" export person --csv "$work/export.csv" ;;
	csv_unmasked) seconds "$FB" export person --unmasked --csv "$work/export-unmasked.csv" ;;
	xlsx) seconds "$FB" export person --xlsx "$work/export.xlsx" ;;
	ref_rows) seconds sh -c 'sqlite3 -csv "file:$1?mode=ro" "$2" > "$3"' sh "$db" "$rows_sql" "$work/ref-rows.csv" ;;
	ref_table) seconds sh -c 'sqlite3 -csv -header "file:$1?mode=ro" "$2" > "$3"' sh "$db" "$pivot" "$work/ref-table.csv" ;;
	esac
}
sync
# one untimed pass of each warms the page cache the same way for all of them
for c in csv ref_rows ref_table; do run_one "$c" > /dev/null; done
for ((i = 1; i <= runs; i++)); do
	for c in "${names[@]}"; do
		r=$(run_one "$c")
		wall[$c]+="${r% *} " cpu[$c]+="${r#* } "
	done
done

# checks: every live person exported once, the references as many records
got_csv=$(($(wc -l < "$work/export.csv") - 1))
got_table=$(($(wc -l < "$work/ref-table.csv") - 1))
got_rows=$(cut -d, -f1 "$work/ref-rows.csv" | uniq | wc -l)

printf '%-38s %9s %11s %9s %9s %9s\n' "what ($live live persons)" "wall s" "records/s" "vs rows" "CPU s" "vs rows"
ref=$(median ${wall[ref_rows]}) refc=$(median ${cpu[ref_rows]})
for c in "${names[@]}"; do
	m=$(median ${wall[$c]}) mc=$(median ${cpu[$c]})
	case $c in
	csv) what="fieldbook export --csv (masked)" ;;
	csv_unmasked) what="fieldbook export --csv --unmasked" ;;
	xlsx) what="fieldbook export --xlsx (masked)" ;;
	ref_rows) what="sqlite3 -csv: the same rows (join)" ;;
	ref_table) what="sqlite3 -csv: the same table (pivot)" ;;
	esac
	printf '%-38s %9.2f %11.0f %8.1f%% %9.2f %8.1f%%\n' "$what" "$m" "$(echo "$live / $m" | bc -l)" \
		"$(echo "100 * $ref / $m" | bc -l)" "$mc" "$(echo "100 * $refc / $mc" | bc -l)"
done
tab=$(median ${wall[ref_table]}) csv=$(median ${wall[csv]})
tabc=$(median ${cpu[ref_table]}) csvc=$(median ${cpu[csv]})
printf '\nexport --csv (masked) vs sqlite3 -csv, by wall time: %.1f %% of the rate of the same rows, %.1f %% of the same table;\n' \
	"$(echo "100 * $ref / $csv" | bc -l)" "$(echo "100 * $tab / $csv" | bc -l)"
printf 'by CPU time: %.1f %% and %.1f %% (budget >= 50 %%; medians of %s runs, load average %s)\n' \
	"$(echo "100 * $refc / $csvc" | bc -l)" "$(echo "100 * $tabc / $csvc" | bc -l)" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${names[@]}"; do printf '%s wall [%s] cpu [%s]\n' "$c" "${wall[$c]% }" "${cpu[$c]% }"; done
printf 'sizes: export.csv %s, export.xlsx %s, ref-rows.csv %s, ref-table.csv %s\n' \
	"$(du -h "$work/export.csv" | cut -f1)" "$(du -h "$work/export.xlsx" | cut -f1)" \
	"$(du -h "$work/ref-rows.csv" | cut -f1)" "$(du -h "$work/ref-table.csv" | cut -f1)"
status=0
for pair in "export.csv:$got_csv" "ref-table.csv:$got_table" "ref-rows.csv (distinct ids):$got_rows"; do
	if [ "${pair##*:}" != "$live" ]; then echo "WRONG: ${pair%:*} has ${pair##*:} records, want $live"; status=1; fi
done
[ $status = 0 ] && echo "checks: every file holds the $live records"
exit $status
