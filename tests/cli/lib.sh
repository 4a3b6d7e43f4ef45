# tests/cli/lib.sh - helpers for command-line tests (tests layer).
# Each test file sources this, runs the real program ($FB) against a fresh data
# directory, and prints TAP lines through ok/is/fails.
set -u
: "${FB:?FB must name the fieldbook binary}"
T=$(mktemp -d /tmp/fbcli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export FIELDBOOK_HOME=$T/data FIELDBOOK_CONFIG=$T/config
unset FIELDBOOK_NOW LANGUAGE LANG LC_MESSAGES
export LC_ALL=C.UTF-8 TZ=Asia/Shanghai
n=0
ok() { # ok DESCRIPTION COMMAND...: passes when the command succeeds
	local what=$1
	shift
	n=$((n + 1))
	if "$@" > "$T/out" 2> "$T/err"; then echo "ok $n - $what"
	else echo "not ok $n - $what"; sed 's/^/#   /' "$T/out" "$T/err" | head -20; fi
}
is() { # is DESCRIPTION GOT WANT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n - $1"
	else echo "not ok $n - $1"; printf '#   got:  %s\n#   want: %s\n' "$2" "$3"; fi
}
like() { # like DESCRIPTION TEXT PATTERN (grep -E)
	n=$((n + 1))
	if printf '%s\n' "$2" | grep -qE -- "$3"; then echo "ok $n - $1"
	else echo "not ok $n - $1"; printf '%s\n' "$2" | head -20 | sed 's/^/#   /'; echo "#   wanted: $3"; fi
}
unlike() { # unlike DESCRIPTION TEXT PATTERN
	n=$((n + 1))
	if ! printf '%s\n' "$2" | grep -qE -- "$3"; then echo "ok $n - $1"
	else echo "not ok $n - $1"; printf '%s\n' "$2" | head -20 | sed 's/^/#   /'; fi
}
# status CMD...: prints the exit status of a command, its stderr saved in $T/err
status() { "$@" > "$T/out" 2> "$T/err"; echo $?; }

# git_test_env: tests that use the git command line read no user or system git config.
git_test_env() {
	export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
	export HOME=$T
}
# bare PATH: a server-like bare repository with the append-only settings of DESIGN section 3.
bare() {
	git init -q --bare "$1" && git -C "$1" config receive.denyNonFastForwards true &&
		git -C "$1" config receive.denyDeletes true && git -C "$1" config receive.fsckObjects true
}
# synth REPO DEV FIRST NSEALS: appends NSEALS synthetic seals (FIRST, FIRST+1, ...) of
# SYNTH_PERSONS new persons (5 ops each) to branch dev/DEV of REPO, as device DEV would have
# sealed them, with git plumbing only.  Names are SYNTH_NAME (default 合成) and a number.
synth() {
	local repo=$1 dev=$2 first=$3 nseals=$4 s parent tree blob commit idx=$T/synth.index
	parent=$(git -C "$repo" rev-parse -q --verify "refs/heads/dev/$dev")
	rm -f "$idx"
	if [ -n "$parent" ]; then
		GIT_INDEX_FILE=$idx git -C "$repo" read-tree "$parent"
	else
		blob=$(printf 'fieldbook-data 1\n' | git -C "$repo" hash-object -w --stdin)
		GIT_INDEX_FILE=$idx git -C "$repo" update-index --add --cacheinfo "100644,$blob,FORMAT"
		blob=$(printf 'id %s\nlabel synth\nteam \n' "$dev" | git -C "$repo" hash-object -w --stdin)
		GIT_INDEX_FILE=$idx git -C "$repo" update-index --add --cacheinfo "100644,$blob,device.txt"
	fi
	for s in $(seq "$first" $((first + nseals - 1))); do
		blob=$(awk -v dev="$dev" -v seal="$s" -v per="$SYNTH_PERSONS" -v nm="${SYNTH_NAME:-合成}" 'BEGIN {
			printf "fieldbook-changes 1\ndevice %s\nseal %d\nops %d\n", dev, seal, per * 5
			for (i = 0; i < per; i++) {
				seq = (seal - 1) * per + i + 1; hlc = (1767225600000 + seq) * 65536
				rec = sprintf("%08x%08x", seal, i)
				printf "%s:%d.0\t%d\tsynth\tperson\t%s\t_exists\t1\t\n", dev, seq, hlc, rec
				printf "%s:%d.1\t%d\tsynth\tperson\t%s\tname\t%s%d\t\n", dev, seq, hlc, rec, nm, seq
				printf "%s:%d.2\t%d\tsynth\tperson\t%s\tmobile\t1%010d\t\n", dev, seq, hlc, rec, seq
				printf "%s:%d.3\t%d\tsynth\tperson\t%s\toccupation\tother\t\n", dev, seq, hlc, rec
				printf "%s:%d.4\t%d\tsynth\tperson\t%s\temployer\t%s公司%d\t\n", dev, seq, hlc, rec, nm, seq % 97
			}
			printf "end %d\n", per * 5 }' | git -C "$repo" hash-object -w --stdin)
		GIT_INDEX_FILE=$idx git -C "$repo" update-index --add --cacheinfo \
			"100644,$blob,$(printf 'log/%s/%03d/%06d.chg' "$dev" $((s / 1000)) "$s")"
		tree=$(GIT_INDEX_FILE=$idx git -C "$repo" write-tree)
		commit=$(git -C "$repo" commit-tree "$tree" ${parent:+-p "$parent"} -m "seal $s: $((SYNTH_PERSONS * 5)) ops")
		parent=$commit
	done
	git -C "$repo" update-ref "refs/heads/dev/$dev" "$commit"
	rm -f "$idx"
}
