# t_sync_https.sh - sync over real https with certificate checking (tests layer): lighttpd
# with TLS on 127.0.0.1 and git http-backend, a CA and a server certificate made by openssl
# for this run.  A server whose certificate this computer does not trust is refused with a
# message naming the remote and the fix (--ca-file); the CA file of another authority, a
# file that is no certificate and a URL naming the server by an address its certificate
# does not match are refused in plain words; with remote.NAME.ca-file (remote add
# --ca-file) two laptops sync through the server and converge, and the server repository
# stays clean for git.  Local data stays as it was after every refusal.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../servers/lib.sh"
for c in git lighttpd openssl; do
	command -v "$c" > /dev/null || { echo "1..0 # SKIP $c not installed"; exit 0; }
done
[ -e /usr/lib/lighttpd/mod_openssl.so ] || { echo "1..0 # SKIP lighttpd-mod-openssl not installed"; exit 0; }
cleanup() {
	servers_stop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 143' TERM
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
export HOME=$T
unset FIELDBOOK_SYNC_TIMEOUT SSL_CERT_FILE SSL_CERT_DIR
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00
mkdir -p "$T/srv"

on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
digest() { FIELDBOOK_HOME=$T/$1 $FB check --state-digest; }
fsck_ok() { git -C "$1" fsck --strict --no-progress > "$T/fsck" 2>&1 && ! grep -qE '^(error|warning|missing|broken)' "$T/fsck"; }

server_bare_repo "$T/srv/hq.git" || { echo "Bail out! no server repository"; exit 1; }
HTTP_TLS=1 http_start "$T/http" "$T/srv" || { echo "Bail out! lighttpd with TLS did not start"; exit 1; }
ok "lighttpd serves https" [ "${HTTP_URL#https://}" != "$HTTP_URL" ]
(umask 077 && printf '%s\n' "$HTTP_TOKEN" > "$T/token")
url="https://localhost:$HTTP_PORT/hq.git"
ok "git itself refuses the server without the CA" \
	sh -c "! git ls-remote 'https://fieldbook:$HTTP_TOKEN@localhost:$HTTP_PORT/hq.git' > /dev/null 2>&1"
ok "... and accepts it with the CA" \
	env GIT_SSL_CAINFO="$HTTPS_CA_FILE" git ls-remote "https://fieldbook:$HTTP_TOKEN@localhost:$HTTP_PORT/hq.git"

for d in a b; do
	on $d
	$FB init --device-label $d --operator op-$d > /dev/null
done
on a
for i in 1 2 3; do $FB add person "name=证书$i" occupation=other > /dev/null; done
before=$(digest a)

ok "remote add without a CA file" $FB remote add hq "$url" --token-file "$T/token"
is "a certificate this computer does not trust: exit 1" "$(status timeout 60 $FB sync hq)" 1
like "... names the remote and says it is not trusted" "$(cat "$T/err")" \
	"the certificate of the server of remote hq \(localhost\) is not trusted by this computer"
like "... and gives the fix" "$(cat "$T/err")" \
	"fieldbook remote remove hq\` and \`fieldbook remote add hq $url --ca-file FILE\`.*Everything stays saved"
is "... local data intact" "$(digest a)" "$before"
is "... the server got nothing" "$(git -C "$T/srv/hq.git" for-each-ref | wc -l)" 0
$FB remote remove hq > /dev/null

is "remote add with a CA file that is not there: exit 1" \
	"$(status $FB remote add hq "$url" --token-file "$T/token" --ca-file "$T/no-such-ca.crt")" 1
like "... says so" "$(cat "$T/err")" "cannot read the CA file $T/no-such-ca.crt"

ok "remote add with another authority's CA file" \
	$FB remote add hq "$url" --token-file "$T/token" --ca-file "$HTTPS_OTHER_CA_FILE"
is "a certificate the configured CA did not sign: exit 1" "$(status timeout 60 $FB sync hq)" 1
like "... names the CA file and the key" "$(cat "$T/err")" \
	"remote hq \(localhost\) is not signed by the certificate authority in $HTTPS_OTHER_CA_FILE \(remote.hq.ca-file\)"
is "... local data intact" "$(digest a)" "$before"
$FB remote remove hq > /dev/null

printf 'not a certificate\n' > "$T/junk.crt"
ok "remote add with a CA file that holds no certificate" \
	$FB remote add hq "$url" --token-file "$T/token" --ca-file "$T/junk.crt"
is "a CA file that is no certificate: exit 1" "$(status timeout 60 $FB sync hq)" 1
like "... in plain words" "$(cat "$T/err")" "the CA file $T/junk.crt of remote hq \(remote.hq.ca-file\) cannot be used"
$FB remote remove hq > /dev/null

ok "remote add by IP address, with the right CA" \
	$FB remote add hq "https://127.0.0.1:$HTTP_PORT/hq.git" --token-file "$T/token" --ca-file "$HTTPS_CA_FILE"
is "a URL the certificate's names do not match: exit 1" "$(status timeout 60 $FB sync hq)" 1
like "... says which name to use" "$(cat "$T/err")" \
	"remote hq is not made for the name 127.0.0.1: .*put the server name the certificate names in the URL"
is "... local data intact" "$(digest a)" "$before"
$FB remote remove hq > /dev/null

ok "remote add with the right CA file" $FB remote add hq "$url" --token-file "$T/token" --ca-file "$HTTPS_CA_FILE"
like "... kept as remote.hq.ca-file" "$(cat "$FIELDBOOK_CONFIG")" "ca-file = $HTTPS_CA_FILE"
ok "a syncs over https" timeout 60 $FB sync hq
like "... pushed its changes" "$(cat "$T/out")" "^synced with hq: pushed [1-9][0-9]* changes"
on b
$FB add person name=第二台 occupation=other > /dev/null
$FB remote add hq "$url" --token-file "$T/token" --ca-file "$HTTPS_CA_FILE" > /dev/null
ok "b syncs over https" timeout 60 $FB sync hq
like "... and receives a's changes" "$(cat "$T/out")" "received [1-9][0-9]* from 1 device"
on a
ok "a syncs again" timeout 60 $FB sync hq
is "a and b have the same state" "$(digest a)" "$(digest b)"
ok "git fsck --strict: the server repository" fsck_ok "$T/srv/hq.git"
ok "remote remove" $FB remote remove hq
unlike "... removes the CA file setting too" "$(cat "$FIELDBOOK_CONFIG")" "ca-file"
http_stop
echo "1..$n"
