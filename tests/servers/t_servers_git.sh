# t_servers_git.sh - the test servers of tests/servers/lib.sh work with the real git
# command line: sshd + git-shell and lighttpd + git http-backend on 127.0.0.1, append-only
# bare repositories, token authentication; nothing left running afterwards.  TAP output.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/servers/lib.sh
. "$here/lib.sh"

T=$(mktemp -d /tmp/fbsrv.XXXXXX)
cleanup() {
	servers_stop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Isolated from the user's git and ssh configuration; never prompts.
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false
export SSH_ASKPASS=/bin/false SSH_ASKPASS_REQUIRE=never
unset GIT_DIR GIT_WORK_TREE GIT_SSH GIT_SSH_COMMAND GIT_CONFIG_GLOBAL SSH_AUTH_SOCK
export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.org
export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.org
export LC_ALL=C
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

n=0
failed=0
ok() { # ok DESCRIPTION COMMAND...: passes when the command succeeds
	local what=$1
	shift
	n=$((n + 1))
	if "$@" > "$T/out" 2> "$T/err"; then echo "ok $n - $what"
	else failed=$((failed + 1)); echo "not ok $n - $what"; sed 's/^/#   /' "$T/out" "$T/err" | tail -n 20; fi
}
fails() { # fails DESCRIPTION PATTERN COMMAND...: the command fails and stderr matches PATTERN
	local what=$1 pat=$2
	shift 2
	n=$((n + 1))
	if "$@" > "$T/out" 2> "$T/err"; then
		failed=$((failed + 1)); echo "not ok $n - $what (it succeeded)"; sed 's/^/#   /' "$T/out" "$T/err" | tail -n 20
	elif ! grep -qE -- "$pat" "$T/err"; then
		failed=$((failed + 1)); echo "not ok $n - $what (no /$pat/ in the message)"; sed 's/^/#   /' "$T/err" | tail -n 20
	else echo "ok $n - $what"; fi
}
is() { # is DESCRIPTION GOT WANT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n - $1"
	else failed=$((failed + 1)); echo "not ok $n - $1"; printf '#   got:  %s\n#   want: %s\n' "$2" "$3"; fi
}

# listeners PORT: the local addresses listening on TCP PORT, from /proc/net/tcp{,6}
# (no iproute2 needed): "127.0.0.1:PORT" for our servers.
listeners() {
	local hexport
	hexport=$(printf '%04X' "$1")
	awk -v p="$hexport" 'FNR > 1 && $4 == "0A" { split($2, a, ":"); if (a[2] == p) print a[1] }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u |
		while read -r a; do
			if [ ${#a} -eq 8 ]; then
				printf '%d.%d.%d.%d:%s\n' "0x${a:6:2}" "0x${a:4:2}" "0x${a:2:2}" "0x${a:0:2}" "$1"
			else
				printf '[%s]:%s\n' "$a" "$1"
			fi
		done
}
# procs_under DIR: pids of the processes whose command line mentions DIR (no procps needed).
procs_under() {
	local f pid
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}; pid=${pid%/cmdline}
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		{ tr '\0' ' ' < "$f"; } 2>/dev/null | grep -qF -- "$1" && printf '%s ' "$pid"
	done
}

commit() { # commit DIR FILE TEXT: a new commit on the current branch
	printf '%s\n' "$3" > "$1/$2" && git -C "$1" add "$2" && git -C "$1" commit -q -m "$2: $3"
}
head_of() { git -C "$1" rev-parse "${2:-HEAD}" 2>/dev/null; }

# ---- the repository -------------------------------------------------------------------
srv=$T/srv
ok "server_bare_repo creates a bare repository" server_bare_repo "$srv/hq.git"
is "it is bare" "$(git -C "$srv/hq.git" rev-parse --is-bare-repository)" "true"
is "its HEAD is refs/heads/main" "$(git -C "$srv/hq.git" symbolic-ref HEAD)" "refs/heads/main"
is "receive.denyNonFastForwards" "$(git -C "$srv/hq.git" config receive.denyNonFastForwards)" "true"
is "receive.denyDeletes" "$(git -C "$srv/hq.git" config receive.denyDeletes)" "true"
is "receive.fsckObjects" "$(git -C "$srv/hq.git" config receive.fsckObjects)" "true"

# ---- ssh ------------------------------------------------------------------------------
ok "sshd_start" sshd_start "$T/sshd"
[ -n "${SSHD_PID:-}" ] || { echo "Bail out! sshd did not start"; exit 1; }
started_pids="${SSHD_PID:-} "
is "sshd listens on 127.0.0.1 only" \
	"$(listeners "${SSHD_PORT:-0}")" "127.0.0.1:${SSHD_PORT:-0}"
fp_hex=$(awk '{print $2}' "${SSH_HOST_KEY_PUB:-/dev/null}" | base64 -d 2>/dev/null | sha256sum | cut -c1-64)
is "SSH_HOST_KEY_SHA256_HEX is the SHA-256 of the host key blob" "${SSH_HOST_KEY_SHA256_HEX:-}" "$fp_hex"
is "SSH_HOST_KEY_SHA256 is ssh-keygen's fingerprint" "${SSH_HOST_KEY_SHA256:-}" \
	"$(ssh-keygen -lf "${SSH_HOST_KEY_PUB:-/dev/null}" 2>/dev/null | awk '{print $2}')"
is "the client key is ed25519" "$(awk '{print $1}' "${SSH_CLIENT_PUB:-/dev/null}")" "ssh-ed25519"

export GIT_SSH_COMMAND=${SSH_GIT_COMMAND:-false}
ssh_url="ssh://${SSHD_USER:-root}@127.0.0.1:${SSHD_PORT:-1}$srv/hq.git"

git init -q "$T/w1"
commit "$T/w1" a.txt "first"
commit "$T/w1" b.txt "second"
ok "push over ssh" git -C "$T/w1" push "$ssh_url" main
is "the server has the commit" "$(head_of "$srv/hq.git" main)" "$(head_of "$T/w1")"
ok "clone over ssh" git clone -q "$ssh_url" "$T/c1"
is "the clone has the commit" "$(head_of "$T/c1")" "$(head_of "$T/w1")"

git -C "$T/w1" branch -q other main~1
ok "push a second branch over ssh" git -C "$T/w1" push "$ssh_url" other
git -C "$T/w1" commit -q --amend -m "rewritten"
fails "a non-fast-forward push over ssh is refused" "rejected|non-fast-forward" \
	git -C "$T/w1" push "$ssh_url" +main
is "main is unchanged" "$(head_of "$srv/hq.git" main)" "$(head_of "$T/c1")"
fails "a branch deletion over ssh is refused" "deletion prohibited|rejected" \
	git -C "$T/w1" push "$ssh_url" :other
is "the branch is still there" "$(head_of "$srv/hq.git" other)" "$(head_of "$T/w1" other)"

ssh-keygen -q -t ed25519 -N '' -f "$T/stranger" < /dev/null
fails "an unknown client key is refused" "Permission denied" \
	env GIT_SSH_COMMAND="${SSH_GIT_COMMAND/-i $SSH_CLIENT_KEY/-i $T/stranger}" git ls-remote "$ssh_url"
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(awk '{print $1, $2}' "$T/stranger.pub")" \
	> "$T/wrong_known_hosts"
fails "a wrong pinned host key is refused" "HOST IDENTIFICATION HAS CHANGED|Host key verification failed" \
	env GIT_SSH_COMMAND="${SSH_GIT_COMMAND/$SSH_KNOWN_HOSTS/$T/wrong_known_hosts}" git ls-remote "$ssh_url"
# shellcheck disable=SC2086 # an ssh command line, split into words
fails "the key runs git-shell only (no shell commands)" "unrecognized command|fatal" \
	${SSH_GIT_COMMAND:-false} "${SSHD_USER:-root}@127.0.0.1" id

# ---- smart HTTP -----------------------------------------------------------------------
ok "http_start" http_start "$T/http" "$srv"
[ -n "${HTTP_PID:-}" ] || { echo "Bail out! lighttpd did not start"; exit 1; }
started_pids+="${HTTP_PID:-} "
is "lighttpd listens on 127.0.0.1 only" \
	"$(listeners "${HTTP_PORT:-0}")" "127.0.0.1:${HTTP_PORT:-0}"
is "the token is 32 hex digits" "$(printf '%s' "${HTTP_TOKEN:-}" | grep -cE '^[0-9a-f]{32}$')" "1"
http_url="http://fieldbook:${HTTP_TOKEN:-x}@127.0.0.1:${HTTP_PORT:-1}/hq.git"
anon_url="http://127.0.0.1:${HTTP_PORT:-1}/hq.git"
bad_url="http://fieldbook:wrong${HTTP_TOKEN:-x}@127.0.0.1:${HTTP_PORT:-1}/hq.git"

ok "clone over http with the token" git clone -q "$http_url" "$T/c2"
is "the http clone has the ssh push" "$(head_of "$T/c2")" "$(head_of "$T/c1")"
commit "$T/c2" c.txt "third, over http"
ok "push over http with the token" git -C "$T/c2" push -q origin main
is "the server has the http push" "$(head_of "$srv/hq.git" main)" "$(head_of "$T/c2")"
ok "fetch it over ssh" git -C "$T/c1" pull -q --ff-only
is "the ssh clone sees the http push" "$(head_of "$T/c1")" "$(head_of "$T/c2")"

commit "$T/c2" d.txt "fourth"
fails "push over http without a token is refused" "Authentication failed|could not read Username|401|403" \
	git -C "$T/c2" push "$anon_url" main
fails "push over http with a wrong token is refused" "Authentication failed|401|403" \
	git -C "$T/c2" push "$bad_url" main
fails "clone over http without a token is refused" "Authentication failed|could not read Username|401" \
	git clone -q "$anon_url" "$T/c3"
is "the server did not take the refused pushes" "$(head_of "$srv/hq.git" main)" "$(head_of "$T/c2" main~1)"

git -C "$T/c2" reset -q --hard main~1 # what the server has
git -C "$T/c2" commit -q --amend -m "rewritten over http"
fails "a non-fast-forward push over http is refused" "rejected|non-fast-forward" \
	git -C "$T/c2" push "$http_url" +main
fails "a branch deletion over http is refused" "deletion prohibited|rejected" \
	git -C "$T/c2" push "$http_url" :other

# A pack larger than http.postBuffer (1 MiB) goes as a chunked request body.
head -c 1500000 /dev/urandom > "$T/c1/big.bin"
git -C "$T/c1" add big.bin && git -C "$T/c1" commit -q -m "big"
ok "push of a 1.5 MB pack over http (chunked request body)" \
	git -C "$T/c1" push "$http_url" main
is "the server has it" "$(head_of "$srv/hq.git" main)" "$(head_of "$T/c1")"
ok "clone it back over ssh" git clone -q "$ssh_url" "$T/c4"
is "the big file arrived intact" "$(git -C "$T/c4" hash-object big.bin)" "$(git -C "$T/c1" hash-object big.bin)"

ok "git fsck --strict on the server repository" git -C "$srv/hq.git" fsck --strict --no-progress
# shellcheck disable=SC2016 # $@ and $c are the inner sh's
ok "git fsck --strict on the clones" \
	sh -c 'for c in "$@"; do git -C "$c" fsck --strict --no-progress || exit 1; done' - \
	"$T/c1" "$T/c2" "$T/c4"

# ---- stopping -------------------------------------------------------------------------
ok "sshd_stop" sshd_stop
ok "http_stop" http_stop
left=""
for p in $started_pids; do kill -0 "$p" 2>/dev/null && left+="$p "; done
is "no server process is left" "$left" ""
is "nothing listens on the ports any more" \
	"$(_srv_port_open "${SSHD_PORT:-1}" && echo ssh; _srv_port_open "${HTTP_PORT:-1}" && echo http)" ""
is "no process runs from the test directory" "$(procs_under "$T/")" ""

echo "1..$n"
[ "$failed" -eq 0 ]
