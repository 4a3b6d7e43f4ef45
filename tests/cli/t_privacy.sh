# t_privacy.sh - sensitive fields are encrypted before git: after a scenario with ID
# numbers, consultation summaries, demand descriptions and hardship reasons synced through
# a bare repository and a bundle, no sensitive plaintext is in any git object (local
# repositories and the remote), in the bundle file, or in any database file (WAL
# included); a laptop that joins with the key file reads them, a laptop with another key
# or none syncs and says why they are hidden; wrong passphrases give nothing.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "1..0 # SKIP git not installed"; exit 0; }
command -v python3 > /dev/null || { echo "1..0 # SKIP python3 not installed"; exit 0; }
git_test_env
unset XDG_RUNTIME_DIR FIELDBOOK_PASSPHRASE_FILE
SCAN="python3 $(dirname "$0")/scan_plaintext.py"

on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
secret() { printf '%s\n' "$2" > "$T/$1.pass"; chmod 600 "$T/$1.pass"; }

ID=11010519491231002X
ID2=440305198802294562
SUMMARY=老板拖欠工资三个月共八千元
DEMAND=站点夜间没有休息室骑手只能睡在车上
REASON=母亲胃癌手术自费部分无力承担
ID3=310115199503151235
printf '%s\n' "$ID" "${ID:0:14}" "$ID2" "${ID2:0:14}" "$ID3" "${ID3:0:14}" "$SUMMARY" "拖欠工资" "$DEMAND" "夜间没有休息室" \
	"$REASON" "胃癌手术" > "$T/needles"

bare "$T/hq.git"
secret coord "长江后浪推前浪-2026"
secret field "外展队的口令-8"
secret legal "法援口令-12345"
secret bad "not the passphrase"

# ---- the coordinator's laptop: key, data, sync
on a
$FB init --device-label a --operator 王协调 > /dev/null
ok "key create" env FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB key create
like "... says sensitive fields are encrypted from now on" "$(cat "$T/out")" "deployment key [0-9a-f]{8} created"
is "the operators file is owner-only" "$(stat -c %a "$T/a/operators")" 600
is "a command without the passphrase fails" "$(status $FB list person < /dev/null)" 1
like "... and says how to unlock" "$(cat "$T/err")" "FIELDBOOK_PASSPHRASE_FILE"
printf 'x\n' > "$T/open.pass"; chmod 644 "$T/open.pass"
is "a passphrase file others can read is refused" "$(status env FIELDBOOK_PASSPHRASE_FILE=$T/open.pass $FB list person)" 1
like "... saying how to fix it" "$(cat "$T/err")" "can be read by others: chmod 600"
is "a wrong passphrase fails" "$(status env FIELDBOOK_PASSPHRASE_FILE=$T/bad.pass $FB list person)" 1
like "... saying only 'wrong passphrase'" "$(cat "$T/err")" "^fieldbook: unlock failed: wrong passphrase$"
is "... and prints no data" "$(cat "$T/out")" ""
ok "unlock with the passphrase" env FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB unlock
like "... names the operator and role" "$(cat "$T/out")" "unlocked as 王协调 \(coordinator\)"
is "the session file is owner-only" "$(stat -c %a "$T/a/session")" 600
p=$($FB add person name=张三 id_number=$ID mobile=13912345678 occupation=courier)
ok "add a consultation with a summary" $FB add consultation person=$p topics=wage_arrears summary=$SUMMARY outcome=answered
ok "add a demand with a description" $FB add demand collected_by=骑手代表 affected=40 categories=rest description=$DEMAND
ok "add an assistance with a reason" $FB add assistance person=$p type=medical amount=3000 reason=$REASON
ok "edit the ID number (a second sealed value in the history)" $FB edit $p id_number=$ID2
ok "and back" $FB edit $p id_number=$ID
like "list shows the ID number masked" "$($FB list person)" "110\*+002X"
like "search by the full ID number finds the person (keyed tag)" "$($FB search $ID)" "$p .*id_number"
unlike "words of a summary are not searchable (not indexed)" "$($FB search 拖欠工资)" "$p"
ok "remote add" $FB remote add hq "$T/hq.git"
ok "sync" $FB sync
ok "key export for a field worker" $FB key export "$T/field.key" --operator 李外展 --role field --passphrase-file "$T/field.pass"
is "the key file is owner-only" "$(stat -c %a "$T/field.key")" 600
ok "key export for legal aid" $FB key export "$T/legal.key" --operator 赵法援 --role legal-aid --passphrase-file "$T/legal.pass"
ok "bundle create" $FB bundle create "$T/all.bundle"

# ---- a field laptop joins with its key file
on b
is "init --join with a wrong passphrase fails" "$(status env FIELDBOOK_PASSPHRASE_FILE=$T/bad.pass $FB init --join "$T/field.key")" 1
like "... in plain words" "$(cat "$T/err")" "wrong passphrase; nothing was set up"
is "... and sets nothing up" "$(ls "$T/b" 2> /dev/null | wc -l)" 0
ok "init --join with the key file's passphrase" env FIELDBOOK_PASSPHRASE_FILE=$T/field.pass $FB init --join "$T/field.key" --device-label b
like "... as the operator it names" "$(cat "$T/out")" "joined the deployment as 李外展 \(field\)"
export FIELDBOOK_PASSPHRASE_FILE=$T/field.pass
ok "b syncs" sh -c "$FB remote add hq '$T/hq.git' && $FB sync"
c=$($FB list consultation --format tsv | tail -1 | cut -f1)
like "b sees the person, ID masked" "$($FB show $p)" "110\*+002X"
like "b: the field role may not reveal an ID number" "$($FB show $p --unmasked --reason 核对)" "the role field may not see"
unlike "... which stays masked" "$($FB show $p --unmasked --reason 核对)" "$ID"
like "b: the field role may reveal a mobile (audited)" "$($FB show $p --unmasked --reason 回访电话)" "13912345678"
unlike "b: nor a consultation summary" "$($FB show $c --unmasked --reason 看看)" "$SUMMARY"
is "b: list --unmasked is for coordinators" "$(status $FB list person --unmasked --reason 导出)" 1
like "... says so" "$(cat "$T/err")" "for coordinators; operator 李外展 has the role field"
is "b: key export is for coordinators" "$(status $FB key export "$T/x.key" --operator x --role field --passphrase-file "$T/field.pass")" 1
is "b: adding to a catalogue is for coordinators" "$(status $FB add site name=东门站点)" 1
like "... says so" "$(cat "$T/err")" "catalogues.*for coordinators"
p2=$($FB add person name=张三 occupation=courier)
is "b: merging people is for coordinators" "$(status $FB review merge $p $p2)" 1
like "... says so" "$(cat "$T/err")" "merging people is for coordinators"
is "b: review --unmasked is for coordinators" "$(status $FB review duplicates --unmasked --reason x)" 1
is "b: publishing is for coordinators" "$(status $FB sync --publish)" 1
like "... says so" "$(cat "$T/err")" "publishing .* is for coordinators"
a2=$($FB add assistance person=$p type=living amount=800 reason=$REASON)
ok "b adds a hardship application (sealed with the key from the key file)" test -n "$a2"
ok "b syncs again" $FB sync
unset FIELDBOOK_PASSPHRASE_FILE

# ---- legal aid reveals a summary: audited, and the audit entry reaches the coordinator
on l
env FIELDBOOK_PASSPHRASE_FILE=$T/legal.pass $FB init --join "$T/legal.key" --device-label l > /dev/null
export FIELDBOOK_PASSPHRASE_FILE=$T/legal.pass
$FB remote add hq "$T/hq.git" > /dev/null && $FB sync > /dev/null
is "legal aid: revealing needs a reason" "$(status $FB show $c --unmasked)" 2
like "legal aid sees the summary with a reason" "$($FB show $c --unmasked --reason 准备调解)" "$SUMMARY"
ok "l syncs" $FB sync
unset FIELDBOOK_PASSPHRASE_FILE
on a
$FB sync > /dev/null
audit=$($FB list audit --format tsv)
like "a sees b's reveal of the mobile" "$audit" "reveal	$p	mobile"
like "a sees l's reveal of the summary" "$audit" "reveal	$c	summary"
like "... by whom and why" "$($FB show $(printf '%s\n' "$audit" | grep "	$c	summary" | cut -f1))" "准备调解.*|赵法援"
is "an audit entry cannot be edited" "$(status $FB edit $(printf '%s\n' "$audit" | sed -n 2p | cut -f1) reason=x)" 1
is "nor deleted" "$(status $FB delete $(printf '%s\n' "$audit" | sed -n 2p | cut -f1))" 1
like "a reads b's hardship reason" "$($FB show $a2 --unmasked --reason 审批)" "$REASON"
ok "the coordinator adds to a catalogue" $FB add site name=东门站点
ok "list --unmasked by the coordinator (audited)" $FB list person --unmasked --reason 月度核对
like "... writes an unmasked-export entry" "$($FB list audit --format tsv)" "unmasked export		person"
ok "lock" $FB lock
is "after lock the session is gone" "$(ls "$T/a/session" 2> /dev/null)" ""
is "and commands need the passphrase again" "$(status $FB list person < /dev/null)" 1

# ---- a laptop with another deployment's key, and one with no key
on o
$FB init --device-label o --operator 外人 > /dev/null
secret other "another deployment 1"
env FIELDBOOK_PASSPHRASE_FILE=$T/other.pass $FB key create > /dev/null
export FIELDBOOK_PASSPHRASE_FILE=$T/other.pass
ok "a laptop with another key reads the bundle" $FB bundle read "$T/all.bundle"
like "... and says the values use a key it does not have" "$($FB show $p --unmasked --reason x)" "encrypted with a key this computer does not have"
unlike "... showing none of them" "$($FB show $c --unmasked --reason x)" "$SUMMARY"
unset FIELDBOOK_PASSPHRASE_FILE
on n
$FB init --device-label n --operator 无钥匙 > /dev/null
ok "a laptop without a key syncs" sh -c "$FB remote add hq '$T/hq.git' && $FB sync"
like "... shows the non-sensitive fields" "$($FB show $p)" "张三"
like "... and says why the others are hidden" "$($FB show $p --unmasked)" "encrypted: this computer has no deployment key"
is "... and refuses to write a sensitive field in plain text" "$(status $FB add person name=李四 id_number=$ID2 occupation=courier)" 1
like "... saying how to join" "$(cat "$T/err")" "init --join"
ok "... while other fields still save" $FB add person name=李四 occupation=courier

# ---- rotation: a new key in front, the old ones kept; laptops import a newer key file
on o
env FIELDBOOK_PASSPHRASE_FILE=$T/other.pass $FB key export "$T/other.key" --operator 李外展 --role field --passphrase-file "$T/field.pass" > /dev/null
on a
export FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass
ok "key rotate (coordinator)" $FB key rotate
like "... names the new key" "$(cat "$T/out")" "new deployment key [0-9a-f]{8}"
p3=$($FB add person name=王五 id_number=$ID3 occupation=courier)
like "values sealed before the rotation still open" "$($FB show $p --unmasked --reason 轮换后核对)" "$ID"
like "the new value opens" "$($FB show $p3 --unmasked --reason 轮换后核对)" "$ID3"
$FB sync > /dev/null
ok "a key file with the new key for the field worker" $FB key export "$T/field2.key" --operator 李外展 --role field --passphrase-file "$T/field.pass"
on b
export FIELDBOOK_PASSPHRASE_FILE=$T/field.pass
$FB sync > /dev/null
like "b, with the old key, cannot open the value sealed with the new one" "$($FB show $p3)" "encrypted with a key this computer does not have"
is "b: a key file of another deployment is refused" "$(status $FB key import "$T/other.key")" 1
like "... saying so" "$(cat "$T/err")" "belongs to another deployment"
ok "b imports the newer key file" $FB key import "$T/field2.key"
like "b opens it now (masked for the field role)" "$($FB show $p3)" "310\*+1235"
like "search by an ID number sealed after the rotation" "$($FB search $ID3)" "$p3 "
like "... and by one sealed before it (the lookup key did not change)" "$($FB search $ID)" "$p "
$FB sync > /dev/null
unset FIELDBOOK_PASSPHRASE_FILE

# ---- the scan: every git object, the bundle, every database file
$FB sync > /dev/null
on a
env FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB sync > /dev/null
env FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB bundle create "$T/all2.bundle" > /dev/null
on n
$FB sync > /dev/null
on b
env FIELDBOOK_PASSPHRASE_FILE=$T/field.pass $FB sync > /dev/null
on a
env FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB sync > /dev/null
da=$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/a.config FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB check --state-digest)
db=$(FIELDBOOK_HOME=$T/b FIELDBOOK_CONFIG=$T/b.config FIELDBOOK_PASSPHRASE_FILE=$T/field.pass $FB check --state-digest)
dn=$(FIELDBOOK_HOME=$T/n FIELDBOOK_CONFIG=$T/n.config $FB check --state-digest)
is "the coordinator's and the field laptop's state are the same" "$db" "$da"
is "... and so is the keyless laptop's (the state is the sealed text)" "$dn" "$da"
ok "check: the keyless laptop's database matches its op log" env FIELDBOOK_HOME=$T/n FIELDBOOK_CONFIG=$T/n.config $FB check
ok "rebuild on the coordinator's laptop keeps the state" sh -c "FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/a.config FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB rebuild > /dev/null && test \"\$(FIELDBOOK_HOME=$T/a FIELDBOOK_CONFIG=$T/a.config FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass $FB check --state-digest)\" = $da"
on a
ok "no sensitive plaintext in any git object of a, b, l, n or the remote, nor in the bundles" \
	$SCAN "$T/needles" "$T/hq.git" "$T/a/repo.git" "$T/b/repo.git" "$T/l/repo.git" "$T/n/repo.git" \
	"$T/all.bundle" "$T/all2.bundle"
like "... (objects were scanned)" "$(cat "$T/out")" "scanned [0-9]{2,} git objects"
ok "no sensitive plaintext in any file of the data directories (databases, WAL, key files, sessions)" \
	$SCAN "$T/needles" "$T/a" "$T/b" "$T/l" "$T/n" "$T/o"
printf '张三\n' > "$T/control"
is "(control: the scan finds a name that is not encrypted)" "$(status $SCAN "$T/control" "$T/hq.git")" 1
echo "1..$n"
