# t_sync_lock.sh - the lock of a path remote (a USB stick) and lock files left in it
# (tests layer).  A sync killed with SIGKILL while it held the stick's lock
# (fieldbook-sync.lock) leaves it behind: the next sync on this computer sees that its
# process is gone, says so, takes the lock over and runs to the end.  A git ref lock
# (refs/heads/dev/ID.lock) left by a real `git update-ref` killed while holding it stops
# the next sync with the file's name and the exact fix (rm), and is removed by itself once
# it is older than 10 minutes.  A lock made by another computer stops the sync with the
# fix while young and is taken over when old; one held by a live process on this computer
# is waited for.  A sync killed while it writes its pack into a stick leaves an unfinished
# temporary pack, which the next sync removes.  Nothing is lost and every repository stays
# clean for git (fsck --strict: no garbage).
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "1..0 # SKIP git not installed"; exit 0; }
git_test_env
gitpid=
cleanup() {
	[ -n "$gitpid" ] && kill -KILL "$gitpid" 2> /dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00
on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
digest() { FIELDBOOK_HOME=$T/$1 $FB check --state-digest; }
fsck_ok() { git -C "$1" fsck --strict --no-progress > "$T/fsck" 2>&1 && ! grep -qE '^(error|warning|missing|broken)' "$T/fsck"; }
alive() { local a b st; read -r a b st _ 2> /dev/null < "/proc/$1/stat" && [ "$st" != Z ]; }
# wait_for FILE PID: polls (at most 30 s) until FILE exists; 1 when PID ended first
wait_for() {
	local i
	for i in $(seq 3000); do
		[ -e "$1" ] && return 0
		alive "$2" || return 1
		sleep 0.01
	done
	return 1
}
persons() { FIELDBOOK_HOME=$T/$1 $FB dump | grep -c '^	name	5e5e5e5e00000009:[0-9]*\.1	锁测' || :; }

stick=$T/stick.git
lock=$stick/fieldbook-sync.lock
bare "$stick"
SYNTH_PERSONS=2000 SYNTH_NAME=锁测 synth "$stick" 5e5e5e5e00000009 1 4 # 40,000 ops: a first sync takes a while

# ---- a sync killed while it holds the stick's lock ----
on a
$FB init --device-label a --operator op-a > /dev/null
$FB add person name=本机一 occupation=other > /dev/null
$FB remote add usb "$stick" > /dev/null
$FB sync usb > "$T/sync.out" 2>&1 &
pid=$!
ok "a sync takes the stick's lock ($lock)" wait_for "$lock" "$pid"
{ kill -KILL "$pid"; wait "$pid"; } 2> /dev/null
rc=$?
is "... and is killed with SIGKILL while holding it" "$rc" 137
ok "... which leaves the lock file on the stick" [ -e "$lock" ]
like "... naming this computer and the dead process" "$(cat "$lock")" "pid $pid"
ok "the next sync runs to the end" sh -c "$FB sync usb > '$T/out' 2> '$T/err'"
like "... and says what happened" "$(cat "$T/out" "$T/err")" \
	"remote usb: a sync on this computer \(process $pid, [0-9]+ s ago\) was interrupted and left the remote locked; taking it over"
ok "... no lock file is left on the stick" [ -z "$(cd "$stick" && find . -name '*.lock')" ]
is "... every person from the stick arrived" "$(persons a)" 8000
like "... and a's own record went to the stick" "$(git -C "$stick" for-each-ref refs/heads/dev/ | wc -l)" "^2$"
ok "git fsck --strict: the stick" fsck_ok "$stick"
ok "a: fieldbook check" $FB check

# ---- a git ref lock left by a killed git command ----
id_a=$(git -C "$stick" for-each-ref --format='%(refname:lstrip=3)' refs/heads/dev/ | grep -v 5e5e5e5e00000009)
reflock=$stick/refs/heads/dev/$id_a.lock
mkfifo "$T/fifo"
tip=$(git -C "$stick" rev-parse "refs/heads/dev/$id_a")
git -C "$stick" update-ref --stdin < "$T/fifo" > /dev/null 2>&1 &
gitpid=$!
exec 7> "$T/fifo"
printf 'start\nupdate refs/heads/dev/%s %s %s\nprepare\n' "$id_a" "$tip" "$tip" >&7
ok "git update-ref holds the lock of a's branch on the stick" wait_for "$reflock" "$gitpid"
{ kill -KILL "$gitpid"; wait "$gitpid"; } 2> /dev/null
gitpid=
exec 7>&-
ok "... and leaves it there when killed with SIGKILL" [ -e "$reflock" ]
$FB add person name=本机二 occupation=other > /dev/null
before=$(digest a)
is "a sync with a young git lock on the stick: exit 1" "$(status $FB sync usb)" 1
like "... names the file and the exact fix" "$(cat "$T/err")" \
	"remote usb is locked by $reflock, made [0-9]+ s ago: .*remove that file \(\`rm '$reflock'\`\) and sync again"
is "... local data intact" "$(digest a)" "$before"
ok "... the stick's own lock is not left behind" [ ! -e "$lock" ]
rm "$reflock" # the fix the message gives
ok "after the fix the sync runs to the end" $FB sync usb
like "... and sends the new record" "$(cat "$T/out")" "pushed [1-9][0-9]* changes"

git -C "$stick" update-ref --stdin < "$T/fifo" > /dev/null 2>&1 &
gitpid=$!
exec 7> "$T/fifo"
tip=$(git -C "$stick" rev-parse "refs/heads/dev/$id_a")
printf 'start\nupdate refs/heads/dev/%s %s %s\nprepare\n' "$id_a" "$tip" "$tip" >&7
wait_for "$reflock" "$gitpid"
{ kill -KILL "$gitpid"; wait "$gitpid"; } 2> /dev/null
gitpid=
exec 7>&-
touch -d '-11 minutes' "$reflock" # as if the stick had lain in a drawer
$FB add person name=本机三 occupation=other > /dev/null
ok "a git lock older than 10 minutes does not stop the sync" $FB sync usb
like "... which removes it and says so" "$(cat "$T/out" "$T/err")" \
	"remote usb: removed the lock file $reflock, left by a sync or git command that was interrupted"
ok "... none is left" [ -z "$(cd "$stick" && find . -name '*.lock')" ]
ok "git fsck --strict: the stick" fsck_ok "$stick"

# ---- a lock made by another computer, and one held by a live process here ----
printf 'fieldbook sync lock\nhost other-laptop\nboot 00000000-0000-0000-0000-000000000000\npid 4242\nstarted %s\n' \
	"$(date +%s)" > "$lock"
before=$(digest a)
is "the stick locked by another computer a minute ago: exit 1" "$(status $FB sync usb)" 1
like "... names that computer, the file and the fix" "$(cat "$T/err")" \
	"remote usb is in use by a sync on other-laptop, started [0-9]+ s ago \(its lock file is $lock\)\. If no sync is running there .*\`rm '$lock'\`"
is "... local data intact" "$(digest a)" "$before"
ok "... the lock is left as it was" grep -q other-laptop "$lock"
touch -d '-11 minutes' "$lock"
ok "the same lock 11 minutes old is taken over" $FB sync usb
like "... and says so" "$(cat "$T/out" "$T/err")" "remote usb: taking over the lock left 11 minutes ago by a sync on other-laptop"
ok "... and removed at the end" [ ! -e "$lock" ]
sleep 60 & live=$!
printf 'fieldbook sync lock\nhost %s\nboot %s\npid %s\nstarted %s\n' "$(uname -n)" \
	"$(cat /proc/sys/kernel/random/boot_id)" "$live" "$(date +%s)" > "$lock"
is "the stick locked by a live process on this computer: exit 1" "$(status $FB sync usb)" 1
like "... says to wait" "$(cat "$T/err")" "remote usb is being synced by another fieldbook on this computer \(process $live\): wait"
kill "$live"
wait "$live" 2> /dev/null
ok "once that process is gone, the lock is taken over" $FB sync usb
ok "... and removed at the end" [ ! -e "$lock" ]
# a lock file that does not parse (core/lockinfo.c): cut short by a crash mid-write, or
# with a terminal escape in its host name: its holder is unknown, taken over only by age
printf 'fieldbook sync lock\nhost %s\nboot %s\npid 1' "$(uname -n)" "$(cat /proc/sys/kernel/random/boot_id)" > "$lock"
is "a young lock file cut short: exit 1" "$(status $FB sync usb)" 1
like "... its holder is another computer" "$(cat "$T/err")" "remote usb is in use by a sync on another computer"
printf 'fieldbook sync lock\nhost \033[2Jx\nboot b\npid 1\nstarted 1\n' > "$lock"
is "a young lock file with an escape in its host name: exit 1" "$(status $FB sync usb)" 1
unlike "... the escape is never printed" "$(cat "$T/out" "$T/err")" $'\033'
touch -d '-11 minutes' "$lock"
ok "... taken over once 11 minutes old" $FB sync usb
ok "... and removed at the end" [ ! -e "$lock" ]

# ---- a sync killed while it writes its pack into the stick ----
# a relays the stick's 40,000 ops to an empty stick: killed the moment the pack being
# written appears there (libgit2's objects/pack/pack_git2_* temporary file); a few tries,
# since the write may be done before the poll sees it
caught=0
for try in 1 2 3 4 5 6 7 8; do
	rm -rf "$T/stick2.git"
	bare "$T/stick2.git"
	$FB remote remove usb2 > /dev/null 2>&1 || :
	$FB remote add usb2 "$T/stick2.git" > /dev/null
	$FB sync usb2 > /dev/null 2>&1 &
	pid=$!
	while alive "$pid" && ! compgen -G "$T/stick2.git/objects/pack/pack_git2_*" > /dev/null; do sleep 0.002; done
	{ kill -KILL "$pid"; wait "$pid"; } 2> /dev/null
	if compgen -G "$T/stick2.git/objects/pack/pack_git2_*" > /dev/null; then
		caught=1
		break
	fi
done
ok "a sync killed while writing its pack into a stick leaves the unfinished pack ($try tries)" [ "$caught" = 1 ]
ok "the next sync runs to the end" $FB sync usb2
is "... and removes the unfinished pack" "$(ls "$T/stick2.git/objects/pack" | grep -c pack_git2_)" 0
is "... and the stick has a's branches" "$(git -C "$T/stick2.git" for-each-ref --format='%(objectname) %(refname)' refs/heads/)" \
	"$(git -C "$T/a/repo.git" for-each-ref --format='%(objectname) %(refname)' refs/heads/dev/)"
ok "git fsck --strict: the stick (no garbage)" fsck_ok "$T/stick2.git"
ok "git fsck --strict: a's repository" fsck_ok "$T/a/repo.git"

# ---- a new laptop gets everything ----
on b
$FB init --device-label b --operator op-b > /dev/null
$FB remote add usb "$stick" > /dev/null
ok "b, a new laptop, syncs from the stick" $FB sync usb
is "b and a have the same state" "$(digest b)" "$(digest a)"
ok "git fsck --strict: the stick at the end" fsck_ok "$stick"
echo "1..$n"
