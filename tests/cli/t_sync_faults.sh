# t_sync_faults.sh - sync under faults: kill -9 during seal, during fetch and ingest and
# during push, then a sync to the end: nothing lost, nothing duplicated, the database and
# every repository clean; a truncated change file and a cloned device id quarantined with
# an alarm and nothing overwritten; a full disk and an unreachable remote (missing path,
# removed USB stick) say so plainly, exit 1 and keep the local data intact.
# Kills land at random moments (FAULT_SEED=N repeats a run) and at the exact moments the
# program moves a branch (polled, never blind sleeps).  FB_SANITIZED=1 runs fewer rounds.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "not ok 1 - git is not installed"; exit 1; }
git_test_env
mounts=()
cleanup() {
	local m
	for m in "${mounts[@]}"; do umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
seed=${FAULT_SEED:-$$}
RANDOM=$seed
echo "# random seed $seed (FAULT_SEED=$seed repeats the kill moments)"
if [ -n "${FB_SANITIZED:-}" ]; then
	ROUNDS=4 RECS=8 SYNTH_SEALS=2 # the sanitizer build is several times slower
else
	ROUNDS=8 RECS=20 SYNTH_SEALS=8
fi
SYNTH_PERSONS=1000 # 5 ops each: a synthetic seal is 5,000 ops

on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
newdev() { # newdev NAME: init a device; its id in $id_NAME
	on "$1"
	$FB init --device-label "$1" --operator "op-$1" > "$T/init.$1"
	eval "id_$1=\$(sed -n 's/^device \([0-9a-f]*\) .*/\1/p' \"\$T/init.$1\")"
}
digest() { FIELDBOOK_HOME=$T/$1 $FB check --state-digest; }
dumplines() { FIELDBOOK_HOME=$T/$1 $FB dump | wc -l; }
fsck_ok() { git -C "$1" fsck --strict --no-progress > "$T/fsck" 2>&1 && ! grep -qE '^(error|warning|missing|broken)' "$T/fsck"; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
alive() { # alive PID: running and not a zombie
	local a b st
	read -r a b st _ 2> /dev/null < "/proc/$1/stat" && [ "$st" != Z ]
}
# kill_after MS CMD...: runs CMD, SIGKILLs it MS milliseconds later; CMD's exit status
# (137 when the kill landed).
kill_after() {
	local ms=$1 pid
	shift
	"$@" > "$T/bg.out" 2> "$T/bg.err" &
	pid=$!
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
}
# kill_on_change FILE CMD...: runs CMD and SIGKILLs it the moment FILE appears or its first
# line changes (a branch moved), polling; gives up after 60 s.  CMD's exit status.
kill_on_change() {
	local f=$1 old="" cur pid deadline=$((SECONDS + 60))
	shift
	[ -f "$f" ] && read -r old < "$f"
	"$@" > "$T/bg.out" 2> "$T/bg.err" &
	pid=$!
	while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
		cur=
		[ -f "$f" ] && read -r cur < "$f" 2> /dev/null
		[ "$cur" != "$old" ] && break
	done
	kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
}
# chg_ops REPO REF DEV: the op id of every op line in DEV's change files on REF.
chg_ops() {
	git -C "$1" ls-tree -r --name-only "$2" -- "log/$3/" | while read -r p; do
		git -C "$1" cat-file blob "$2:$p"
	done | awk -F'\t' 'NF >= 8 {print $1}'
}
# kill_rounds N MS FILE REMOTE [STOP] [HOOK]: N syncs with REMOTE, even ones SIGKILLed
# after a random delay of up to MS ms, odd ones the moment FILE changes; HOOK runs before
# each; with STOP=1 the rounds end when a sync finishes by itself.  Sets kills,
# file_kills, and failed: syncs that ended with an error (after an earlier kill), whose
# messages are printed; stale lock files they complain about are then removed, as a
# person would, so that the checks after the kills still tell what was lost.
kill_rounds() {
	local rounds=$1 ms=$2 file=$3 remote=$4 stop=${5:-0} hook=${6:-} r rc
	kills=0 file_kills=0 failed=0
	for r in $(seq "$rounds"); do
		[ -n "$hook" ] && "$hook" "$r"
		if [ $((r % 2)) -eq 1 ]; then
			kill_on_change "$file" $FB sync "$remote"
			rc=$?
			[ "$rc" -eq 137 ] && file_kills=$((file_kills + 1))
		else
			kill_after $((RANDOM % (ms + 1))) $FB sync "$remote"
			rc=$?
		fi
		[ "$rc" -eq 137 ] && kills=$((kills + 1))
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 137 ]; then
			failed=$((failed + 1))
			echo "# round $r: sync exited $rc:"
			sed 's/^/#   /' "$T/bg.err"
			find "$FIELDBOOK_HOME/repo.git" -name '*.lock' -exec rm -v {} + | sed 's/^/#   /'
		fi
		[ "$stop" = 1 ] && [ "$rc" -eq 0 ] && break
	done
	return 0
}
# chg_seals REPO REF DEV: "path seal" of each change file, checking names against headers.
chg_seals_ok() {
	local p s want i=0
	for p in $(git -C "$1" ls-tree -r --name-only "$2" -- "log/$3/"); do
		i=$((i + 1))
		s=$(git -C "$1" cat-file blob "$2:$p" | sed -n '3s/^seal //p')
		want=$(printf 'log/%s/%03d/%06d.chg' "$3" $((i / 1000)) "$i")
		[ "$p" = "$want" ] && [ "$s" = "$i" ] || { echo "change file $p says seal $s, want $want"; return 1; }
	done
}
# try_mount DIR SIZE: a tmpfs of SIZE at DIR (needs root); 1 when it cannot be mounted.
try_mount() {
	mkdir -p "$1"
	[ "$(id -u)" = 0 ] && mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2> /dev/null || return 1
	mounts+=("$1")
}

# ---- kill -9 during seal ----
bare "$T/usb.git"
newdev a
$FB remote add usb "$T/usb.git" > /dev/null
: > "$T/ids.a"
mobile=$((13900000000 + RANDOM * 1000))
adds() { # adds N: N new persons on the current device, ids appended to $T/ids.<device>
	local i dev=${FIELDBOOK_HOME##*/} id rc
	for i in $(seq "$1"); do
		mobile=$((mobile + 1))
		id=$($FB add person "name=断电$RANDOM" occupation=other "mobile=$mobile" 2> "$T/add.err")
		rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "$id" >> "$T/ids.$dev"
		else
			echo "# add on $dev failed ($rc, mobile=$mobile):"; sed 's/^/#   /' "$T/add.err"
		fi
	done
}
adds "$RECS"
t0=$(now_ms)
ok "a: first sync (uninterrupted, to time it)" $FB sync usb
dseal=$(($(now_ms) - t0))
seal_round() { # before each round: new records and an edit, so there is something to seal
	adds "$RECS"
	$FB edit "$(tail -1 "$T/ids.a")" employer="第$1轮" > /dev/null
}
# odd rounds: killed the moment git has the new seal and SQLite does not know yet
kill_rounds "$ROUNDS" "$dseal" "$T/a/repo.git/refs/heads/dev/$id_a" usb 0 seal_round
ok "seal: $kills of $ROUNDS syncs killed ($file_kills right after the branch moved; an uninterrupted sync took $dseal ms)" \
	[ "$kills" -ge $((ROUNDS / 2)) ]
is "seal: no sync failed after a kill" "$failed" 0
ok "a: sync after the kills runs to the end" timeout 120 $FB sync usb
ok "a: fieldbook check" $FB check
newdev ra
$FB remote add usb "$T/usb.git" > /dev/null
ok "ra (reference, never interrupted) syncs" timeout 120 $FB sync usb
missing=0
for d in a ra; do
	FIELDBOOK_HOME=$T/$d $FB dump > "$T/dump.$d"
	while read -r id; do
		grep -q "^record	$id	person	exists=1" "$T/dump.$d" || missing=$((missing + 1))
	done < "$T/ids.a"
done
is "every record a created ($(wc -l < "$T/ids.a")) is on a and on ra" "$missing" 0
is "a and ra have the same state" "$(digest a)" "$(digest ra)"
is "... and the same dump" "$(dumplines a)" "$(dumplines ra)"
chg_ops "$T/usb.git" "dev/$id_a" "$id_a" | sort > "$T/chg.a"
is "no op sealed twice: the change files on the remote hold each op once" \
	"$(uniq -d "$T/chg.a" | head -3)" ""
grep -o "	$id_a:[0-9]*\.[0-9]*	" "$T/dump.a" | tr -d '\t' | sort -u > "$T/visible.a"
is "every op a made that is visible is in a change file" "$(comm -23 "$T/visible.a" "$T/chg.a" | head -3)" ""
ok "the change files are numbered 1, 2, 3... with no gap or repeat" chg_seals_ok "$T/usb.git" "dev/$id_a" "$id_a"
is "the remote's branch of a is a's branch" "$(git -C "$T/usb.git" rev-parse "dev/$id_a")" \
	"$(git -C "$T/a/repo.git" rev-parse "dev/$id_a")"
ok "git fsck --strict: a's repository" fsck_ok "$T/a/repo.git"
ok "git fsck --strict: the remote" fsck_ok "$T/usb.git"
# A sync killed while libgit2 held a ref's lock (it writes refs/....lock, then renames it)
# leaves the lock file behind: the next sync must not be blocked by it for ever.
on a
adds 1
for f in "refs/heads/dev/$id_a" "refs/fieldbook/ingested/dev/$id_a" "refs/fieldbook/staging/usb/dev/$id_a"; do
	: > "$T/a/repo.git/$f.lock"
done
ok "lock files left by a killed sync do not block the next one" timeout 60 $FB sync usb
ok "... which sends the new record" git -C "$T/usb.git" grep -q "$(tail -1 "$T/ids.a")" "dev/$id_a" -- log/
find "$T/a/repo.git" -name '*.lock' -delete
$FB sync usb > /dev/null 2>&1

# ---- kill -9 during fetch and ingest ----
bare "$T/src.git"
synth "$T/src.git" 5e5e5e5e00000001 1 "$SYNTH_SEALS"
git -C "$T/a/repo.git" push -q "$T/src.git" "dev/$id_a:refs/heads/dev/$id_a"
nsynth=$((SYNTH_SEALS * SYNTH_PERSONS * 5))
newdev rb
$FB remote add src "$T/src.git" > /dev/null
t0=$(now_ms)
ok "rb (reference) fetches and ingests $nsynth synthetic ops and a's without interruption" timeout 120 $FB sync src
dfetch=$(($(now_ms) - t0))
newdev b
$FB remote add src "$T/src.git" > /dev/null
# odd rounds: killed the moment a change file's ops are in SQLite, before the branch moves
kill_rounds "$ROUNDS" "$dfetch" "$T/b/repo.git/refs/fieldbook/ingested/dev/5e5e5e5e00000001" src 1
ok "fetch/ingest: $kills syncs killed ($file_kills right after an ingest mark moved; an uninterrupted one took $dfetch ms)" \
	[ "$kills" -ge 1 ]
is "fetch/ingest: no sync failed after a kill" "$failed" 0
ok "b: sync after the kills runs to the end" timeout 120 $FB sync src
ok "b: fieldbook check" $FB check
is "b and rb have the same state" "$(digest b)" "$(digest rb)"
is "... and the same dump" "$(dumplines b)" "$(dumplines rb)"
is "b has all $((SYNTH_SEALS * SYNTH_PERSONS)) synthetic persons" \
	"$($FB dump | grep -c '^record	[0-9a-f]*	person	exists=1.*created=[0-9]*/synth/5e5e5e5e00000001')" \
	"$((SYNTH_SEALS * SYNTH_PERSONS))"
for d in a synth; do
	[ "$d" = synth ] && dev=5e5e5e5e00000001 || dev=$id_a
	is "b's branch of $d is the remote's" "$(git -C "$T/b/repo.git" rev-parse "dev/$dev")" \
		"$(git -C "$T/src.git" rev-parse "dev/$dev")"
done
ok "git fsck --strict: b's repository" fsck_ok "$T/b/repo.git"

# ---- kill -9 during push (own branch first, then the relayed ones) ----
adds 3
bare "$T/e.git"
on rb
$FB remote add e "$T/e.git" > /dev/null
t0=$(now_ms)
ok "rb (reference) pushes everything to an empty remote without interruption" timeout 120 $FB sync e
dpush=$(($(now_ms) - t0))
on b
bare "$T/usb2.git"
$FB remote add usb2 "$T/usb2.git" > /dev/null
# odd rounds: killed the moment the remote took b's own branch, before the relayed ones
kill_rounds "$ROUNDS" "$dpush" "$T/usb2.git/refs/heads/dev/$id_b" usb2 1
ok "push: $kills syncs killed ($file_kills right after the remote took b's own branch; an uninterrupted one took $dpush ms)" \
	[ "$kills" -ge 1 ]
is "push: no sync failed after a kill" "$failed" 0
ok "b: sync after the kills runs to the end" timeout 120 $FB sync usb2
is "the remote has exactly b's branches" "$(git -C "$T/usb2.git" for-each-ref --format='%(objectname) %(refname)' refs/heads/)" \
	"$(git -C "$T/b/repo.git" for-each-ref --format='%(objectname) %(refname)' refs/heads/dev/)"
is "no lock file left in the remote" "$(cd "$T/usb2.git" && find . -name '*.lock')" ""
ok "git fsck --strict: the remote pushed to" fsck_ok "$T/usb2.git"
newdev c
$FB remote add usb2 "$T/usb2.git" > /dev/null
ok "c, a new laptop, syncs from that remote" timeout 120 $FB sync usb2
is "c and b have the same state" "$(digest c)" "$(digest b)"
missing=0
FIELDBOOK_HOME=$T/c $FB dump > "$T/dump.c"
while read -r id; do
	grep -q "^record	$id	person	exists=1" "$T/dump.c" || missing=$((missing + 1))
done < "$T/ids.b"
is "b's records are all on c" "$missing" 0
chg_ops "$T/usb2.git" "dev/$id_b" "$id_b" | sort > "$T/chg.b"
is "no op of b sealed twice" "$(uniq -d "$T/chg.b" | head -3)" ""

# ---- a truncated change file ----
cp -a "$T/a" "$T/a-scratch" # a's next seal, made aside: its change file is then cut short
FIELDBOOK_HOME=$T/a-scratch FIELDBOOK_CONFIG=$T/a.config
: > "$T/ids.a-scratch"
adds 3
$FB bundle create "$T/scratch.bundle" > /dev/null
next=$(git -C "$T/a-scratch/repo.git" rev-list --count "dev/$id_a")
chg=$(printf 'log/%s/%03d/%06d.chg' "$id_a" $((next / 1000)) "$next")
git -C "$T/a-scratch/repo.git" cat-file blob "dev/$id_a:$chg" > "$T/full.chg"
size=$(wc -c < "$T/full.chg")
head -c $((size / 2)) "$T/full.chg" > "$T/cut.chg"
on rb # rb adds a record and syncs it: another device's branch moves on meanwhile
: > "$T/ids.rb"
adds 1
$FB remote add usb "$T/usb.git" > /dev/null
$FB sync usb > /dev/null 2>&1
git clone -q --bare "$T/usb.git" "$T/forge.git"
g() { git -C "$T/forge.git" "$@"; }
blob=$(g hash-object -w "$T/cut.chg")
tip=$(g rev-parse "dev/$id_a")
GIT_INDEX_FILE=$T/forge.index g read-tree "$tip"
GIT_INDEX_FILE=$T/forge.index g update-index --add --cacheinfo "100644,$blob,$chg"
tree=$(GIT_INDEX_FILE=$T/forge.index g write-tree)
cut=$(g commit-tree "$tree" -p "$tip" -m "seal $next: cut short")
g update-ref "refs/heads/dev/$id_a" "$cut"
bare "$T/trunc.git"
g push -q "$T/trunc.git" 'refs/heads/dev/*:refs/heads/dev/*'
newdev d
$FB remote add trunc "$T/trunc.git" > /dev/null
is "a truncated change file: sync exits 1" "$(status timeout 60 $FB sync trunc)" 1
like "... with an alarm in plain words" "$(cat "$T/err")" \
	"branch dev/$id_a from remote trunc was not accepted: the change file $chg in commit [0-9a-f]{12} cannot be used: .*Nothing was overwritten"
$FB dump > "$T/dump.d"
present=0
while read -r id; do grep -q "^record	$id	" "$T/dump.d" && present=$((present + 1)); done < "$T/ids.a-scratch"
is "... none of the cut file's records were applied" "$present" 0
missing=0
while read -r id; do grep -q "^record	$id	person	exists=1" "$T/dump.d" || missing=$((missing + 1)); done < "$T/ids.a"
is "... a's earlier history was integrated" "$missing" 0
like "... other devices' branches were integrated (rb's new record)" "$(grep -c "^record	$(cat "$T/ids.rb")	" "$T/dump.d")" "^1$"
is "... the branch stops at the last good seal" "$(git -C "$T/d/repo.git" rev-parse "dev/$id_a")" "$tip"
is "... the cut commit is kept aside" "$(git -C "$T/d/repo.git" rev-parse "refs/fieldbook/quarantine/$id_a/1")" "$cut"
ok "... d: fieldbook check" $FB check
ok "syncing again: no new alarm" $FB sync trunc
like "... says nothing new" "$(cat "$T/out")" "received 0 from 0 devices"
ok "git fsck --strict: d's repository" fsck_ok "$T/d/repo.git"

# ---- a cloned device id (a copied disk image) ----
on a
$FB sync usb > /dev/null 2>&1
cp -a "$T/a" "$T/a2"
cp "$T/a.config" "$T/a2.config"
on a
: > "$T/ids.a"
adds 2
on a2
: > "$T/ids.a2"
adds 3
$FB edit "$(head -1 "$T/ids.a")" employer=克隆盘 > /dev/null 2>&1 # a record a2 does not have: fails, fine
before_a2=$(digest a2)
on a
ok "a syncs first" $FB sync usb
tip_a=$(git -C "$T/usb.git" rev-parse "dev/$id_a")
on a2
is "a2 (same device id, other edits) syncs second: exit 1" "$(status timeout 60 $FB sync usb)" 1
like "... with an alarm naming a copied device id" "$(cat "$T/err")" \
	"branch dev/$id_a from remote usb was not accepted: .*(two devices using one device id|copied disk)"
is "... the remote's branch is a's, not overwritten" "$(git -C "$T/usb.git" rev-parse "dev/$id_a")" "$tip_a"
FIELDBOOK_HOME=$T/a2 $FB dump > "$T/dump.a2"
missing=0
while read -r id; do grep -q "^record	$id	person	exists=1" "$T/dump.a2" || missing=$((missing + 1)); done < "$T/ids.a2"
is "... a2 keeps its own new records" "$missing" 0
present=0
while read -r id; do grep -q "^record	$id	" "$T/dump.a2" && present=$((present + 1)); done < "$T/ids.a"
is "... and got none of a's clashing ones" "$present" 0
is "... a2's state is unchanged by the refused sync" "$(digest a2)" "$before_a2"
ok "... a2: fieldbook check" $FB check
adds 1
is "a2 syncs again, with a new record it cannot send: exit 1" "$(status timeout 60 $FB sync usb)" 1
like "... and says why, not \"pushed 0 changes\"" "$(cat "$T/err")" "(device id|copied disk)"
on a
ok "a syncs again" $FB sync usb
FIELDBOOK_HOME=$T/a $FB dump > "$T/dump.a"
missing=0
while read -r id; do grep -q "^record	$id	person	exists=1" "$T/dump.a" || missing=$((missing + 1)); done < "$T/ids.a"
is "... a keeps its records" "$missing" 0
present=0
while read -r id; do grep -q "^record	$id	" "$T/dump.a" && present=$((present + 1)); done < "$T/ids.a2"
is "... and has none of a2's" "$present" 0
ok "... a: fieldbook check" $FB check
on ra
ok "ra syncs after the clash" $FB sync usb
is "... and has a's state (not a2's)" "$(digest ra)" "$(digest a)"
ok "git fsck --strict: the remote after the clash" fsck_ok "$T/usb.git"

# ---- an unreachable remote ----
on ra
adds 1
before=$(digest ra)
$FB remote add gone "$T/no/such/dir.git" > /dev/null
is "a remote path that does not exist: exit 1" "$(status $FB sync gone)" 1
like "... in plain words" "$(cat "$T/err")" "the remote gone is not there: .*does not exist .*everything stays saved on this computer"
is "... local data intact" "$(digest ra)" "$before"
ok "... ra: fieldbook check" $FB check
if try_mount "$T/stick" 8M; then
	bare "$T/stick/hq.git"
	$FB remote add stick "$T/stick/hq.git" > /dev/null
	ok "sync with a USB stick" $FB sync stick
	adds 1
	before=$(digest ra)
	umount "$T/stick"
	is "the stick pulled out: exit 1" "$(status $FB sync stick)" 1
	like "... in plain words" "$(cat "$T/err")" "the remote stick is not there: .*does not exist .*(USB stick|plugged)"
	is "... local data intact" "$(digest ra)" "$before"
	is "sync with every remote, the stick missing: exit 1" "$(status $FB sync)" 1
	like "... names the missing one" "$(cat "$T/err")" "sync with stick failed"
	like "... and still synced the others" "$(cat "$T/out")" "synced with usb: pushed [1-9]"
	ok "... ra: fieldbook check" $FB check
else
	echo "# a pulled-out USB stick is not tried: cannot mount a tmpfs here (needs root)"
fi

# ---- a full disk ----
fill() { # fill KB: leaves about KB kilobytes free on the small file system
	local avail
	rm -f "$T/full/filler"
	avail=$(df -k --output=avail "$T/full" | tail -1)
	[ "$avail" -gt "$1" ] && dd if=/dev/zero of="$T/full/filler" bs=1k count=$((avail - $1)) 2> /dev/null
	[ "$1" -eq 0 ] && dd if=/dev/zero of="$T/full/filler" bs=1k oflag=append conv=notrunc 2> /dev/null
	return 0
}
if try_mount "$T/full" 64M; then
	on full # FIELDBOOK_HOME on the small file system
	FIELDBOOK_HOME=$T/full/data
	$FB init --device-label full > /dev/null
	: > "$T/ids.data"
	adds 2
	$FB remote add src "$T/src.git" > /dev/null
	fill 40
	is "a save with 40 KB left on the disk: exit 1" "$(status $FB add person name=满盘 occupation=other)" 1
	like "... says the disk is full" "$(cat "$T/err")" "disk is full"
	fill 0
	is "a save on a disk with no byte left: exit 1" "$(status $FB add person name=满盘 occupation=other)" 1
	like "... says the disk is full" "$(cat "$T/err")" "disk is full"
	is "a sync on a disk with no byte left: exit 1" "$(status timeout 60 $FB sync src)" 1
	like "... says the disk is full" "$(cat "$T/err")" "disk is full"
	fill 256
	is "a sync that fills the disk while fetching: exit 1" "$(status timeout 60 $FB sync src)" 1
	like "... says the disk is full" "$(cat "$T/err")" "disk is full"
	rm -f "$T/full/filler"
	ok "after freeing space: fieldbook check" $FB check
	# a sync cut short may already have applied some of what it fetched: that is kept,
	# and what this device had is untouched
	lost=0
	while read -r id; do $FB dump | grep -q "^record	$id	person	exists=1" || lost=$((lost + 1)); done < "$T/ids.data"
	is "... the records saved before the full disk are all there" "$lost" 0
	pack=$(git -C "$T/src.git" rev-list --objects --all | git -C "$T/src.git" pack-objects -q --stdout | wc -c)
	fill $((pack / 1024 + 1024))
	is "a sync that fills the disk while applying the changes: exit 1" "$(status timeout 60 $FB sync src)" 1
	like "... says the disk is full" "$(cat "$T/err")" "disk is full"
	rm -f "$T/full/filler"
	ok "after freeing space: fieldbook check" $FB check
	ok "... a save works" $FB add person name=有空间 occupation=other
	ok "... and the sync runs to the end" timeout 120 $FB sync src
	missing=0
	$FB dump > "$T/dump.full"
	while read -r id; do grep -q "^record	$id	person	exists=1" "$T/dump.full" || missing=$((missing + 1)); done < "$T/ids.data"
	is "... the records saved before the full disk are there" "$missing" 0
	is "... and everything from the remote" "$(grep -c '^record	[0-9a-f]*	person	exists=1.*created=[0-9]*/synth/' "$T/dump.full")" \
		"$((SYNTH_SEALS * SYNTH_PERSONS))"
	ok "git fsck --strict: the repository on the disk that was full" fsck_ok "$T/full/data/repo.git"
else
	echo "# a full disk is not tried: cannot mount a tmpfs here (needs root)"
fi
echo "1..$n"
