# tests/servers/lib.sh - real git servers on 127.0.0.1 for tests (tests layer).
#
# Source it from a bash test script (safe under `set -euo pipefail`; it sets no traps):
#
#   . tests/servers/lib.sh
#   trap 'servers_stop_all; rm -rf "$T"' EXIT
#   server_bare_repo "$T/srv/hq.git"
#   sshd_start "$T/sshd"            # ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT$T/srv/hq.git
#   http_start "$T/http" "$T/srv"   # http://fieldbook:$HTTP_TOKEN@127.0.0.1:$HTTP_PORT/hq.git
#   ...
#   sshd_stop; http_stop
#
# Functions (each returns non-zero and says why on stderr when it fails; none sleeps
# blindly: they poll, for at most SERVER_TIMEOUT seconds, default 10):
#
#   free_port                prints a free TCP port on 127.0.0.1
#   server_bare_repo DIR     git init --bare DIR (HEAD: refs/heads/main), append-only:
#                            receive.denyNonFastForwards, receive.denyDeletes,
#                            receive.fsckObjects
#   sshd_start WORKDIR       /usr/sbin/sshd on 127.0.0.1:<free port>; an ed25519 host key and
#                            an ed25519 client key (no passphrase) in WORKDIR (kept and reused
#                            when WORKDIR already has them, so a restart keeps the host key);
#                            the client key may only run git-shell.  Exports:
#                              SSHD_PORT SSHD_PID SSHD_USER SSHD_LOG
#                              SSH_CLIENT_KEY (private key file) SSH_CLIENT_PUB
#                              SSH_HOST_KEY_PUB (host public key file)
#                              SSH_HOST_KEY_SHA256 ("SHA256:<base64, no padding>", as
#                                ssh-keygen -lf prints it)
#                              SSH_HOST_KEY_SHA256_HEX (the same 32 bytes in hex)
#                              SSH_KNOWN_HOSTS (a known_hosts file for [127.0.0.1]:PORT)
#                              SSH_GIT_COMMAND (an ssh command line for GIT_SSH_COMMAND:
#                                this key, these known hosts, strict checking, batch mode)
#   sshd_stop [PID]          stops it (default $SSHD_PID) and waits until it is gone
#   http_start WORKDIR REPOROOT
#                            lighttpd on 127.0.0.1:<free port> running git http-backend
#                            (smart HTTP) with GIT_PROJECT_ROOT=REPOROOT; HTTP basic
#                            authentication, user "fieldbook", password a fresh token, needed
#                            for every request (HTTP_PUBLIC_READ=1: for pushes only).  Exports:
#                              HTTP_PORT HTTP_PID HTTP_TOKEN HTTP_USER HTTP_LOG
#                              HTTP_URL (http://127.0.0.1:PORT, no credentials)
#                            HTTP_TLS=1: https instead, with a certificate for 127.0.0.1
#                            and localhost signed by a test CA made in WORKDIR/tls with
#                            openssl (a fresh one each start).  Also exports:
#                              HTTPS_CA_FILE (the CA's certificate, PEM)
#                              HTTPS_OTHER_CA_FILE (a second CA that signed nothing)
#                              HTTP_URL is then https://127.0.0.1:PORT
#   http_stop [PID]          stops it (default $HTTP_PID) and waits until it is gone
#   servers_stop_all         stops every server this shell started and has not stopped
#
# The servers are started with a parent-death signal (setpriv --pdeathsig), so they go
# away even when the test script itself is killed with SIGKILL.  Their standard input,
# output and error are never the caller's (logs go to WORKDIR), so `out=$(test 2>&1)`
# does not wait for them.

SERVER_TIMEOUT=${SERVER_TIMEOUT:-10}
_SERVERS_PIDS=${_SERVERS_PIDS:-}

_srv_say() { printf 'servers: %s\n' "$*" >&2; }

# _srv_now_cs: the time now in centiseconds (bash 5 clock; whole seconds without it).
_srv_now_cs() {
	local t=${EPOCHREALTIME:-}
	if [ -n "$t" ]; then
		t=${t/,/.}
		printf '%s\n' "$(( ${t%.*} * 100 + 10#${t#*.} / 10000 ))"
	else
		printf '%s\n' "$(( $(date +%s) * 100 ))"
	fi
}

# _srv_alive PID: the process exists and is not a zombie.
_srv_alive() {
	local pid=$1 state
	kill -0 "$pid" 2>/dev/null || return 1
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# _srv_port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
_srv_port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	local p
	if command -v python3 >/dev/null 2>&1 &&
		p=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null) && [ -n "$p" ]; then
		printf '%s\n' "$p"
		return 0
	fi
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000))
		if ! _srv_port_open "$p"; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	_srv_say "free_port: found no free port"
	return 1
}

server_bare_repo() {
	local dir=${1:?server_bare_repo DIR}
	mkdir -p "$dir" &&
		git init -q --bare --initial-branch=main "$dir" &&
		git -C "$dir" config receive.denyNonFastForwards true &&
		git -C "$dir" config receive.denyDeletes true &&
		git -C "$dir" config receive.fsckObjects true
}

# _srv_launch LOG CMD...: starts CMD in the background (stdin /dev/null, output to LOG,
# parent-death signal TERM when setpriv has it) and sets _srv_pid.
_srv_launch() {
	local log=$1
	shift
	: > "$log"
	case "$(setpriv --help 2>/dev/null)" in
	*--pdeathsig*) setpriv --pdeathsig TERM "$@" < /dev/null >> "$log" 2>&1 & ;;
	*) "$@" < /dev/null >> "$log" 2>&1 & ;;
	esac
	_srv_pid=$!
}

# _srv_wait_ready PID PORT LOG MARKER: polls until PID is alive, LOG contains MARKER (the
# server says it is listening) and PORT accepts connections.  Returns 1 when PID died
# (2 when it died because the port was taken), 3 on timeout.
_srv_wait_ready() {
	local pid=$1 port=$2 log=$3 marker=$4 end
	end=$(( $(_srv_now_cs) + SERVER_TIMEOUT * 100 ))
	while :; do
		if ! _srv_alive "$pid"; then
			wait "$pid" 2>/dev/null || :
			grep -qiE 'address already in use|cannot bind' "$log" && return 2
			return 1
		fi
		if grep -qF -- "$marker" "$log" && _srv_port_open "$port"; then
			return 0
		fi
		[ "$(_srv_now_cs)" -ge "$end" ] && return 3
		sleep 0.02
	done
}

# _srv_stop_pid PID: TERM, poll until gone (KILL after SERVER_TIMEOUT), reap.
_srv_stop_pid() {
	local pid=$1 end rest="" p
	[ -n "$pid" ] || return 0
	for p in $_SERVERS_PIDS; do [ "$p" = "$pid" ] || rest+="$p "; done
	_SERVERS_PIDS=$rest
	kill -TERM "$pid" 2>/dev/null || :
	end=$(( $(_srv_now_cs) + SERVER_TIMEOUT * 100 ))
	while _srv_alive "$pid"; do
		if [ "$(_srv_now_cs)" -ge "$end" ]; then
			_srv_say "process $pid ignored SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null || :
			end=$(( $(_srv_now_cs) + SERVER_TIMEOUT * 100 ))
		fi
		sleep 0.02
	done
	wait "$pid" 2>/dev/null || :
	return 0
}

# _srv_start NAME LOG MARKER CONFIG_WRITER CMD...: up to 5 tries, each on a new free port
# (another process may take the port between free_port and the bind).  CONFIG_WRITER is
# called with the port before each try.  Sets _srv_pid and _srv_port.
_srv_start() {
	local name=$1 log=$2 marker=$3 writer=$4 rc
	shift 4
	for _ in 1 2 3 4 5; do
		_srv_port=$(free_port) || return 1
		"$writer" "$_srv_port" || return 1
		_srv_launch "$log" "$@"
		rc=0
		_srv_wait_ready "$_srv_pid" "$_srv_port" "$log" "$marker" || rc=$?
		[ "$rc" -eq 0 ] && { _SERVERS_PIDS+="$_srv_pid "; return 0; }
		[ "$rc" -eq 3 ] && _srv_stop_pid "$_srv_pid"
		[ "$rc" -eq 2 ] && continue
		break
	done
	_srv_say "$name did not start (log $log):"
	tail -n 20 "$log" | sed 's/^/servers:   /' >&2
	return 1
}

# ---- sshd ------------------------------------------------------------------------------

_sshd_conf() { # PORT (uses _sshd_dir)
	local d=$_sshd_dir
	cat > "$d/sshd_config" <<EOF
# written by tests/servers/lib.sh
Port $1
ListenAddress 127.0.0.1
AddressFamily inet
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
AllowUsers $SSHD_USER
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthenticationMethods publickey
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
PermitUserEnvironment no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTTY no
MaxStartups 100:30:200
MaxAuthTries 6
LoginGraceTime 30
LogLevel VERBOSE
# The forced command runs through the login shell with SSH_CLIENT set; SHLVL=1 stops bash
# from sourcing ~/.bashrc then (which may print, or be slow).
SetEnv SHLVL=1
EOF
}

sshd_start() {
	local d=${1:?sshd_start WORKDIR} pub fp b64
	command -v /usr/sbin/sshd >/dev/null 2>&1 || {
		_srv_say "sshd_start: /usr/sbin/sshd missing (Debian package openssh-server)"
		return 1
	}
	mkdir -p "$d" || return 1
	d=$(cd "$d" && pwd -P) || return 1
	[ "$(id -u)" -eq 0 ] && { mkdir -p /run/sshd && chmod 755 /run/sshd; }
	if [ ! -s "$d/ssh_host_ed25519_key" ] || [ ! -s "$d/ssh_host_ed25519_key.pub" ]; then
		rm -f "$d/ssh_host_ed25519_key" "$d/ssh_host_ed25519_key.pub"
		ssh-keygen -q -t ed25519 -N '' -C fieldbook-test-host -f "$d/ssh_host_ed25519_key" \
			< /dev/null > /dev/null || return 1
	fi
	if [ ! -s "$d/client_ed25519" ] || [ ! -s "$d/client_ed25519.pub" ]; then
		rm -f "$d/client_ed25519" "$d/client_ed25519.pub"
		ssh-keygen -q -t ed25519 -N '' -C fieldbook-test-client -f "$d/client_ed25519" \
			< /dev/null > /dev/null || return 1
	fi
	chmod 600 "$d/ssh_host_ed25519_key" "$d/client_ed25519"
	pub=$(cat "$d/client_ed25519.pub") || return 1
	# shellcheck disable=SC2016 # $SSH_ORIGINAL_COMMAND is for the server's shell
	printf 'restrict,command="/usr/bin/git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"" %s\n' "$pub" \
		> "$d/authorized_keys"
	chmod 600 "$d/authorized_keys"
	SSHD_USER=$(id -un)
	_sshd_dir=$d
	_srv_start sshd "$d/sshd.log" "Server listening on 127.0.0.1 port" _sshd_conf \
		/usr/sbin/sshd -D -e -f "$d/sshd_config" || return 1

	fp=$(ssh-keygen -lf "$d/ssh_host_ed25519_key.pub" | awk '{print $2}')
	b64=${fp#SHA256:}
	case $(( ${#b64} % 4 )) in 2) b64+="==" ;; 3) b64+="=" ;; esac
	SSHD_PORT=$_srv_port
	SSHD_PID=$_srv_pid
	SSHD_LOG=$d/sshd.log
	SSH_CLIENT_KEY=$d/client_ed25519
	SSH_CLIENT_PUB=$d/client_ed25519.pub
	SSH_HOST_KEY_PUB=$d/ssh_host_ed25519_key.pub
	SSH_HOST_KEY_SHA256=$fp
	SSH_HOST_KEY_SHA256_HEX=$(printf '%s' "$b64" | base64 -d | od -An -v -tx1 | tr -d ' \n')
	SSH_KNOWN_HOSTS=$d/known_hosts
	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(awk '{print $1, $2}' "$SSH_HOST_KEY_PUB")" \
		> "$SSH_KNOWN_HOSTS"
	SSH_GIT_COMMAND="ssh -F /dev/null -i $SSH_CLIENT_KEY -o IdentitiesOnly=yes -o IdentityAgent=none -o UserKnownHostsFile=$SSH_KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=$SERVER_TIMEOUT -o KexAlgorithms=curve25519-sha256 -p $SSHD_PORT"
	export SSHD_PORT SSHD_PID SSHD_USER SSHD_LOG SSH_CLIENT_KEY SSH_CLIENT_PUB SSH_HOST_KEY_PUB \
		SSH_HOST_KEY_SHA256 SSH_HOST_KEY_SHA256_HEX SSH_KNOWN_HOSTS SSH_GIT_COMMAND
}

sshd_stop() {
	local pid=${1:-${SSHD_PID:-}}
	_srv_stop_pid "$pid"
	[ "$pid" = "${SSHD_PID:-}" ] && unset SSHD_PID
	return 0
}

# ---- smart HTTP ------------------------------------------------------------------------

_http_conf() { # PORT (uses _http_dir, _http_root)
	local d=$_http_dir auth
	auth='( "method" => "basic", "realm" => "fieldbook", "require" => "valid-user" )'
	{
		cat <<EOF
# written by tests/servers/lib.sh
server.modules = ( "mod_access", "mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi" )
server.bind = "127.0.0.1"
server.port = $1
server.document-root = "$d/docroot"
server.errorlog = "$d/lighttpd.log"
server.upload-dirs = ( "$d/tmp" )
server.max-request-size = 0
# lighttpd waits ~1 s before answering a wrong password; not needed in tests
server.feature-flags = ( "auth.delay-invalid-creds" => "disable" )
alias.url = ( "/" => "/usr/lib/git-core/git-http-backend/" )
cgi.assign = ( "" => "" )
setenv.add-environment = (
	"GIT_PROJECT_ROOT" => "$_http_root",
	"GIT_HTTP_EXPORT_ALL" => "1",
	"PATH" => "/usr/local/bin:/usr/bin:/bin",
	"HOME" => "$d/home"
)
auth.backend = "plain"
auth.backend.plain.userfile = "$d/users"
EOF
		if [ "${HTTP_TLS:-0}" = 1 ]; then
			cat <<EOF
server.modules += ( "mod_openssl" )
ssl.engine = "enable"
ssl.pemfile = "$d/tls/server.crt"
ssl.privkey = "$d/tls/server.key"
EOF
		fi
		if [ "${HTTP_PUBLIC_READ:-0}" = 1 ]; then
			cat <<EOF
\$HTTP["querystring"] =~ "service=git-receive-pack" { auth.require = ( "/" => $auth ) }
\$HTTP["url"] =~ "/git-receive-pack\$" { auth.require = ( "/" => $auth ) }
EOF
		else
			printf 'auth.require = ( "/" => %s )\n' "$auth"
		fi
	} > "$d/lighttpd.conf"
}

# _http_tls DIR: a test CA (ca.crt, ca.key), a server certificate it signed for 127.0.0.1
# and localhost (server.crt, server.key) and an unrelated CA (other-ca.crt).
_http_tls() {
	local t=$1 ca
	command -v openssl >/dev/null 2>&1 || {
		_srv_say "http_start: openssl missing (Debian package openssl)"
		return 1
	}
	[ -e /usr/lib/lighttpd/mod_openssl.so ] || {
		_srv_say "http_start: lighttpd's TLS module missing (Debian package lighttpd-mod-openssl)"
		return 1
	}
	rm -rf "$t" && mkdir -p "$t" || return 1
	for ca in ca other-ca; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=fieldbook test $ca" -keyout "$t/$ca.key" -out "$t/$ca.crt" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
			> "$t/openssl.log" 2>&1 || { _srv_say "http_start: openssl failed:"; cat "$t/openssl.log" >&2; return 1; }
	done
	printf '%s\n' basicConstraints=CA:FALSE keyUsage=digitalSignature,keyEncipherment \
		extendedKeyUsage=serverAuth subjectAltName=IP:127.0.0.1,DNS:localhost > "$t/server.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
		-keyout "$t/server.key" -out "$t/server.csr" >> "$t/openssl.log" 2>&1 &&
		openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial \
			-days 2 -extfile "$t/server.ext" -out "$t/server.crt" >> "$t/openssl.log" 2>&1 ||
		{ _srv_say "http_start: openssl failed:"; cat "$t/openssl.log" >&2; return 1; }
}

http_start() {
	local d=${1:?http_start WORKDIR REPOROOT} root=${2:?http_start WORKDIR REPOROOT} token
	command -v lighttpd >/dev/null 2>&1 || {
		_srv_say "http_start: lighttpd missing (Debian package lighttpd)"
		return 1
	}
	[ -x /usr/lib/git-core/git-http-backend ] || {
		_srv_say "http_start: /usr/lib/git-core/git-http-backend missing (Debian package git)"
		return 1
	}
	mkdir -p "$d/docroot" "$d/tmp" "$d/home" && mkdir -p "$root" || return 1
	d=$(cd "$d" && pwd -P) && root=$(cd "$root" && pwd -P) || return 1
	token=$(od -An -v -N16 -tx1 /dev/urandom | tr -d ' \n') || return 1
	[ ${#token} -eq 32 ] || { _srv_say "http_start: no token from /dev/urandom"; return 1; }
	(umask 077 && printf 'fieldbook:%s\n' "$token" > "$d/users") || return 1
	if [ "${HTTP_TLS:-0}" = 1 ]; then
		_http_tls "$d/tls" || return 1
	fi
	_http_dir=$d _http_root=$root
	_srv_start lighttpd "$d/lighttpd.log" "server started" _http_conf \
		lighttpd -D -f "$d/lighttpd.conf" || return 1
	HTTP_PORT=$_srv_port
	HTTP_PID=$_srv_pid
	HTTP_TOKEN=$token
	HTTP_USER=fieldbook
	HTTP_LOG=$d/lighttpd.log
	HTTP_URL=http://127.0.0.1:$HTTP_PORT
	if [ "${HTTP_TLS:-0}" = 1 ]; then
		HTTP_URL=https://127.0.0.1:$HTTP_PORT
		HTTPS_CA_FILE=$d/tls/ca.crt
		HTTPS_OTHER_CA_FILE=$d/tls/other-ca.crt
		export HTTPS_CA_FILE HTTPS_OTHER_CA_FILE
	fi
	export HTTP_PORT HTTP_PID HTTP_TOKEN HTTP_USER HTTP_LOG HTTP_URL
}

http_stop() {
	local pid=${1:-${HTTP_PID:-}}
	_srv_stop_pid "$pid"
	[ "$pid" = "${HTTP_PID:-}" ] && unset HTTP_PID
	return 0
}

servers_stop_all() {
	local p
	for p in $_SERVERS_PIDS; do _srv_stop_pid "$p"; done
	unset SSHD_PID HTTP_PID
	return 0
}
