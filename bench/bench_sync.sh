#!/usr/bin/env bash
# bench/bench_sync.sh - git sync at scale against the git command line, measured in the
# same run (DESIGN section 6):
#   - seal + push of 100 new ops to a remote already holding 1M ops (and one holding the
#     10M ops of the 1M-record store), against `git push` of the same commit by git:
#     budget within 2x;
#   - ingest rate of fetched ops (fb_sync_ingest of branches `git fetch` brought): budget
#     >= 100k ops/s;
#   - first sync of a new laptop from 1M ops (fetch + ingest, split by polling for the
#     staging ref), against `git fetch` of the same refs: budget under 60 s;
#   - a laptop relaying those 1M ops to an empty USB stick, against `git push`;
#   - the same over smart HTTP (lighttpd + git http-backend on 127.0.0.1): relaying them
#     to an empty server (push), and a new laptop fetching them, against git;
#   - repository sizes (git count-objects: as fieldbook fetched and pushed them, after
#     git gc, as git pushed them) against the zlib-compressed size of the change files.
# Data: the 1M-record store of bench/run (build/bench/store, ~10M ops of a generator
# device).  It is copied once to build/bench/sync/device (the original is left alone),
# whose generated ops bench_sync.c writes into the copy's repo.git as the generator
# device's change files (100k ops each) and marks ingested: a laptop that has synced
# them.  build/bench/sync/r10m.git (all of them, by `git push`, ~4 min) is made once and
# reused; the 1M-op remote (the first 10 change files), the laptops and the stick are
# made again in a temporary directory on every run (~4 min).  ~5 GB of disk.
# Usage: bench/bench_sync.sh [STORE_DIR [WORK_DIR]]
#   STORE_DIR  the 1M-record store of bench/run (default build/bench/store), only read
#   WORK_DIR   where the device copy and the 10M remote are kept (default build/bench/sync)
#   BUILD=DIR  the build to measure (default build: DIR/fieldbook, DIR/libfbsync.a, ...)
#   NOMAKE=1   measure BUILD as it is (no make first)
#   ROUNDS=N   (default 5) timed seal+push rounds
#   GC10M=1    also runs git gc on a copy of the 10M remote (minutes)
#   SKIP10M=1  leaves out everything that needs the 10M remote and the device's database
#              (its rounds and sizes): the first sync, the relay, ingest, the 1M rounds
#   DEVICE_FROM=DIR  with SKIP10M=1: take the seeded repo.git of DIR (another WORK_DIR's
#              device, e.g. build/bench/sync/device, only read) instead of copying and
#              seeding the store
set -euo pipefail
cd "$(dirname "$0")/.."
big=${1:-build/bench/store}
work=${2:-build/bench/sync}
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-5}
SKIP10M=${SKIP10M:-}
PER_FILE=100000
if [ -n "${NOMAKE:-}" ]; then
	echo "bench_sync: NOMAKE: measuring $BUILD/ as it is" >&2
elif ! make -s --no-print-directory BUILD="$BUILD" "$BUILD/fieldbook" "$BUILD/libfbsync.a" "$BUILD/libfbcore.a" >&2; then
	echo "bench_sync: make failed; using the existing $BUILD/" >&2
fi
mkdir -p "$work"
tmp=$(mktemp -d /tmp/bench_sync.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -O2 -g -Wall -Wextra -Iinclude \
	-o "$tmp/bench_sync" bench/bench_sync.c "$BUILD/libfbsync.a" "$BUILD/libfbcore.a" \
	$(pkg-config --libs libgit2 sqlite3 zlib $(pkg-config --exists libsodium && echo libsodium)) -lm
cp "$BUILD/fieldbook" "$tmp/fieldbook" # a rebuild during the run does not change what is measured
fb=$tmp/fieldbook
helper=$tmp/bench_sync
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@b \
	GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@b LC_ALL=C.UTF-8 FIELDBOOK_CONFIG=$tmp/config
unset FIELDBOOK_NOW # real clocks
abs() { (cd "$1" && pwd); }
ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
bare() { git init -q --bare "$1" && git -C "$1" config receive.denyNonFastForwards true &&
	git -C "$1" config receive.denyDeletes true; }
notes=()
note() { notes+=("$*"); echo "bench_sync: $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
note "load average at the start (1, 5, 15 min): $(load) on $(nproc) CPUs"
fbin() { FIELDBOOK_HOME=$1 FIELDBOOK_CONFIG=$1.config "$fb" "${@:2}"; }
remote() { # remote DIR NAME URL: (re)defines a remote of the store in DIR
	fbin "$1" remote remove "$2" > /dev/null 2>&1 || true
	fbin "$1" remote add "$2" "$3" > /dev/null
}

# ---- the device: a copy of the 1M-record store, its generated ops sealed into repo.git
dev=$work/device
if [ ! -f "$dev/seeded" ] && [ -n "${DEVICE_FROM:-}" ]; then
	[ -n "$SKIP10M" ] || { echo "bench_sync: DEVICE_FROM needs SKIP10M=1 (no database is copied)" >&2; exit 1; }
	[ -f "$DEVICE_FROM/seeded" ] || { echo "bench_sync: $DEVICE_FROM is not a seeded device" >&2; exit 1; }
	rm -rf "$dev"
	mkdir -m 700 -p "$dev"
	cp -a "$DEVICE_FROM/repo.git" "$dev/repo.git.tmp"
	mv "$dev/repo.git.tmp" "$dev/repo.git"
	cp "$DEVICE_FROM/seeded" "$dev/seeded"
fi
if [ ! -f "$dev/seeded" ]; then
	if [ ! -f "$dev/fieldbook.db" ]; then
		[ -f "$big/fieldbook.db" ] || { echo "no database in $big: run bench/run first" >&2; exit 1; }
		[ -e "$big/fieldbook.db-wal" ] && [ -s "$big/fieldbook.db-wal" ] &&
			echo "bench_sync: $big has a WAL: is bench/run running? copying anyway" >&2
		rm -rf "$dev"
		mkdir -m 700 -p "$dev"
		echo "bench_sync: copying $big to $dev (once)" >&2
		# the op log and its derived state (without the state file, opening rebuilds it)
		for f in fieldbook-state.db fieldbook.db; do
			[ -f "$big/$f" ] || continue
			cp "$big/$f" "$dev/$f.tmp"
			[ -s "$big/$f-wal" ] && cp "$big/$f-wal" "$dev/$f-wal"
			mv "$dev/$f.tmp" "$dev/$f"
		done
	fi
	rm -rf "$dev/repo.git"
	echo "bench_sync: writing the store's generated ops into $dev/repo.git (once, ~1-2 min)" >&2
	"$helper" seed "$dev" "$PER_FILE" | tee "$dev/seeded.tmp" >&2
	mv "$dev/seeded.tmp" "$dev/seeded"
fi
# packed once, as a server's repository is: git then reuses the pack instead of deltifying
[ -n "$(ls "$dev/repo.git/objects/pack/"*.pack 2> /dev/null)" ] || git -C "$dev/repo.git" repack -adq --window=0
[ -n "$SKIP10M" ] || me=$(sqlite3 "$dev/fieldbook.db" "SELECT value FROM meta WHERE key = 'device'")
gen=$(sed -n 's/^device \([0-9a-f]*\): \([0-9]*\) ops in \([0-9]*\) change files$/\1/p' "$dev/seeded" | head -1)
gen_ops=$(sed -n 's/^device [0-9a-f]*: \([0-9]*\) ops in.*/\1/p' "$dev/seeded" | head -1)
gen_files=$(sed -n 's/^device [0-9a-f]*: [0-9]* ops in \([0-9]*\) change files$/\1/p' "$dev/seeded" | head -1)
[ -n "$gen" ] && [ "$gen_files" -ge 10 ] || { echo "bench_sync: $dev/seeded: no generated device with >= 1M ops" >&2; exit 1; }
r10m=$work/r10m.git
if [ -z "$SKIP10M" ] && [ ! -f "$r10m/ready" ]; then
	rm -rf "$r10m"
	bare "$r10m"
	t0=$(ms)
	git -C "$dev/repo.git" push -q "$(abs "$r10m")" "refs/heads/dev/$gen:refs/heads/dev/$gen"
	echo "initial git push of $gen_ops ops: $(($(ms) - t0)) ms" > "$r10m/ready.tmp"
	# the device's own unsealed ops (bench/run's saves) go in its first sync
	remote "$dev" r10m "$(abs "$r10m")"
	t0=$(ms)
	fbin "$dev" sync r10m >&2
	echo "first fieldbook sync of the device (seals its own ops): $(($(ms) - t0)) ms" >> "$r10m/ready.tmp"
	mv "$r10m/ready.tmp" "$r10m/ready"
fi
[ -n "$SKIP10M" ] || while read -r l; do note "$l (once, when $r10m was made)"; done < "$r10m/ready"

# ---- the 1M-op remote, the new laptops (every run)
r1m=$tmp/r1m.git
bare "$r1m"
t0=$(ms)
git -C "$dev/repo.git" push -q "$r1m" "refs/heads/dev/$gen~$((gen_files - 10)):refs/heads/dev/$gen"
git -C "$r1m" repack -adq --window=0
note "git push of the first 1M ops to a new bare repository, and git repack: $(($(ms) - t0)) ms"
n1m=$((gen_ops / gen_files * 10))

# first sync of a new laptop, and git fetch of the same
lap=$tmp/laptop
fbin "$lap" init --device-label laptop > /dev/null
remote "$lap" r1m "$r1m"
t0=$(ms)
fbin "$lap" sync r1m > "$tmp/first.out" &
pid=$!
# the fetch is over when the staging ref appears (polled), then the ingest runs
while [ ! -f "$lap/repo.git/refs/fieldbook/staging/r1m/dev/$gen" ] && kill -0 "$pid" 2> /dev/null; do sleep 0.02; done
t_fetch=$(($(ms) - t0))
wait "$pid"
t_first=$(($(ms) - t0))
recv=$(sed -n 's/.*received \([0-9]*\) from.*/\1/p' "$tmp/first.out")
git init -q --bare "$tmp/gitfetch.git"
t0=$(ms)
git -C "$tmp/gitfetch.git" fetch -q "$r1m" 'refs/heads/*:refs/heads/*'
t_gitfetch=$(($(ms) - t0))

# a laptop relays the 1M ops to an empty USB stick (own branch + relayed), vs git push
stick=$tmp/stick.git
bare "$stick"
remote "$lap" stick "$stick"
t0=$(ms)
fbin "$lap" sync stick > /dev/null
t_relay=$(($(ms) - t0))
bare "$tmp/gitstick.git"
t0=$(ms)
git -C "$lap/repo.git" push -q "$tmp/gitstick.git" 'refs/heads/dev/*:refs/heads/dev/*'
t_gitrelay=$(($(ms) - t0))

# over smart HTTP (lighttpd + git http-backend on 127.0.0.1, tests/servers/lib.sh): the laptop
# relays the 1M ops to an empty server (a push: libgit2 builds the pack on this side), vs
# git push; then a new laptop fetches them (until its staging ref appears; the ingest is
# the same as above and is not waited for), vs git fetch.  NOHTTP=1 leaves this out.
t_hpush=- t_ghpush=- t_hfetch=- t_ghfetch=-
if [ -z "${NOHTTP:-}" ] && command -v lighttpd > /dev/null; then
	. tests/servers/lib.sh
	trap 'servers_stop_all; rm -rf "$tmp"' EXIT
	server_bare_repo "$tmp/srv/hq.git" && server_bare_repo "$tmp/srv/githq.git"
	http_start "$tmp/http" "$tmp/srv"
	(umask 077 && printf '%s\n' "$HTTP_TOKEN" > "$tmp/token")
	fbin "$lap" remote add hq "$HTTP_URL/hq.git" --token-file "$tmp/token" > /dev/null
	t0=$(ms)
	fbin "$lap" sync hq > /dev/null
	t_hpush=$(($(ms) - t0))
	t0=$(ms)
	git -C "$lap/repo.git" push -q "http://fieldbook:$HTTP_TOKEN@127.0.0.1:$HTTP_PORT/githq.git" 'refs/heads/dev/*:refs/heads/dev/*'
	t_ghpush=$(($(ms) - t0))
	lap3=$tmp/laptop3
	fbin "$lap3" init --device-label laptop3 > /dev/null
	fbin "$lap3" remote add hq "$HTTP_URL/hq.git" --token-file "$tmp/token" > /dev/null
	t0=$(ms)
	fbin "$lap3" sync hq > /dev/null 2>&1 &
	pid=$!
	while [ ! -f "$lap3/repo.git/refs/fieldbook/staging/hq/dev/$gen" ] && kill -0 "$pid" 2> /dev/null; do sleep 0.02; done
	t_hfetch=$(($(ms) - t0))
	{ kill -KILL "$pid"; wait "$pid"; } 2> /dev/null || :
	rm -rf "$lap3"
	git init -q --bare "$tmp/githttp.git"
	t0=$(ms)
	git -C "$tmp/githttp.git" fetch -q "http://fieldbook:$HTTP_TOKEN@127.0.0.1:$HTTP_PORT/hq.git" 'refs/heads/*:refs/heads/*'
	t_ghfetch=$(($(ms) - t0))
	http_stop
fi

# ingest alone: git fetch brings the branches, fb_sync_ingest applies them
lap2=$tmp/laptop2
fbin "$lap2" init --device-label laptop2 > /dev/null
git init -q --bare "$lap2/repo.git"
git -C "$lap2/repo.git" fetch -q "$r1m" 'refs/heads/dev/*:refs/heads/dev/*'
read -r _ ing_ops _ ing_s < <("$helper" ingest "$lap2")
rm -rf "$lap2"

# ---- seal + push of 100 new ops: fieldbook sync vs git push of the same commit
# round_ops DIR: 12 new persons of 8 ops and an edit of 4 fields = 100 ops
round_ops() {
	local i id
	for i in $(seq 12); do
		id=$(fbin "$1" add person "name=同步测$i" occupation=other "mobile=1$((RANDOM % 7 + 3))$(printf %09d $(((RANDOM * 32768 + RANDOM) % 1000000000)))" \
			employer=基准公司 relation=dispatch)
	done
	fbin "$1" edit "$id" employer=另一家 relation=civil occupation=courier \
		"mobile=1$((RANDOM % 7 + 3))$(printf %09d $(((RANDOM * 32768 + RANDOM) % 1000000000)))" > /dev/null
}
# push_rounds DIR REMOTE_NAME REMOTE: sets med_fb, med_git (ms), pushed (ops per round)
push_rounds() {
	local d=$1 name=$2 remote=$3 r t0 fbt=() gitt=() myid
	myid=$(sqlite3 "$d/fieldbook.db" "SELECT value FROM meta WHERE key = 'device'")
	rm -rf "$tmp/gitside.git"
	cp -a "$remote" "$tmp/gitside.git"
	for r in $(seq 0 "$ROUNDS"); do
		round_ops "$d"
		t0=$(ms)
		fbin "$d" sync "$name" > "$tmp/round.out"
		fbt+=($(($(ms) - t0)))
		pushed=$(sed -n 's/.*pushed \([0-9]*\) changes.*/\1/p' "$tmp/round.out")
		t0=$(ms)
		git -C "$d/repo.git" push -q "$tmp/gitside.git" "refs/heads/dev/$myid:refs/heads/dev/$myid"
		gitt+=($(($(ms) - t0)))
		[ "$(git -C "$remote" rev-parse "dev/$myid")" = "$(git -C "$tmp/gitside.git" rev-parse "dev/$myid")" ] ||
			{ echo "bench_sync: the two remotes differ" >&2; exit 1; }
	done
	# round 0 creates the branch on the remote: a warm-up, not counted
	med_fb=$(printf '%s\n' "${fbt[@]:1}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	med_git=$(printf '%s\n' "${gitt[@]:1}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	note "$name rounds, fieldbook sync ms: ${fbt[*]:1}; git push ms: ${gitt[*]:1}"
}
push_rounds "$lap" r1m "$r1m"
fb1=$med_fb git1=$med_git pushed1=$pushed
fb10=- git10=- pushed10=-
if [ -z "$SKIP10M" ]; then
	remote "$dev" r10m "$(abs "$r10m")"
	push_rounds "$dev" r10m "$r10m"
	fb10=$med_fb git10=$med_git pushed10=$pushed
fi
# where the time goes: one more round through the API, part by part
round_ops "$lap"
"$helper" phases "$lap" r1m "$r1m" > "$tmp/phases1"
[ -n "$SKIP10M" ] || { round_ops "$dev"; "$helper" phases "$dev" r10m "$(abs "$r10m")" > "$tmp/phases10"; }
ph() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
for p in 1 ${SKIP10M:+-}10; do
	[ "$p" != -10 ] || continue
	f=$tmp/phases$p
	note "one more round on the ${p}M remote through the API: store open $(ph "$f" store_open) ms," \
		"fb_sync_open $(ph "$f" sync_open) ms, fb_sync_seal $(ph "$f" seal) ms ($(ph "$f" sealed) ops)," \
		"fb_sync_remote (fetch, integrate, push) $(ph "$f" remote) ms"
done
if [ -z "$SKIP10M" ]; then
	t0=$(ms)
	fbin "$dev" sync r10m > /dev/null
	note "a sync of the 10M device with nothing to send: $(($(ms) - t0)) ms"
fi

# ---- repository size against the zlib-compressed change files
# zsize REPO: "<raw bytes> <zlib -6 bytes> <files>" of every change file on every branch
zsize() {
	git -C "$1" for-each-ref --format='%(refname)' refs/heads/ | while read -r ref; do
		git -C "$1" ls-tree -r "$ref" -- log/ | awk '{print $3}'
	done | sort -u | git -C "$1" cat-file --batch | python3 -c '
import sys, zlib
raw = z = n = 0
f = sys.stdin.buffer
while True:
    h = f.readline()
    if not h:
        break
    size = int(h.split()[2])
    data = f.read(size)
    f.read(1)
    raw += size; z += len(zlib.compress(data, 6)); n += 1
print(raw, z, n)'
}
kib() { git -C "$1" count-objects -v | awk '/^size:|^size-pack:/ {s += $2} END {print s}'; }
read -r raw1 z1 nf1 < <(zsize "$stick")
size1=$(kib "$stick")
sizelap=$(kib "$lap/repo.git")
sizegit1=$(kib "$tmp/gitstick.git")
cp -a "$stick" "$tmp/gc1.git"
t0=$(ms)
git -C "$tmp/gc1.git" gc -q
t_gc1=$(($(ms) - t0))
gc1=$(kib "$tmp/gc1.git")
raw10=0 z10=0 nf10=0 size10=-
[ -n "$SKIP10M" ] || { read -r raw10 z10 nf10 < <(zsize "$r10m"); size10=$(kib "$r10m"); }
gc10=-
if [ -n "${GC10M:-}" ] && [ -z "$SKIP10M" ]; then
	cp -a "$r10m" "$tmp/gc10.git"
	git -C "$tmp/gc10.git" gc -q
	gc10=$(kib "$tmp/gc10.git")
fi

# ---- the table
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
row() { printf '%-52s %16s %16s %18s %s\n' "$@"; }
echo
printf 'store: %s generated ops (%s change files) in %s; laptop: 1M ops (10 change files)\n\n' "$gen_ops" "$gen_files" "$dev"
row "what" "fieldbook" "reference" "ratio / budget" "verdict"
row "seal+push 100 new ops, remote holding 1M ops" "$fb1 ms" "$git1 ms git" \
	"$(awk -v a="$fb1" -v b="$git1" 'BEGIN {printf "%.2fx / 2x", a / b}')" \
	"$(awk -v a="$fb1" -v b="$git1" 'BEGIN {print (a <= 2 * b ? "ok" : "OVER")}')"
[ -n "$SKIP10M" ] || row "seal+push 100 new ops, remote holding 10M ops" "$fb10 ms" "$git10 ms git" \
	"$(awk -v a="$fb10" -v b="$git10" 'BEGIN {printf "%.2fx / 2x", a / b}')" \
	"$(awk -v a="$fb10" -v b="$git10" 'BEGIN {print (a <= 2 * b ? "ok" : "OVER")}')"
row "ingest of fetched ops ($ing_ops ops)" "$(awk -v o="$ing_ops" -v s="$ing_s" 'BEGIN {printf "%.0f ops/s", o / s}')" \
	"-" ">= 100000 ops/s" "$(awk -v o="$ing_ops" -v s="$ing_s" 'BEGIN {print (o / s >= 100000 ? "ok" : "UNDER")}')"
row "first sync of a new laptop, $recv ops" "$(awk -v t="$t_first" 'BEGIN {printf "%.1f s", t / 1000}')" \
	"$(awk -v t="$t_gitfetch" 'BEGIN {printf "%.1f s git fetch", t / 1000}')" "< 60 s" \
	"$(awk -v t="$t_first" 'BEGIN {print (t < 60000 ? "ok" : "OVER")}')"
row "... of which fetch" "$(awk -v t="$t_fetch" 'BEGIN {printf "%.1f s", t / 1000}')" \
	"$(awk -v t="$t_gitfetch" 'BEGIN {printf "%.1f s git fetch", t / 1000}')" \
	"$(awk -v a="$t_fetch" -v b="$t_gitfetch" 'BEGIN {printf "%.2fx", a / b}')" ""
row "... of which ingest" "$(awk -v t="$((t_first - t_fetch))" 'BEGIN {printf "%.1f s", t / 1000}')" "-" \
	"$(awk -v o="$recv" -v t="$((t_first - t_fetch))" 'BEGIN {printf "%.0f ops/s", o * 1000 / t}')" ""
row "relay 1M ops to an empty USB stick (push)" "$(awk -v t="$t_relay" 'BEGIN {printf "%.1f s", t / 1000}')" \
	"$(awk -v t="$t_gitrelay" 'BEGIN {printf "%.1f s git push", t / 1000}')" \
	"$(awk -v a="$t_relay" -v b="$t_gitrelay" 'BEGIN {printf "%.2fx", a / b}')" ""
if [ "$t_hpush" != - ]; then
	row "relay 1M ops to an http server (push)" "$(awk -v t="$t_hpush" 'BEGIN {printf "%.1f s", t / 1000}')" \
		"$(awk -v t="$t_ghpush" 'BEGIN {printf "%.1f s git push", t / 1000}')" \
		"$(awk -v a="$t_hpush" -v b="$t_ghpush" 'BEGIN {printf "%.2fx", a / b}')" ""
	row "fetch of 1M ops from an http server" "$(awk -v t="$t_hfetch" 'BEGIN {printf "%.1f s", t / 1000}')" \
		"$(awk -v t="$t_ghfetch" 'BEGIN {printf "%.1f s git fetch", t / 1000}')" \
		"$(awk -v a="$t_hfetch" -v b="$t_ghfetch" 'BEGIN {printf "%.2fx", a / b}')" ""
fi
zrow() { # zrow WHAT KIB ZBYTES
	row "$1" "$(mib "$2")" "$(mib $(($3 / 1024))) zlib" "$(awk -v a="$2" -v b="$3" 'BEGIN {printf "%.2fx", a * 1024 / b}')" ""
}
zrow "size: laptop repo.git after the first sync" "$sizelap" "$z1"
zrow "size: the stick, as fieldbook pushed it" "$size1" "$z1"
zrow "size: the stick after git gc" "$gc1" "$z1"
zrow "size: the same pushed by git (git-stick)" "$sizegit1" "$z1"
[ -n "$SKIP10M" ] || row "size, 10M-op remote as git pushed it" "$(mib "$size10")" "$(mib $((z10 / 1024))) zlib" \
	"$(awk -v a="$size10" -v b="$z10" 'BEGIN {printf "%.2fx", a * 1024 / b}')" ""
[ "$gc10" != - ] && row "size, 10M-op remote after git gc" "$(mib "$gc10")" "$(mib $((z10 / 1024))) zlib" \
	"$(awk -v a="$gc10" -v b="$z10" 'BEGIN {printf "%.2fx", a * 1024 / b}')" ""
echo
note "pushed per timed round: $pushed1 ops (1M remote), $pushed10 ops (10M remote)"
note "ingest alone: $ing_ops ops in $ing_s s; first sync $t_first ms (fetch $t_fetch ms, then ingest $((t_first - t_fetch)) ms) vs git fetch $t_gitfetch ms"
note "change files: the stick $nf1 files, $(mib $((raw1 / 1024))) raw; 10M remote $nf10 files, $(mib $((raw10 / 1024))) raw; git gc of the stick took $t_gc1 ms"
note "load average at the end (1, 5, 15 min): $(load)"
echo "notes:"
for l in "${notes[@]}"; do echo "  - $l"; done
