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
