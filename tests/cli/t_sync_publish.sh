# t_sync_publish.sh - HQ's published snapshot and thin bundles: three devices exchange
# everything through a path remote in different orders and compute the same snapshot
# tree id; a coordinator's `sync --publish` commits it on main of the remote (clean for
# git fsck --strict, cloneable, README.txt and state files in it), publishing again with
# nothing new adds no commit, a second coordinator fast-forwards instead of forking;
# `bundle create FILE --for NAME` writes only what the remote lacks, with prerequisites
# that `git bundle verify` accepts in a clone of the remote, and fieldbook reads it there.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "1..0 # SKIP git not installed"; exit 0; }
git_test_env
export FIELDBOOK_NOW=2026-11-29T10:00:00+08:00

on() { export FIELDBOOK_HOME=$T/$1 FIELDBOOK_CONFIG=$T/$1.config; }
digest() { FIELDBOOK_HOME=$T/$1 $FB check --state-digest; }
snap() { FIELDBOOK_HOME=$T/$1 $FB check --snapshot-tree 2> /dev/null; }
fsck_ok() { git -C "$1" fsck --strict --no-progress > "$T/fsck" 2>&1 && ! grep -qE '^(error|warning|missing|broken)' "$T/fsck"; }
commits() { git -C "$T/usb.git" rev-list --count main 2> /dev/null || echo 0; }

bare "$T/usb.git"
for d in a b c; do
	on $d
	$FB init --device-label $d --operator op-$d > /dev/null
	$FB remote add usb "$T/usb.git" > /dev/null
done

on a
p=$($FB add person name=王芳 id_number=440305198802294562 mobile=13800138000 occupation=快递员 consent=是)
$FB add demand collected_by=骑手代表 affected=40 categories=休息 description=冬季装备 > /dev/null
on b
$FB add person name=李四 id_number=11010519491231002X mobile=13500001234 occupation=快递员 consent=是 > /dev/null
$FB add site name=爱心驿站 type=爱心驿站 > /dev/null
on c
$FB add site name=暖心之家 type=爱心驿站 > /dev/null
# round 1 in one order, round 2 in another, with edits in between (a conflict too)
for d in a b c; do on $d; $FB sync > /dev/null 2>&1; done
on b; $FB edit $p mobile=13900001111 > /dev/null
on c; $FB edit $p mobile=13700002222 > /dev/null
for d in c a b c a; do on $d; $FB sync > /dev/null 2>&1; done
is "a and b hold the same state" "$(digest a)" "$(digest b)"
is "b and c hold the same state" "$(digest b)" "$(digest c)"
ok "check --snapshot-tree on a" $FB check --snapshot-tree
like "... prints a tree id" "$(cat "$T/out")" '^[0-9a-f]{40}$'
tree=$(snap a)
is "b computes the same snapshot tree" "$(snap b)" "$tree"
is "c computes the same snapshot tree" "$(snap c)" "$tree"
is "check --snapshot-tree: a bad argument is a usage error" "$(status $FB check --snapshot)" 2

on b
$FB add person name=张三 id_number=110101199003071234 mobile=13600001111 occupation=快递员 consent=是 > /dev/null 2>&1 ||
	$FB add site name=新驿站 type=爱心驿站 > /dev/null
like "unsynced changes: the snapshot tree says it will differ" "$(FIELDBOOK_HOME=$T/b $FB check --snapshot-tree 2>&1 > /dev/null)" "not synced yet"
$FB sync > /dev/null 2>&1
for d in a c; do on $d; $FB sync > /dev/null 2>&1; done
tree=$(snap a)
is "after another round: b's snapshot matches a's" "$(snap b)" "$tree"
is "... and c's" "$(snap c)" "$tree"

# ---- publishing ----
on a
ok "a publishes (sync --publish)" $FB sync --publish
like "... prints the tree" "$(cat "$T/out")" "^published main: tree $tree\$"
ok "the remote has main" git -C "$T/usb.git" log -q main
is "... one snapshot commit" "$(commits)" 1
is "... whose tree is the snapshot tree" "$(git -C "$T/usb.git" rev-parse 'main^{tree}')" "$tree"
ok "git fsck --strict: the remote" fsck_ok "$T/usb.git"
ok "git fsck --strict: a's repository" fsck_ok "$T/a/repo.git"
ok "git clone of main" git clone -q -b main "$T/usb.git" "$T/clone"
ok "... has README.txt" test -s "$T/clone/README.txt"
ok "... and FORMAT" grep -q '^fieldbook-snapshot 1$' "$T/clone/FORMAT"
ok "... has state files by kind" test -n "$(ls "$T/clone/state/person/"*.tsv)"
like "... holding the records" "$(cat "$T/clone/state/person/"*.tsv)" "^record	$p	person	"
is "... the state files hold exactly the dump" \
	"$(cat "$T/clone/state"/*/*.tsv | grep -c '^record')" "$(FIELDBOOK_HOME=$T/a $FB dump | grep -c '^record')"
ok "... and every device's log" test "$(ls "$T/clone/log" | wc -l)" -eq 3
ok "the device logs are the branches' own trees (no copies)" test \
	"$(git -C "$T/usb.git" rev-parse "main:log/$(ls "$T/clone/log" | head -1)")" = \
	"$(git -C "$T/usb.git" rev-parse "dev/$(ls "$T/clone/log" | head -1):log/$(ls "$T/clone/log" | head -1)")"
ok "publishing again with nothing new" $FB sync --publish
like "... says unchanged" "$(cat "$T/out")" "^published main: tree $tree \(unchanged\)\$"
is "... adds no commit" "$(commits)" 1
on b
ok "another coordinator publishing the same data" $FB sync usb --publish
is "... adds no commit either (fast-forward)" "$(commits)" 1
$FB add site name=第三驿站 type=爱心驿站 > /dev/null
ok "b publishes new data" $FB sync --publish
is "... one commit more" "$(commits)" 2
is "... on top of a's" "$(git -C "$T/usb.git" rev-list --parents -1 main | wc -w)" 2
is "... main's tree is b's snapshot tree" "$(git -C "$T/usb.git" rev-parse 'main^{tree}')" "$(snap b)"
on a
ok "a syncs and publishes after b" $FB sync --publish
is "... nothing new to commit" "$(commits)" 2
is "... a's snapshot tree is main's" "$(snap a)" "$(git -C "$T/usb.git" rev-parse 'main^{tree}')"
ok "git fsck --strict: the remote after the publishes" fsck_ok "$T/usb.git"
on c
ok "an ordinary sync ignores main" $FB sync
ok "... and fetches none of it" sh -c "! git -C '$T/c/repo.git' rev-parse -q --verify refs/fieldbook/staging/usb/main"

# ---- thin bundles: --for NAME ----
on c
$FB add site name=第四驿站 type=爱心驿站 > /dev/null
ok "bundle create (everything)" $FB bundle create "$T/full.bundle"
ok "bundle create --for usb" $FB bundle create "$T/thin.bundle" --for usb
like "... says what it wrote" "$(cat "$T/out")" "the data of 1 device that usb does not have yet \(needs 3 earlier commits\)"
ok "... the thin bundle is smaller" test "$(wc -c < "$T/thin.bundle")" -lt "$(wc -c < "$T/full.bundle")"
like "... it has prerequisite lines" "$(head -c 300 "$T/thin.bundle" | grep -a '^-')" "^-[0-9a-f]{40} dev/"
git clone -q --mirror "$T/usb.git" "$T/mirror.git"
ok "git bundle verify accepts it in a clone of the remote" git -C "$T/mirror.git" bundle verify "$T/thin.bundle"
ok "git fetch from it works there" git -C "$T/mirror.git" fetch -q "$T/thin.bundle" 'refs/heads/*:refs/heads/*'
ok "git fsck --strict after the fetch" fsck_ok "$T/mirror.git"
on d
$FB init --device-label d > /dev/null
$FB remote add usb "$T/usb.git" > /dev/null
$FB sync > /dev/null 2>&1
ok "fieldbook on the other side (synced with usb) reads the thin bundle" $FB bundle read "$T/thin.bundle"
like "... receiving c's new changes" "$(cat "$T/out")" "received [1-9][0-9]* changes from 1 device"
is "... and then has c's state" "$(digest d)" "$(digest c)"
on e
$FB init --device-label e > /dev/null
is "a laptop without that history cannot read it: exit 1" "$(status $FB bundle read "$T/thin.bundle")" 1
like "... in plain words" "$(cat "$T/err")" "continues history this computer does not have"
on c
$FB sync > /dev/null 2>&1
is "--for a remote that has everything: exit 1" "$(status $FB bundle create "$T/none.bundle" --for usb)" 1
like "... in plain words" "$(cat "$T/err")" "already has everything"
is "--for a remote never synced with: exit 1" "$(status $FB bundle create "$T/none.bundle" --for hq)" 1
like "... in plain words" "$(cat "$T/err")" "never synced with a remote hq"
is "--for with no name is a usage error" "$(status $FB bundle create "$T/none.bundle" --for)" 2
ok "no file left behind by the failures" test ! -e "$T/none.bundle"
echo "1..$n"
