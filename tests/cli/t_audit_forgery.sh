# t_audit_forgery.sh - audit entries are exactly the ops of the save that wrote them, also
# when a forged change file arrives by sync: a change file of another device that adds a
# field to an existing audit entry and a second value to one of its fields (what
# fb_op_check cannot see: no pred, no delete) is pushed to the bare remote with git
# plumbing; after sync the entry is unchanged on the laptop that wrote it and on a laptop
# that receives both at once, an alarm names each ignored op, and `fieldbook check`
# passes (rebuild gives the same state).
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "1..0 # SKIP git not installed"; exit 0; }
git_test_env
unset XDG_RUNTIME_DIR
on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
entry() { $FB dump | awk -v r="$rec" '$1 == "record" { on = $2 == r } on'; } # the entry in the dump
bare "$T/hq.git"
printf '%s\n' "长江后浪推前浪-2026" > "$T/coord.pass"
chmod 600 "$T/coord.pass"
export FIELDBOOK_PASSPHRASE_FILE=$T/coord.pass

# ---- the coordinator reveals a mobile: one audit entry, synced to HQ
on a
$FB init --device-label a --operator 王协调 > /dev/null
ok "key create (privacy mode: reveals are audited)" $FB key create
p=$($FB add person name=张三 mobile=13912345678 occupation=courier)
like "a reveal of the mobile" "$($FB show $p --unmasked --reason 回访电话)" "13912345678"
audit=$($FB list audit --format tsv | grep "	$p	mobile" | cut -f1)
like "... wrote an audit entry" "$audit" "^[0-9a-f]{4,}$"
ok "remote add and sync" sh -c "$FB remote add hq '$T/hq.git' && $FB sync"
before=$($FB show $audit)
like "the entry names the field and the reason" "$before" "mobile.*|回访电话"

# ---- a forged change file of another device adds a field to that entry
devbranch=$(git -C "$T/hq.git" for-each-ref --format='%(refname:short)' refs/heads/dev/ | head -1)
creator=$(git -C "$T/hq.git" grep -h -P '\taudit\t[0-9a-f]+\t_exists\t1\t' "$devbranch" -- log | head -1)
rec=$(printf '%s' "$creator" | cut -f5)
hlc=$(printf '%s' "$creator" | cut -f2)
like "the entry's creating op is in a's change file" "$rec" "^$audit"
like "the dump shows the entry's fields" "$(entry)" "reason.*回访电话"
M=dddddddddddddddd
idx=$T/forge.index
blob=$(printf 'fieldbook-data 1\n' | git -C "$T/hq.git" hash-object -w --stdin)
GIT_INDEX_FILE=$idx git -C "$T/hq.git" update-index --add --cacheinfo "100644,$blob,FORMAT"
blob=$(printf 'id %s\nlabel mallory\nteam \n' $M | git -C "$T/hq.git" hash-object -w --stdin)
GIT_INDEX_FILE=$idx git -C "$T/hq.git" update-index --add --cacheinfo "100644,$blob,device.txt"
# one save: a second value of a field the entry has, and a field it never had (no pred)
blob=$(printf 'fieldbook-changes 1\ndevice %s\nseal 1\nops 2\n%s:1.0\t%s\tmallory\taudit\t%s\tfield\tid_number\t\n%s:1.1\t%s\tmallory\taudit\t%s\tnote\t伪造\t\nend 2\n' \
	$M $M $((hlc + 65536)) "$rec" $M $((hlc + 65536)) "$rec" | git -C "$T/hq.git" hash-object -w --stdin)
GIT_INDEX_FILE=$idx git -C "$T/hq.git" update-index --add --cacheinfo "100644,$blob,log/$M/000/000001.chg"
commit=$(git -C "$T/hq.git" commit-tree "$(GIT_INDEX_FILE=$idx git -C "$T/hq.git" write-tree)" -m "seal 1: 2 ops")
git -C "$T/hq.git" update-ref refs/heads/dev/$M "$commit"

ok "a syncs the forged change file" $FB sync
is "the audit entry is unchanged" "$($FB show $audit)" "$before"
unlike "... it has no second value and no note" "$(entry)" "id_number|note|伪造"
like "an alarm says what happened" "$($FB review alarms)" "$M:1.0 tries to change audit entry $rec.*ignored"
like "... one for each op of the forged save" "$($FB review alarms)" "$M:1.1 tries to change audit entry $rec"
ok "check passes (a rebuild gives the same state)" $FB check
digest=$($FB check --state-digest)
ok "rebuild" $FB rebuild
is "... the same state" "$($FB check --state-digest)" "$digest"
is "an audit entry still cannot be edited locally" "$(status $FB edit $audit reason=x)" 1
like "... saying why" "$(cat "$T/err")" "audit entries can never be changed"

# ---- a laptop without the key receives the entry and the forgery in one sync
on c
unset FIELDBOOK_PASSPHRASE_FILE
$FB init --device-label c > /dev/null
ok "c syncs both" sh -c "$FB remote add hq '$T/hq.git' && $FB sync"
unlike "c: the entry has no second value and no note" "$(entry)" "id_number|note|伪造"
like "c: it has its own fields" "$(entry)" "action.*reveal"
like "c: an alarm too" "$($FB review alarms)" "$M:1.0 tries to change audit entry $rec"
is "c: the same state as a" "$($FB check --state-digest)" "$digest"
ok "c: check passes" $FB check
echo "1..$n"
