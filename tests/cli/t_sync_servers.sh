# t_sync_servers.sh - sync over the network (tests layer): three devices converge through
# sshd + git-shell (ssh://, pinned host key, ed25519 key file) and lighttpd + git
# http-backend (smart HTTP, token file), the server repositories stay clean for git (fsck
# --strict, clone); a wrong pinned host key, no pinned host key, a refused key, a wrong
# token, a token file others can read, an unreachable remote, a server that never answers
# (timeout) and a cancelled sync (SIGINT) each exit 1 with a plain message and leave the
# local data as it was; progress shows on a terminal only; no server is left running.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../servers/lib.sh"
for c in git /usr/sbin/sshd lighttpd python3 ssh-keygen; do
	command -v "$c" > /dev/null || { echo "1..0 # SKIP $c not installed"; exit 0; }
done
listener_pid=
cleanup() {
	[ -n "$listener_pid" ] && kill "$listener_pid" 2> /dev/null && wait "$listener_pid" 2> /dev/null
	servers_stop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
export HOME=$T # neither git nor ssh reads the tester's configuration
unset SSH_AUTH_SOCK GIT_SSH GIT_SSH_COMMAND FIELDBOOK_SYNC_TIMEOUT
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00
mkdir -p "$T/srv"

on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
digest() { FIELDBOOK_HOME=$T/$1 $FB check --state-digest; }
fsck_ok() { git -C "$1" fsck --strict --no-progress > "$T/fsck" 2>&1 && ! grep -qE '^(error|warning|missing|broken)' "$T/fsck"; }
now_ms() { local t=${EPOCHREALTIME/,/.}; echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 )); }
# fails_fast DESCRIPTION MAX_SECONDS PATTERN COMMAND...: exit 1 within MAX_SECONDS and
# stderr matching PATTERN (three TAP lines)
fails_fast() {
	local what=$1 max=$2 pat=$3 t0 rc
	shift 3
	t0=$(now_ms)
	rc=$(status "$@")
	is "$what: exit 1" "$rc" 1
	like "... in plain words" "$(cat "$T/err")" "$pat"
	like "... within $max s" "$(( ($(now_ms) - t0) / 1000 ))" "^[0-$((max - 1))]$"
}

server_bare_repo "$T/srv/hq.git" && server_bare_repo "$T/srv/hq2.git" ||
	{ echo "Bail out! no server repositories"; exit 1; }
ok "sshd starts" sshd_start "$T/sshd"
ok "lighttpd starts" http_start "$T/http" "$T/srv"
[ -n "${SSHD_PID:-}" ] && [ -n "${HTTP_PID:-}" ] || { echo "Bail out! servers did not start"; exit 1; }
ssh_url="ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT$T/srv/hq.git"
http_url="$HTTP_URL/hq2.git"
(umask 077 && printf '%s\n' "$HTTP_TOKEN" > "$T/token")

for d in a b c; do
	on $d
	$FB init --device-label $d --operator op-$d > /dev/null
done
# a: ssh only; b: http only; c: both (it relays between the two servers)
on a
ok "remote add ssh with --host-key and --key-file" $FB remote add hq "$ssh_url" \
	--host-key "$SSH_HOST_KEY_SHA256" --key-file "$SSH_CLIENT_KEY"
like "... the key file is in the settings" "$(cat "$T/a.config")" "key-file = \"?$SSH_CLIENT_KEY"
on b
ok "remote add http with --token-file" $FB remote add hq2 "$http_url" --token-file "$T/token"
unlike "... no token in the settings" "$(cat "$T/b.config")" "$HTTP_TOKEN"
is "remote add refuses a password in the URL" \
	"$(status $FB remote add pw "http://fieldbook:$HTTP_TOKEN@127.0.0.1:$HTTP_PORT/hq2.git")" 1
like "... saying to use a token file" "$(cat "$T/err")" "contains a password.*--token-file"
on c
$FB remote add hq "$ssh_url" --host-key "$SSH_HOST_KEY_SHA256" --key-file "$SSH_CLIENT_KEY" > /dev/null
$FB remote add hq2 "$http_url" --token-file "$T/token" > /dev/null

on a
p=$($FB add person name=王芳 id_number=440305198802294562 mobile=13800138000 occupation=快递员 consent=是)
$FB add demand collected_by=骑手代表 affected=40 categories=休息 description=冬季装备 > /dev/null
ok "a syncs over ssh (first push)" $FB sync
like "... outcome in plain words" "$(cat "$T/out")" "^synced with hq: pushed [1-9][0-9]* changes, received 0 from 0 devices"
unlike "... no progress line when stderr is not a terminal" "$(cat "$T/err")" "objects"
on b
$FB add site name=爱心驿站 type=爱心驿站 > /dev/null
$FB add person name=李四 id_number=11010519491231002X mobile=13500001234 occupation=快递员 consent=是 > /dev/null
ok "b syncs over http" $FB sync
like "... pushed its changes" "$(cat "$T/out")" "^synced with hq2: pushed [1-9][0-9]* changes"
on c
$FB add site name=驿站二 type=爱心驿站 > /dev/null
ok "c syncs with both (relay)" $FB sync
like "... received from a over ssh" "$(cat "$T/out")" "synced with hq: .*received [1-9][0-9]* from 1 device"
like "... received from b over http" "$(cat "$T/out")" "synced with hq2: .*received [1-9][0-9]* from 1 device"
on a
$FB edit "$p" mobile=13900001111 > /dev/null
ok "a syncs again" $FB sync
like "... received b's and c's changes (relayed by c)" "$(cat "$T/out")" "from 2 devices"
on b
ok "b syncs again" $FB sync
on c
ok "c syncs again" $FB sync
on b
ok "b syncs once more" $FB sync
is "a and b have the same state" "$(digest a)" "$(digest b)"
is "b and c have the same state" "$(digest b)" "$(digest c)"
if command -v script > /dev/null; then
	on a
	$FB edit "$p" mobile=13600003333 > /dev/null
	script -qec "$FB sync hq" /dev/null > "$T/tty" 2>&1
	like "progress on a terminal: one updating line (sending)" "$(tr '\r' '\n' < "$T/tty")" "^sending to hq: [0-9]+/[0-9]+ objects, [0-9.]+ (B|KiB)"
	on c
	script -qec "$FB sync hq" /dev/null > "$T/tty" 2>&1
	like "... (receiving)" "$(tr '\r' '\n' < "$T/tty")" "^receiving from hq: [0-9]+/[0-9]+ objects"
	like "... cleared before the outcome" "$(tr '\r' '\n' < "$T/tty")" "^.\[Ksynced with hq: pushed [0-9]+ changes, received 1 from 1 device"
fi
for r in hq hq2; do
	ok "git fsck --strict: the server's $r.git" fsck_ok "$T/srv/$r.git"
done
for d in a b c; do ok "git fsck --strict: $d's repository" fsck_ok "$T/$d/repo.git"; done
ok "git clone of the ssh server's repository" env GIT_SSH_COMMAND="$SSH_GIT_COMMAND" git clone -q "$ssh_url" "$T/clone1"
ok "git clone of the http server's repository" \
	git clone -q "http://fieldbook:$HTTP_TOKEN@127.0.0.1:$HTTP_PORT/hq2.git" "$T/clone2"
is "... both hold the same device branches" \
	"$(git -C "$T/clone1" branch -r | grep -c 'origin/dev/')" "$(git -C "$T/clone2" branch -r | grep -c 'origin/dev/')"

# ---- faults: exit 1, plain words, nothing changed -------------------------------------
on a
$FB add site name=未同步 type=爱心驿站 > /dev/null
before=$(digest a)
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$T/stranger" < /dev/null
stranger_fp=$(ssh-keygen -lf "$T/stranger.pub" | awk '{print $2}')
$FB remote add wronghk "$ssh_url" --host-key "$stranger_fp" --key-file "$SSH_CLIENT_KEY" > /dev/null
fails_fast "a wrong pinned host key" 5 \
	"host key does not match the one pinned for remote wronghk \(the server presented ${SSH_HOST_KEY_SHA256//+/\\+}\).*check with HQ and run .fieldbook remote add" \
	$FB sync wronghk
is "... nothing changed" "$(digest a)" "$before"
$FB remote add nohk "$ssh_url" --key-file "$SSH_CLIENT_KEY" > /dev/null
fails_fast "no pinned host key" 5 "no host key is pinned for the ssh remote nohk; the server presented ${SSH_HOST_KEY_SHA256//+/\\+}.*--host-key" \
	$FB sync nohk
$FB remote add stranger "$ssh_url" --host-key "$SSH_HOST_KEY_SHA256" --key-file "$T/stranger" > /dev/null
fails_fast "a refused key" 5 "the server refused this computer's key for remote stranger: ask HQ to add it" \
	$FB sync stranger
is "... nothing changed" "$(digest a)" "$before"
rm -rf "$T/a/ssh"
$FB remote add nokey "$ssh_url" --host-key "$SSH_HOST_KEY_SHA256" > /dev/null
fails_fast "no key at all (no agent, no DATA_DIR/ssh/id_ed25519)" 5 "no ssh key for remote nokey: put its ed25519 key in $T/a/ssh/id_ed25519" \
	$FB sync nokey
mkdir -p "$T/a/ssh" && cp "$SSH_CLIENT_KEY" "$T/a/ssh/id_ed25519" && chmod 600 "$T/a/ssh/id_ed25519"
ok "... with the key in DATA_DIR/ssh/id_ed25519 it syncs" $FB sync nokey
ok "... SSH_AUTH_SOCK naming no socket is passed over" env SSH_AUTH_SOCK="$T/nothing" $FB sync nokey
if command -v ssh-agent > /dev/null && command -v ssh-add > /dev/null; then
	eval "$(ssh-agent -s -a "$T/agent.sock")" > /dev/null
	agent_pid=$SSH_AGENT_PID
	ssh-add -q "$T/stranger" 2> /dev/null
	ok "the agent first (its key is refused), then the key file" $FB sync nokey
	ssh-add -q -D 2> /dev/null && ssh-add -q "$SSH_CLIENT_KEY" 2> /dev/null
	mv "$T/a/ssh/id_ed25519" "$T/a/ssh/id_ed25519.away"
	ok "the agent's key alone" $FB sync nokey
	mv "$T/a/ssh/id_ed25519.away" "$T/a/ssh/id_ed25519"
	kill "$agent_pid" 2> /dev/null
	unset SSH_AUTH_SOCK SSH_AGENT_PID
fi
before=$(digest a)

(umask 077 && echo "wrong$HTTP_TOKEN" > "$T/badtoken")
$FB remote add badtok "$http_url" --token-file "$T/badtoken" > /dev/null
refusals=$(grep -c "password doesn't match" "$HTTP_LOG")
fails_fast "a wrong token" 5 "the server refused this computer's token for remote badtok: ask HQ to add it" \
	$FB sync badtok
is "... tried once, not in a loop" "$(( $(grep -c "password doesn't match" "$HTTP_LOG") - refusals ))" 1
is "... nothing changed" "$(digest a)" "$before"
cp "$T/token" "$T/opentoken" && chmod 644 "$T/opentoken"
$FB remote add opentok "$http_url" --token-file "$T/opentoken" > /dev/null
fails_fast "a token file others can read" 5 "token file $T/opentoken of remote opentok can be read by other users.*chmod 600" \
	$FB sync opentok
$FB remote add notok "$http_url" > /dev/null
fails_fast "no token" 5 "asks for a token" $FB sync notok
$FB remote add plain "http://10.0.0.1:$HTTP_PORT/hq2.git" --token-file "$T/token" > /dev/null
fails_fast "plain http:// to another computer" 3 "uses plain http:// to 10.0.0.1: .*use its https:// URL" $FB sync plain

port=$(free_port)
$FB remote add dead "ssh://$SSHD_USER@127.0.0.1:$port/srv/hq.git" --host-key "$SSH_HOST_KEY_SHA256" > /dev/null
$FB remote add deadh "http://127.0.0.1:$port/hq2.git" --token-file "$T/token" > /dev/null
fails_fast "an unreachable ssh remote" 3 "cannot reach 127.0.0.1:$port: connection refused; check the address or the network; everything stays saved on this computer" \
	$FB sync dead
fails_fast "an unreachable http remote" 3 "cannot reach 127.0.0.1:$port: connection refused" $FB sync deadh
is "... nothing changed" "$(digest a)" "$before"

# a server that accepts the connection and never says a word
python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
print("listening", flush=True)
time.sleep(120)' "$port" > "$T/listener.log" 2>&1 &
listener_pid=$!
for _ in $(seq 1 100); do grep -q listening "$T/listener.log" 2> /dev/null && break; sleep 0.05; done
export FIELDBOOK_SYNC_TIMEOUT=2
fails_fast "a silent ssh server" 6 "no answer from dead \(127.0.0.1:$port\) after 2 s: check the network; nothing was lost, run sync again" \
	$FB sync dead
fails_fast "a silent http server" 6 "no answer from deadh \(127.0.0.1:$port\) after 2 s" $FB sync deadh
unset FIELDBOOK_SYNC_TIMEOUT
is "... nothing changed" "$(digest a)" "$before"
# cancelled (SIGINT) while waiting: the child is killed, the sync exits 1
children() { # children PID: the pids of PID's child processes (no procps needed)
	local parent=$1 f s
	for f in /proc/[0-9]*/stat; do
		read -r s < "$f" 2> /dev/null || continue
		s=${s##*) }
		s=${s#* }
		[ "${s%% *}" = "$parent" ] && printf '%s ' "${f//[^0-9]/}"
	done
}
t0=$(now_ms)
$FB sync dead > "$T/out" 2> "$T/err" &
syncpid=$!
for _ in $(seq 1 200); do [ -n "$(children $syncpid)" ] && break; sleep 0.05; done # the network step runs
sleep 0.2
kill -INT $syncpid
wait $syncpid
is "SIGINT cancels a sync: exit 1" "$?" 1
like "... in plain words" "$(cat "$T/err")" "sync with dead cancelled; nothing was lost, run sync again"
like "... at once" "$(( ($(now_ms) - t0) / 1000 ))" "^[0-2]$"
kill "$listener_pid" 2> /dev/null; wait "$listener_pid" 2> /dev/null; listener_pid=
is "... nothing changed" "$(digest a)" "$before"
ok "after all that, a syncs over ssh" $FB sync hq
on b
ok "... and b over http" $FB sync hq2
on c
ok "... and c relays" $FB sync
on a
ok "... and a again" $FB sync hq
is "a and c have the same state" "$(digest a)" "$(digest c)"
for r in hq hq2; do ok "git fsck --strict: the server's $r.git at the end" fsck_ok "$T/srv/$r.git"; done
for d in a b c; do ok "git fsck --strict: $d's repository at the end" fsck_ok "$T/$d/repo.git"; done

spids="$SSHD_PID $HTTP_PID"
servers_stop_all
left=
for pid in $spids; do kill -0 "$pid" 2> /dev/null && left+="$pid "; done
is "the servers are stopped" "$left" ""
echo "1..$n"
